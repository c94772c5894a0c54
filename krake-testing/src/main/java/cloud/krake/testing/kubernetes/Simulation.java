package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * What the rest of a cluster would do to an object the fake stores: the API server's own
 * allocations (Service cluster IPs and node ports, Namespace phase, CRD conditions), always; and,
 * with auto-ready on, a stand-in for the controller manager and the kubelet that reports workloads
 * as fully ready, unless a {@link LocalKubelet} is attached, which then reports what really runs.
 *
 * <p>Called under the store's lock with the object about to be stored (changed in place).
 */
final class Simulation {
  static final int NODE_PORT_MIN = 30000;
  static final int NODE_PORT_MAX = 32767;

  private final boolean autoReady;
  private final Supplier<String> now;

  // Guarded by the store's lock
  private final Set<Integer> nodePorts = new HashSet<>();
  // With a LocalKubelet attached, Pods and workloads report what really runs
  private boolean kubeletAttached;
  private int nextNodePort = NODE_PORT_MIN;
  private int nextClusterIp = 1;
  // Which node ports are free on the host too (a kubelet's kube-proxy listens on them)
  private IntPredicate nodePortFree = port -> true;

  Simulation(boolean autoReady, Supplier<String> now) {
    this.autoReady = autoReady;
    this.now = now;
  }

  /**
   * Applies the server's allocations and, with auto-ready, the observed state to an object being
   * created ({@code old == null}) or updated through the main resource.
   */
  void onWrite(ApiResource type, ObjectNode object, ObjectNode old) {
    switch (type.group() + "/" + type.kind()) {
      case "/Service" -> allocate(object, old);
      case "/Namespace" -> Json.child(object, "status").put("phase", phase(object));
      case "apiextensions.k8s.io/CustomResourceDefinition" -> establish(object);
      default -> {
        // nothing allocated by the API server
      }
    }
    if (autoReady) {
      ready(type, object, old);
    }
  }

  /**
   * Leaves Pods, Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and
   * ReplicationControllers to an attached kubelet (auto-ready then only binds volumes).
   */
  void kubeletAttached(boolean attached) {
    kubeletAttached = attached;
  }

  /**
   * Makes the node-port allocator skip ports {@code free} rejects (ports in use on the host, while
   * a kubelet's kube-proxy would listen on them); {@code null} accepts every port again.
   */
  void nodePortCheck(IntPredicate free) {
    nodePortFree = free == null ? port -> true : free;
  }

  /** Frees what an object held (node ports) once it is gone. */
  void onDelete(ApiResource type, ObjectNode object) {
    if (type.group().isEmpty() && type.kind().equals("Service")) {
      for (JsonNode port : object.path("spec").path("ports")) {
        if (port.hasNonNull("nodePort")) {
          nodePorts.remove(port.get("nodePort").asInt());
        }
      }
    }
  }

  private static String phase(ObjectNode namespace) {
    return namespace.path("metadata").has("deletionTimestamp") ? "Terminating" : "Active";
  }

  private void allocate(ObjectNode service, ObjectNode old) {
    ObjectNode spec = Json.child(service, "spec");
    JsonNode oldSpec = old == null ? null : old.path("spec");
    String type = spec.path("type").asText("ClusterIP");
    if (!spec.hasNonNull("clusterIP") || spec.get("clusterIP").asText().isEmpty()) {
      if (oldSpec != null && oldSpec.hasNonNull("clusterIP")) {
        spec.set("clusterIP", oldSpec.get("clusterIP"));
      } else if (!type.equals("ExternalName")) {
        int n = nextClusterIp++;
        spec.put("clusterIP", "10.96." + ((n >> 8) & 0xff) + "." + (n & 0xff));
      }
      if (spec.hasNonNull("clusterIP")) {
        spec.putArray("clusterIPs").add(spec.get("clusterIP").asText());
      }
    }
    if (!type.equals("NodePort") && !type.equals("LoadBalancer")) {
      return;
    }
    JsonNode ports = spec.path("ports");
    if (!ports.isArray()) {
      return;
    }
    for (JsonNode node : ports) {
      if (!(node instanceof ObjectNode port) || port.hasNonNull("nodePort")) {
        if (node.hasNonNull("nodePort")) {
          nodePorts.add(node.get("nodePort").asInt());
        }
        continue;
      }
      JsonNode previous = oldPort(oldSpec, port);
      if (previous != null) {
        port.set("nodePort", previous);
      } else {
        port.put("nodePort", freeNodePort());
      }
    }
  }

  private static JsonNode oldPort(JsonNode oldSpec, ObjectNode port) {
    if (oldSpec == null) {
      return null;
    }
    for (JsonNode candidate : oldSpec.path("ports")) {
      boolean sameName =
          candidate.path("name").asText("").equals(port.path("name").asText(""))
              && candidate.path("port").asInt(-1) == port.path("port").asInt(-2);
      if (sameName && candidate.hasNonNull("nodePort")) {
        return candidate.get("nodePort");
      }
    }
    return null;
  }

  private int freeNodePort() {
    for (int i = 0; i <= NODE_PORT_MAX - NODE_PORT_MIN; i++) {
      int candidate = nextNodePort;
      nextNodePort = candidate == NODE_PORT_MAX ? NODE_PORT_MIN : candidate + 1;
      if (!nodePorts.contains(candidate) && nodePortFree.test(candidate)) {
        nodePorts.add(candidate);
        return candidate;
      }
    }
    throw new ApiError(422, "Invalid", "provided port range is full", "", "", "services");
  }

  private void establish(ObjectNode crd) {
    ObjectNode status = Json.child(crd, "status");
    ArrayNode conditions = status.putArray("conditions");
    for (String type : new String[] {"NamesAccepted", "Established"}) {
      ObjectNode condition = conditions.addObject();
      condition.put("type", type);
      condition.put("status", "True");
      condition.put("reason", type.equals("Established") ? "InitialNamesAccepted" : "NoConflicts");
      condition.put("lastTransitionTime", crd.path("metadata").path("creationTimestamp").asText());
    }
    status.set("acceptedNames", crd.path("spec").path("names").deepCopy());
    ArrayNode stored = status.putArray("storedVersions");
    for (JsonNode version : crd.path("spec").path("versions")) {
      if (version.path("storage").asBoolean(false)) {
        stored.add(version.path("name").asText());
      }
    }
  }

  private void ready(ApiResource type, ObjectNode object, ObjectNode old) {
    JsonNode spec = object.path("spec");
    long generation = object.path("metadata").path("generation").asLong(1);
    if (old != null
        && old.has("status")
        && old.path("metadata").path("generation").asLong(1) == generation) {
      // controllers react to a new generation; status set by a test stays until the spec changes
      return;
    }
    String since = object.path("metadata").path("creationTimestamp").asText();
    if (kubeletAttached && LocalKubelet.OWNED_KINDS.contains(type.group() + "/" + type.kind())) {
      return;
    }
    switch (type.group() + "/" + type.kind()) {
      case "apps/Deployment", "apps/ReplicaSet", "apps/StatefulSet", "/ReplicationController" -> {
        int replicas = spec.path("replicas").asInt(1);
        ObjectNode status = object.putObject("status");
        status.put("observedGeneration", generation);
        status.put("replicas", replicas);
        status.put("readyReplicas", replicas);
        status.put("availableReplicas", replicas);
        status.put("updatedReplicas", replicas);
        if (type.kind().equals("StatefulSet")) {
          status.put("currentReplicas", replicas);
        }
        if (type.kind().equals("Deployment")) {
          ArrayNode conditions = status.putArray("conditions");
          condition(conditions, "Available", "MinimumReplicasAvailable", since);
          condition(conditions, "Progressing", "NewReplicaSetAvailable", since);
        }
      }
      case "apps/DaemonSet" -> {
        ObjectNode status = object.putObject("status");
        status.put("observedGeneration", generation);
        status.put("desiredNumberScheduled", 1);
        status.put("currentNumberScheduled", 1);
        status.put("updatedNumberScheduled", 1);
        status.put("numberReady", 1);
        status.put("numberAvailable", 1);
        status.put("numberMisscheduled", 0);
      }
      case "/Pod" -> {
        if (object.path("status").has("phase")) {
          return; // the kubelet reported once; later spec writes do not restart the pod
        }
        ObjectNode status = object.putObject("status");
        status.put("phase", "Running");
        status.put("startTime", now.get());
        status.put(
            "podIP", "10.244.0." + (1 + (object.path("metadata").path("uid").hashCode() & 0x7f)));
        ArrayNode conditions = status.putArray("conditions");
        condition(conditions, "Initialized", null, since);
        condition(conditions, "Ready", null, since);
        condition(conditions, "ContainersReady", null, since);
        condition(conditions, "PodScheduled", null, since);
        ArrayNode statuses = status.putArray("containerStatuses");
        for (JsonNode container : spec.path("containers")) {
          ObjectNode containerStatus = statuses.addObject();
          containerStatus.put("name", container.path("name").asText());
          containerStatus.put("image", container.path("image").asText());
          containerStatus.put("imageID", "");
          containerStatus.put("ready", true);
          containerStatus.put("started", true);
          containerStatus.put("restartCount", 0);
          containerStatus.putObject("state").putObject("running").put("startedAt", now.get());
        }
      }
      case "batch/Job" -> {
        if (object.path("status").has("startTime")) {
          return; // running already (or completed by a test)
        }
        ObjectNode status = object.putObject("status");
        status.put("active", 1);
        status.put("startTime", now.get());
      }
      case "/PersistentVolumeClaim" -> Json.child(object, "status").put("phase", "Bound");
      case "/PersistentVolume" -> Json.child(object, "status").put("phase", "Bound");
      default -> {
        // no controller modelled
      }
    }
  }

  private static void condition(ArrayNode conditions, String type, String reason, String since) {
    ObjectNode condition = conditions.addObject();
    condition.put("type", type);
    condition.put("status", "True");
    if (reason != null) {
      condition.put("reason", reason);
    }
    condition.put("lastTransitionTime", since);
  }
}
