package cloud.krake.testing.kubernetes;

import static cloud.krake.testing.kubernetes.WorkloadControllers.isFinished;
import static cloud.krake.testing.kubernetes.WorkloadControllers.label;
import static cloud.krake.testing.kubernetes.WorkloadControllers.labelsOf;
import static cloud.krake.testing.kubernetes.WorkloadControllers.name;
import static cloud.krake.testing.kubernetes.WorkloadControllers.ready;
import static cloud.krake.testing.kubernetes.WorkloadControllers.templateHash;
import static cloud.krake.testing.kubernetes.WorkloadControllers.terminating;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The StatefulSet controller of {@link WorkloadControllers}: Pods {@code <name>-<ordinal>} with a
 * stable hostname (and {@code subdomain} from {@code serviceName}), created and removed one at a
 * time in ordinal order unless {@code podManagementPolicy: Parallel}; a PersistentVolumeClaim
 * {@code <template>-<pod>} per {@code volumeClaimTemplates} entry, kept when the Pod goes; outdated
 * Pods replaced one at a time, highest ordinal first, once all are ready (not with {@code
 * OnDelete}); no partitions.
 *
 * <p>Confined to the kubelet's sync thread.
 */
final class StatefulSetController {
  private final WorkloadControllers controllers;
  private final ObjectStore store;
  private final ApiResource pods;
  private final ApiResource claims;

  StatefulSetController(
      WorkloadControllers controllers, ObjectStore store, ApiResource pods, ApiResource claims) {
    this.controllers = controllers;
    this.store = store;
    this.pods = pods;
    this.claims = claims;
  }

  /** Reconciles one StatefulSet: its Pods by ordinal, their claims, its status. */
  void sync(ApiResource type, ObjectNode set) {
    JsonNode metadata = set.path("metadata");
    JsonNode spec = set.path("spec");
    String namespace = metadata.path("namespace").asText();
    String name = name(set);
    int replicas = spec.path("replicas").asInt(1);
    String revision = name + "-" + templateHash(spec.path("template"));
    boolean parallel = spec.path("podManagementPolicy").asText("").equals("Parallel");
    Map<Integer, ObjectNode> byOrdinal = new HashMap<>();
    for (ObjectNode pod : controllers.owned(pods, namespace, metadata.path("uid").asText())) {
      String podName = name(pod);
      if (podName.startsWith(name + "-")) {
        try {
          byOrdinal.put(Integer.parseInt(podName.substring(name.length() + 1)), pod);
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    }
    boolean busy = false;
    for (ObjectNode pod : byOrdinal.values()) {
      if (terminating(pod)) {
        busy = true;
      } else if (isFinished(pod)) {
        controllers.delete(pods, pod); // recreated once it is gone
        busy = true;
      }
    }
    List<Integer> ordinals = new ArrayList<>(byOrdinal.keySet());
    ordinals.sort(Comparator.reverseOrder());
    for (int ordinal : ordinals) {
      if (ordinal >= replicas && !terminating(byOrdinal.get(ordinal)) && (parallel || !busy)) {
        controllers.delete(pods, byOrdinal.get(ordinal));
        busy = true;
      }
    }
    for (int i = 0; i < replicas; i++) {
      ObjectNode pod = byOrdinal.get(i);
      if (pod == null) {
        if (!busy || parallel) {
          createStatefulPod(set, namespace, name + "-" + i, i, revision);
        }
        if (!parallel) {
          break;
        }
      } else if (!parallel && !ready(pod)) {
        break;
      }
    }
    boolean allReady = true;
    for (int i = 0; i < replicas; i++) {
      ObjectNode pod = byOrdinal.get(i);
      allReady &= pod != null && ready(pod) && !terminating(pod);
    }
    if (allReady && !spec.path("updateStrategy").path("type").asText("").equals("OnDelete")) {
      for (int i = replicas - 1; i >= 0; i--) {
        if (!revision.equals(label(byOrdinal.get(i), "controller-revision-hash"))) {
          controllers.delete(pods, byOrdinal.get(i));
          break;
        }
      }
    }
    int existing = 0;
    int ready = 0;
    int updated = 0;
    for (ObjectNode pod : byOrdinal.values()) {
      if (terminating(pod)) {
        continue;
      }
      existing++;
      ready += ready(pod) ? 1 : 0;
      updated += revision.equals(label(pod, "controller-revision-hash")) ? 1 : 0;
    }
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("observedGeneration", metadata.path("generation").asLong(1));
    status.put("replicas", existing);
    status.put("readyReplicas", ready);
    status.put("currentReplicas", updated);
    status.put("updatedReplicas", updated);
    status.put("availableReplicas", ready);
    status.put("currentRevision", revision);
    status.put("updateRevision", revision);
    status.put("collisionCount", 0);
    controllers.writeStatus(type, set, status);
  }

  private void createStatefulPod(
      ObjectNode set, String namespace, String podName, int ordinal, String revision) {
    JsonNode spec = set.path("spec");
    Map<String, String> labels = new HashMap<>();
    labels.put("controller-revision-hash", revision);
    labels.put("statefulset.kubernetes.io/pod-name", podName);
    labels.put("apps.kubernetes.io/pod-index", Integer.toString(ordinal));
    List<ObjectNode> volumes = new ArrayList<>();
    for (JsonNode template : spec.path("volumeClaimTemplates")) {
      String volume = template.path("metadata").path("name").asText();
      String claim = volume + "-" + podName;
      if (store.find(claims, namespace, claim).isEmpty()) {
        ObjectNode pvc = JsonNodeFactory.instance.objectNode();
        pvc.put("apiVersion", "v1");
        pvc.put("kind", "PersistentVolumeClaim");
        ObjectNode pvcMetadata = pvc.putObject("metadata");
        pvcMetadata.put("name", claim);
        pvcMetadata.put("namespace", namespace);
        pvcMetadata.putObject("labels").setAll(labelsOf(spec.path("template")));
        pvc.set("spec", template.path("spec").deepCopy());
        controllers.create(claims, namespace, pvc);
      }
      ObjectNode podVolume = JsonNodeFactory.instance.objectNode();
      podVolume.put("name", volume);
      podVolume.putObject("persistentVolumeClaim").put("claimName", claim);
      volumes.add(podVolume);
    }
    ObjectNode pod = controllers.podFrom(set, namespace, podName, null, labels, null);
    ObjectNode podSpec = Json.child(pod, "spec");
    podSpec.put("hostname", podName);
    if (spec.hasNonNull("serviceName")) {
      podSpec.put("subdomain", spec.path("serviceName").asText());
    }
    if (!volumes.isEmpty()) {
      ArrayNode podVolumes =
          podSpec.get("volumes") instanceof ArrayNode existing
              ? existing
              : podSpec.putArray("volumes");
      for (ObjectNode volume : volumes) {
        for (int i = podVolumes.size() - 1; i >= 0; i--) {
          if (podVolumes.get(i).path("name").asText().equals(volume.path("name").asText())) {
            podVolumes.remove(i);
          }
        }
        podVolumes.add(volume);
      }
    }
    controllers.create(pods, namespace, pod);
  }
}
