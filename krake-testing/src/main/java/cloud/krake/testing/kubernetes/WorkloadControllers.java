package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.ObjectStore.Mode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local kubelet's stand-in for the controller manager: Deployments (through ReplicaSets named
 * {@code <name>-<pod-template-hash>}), ReplicaSets and ReplicationControllers (Pods {@code
 * <name>-<random>}), StatefulSets (Pods {@code <name>-<ordinal>}, ordered unless {@code
 * podManagementPolicy: Parallel}, claims from {@code volumeClaimTemplates}), DaemonSets (a Pod per
 * Node) and Jobs (Pods until {@code completions} succeeded or more than {@code backoffLimit}
 * failed). Pods carry {@code ownerReferences} to their controller, which reports its status from
 * them; when a controller object is deleted its ReplicaSets and Pods are deleted (background
 * cascading, as the garbage collector).
 *
 * <p>Simplifications: a Deployment rollout replaces the old ReplicaSet once the new one is ready
 * (or at once with {@code Recreate}), with no revision history; StatefulSets and DaemonSets replace
 * outdated Pods one at a time without partitions; {@code minReadySeconds}, probes, affinity, taints
 * and Pod failure policies are ignored; Job failures are counted from failed Pods only (not from
 * restarts in place with {@code OnFailure}), without the Job's own back-off between retries.
 *
 * <p>The StatefulSet and Job controllers are {@link StatefulSetController} and {@link
 * JobController}; they use this class's writes and Pod template.
 *
 * <p>Confined to the kubelet's sync thread.
 */
final class WorkloadControllers {
  private static final Logger log = LoggerFactory.getLogger(WorkloadControllers.class);
  private static final String SAFE_CHARS = "bcdfghjklmnpqrstvwxz2456789";

  private final ObjectStore store;
  private final Clock clock;
  private final ApiResource pods;
  private final ApiResource replicaSets;
  private final ApiResource nodes;
  private final ApiResource claims;
  private final Map<String, ApiResource> types = new HashMap<>();
  private final StatefulSetController statefulSets;
  private final JobController jobs;

  WorkloadControllers(FakeKubernetesApiServer server, Clock clock) {
    this.store = server.store();
    this.clock = clock;
    this.pods = server.resourceType("v1", "Pod");
    this.replicaSets = server.resourceType("apps/v1", "ReplicaSet");
    this.nodes = server.resourceType("v1", "Node");
    this.claims = server.resourceType("v1", "PersistentVolumeClaim");
    types.put("apps/Deployment", server.resourceType("apps/v1", "Deployment"));
    types.put("apps/ReplicaSet", replicaSets);
    types.put("apps/StatefulSet", server.resourceType("apps/v1", "StatefulSet"));
    types.put("apps/DaemonSet", server.resourceType("apps/v1", "DaemonSet"));
    types.put("batch/Job", server.resourceType("batch/v1", "Job"));
    types.put("/ReplicationController", server.resourceType("v1", "ReplicationController"));
    this.statefulSets = new StatefulSetController(this, store, pods, claims);
    this.jobs = new JobController(this, pods, clock);
  }

  /** Reconciles one controller object; {@code kind} is {@code group/Kind}. */
  void sync(String kind, String namespace, String name) {
    ApiResource type = types.get(kind);
    Optional<ObjectNode> found = store.find(type, namespace, name);
    if (found.isEmpty() || found.get().path("metadata").has("deletionTimestamp")) {
      return;
    }
    ObjectNode object = found.get();
    switch (kind) {
      case "apps/Deployment" -> deployment(type, object);
      case "apps/ReplicaSet", "/ReplicationController" -> replicaSet(type, object);
      case "apps/StatefulSet" -> statefulSets.sync(type, object);
      case "apps/DaemonSet" -> daemonSet(type, object);
      case "batch/Job" -> jobs.sync(type, object);
      default -> throw new IllegalArgumentException("not a workload: " + kind);
    }
  }

  /** Reconciles every DaemonSet (the Nodes changed). */
  void syncDaemonSets() {
    ApiResource type = types.get("apps/DaemonSet");
    for (ObjectNode daemonSet : store.list(type, null, Selectors.NONE, 0, null).items()) {
      daemonSet(type, daemonSet);
    }
  }

  /** Deletes the ReplicaSets and Pods a deleted controller object owned (uid). */
  void collect(String namespace, String ownerUid) {
    for (ApiResource type : List.of(replicaSets, pods)) {
      for (ObjectNode dependent : owned(type, namespace, ownerUid)) {
        delete(type, dependent);
      }
    }
  }

  // ------------------------------------------------------------------------------ Deployment

  private void deployment(ApiResource type, ObjectNode deployment) {
    JsonNode metadata = deployment.path("metadata");
    String namespace = metadata.path("namespace").asText();
    String name = metadata.path("name").asText();
    int replicas = deployment.path("spec").path("replicas").asInt(1);
    JsonNode template = deployment.path("spec").path("template");
    String hash = templateHash(template);
    String current = name + "-" + hash;
    List<ObjectNode> owned = owned(replicaSets, namespace, metadata.path("uid").asText());
    ObjectNode newSet =
        owned.stream().filter(rs -> name(rs).equals(current)).findFirst().orElse(null);
    if (newSet == null) {
      ObjectNode rs = JsonNodeFactory.instance.objectNode();
      rs.put("apiVersion", "apps/v1");
      rs.put("kind", "ReplicaSet");
      ObjectNode rsMetadata = rs.putObject("metadata");
      rsMetadata.put("name", current);
      rsMetadata.put("namespace", namespace);
      ObjectNode labels = rsMetadata.putObject("labels");
      labels.setAll(labelsOf(template));
      labels.put("pod-template-hash", hash);
      rsMetadata
          .putObject("annotations")
          .put("deployment.kubernetes.io/desired-replicas", Integer.toString(replicas));
      rsMetadata.putArray("ownerReferences").add(ownerReference(deployment));
      ObjectNode spec = rs.putObject("spec");
      spec.put("replicas", replicas);
      ObjectNode selector = spec.putObject("selector");
      if (deployment.path("spec").path("selector").isObject()) {
        selector.setAll((ObjectNode) deployment.path("spec").path("selector").deepCopy());
      }
      Json.child(selector, "matchLabels").put("pod-template-hash", hash);
      ObjectNode podTemplate =
          template.isObject() ? ((ObjectNode) template).deepCopy() : spec.objectNode();
      Json.child(Json.child(podTemplate, "metadata"), "labels").put("pod-template-hash", hash);
      spec.set("template", podTemplate);
      newSet = create(replicaSets, namespace, rs).orElse(null);
      if (newSet == null) {
        return;
      }
      owned.add(newSet);
    } else if (newSet.path("spec").path("replicas").asInt(1) != replicas) {
      update(replicaSets, newSet, rs -> Json.child(rs, "spec").put("replicas", replicas));
    }
    boolean recreate =
        deployment.path("spec").path("strategy").path("type").asText("").equals("Recreate");
    boolean newReady = newSet.path("status").path("readyReplicas").asInt(0) >= replicas;
    List<ObjectNode> remaining = new ArrayList<>();
    for (ObjectNode rs : owned) {
      if (!name(rs).equals(current) && (recreate || newReady)) {
        delete(replicaSets, rs);
      } else {
        remaining.add(rs);
      }
    }
    int total = 0;
    int ready = 0;
    int available = 0;
    for (ObjectNode rs : remaining) {
      JsonNode status = rs.path("status");
      total += status.path("replicas").asInt(0);
      ready += status.path("readyReplicas").asInt(0);
      available += status.path("availableReplicas").asInt(0);
    }
    int updated = newSet.path("status").path("replicas").asInt(0);
    int maxUnavailable =
        scaled(
            deployment.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable"),
            replicas,
            recreate ? "0" : "25%");
    JsonNode old = deployment.path("status");
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("observedGeneration", metadata.path("generation").asLong(1));
    status.put("replicas", total);
    status.put("updatedReplicas", updated);
    status.put("readyReplicas", ready);
    status.put("availableReplicas", available);
    if (replicas - available > 0) {
      status.put("unavailableReplicas", replicas - available);
    }
    ArrayNode conditions = status.putArray("conditions");
    boolean minimum = available >= replicas - maxUnavailable;
    condition(
        conditions,
        old,
        "Available",
        minimum,
        minimum ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
        minimum
            ? "Deployment has minimum availability."
            : "Deployment does not have minimum availability.");
    boolean complete =
        remaining.size() == 1
            && updated == replicas
            && newSet.path("status").path("availableReplicas").asInt(0) == replicas;
    condition(
        conditions,
        old,
        "Progressing",
        true,
        complete ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
        "ReplicaSet \""
            + current
            + (complete ? "\" has successfully progressed." : "\" is progressing."));
    writeStatus(type, deployment, status);
  }

  // ----------------------------------------------------------------- ReplicaSet, RC

  private void replicaSet(ApiResource type, ObjectNode set) {
    JsonNode metadata = set.path("metadata");
    String namespace = metadata.path("namespace").asText();
    int replicas = set.path("spec").path("replicas").asInt(1);
    List<ObjectNode> active = new ArrayList<>();
    for (ObjectNode pod : owned(pods, namespace, metadata.path("uid").asText())) {
      if (active(pod)) {
        active.add(pod);
      }
    }
    for (int i = active.size(); i < replicas; i++) {
      createPod(set, namespace, null, name(set) + "-", Map.of(), null);
    }
    if (active.size() > replicas) {
      List<ObjectNode> victims = new ArrayList<>(active);
      victims.sort(
          Comparator.comparing((ObjectNode p) -> ready(p))
              .thenComparing(
                  p -> p.path("metadata").path("creationTimestamp").asText(),
                  Comparator.reverseOrder()));
      for (ObjectNode pod : victims.subList(0, active.size() - replicas)) {
        delete(pods, pod);
      }
    }
    int ready = (int) active.stream().filter(WorkloadControllers::ready).count();
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("replicas", active.size());
    status.put("fullyLabeledReplicas", active.size());
    status.put("readyReplicas", ready);
    status.put("availableReplicas", ready);
    status.put("observedGeneration", metadata.path("generation").asLong(1));
    writeStatus(type, set, status);
  }

  // ------------------------------------------------------------------------ DaemonSet

  private void daemonSet(ApiResource type, ObjectNode set) {
    JsonNode metadata = set.path("metadata");
    String namespace = metadata.path("namespace").asText();
    String revision = templateHash(set.path("spec").path("template"));
    List<String> nodeNames = new ArrayList<>();
    for (ObjectNode node : store.list(nodes, null, Selectors.NONE, 0, null).items()) {
      nodeNames.add(name(node));
    }
    Map<String, List<ObjectNode>> byNode = new HashMap<>();
    for (ObjectNode pod : owned(pods, namespace, metadata.path("uid").asText())) {
      if (active(pod)) {
        byNode
            .computeIfAbsent(pod.path("spec").path("nodeName").asText(""), n -> new ArrayList<>())
            .add(pod);
      }
    }
    int current = 0;
    int ready = 0;
    int updated = 0;
    for (Map.Entry<String, List<ObjectNode>> entry : byNode.entrySet()) {
      if (!nodeNames.contains(entry.getKey())) {
        entry.getValue().forEach(pod -> delete(pods, pod));
      }
    }
    for (String node : nodeNames) {
      List<ObjectNode> onNode = byNode.getOrDefault(node, List.of());
      if (onNode.isEmpty()) {
        createPod(
            set,
            namespace,
            null,
            name(set) + "-",
            Map.of(
                "controller-revision-hash",
                revision,
                "pod-template-generation",
                Long.toString(metadata.path("generation").asLong(1))),
            node);
        continue;
      }
      current++;
      ObjectNode pod = onNode.get(0);
      ready += ready(pod) ? 1 : 0;
      if (revision.equals(label(pod, "controller-revision-hash"))) {
        updated++;
      } else {
        delete(pods, pod);
      }
    }
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("observedGeneration", metadata.path("generation").asLong(1));
    status.put("desiredNumberScheduled", nodeNames.size());
    status.put("currentNumberScheduled", current);
    status.put("updatedNumberScheduled", updated);
    status.put("numberReady", ready);
    status.put("numberAvailable", ready);
    if (nodeNames.size() - ready > 0) {
      status.put("numberUnavailable", nodeNames.size() - ready);
    }
    status.put("numberMisscheduled", 0);
    writeStatus(type, set, status);
  }

  // -------------------------------------------------------------------------- helpers

  void createPod(
      ObjectNode owner,
      String namespace,
      String podName,
      String generateName,
      Map<String, String> labels,
      String nodeName) {
    create(pods, namespace, podFrom(owner, namespace, podName, generateName, labels, nodeName));
  }

  ObjectNode podFrom(
      ObjectNode owner,
      String namespace,
      String podName,
      String generateName,
      Map<String, String> labels,
      String nodeName) {
    JsonNode template = owner.path("spec").path("template");
    ObjectNode pod = JsonNodeFactory.instance.objectNode();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode metadata = pod.putObject("metadata");
    if (podName != null) {
      metadata.put("name", podName);
    } else {
      metadata.put("generateName", generateName);
    }
    metadata.put("namespace", namespace);
    ObjectNode podLabels = metadata.putObject("labels");
    podLabels.setAll(labelsOf(template));
    labels.forEach(podLabels::put);
    if (template.path("metadata").path("annotations").isObject()) {
      metadata.set("annotations", template.path("metadata").path("annotations").deepCopy());
    }
    metadata.putArray("ownerReferences").add(ownerReference(owner));
    ObjectNode spec =
        template.path("spec").isObject()
            ? ((ObjectNode) template.path("spec")).deepCopy()
            : pod.objectNode();
    if (nodeName != null) {
      spec.put("nodeName", nodeName);
    }
    pod.set("spec", spec);
    return pod;
  }

  static ObjectNode labelsOf(JsonNode template) {
    JsonNode labels = template.path("metadata").path("labels");
    return labels.isObject()
        ? ((ObjectNode) labels).deepCopy()
        : JsonNodeFactory.instance.objectNode();
  }

  private static ObjectNode ownerReference(ObjectNode owner) {
    ObjectNode reference = JsonNodeFactory.instance.objectNode();
    reference.put("apiVersion", owner.path("apiVersion").asText());
    reference.put("kind", owner.path("kind").asText());
    reference.put("name", owner.path("metadata").path("name").asText());
    reference.put("uid", owner.path("metadata").path("uid").asText());
    reference.put("controller", true);
    reference.put("blockOwnerDeletion", true);
    return reference;
  }

  /** The objects of a kind in the namespace whose controller owner has this uid. */
  List<ObjectNode> owned(ApiResource type, String namespace, String ownerUid) {
    List<ObjectNode> owned = new ArrayList<>();
    for (ObjectNode object : store.list(type, namespace, Selectors.NONE, 0, null).items()) {
      for (JsonNode reference : object.path("metadata").path("ownerReferences")) {
        if (reference.path("uid").asText().equals(ownerUid)) {
          owned.add(object);
          break;
        }
      }
    }
    return owned;
  }

  /** The owner's group/Kind and name of a controller reference, for the kinds handled here. */
  static Optional<String[]> controllerOf(JsonNode object) {
    for (JsonNode reference : object.path("metadata").path("ownerReferences")) {
      String apiVersion = reference.path("apiVersion").asText();
      String group =
          apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      String kind = group + "/" + reference.path("kind").asText();
      if (LocalKubelet.OWNED_KINDS.contains(kind) && !kind.equals("/Pod")) {
        return Optional.of(new String[] {kind, reference.path("name").asText()});
      }
    }
    return Optional.empty();
  }

  Optional<ObjectNode> create(ApiResource type, String namespace, ObjectNode object) {
    try {
      return Optional.of(store.create(type, namespace, object));
    } catch (ApiError e) {
      log.debug("cannot create {} in {}: {}", type.kind(), namespace, e.getMessage());
      return Optional.empty();
    }
  }

  private void update(
      ApiResource type, ObjectNode object, java.util.function.Consumer<ObjectNode> change) {
    try {
      store.update(
          type,
          object.path("metadata").path("namespace").asText(),
          name(object),
          current -> {
            change.accept(current);
            return current;
          },
          Mode.MAIN,
          null);
    } catch (ApiError e) {
      log.debug("cannot update {} {}: {}", type.kind(), name(object), e.getMessage());
    }
  }

  void delete(ApiResource type, ObjectNode object) {
    try {
      store.delete(type, object.path("metadata").path("namespace").asText(), name(object), null);
    } catch (ApiError e) {
      log.debug("cannot delete {} {}: {}", type.kind(), name(object), e.getMessage());
    }
  }

  void writeStatus(ApiResource type, ObjectNode object, ObjectNode status) {
    String uid = object.path("metadata").path("uid").asText();
    try {
      store.update(
          type,
          object.path("metadata").path("namespace").asText(),
          name(object),
          current -> {
            if (current.path("metadata").path("uid").asText().equals(uid)) {
              current.set("status", status);
            }
            return current;
          },
          Mode.STATUS,
          null);
    } catch (ApiError e) {
      log.debug("cannot write the status of {} {}: {}", type.kind(), name(object), e.getMessage());
    }
  }

  /** A condition keeping its times from the old status while its status stays. */
  private void condition(
      ArrayNode conditions,
      JsonNode oldStatus,
      String type,
      boolean value,
      String reason,
      String message) {
    String status = value ? "True" : "False";
    String now = PodWorker.time(clock.instant());
    String transition = now;
    String update = now;
    for (JsonNode old : oldStatus.path("conditions")) {
      if (old.path("type").asText().equals(type) && old.path("status").asText().equals(status)) {
        transition = old.path("lastTransitionTime").asText(now);
        if (old.path("reason").asText().equals(reason)
            && old.path("message").asText().equals(message)) {
          update = old.path("lastUpdateTime").asText(now);
        }
      }
    }
    ObjectNode condition = conditions.addObject();
    condition.put("type", type);
    condition.put("status", status);
    condition.put("lastUpdateTime", update);
    condition.put("lastTransitionTime", transition);
    condition.put("reason", reason);
    condition.put("message", message);
  }

  private static int scaled(JsonNode value, int replicas, String otherwise) {
    String text = value.isMissingNode() || value.isNull() ? otherwise : value.asText();
    if (text.endsWith("%")) {
      try {
        return replicas * Integer.parseInt(text.substring(0, text.length() - 1)) / 100;
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * A pod template's hash as the controllers' label values: FNV-1a (32 bits) of the template's
   * JSON, its decimal digits mapped to Kubernetes' safe alphabet (as {@code
   * rand.SafeEncodeString}).
   */
  static String templateHash(JsonNode template) {
    int hash = 0x811c9dc5;
    for (byte b : Json.bytes(template)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    String decimal = Long.toString(hash & 0xffffffffL);
    StringBuilder encoded = new StringBuilder();
    for (char c : decimal.toCharArray()) {
      encoded.append(SAFE_CHARS.charAt(c % SAFE_CHARS.length()));
    }
    return encoded.toString();
  }

  static String name(JsonNode object) {
    return object.path("metadata").path("name").asText();
  }

  static String label(JsonNode object, String label) {
    return object.path("metadata").path("labels").path(label).asText("");
  }

  static boolean ready(JsonNode pod) {
    for (JsonNode condition : pod.path("status").path("conditions")) {
      if (condition.path("type").asText().equals("Ready")) {
        return condition.path("status").asText().equals("True");
      }
    }
    return false;
  }

  static boolean terminating(JsonNode pod) {
    return pod.path("metadata").has("deletionTimestamp");
  }

  static boolean isFinished(JsonNode pod) {
    String phase = pod.path("status").path("phase").asText("");
    return phase.equals("Succeeded") || phase.equals("Failed");
  }

  static boolean active(JsonNode pod) {
    return !terminating(pod) && !isFinished(pod);
  }
}
