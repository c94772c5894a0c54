package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Node objects of {@link FakeKubernetesApiServer}, as a kubelet registers and reports them: a
 * new Node with its well-known labels; its status, Ready, without pressure conditions, with 4 CPUs
 * and 8 GiB; and a condition set by a test. Stateless.
 */
final class NodeObjects {

  private NodeObjects() {}

  /** A new Node named {@code name}, with the hostname, os and arch labels and an empty spec. */
  static ObjectNode node(String name) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("apiVersion", "v1");
    node.put("kind", "Node");
    ObjectNode metadata = node.putObject("metadata");
    metadata.put("name", name);
    ObjectNode labels = metadata.putObject("labels");
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    node.putObject("spec");
    return node;
  }

  /** Gives a Node the status of a ready kubelet's first report, at {@code now}. */
  static ObjectNode setReady(ObjectNode object, String name, String now) {
    ObjectNode status = object.putObject("status");
    ArrayNode conditions = status.putArray("conditions");
    condition(conditions, "MemoryPressure", "False", "KubeletHasSufficientMemory", now);
    condition(conditions, "DiskPressure", "False", "KubeletHasNoDiskPressure", now);
    condition(conditions, "PIDPressure", "False", "KubeletHasSufficientPID", now);
    condition(conditions, "Ready", "True", "KubeletReady", now);
    ObjectNode capacity = status.putObject("capacity");
    capacity.put("cpu", "4");
    capacity.put("memory", "8Gi");
    capacity.put("pods", "110");
    status.set("allocatable", capacity.deepCopy());
    ArrayNode addresses = status.putArray("addresses");
    addresses.addObject().put("type", "InternalIP").put("address", "127.0.0.1");
    addresses.addObject().put("type", "Hostname").put("address", name);
    ObjectNode info = status.putObject("nodeInfo");
    info.put("architecture", "amd64");
    info.put("bootID", "00000000-0000-0000-0000-000000000000");
    info.put("containerRuntimeVersion", "containerd://1.7.0");
    info.put("kernelVersion", "6.1.0");
    info.put("kubeProxyVersion", "v1.30.0");
    info.put("kubeletVersion", "v1.30.0");
    info.put("machineID", name);
    info.put("operatingSystem", "linux");
    info.put("osImage", "Krake fake node");
    info.put("systemUUID", name);
    return object;
  }

  /**
   * Sets a condition of a Node, adding it if missing; {@code lastTransitionTime} moves only when
   * its status changes.
   */
  static ObjectNode setCondition(ObjectNode object, String type, String status, String now) {
    ObjectNode nodeStatus = Json.child(object, "status");
    ArrayNode conditions =
        nodeStatus.get("conditions") instanceof ArrayNode existing
            ? existing
            : nodeStatus.putArray("conditions");
    ObjectNode condition = null;
    for (JsonNode candidate : conditions) {
      if (candidate.path("type").asText().equals(type)) {
        condition = (ObjectNode) candidate;
      }
    }
    if (condition == null) {
      condition = conditions.addObject();
      condition.put("type", type);
    }
    if (!condition.path("status").asText().equals(status)) {
      condition.put("lastTransitionTime", now);
    }
    condition.put("status", status);
    condition.put("lastHeartbeatTime", now);
    condition.put("reason", "SetByTest");
    return object;
  }

  private static void condition(
      ArrayNode conditions, String type, String status, String reason, String now) {
    ObjectNode condition = conditions.addObject();
    condition.put("type", type);
    condition.put("status", status);
    condition.put("reason", reason);
    condition.put("lastHeartbeatTime", now);
    condition.put("lastTransitionTime", now);
  }
}
