package cloud.krake.testing.kubernetes;

import cloud.krake.runtime.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import mockwebserver3.MockWebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of a {@link LocalKubelet} that makes it a node of a real API server, as the kubelet's
 * node status manager, node lease controller, pod config source, status manager and server do:
 *
 * <ul>
 *   <li>registers the Node and keeps its status ({@link #STATUS_INTERVAL}) and its Lease in {@code
 *       kube-node-lease} ({@link #LEASE_RENEW_INTERVAL}) on the kubelet's clock and timer;
 *   <li>watches the Pods bound to the node ({@code spec.nodeName}), the Secrets, ConfigMaps,
 *       Services and EndpointSlices and keeps them in the kubelet's local view (a private {@link
 *       FakeKubernetesApiServer} the pod workers run against, as with a fake cluster);
 *   <li>reports the status of the Pods through {@code pods/status} and, once a Pod's containers
 *       have stopped after its deletion, deletes it with grace period 0 (uid precondition);
 *   <li>serves the kubelet API on HTTPS: {@code /containerLogs/{ns}/{pod}/{container}} and {@code
 *       /exec/{ns}/{pod}/{container}} (WebSocket channel protocols, see {@link LocalKubelet}).
 * </ul>
 *
 * Threads: one watch thread per kind, one thread for writes to the API server; the timer only
 * queues work on the latter. A failed watch backs off ({@link ApiWatches#WATCH_BACKOFF}) on a
 * real-time timer of the kubelet's own, not on the injected one: the API server is real, and a
 * test's manual timer would hold the watch back until the test advanced it.
 */
final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  /** How often the Lease is renewed: a quarter of its duration, as the kubelet does. */
  static final Duration LEASE_RENEW_INTERVAL = Duration.ofSeconds(10);

  /** The Lease's {@code leaseDurationSeconds} (the kubelet's {@code nodeLeaseDurationSeconds}). */
  static final int LEASE_DURATION_SECONDS = 40;

  /** How often the Node's status is written even when nothing changed. */
  static final Duration STATUS_INTERVAL = Duration.ofMinutes(1);

  /** The kubelet version the Node reports. */
  static final String KUBELET_VERSION = "v1.37.2-krake-local";

  private static final DateTimeFormatter MICRO_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private record Ids(String realUid, String localUid) {}

  private final String node;
  private final ApiServerClient api;
  private final FakeKubernetesApiServer local;
  private final ObjectStore store;
  private final ApiResource podType;
  private final Clock clock;
  private final Timer timer;
  private final PodRuntime runtime;
  private final ExecutorService writer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ApiWatches watches;
  private final Map<String, Ids> pods = new ConcurrentHashMap<>();
  private final Map<String, ObjectNode> pendingStatus = new LinkedHashMap<>(); // guarded by itself
  private final Consumer<Event> listener = this::onLocalEvent;
  private final MockWebServer kubeletServer;
  private volatile String nodeUid = "";
  private volatile Timer.Handle leaseTimer;
  private volatile Timer.Handle statusTimer;
  private volatile Instant lastRenew;

  NodeAgent(
      String node,
      ApiServerClient api,
      FakeKubernetesApiServer local,
      Clock clock,
      Timer timer,
      Timer backoffTimer,
      PodRuntime runtime,
      int kubeletPort,
      Optional<String> kubeletClientCa,
      Optional<String> kubeletServing) {
    this.node = node;
    this.api = api;
    this.local = local;
    this.store = local.store();
    this.podType = local.resourceType("v1", "Pod");
    this.clock = clock;
    this.timer = timer;
    this.runtime = runtime;
    this.writer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "krake-kubelet-" + node + "-api");
              thread.setDaemon(true);
              return thread;
            });
    this.watches = new ApiWatches(node, api, local, backoffTimer, closed);
    this.kubeletServer =
        KubeletApiServer.start(node, runtime, kubeletPort, kubeletClientCa, kubeletServing);
  }

  // ---------------------------------------------------------------------------- lifecycle

  /**
   * Registers the Node (or takes over an existing one of that name), writes its status and Lease,
   * and starts the watches.
   *
   * @throws ApiServerClient.Failure if the API server refuses the Node or its Lease
   */
  void start() {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("apiVersion", "v1");
    body.put("kind", "Node");
    ObjectNode metadata = body.putObject("metadata");
    metadata.put("name", node);
    ObjectNode labels = metadata.putObject("labels");
    labels.put("kubernetes.io/hostname", node);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", arch());
    labels.put("beta.kubernetes.io/os", "linux");
    labels.put("beta.kubernetes.io/arch", arch());
    JsonNode created;
    try {
      created = api.post("/api/v1/nodes", body);
    } catch (ApiServerClient.Failure e) {
      if (e.code() != 409) {
        throw e;
      }
      created = api.get("/api/v1/nodes/" + node);
    }
    nodeUid = created.path("metadata").path("uid").asText();
    writeNodeStatus();
    renewLease();
    store.addListener(listener);
    watches.start("pods", "/api/v1/pods", "spec.nodeName=" + node, this::onPod, this::relistPods);
    watches.mirror("secrets", "/api/v1/secrets", "v1", "Secret");
    watches.mirror("configmaps", "/api/v1/configmaps", "v1", "ConfigMap");
    watches.mirror("services", "/api/v1/services", "v1", "Service");
    watches.mirror(
        "endpointslices",
        "/apis/discovery.k8s.io/v1/endpointslices",
        "discovery.k8s.io/v1",
        "EndpointSlice");
    leaseTimer = timer.schedule(this::leaseTick, LEASE_RENEW_INTERVAL);
    statusTimer = timer.schedule(this::statusTick, STATUS_INTERVAL);
    log.info(
        "Local kubelet registered Node {} with {} (kubelet API on port {})",
        node,
        api,
        kubeletServer.getPort());
  }

  /** The port of the kubelet API ({@code status.daemonEndpoints.kubeletEndpoint.Port}). */
  int kubeletPort() {
    return kubeletServer.getPort();
  }

  /** When the Lease was last renewed (the kubelet clock's time), if ever. */
  Optional<Instant> lastLeaseRenewal() {
    return Optional.ofNullable(lastRenew);
  }

  /**
   * Stops watching and serving, and deletes the Node (its Lease goes with it, by owner reference):
   * the kubelet leaves the cluster, and the Pods bound to it are removed by the control plane's pod
   * garbage collector.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    store.removeListener(listener);
    Optional.ofNullable(leaseTimer).ifPresent(Timer.Handle::cancel);
    Optional.ofNullable(statusTimer).ifPresent(Timer.Handle::cancel);
    writer.shutdownNow();
    try {
      writer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      ObjectNode options = JsonNodeFactory.instance.objectNode();
      options.putObject("preconditions").put("uid", nodeUid);
      api.delete("/api/v1/nodes/" + node, options);
    } catch (RuntimeException e) {
      log.debug("cannot delete Node {}: {}", node, e.getMessage());
    }
    api.close();
    watches.interrupt();
    kubeletServer.close();
  }

  // ------------------------------------------------------------------------ Node and Lease

  private void leaseTick() {
    submit(
        () -> {
          renewLease();
          leaseTimer = timer.schedule(this::leaseTick, LEASE_RENEW_INTERVAL);
        });
  }

  private void statusTick() {
    submit(
        () -> {
          writeNodeStatus();
          statusTimer = timer.schedule(this::statusTick, STATUS_INTERVAL);
        });
  }

  private void renewLease() {
    Instant now = clock.instant();
    String path = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/" + node;
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    ObjectNode spec = patch.putObject("spec");
    spec.put("holderIdentity", node);
    spec.put("leaseDurationSeconds", LEASE_DURATION_SECONDS);
    spec.put("renewTime", MICRO_TIME.format(now.truncatedTo(ChronoUnit.MICROS)));
    try {
      api.mergePatch(path, patch);
    } catch (ApiServerClient.Failure e) {
      if (e.code() != 404) {
        log.warn("Local kubelet {}: cannot renew its Lease: {}", node, e.getMessage());
        return;
      }
      ObjectNode lease = JsonNodeFactory.instance.objectNode();
      lease.put("apiVersion", "coordination.k8s.io/v1");
      lease.put("kind", "Lease");
      ObjectNode metadata = lease.putObject("metadata");
      metadata.put("name", node);
      metadata.put("namespace", "kube-node-lease");
      ObjectNode owner = metadata.putArray("ownerReferences").addObject();
      owner.put("apiVersion", "v1");
      owner.put("kind", "Node");
      owner.put("name", node);
      owner.put("uid", nodeUid);
      lease.set("spec", spec);
      api.post("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases", lease);
    }
    lastRenew = now;
  }

  private void writeNodeStatus() {
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    ObjectNode status = patch.putObject("status");
    ObjectNode capacity = status.putObject("capacity");
    capacity.put("cpu", Integer.toString(Runtime.getRuntime().availableProcessors()));
    capacity.put("memory", memoryKi() + "Ki");
    capacity.put("pods", "110");
    capacity.put("ephemeral-storage", "10Gi");
    status.set("allocatable", capacity.deepCopy());
    ArrayNode conditions = status.putArray("conditions");
    condition(conditions, "MemoryPressure", "False", "KubeletHasSufficientMemory", now);
    condition(conditions, "DiskPressure", "False", "KubeletHasNoDiskPressure", now);
    condition(conditions, "PIDPressure", "False", "KubeletHasSufficientPID", now);
    condition(conditions, "Ready", "True", "KubeletReady", now)
        .put("message", "kubelet is posting ready status");
    // Only an InternalIP: the API server prefers a Hostname address, which would not resolve.
    ObjectNode address = status.putArray("addresses").addObject();
    address.put("type", "InternalIP");
    address.put("address", LocalKubelet.POD_IP);
    status
        .putObject("daemonEndpoints")
        .putObject("kubeletEndpoint")
        .put("Port", kubeletServer.getPort());
    ObjectNode info = status.putObject("nodeInfo");
    info.put("machineID", node);
    info.put("systemUUID", nodeUid);
    info.put("bootID", nodeUid);
    info.put("kernelVersion", System.getProperty("os.version"));
    info.put("osImage", System.getProperty("os.name") + " (local kubelet: images are ignored)");
    info.put("containerRuntimeVersion", "local://1");
    info.put("kubeletVersion", KUBELET_VERSION);
    info.put("operatingSystem", "linux");
    info.put("architecture", arch());
    // The API server then proxies exec's WebSocket to the kubelet instead of translating it to
    // SPDY (ExtendWebSocketsToKubelet, beta and on by default since Kubernetes 1.36).
    status.putArray("declaredFeatures").add("ExtendWebSocketsToKubelet");
    try {
      api.mergePatch("/api/v1/nodes/" + node + "/status", patch);
    } catch (RuntimeException e) {
      log.warn("Local kubelet {}: cannot write the Node's status: {}", node, e.getMessage());
    }
  }

  private static ObjectNode condition(
      ArrayNode conditions, String type, String status, String reason, String now) {
    ObjectNode condition = conditions.addObject();
    condition.put("type", type);
    condition.put("status", status);
    condition.put("reason", reason);
    condition.put("lastHeartbeatTime", now);
    condition.put("lastTransitionTime", now);
    return condition;
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "x86_64", "amd64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  private static long memoryKi() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // below
    }
    return Runtime.getRuntime().maxMemory() / 1024;
  }

  // ----------------------------------------------------------------------------- watches

  static String key(JsonNode object) {
    JsonNode metadata = object.path("metadata");
    return metadata.path("namespace").asText() + "/" + metadata.path("name").asText();
  }

  // --------------------------------------------------------------------------------- Pods

  private void relistPods(JsonNode items) {
    Set<String> listed = new HashSet<>();
    for (JsonNode item : items) {
      listed.add(key(item));
      watches.applyEvent(
          "pods",
          this::onPod,
          JsonNodeFactory.instance.objectNode().put("type", "MODIFIED").set("object", item));
    }
    for (String key : new ArrayList<>(pods.keySet())) {
      if (!listed.contains(key)) {
        Ids ids = pods.remove(key);
        String[] parts = key.split("/", 2);
        removeLocalPod(parts[0], parts[1], ids);
      }
    }
  }

  /** A watch event of a Pod bound to this node. */
  private void onPod(JsonNode event) {
    ObjectNode pod = (ObjectNode) event.path("object");
    JsonNode metadata = pod.path("metadata");
    String namespace = metadata.path("namespace").asText();
    String name = metadata.path("name").asText();
    String key = namespace + "/" + name;
    String uid = metadata.path("uid").asText();
    Ids ids = pods.get(key);
    if (ids != null && !ids.realUid().equals(uid)) {
      pods.remove(key);
      removeLocalPod(namespace, name, ids); // another incarnation of the name
      ids = null;
    }
    if (event.path("type").asText().equals("DELETED")) {
      if (ids != null) {
        pods.remove(key);
        removeLocalPod(namespace, name, ids);
      }
      return;
    }
    if (metadata.has("deletionTimestamp")) {
      if (ids == null) {
        // never run here: nothing to stop, the kubelet's final delete at once
        submit(() -> deleteReal(namespace, name, uid));
        return;
      }
      long grace = metadata.path("deletionGracePeriodSeconds").asLong(0);
      try {
        store.delete(podType, namespace, name, uidPrecondition(ids.localUid()), grace);
      } catch (ApiError e) {
        log.debug("Pod {} is gone locally already: {}", key, e.getMessage());
      }
      return;
    }
    String phase = pod.path("status").path("phase").asText("");
    if (ids == null && (phase.equals("Succeeded") || phase.equals("Failed"))) {
      return; // finished before this kubelet saw it
    }
    ObjectNode copy = ApiWatches.forLocal(pod, "v1", "Pod");
    copy.remove("status");
    if (ids == null) {
      // The real uid before the local Pod exists: the sync thread materialises the Pod's volumes,
      // its service-account token bound to this uid among them, as soon as the local put is seen.
      pods.put(key, new Ids(uid, ""));
    }
    ObjectNode stored;
    try {
      stored = local.put(copy);
    } catch (RuntimeException e) {
      if (ids == null) {
        pods.remove(key);
      }
      throw e;
    }
    pods.put(key, new Ids(uid, stored.path("metadata").path("uid").asText()));
  }

  private void removeLocalPod(String namespace, String name, Ids ids) {
    try {
      store.delete(podType, namespace, name, uidPrecondition(ids.localUid()), 0L);
    } catch (ApiError e) {
      // gone already
    }
  }

  private static ObjectNode uidPrecondition(String uid) {
    return JsonNodeFactory.instance.objectNode().put("uid", uid);
  }

  /** Under the local store's lock: only queue work. */
  private void onLocalEvent(Event event) {
    if (!event.groupKind.equals(ObjectStore.POD)) {
      return;
    }
    ObjectNode pod = event.object;
    String key = key(pod);
    String localUid = pod.path("metadata").path("uid").asText();
    if (event.type.equals("DELETED")) {
      Ids ids = pods.get(key);
      if (ids != null && ids.localUid().equals(localUid)) {
        String[] parts = key.split("/", 2);
        submit(() -> deleteReal(parts[0], parts[1], ids.realUid()));
      }
      return;
    }
    boolean first;
    synchronized (pendingStatus) {
      first = pendingStatus.put(key, pod.deepCopy()) == null;
    }
    if (first) {
      submit(() -> writePodStatus(key));
    }
  }

  private void writePodStatus(String key) {
    ObjectNode pod;
    synchronized (pendingStatus) {
      pod = pendingStatus.remove(key);
    }
    Ids ids = pods.get(key);
    if (pod == null
        || ids == null
        || !ids.localUid().equals(pod.path("metadata").path("uid").asText())
        || !pod.path("status").has("phase")) {
      return;
    }
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.putObject("metadata").put("uid", ids.realUid());
    ObjectNode status = pod.path("status").deepCopy();
    status.remove("qosClass"); // set by the API server at creation, immutable
    patch.set("status", status);
    String[] parts = key.split("/", 2);
    try {
      api.mergePatch("/api/v1/namespaces/" + parts[0] + "/pods/" + parts[1] + "/status", patch);
    } catch (RuntimeException e) {
      log.warn(
          "Local kubelet {}: cannot write the status of Pod {}: {}", node, key, e.getMessage());
    }
  }

  /** The kubelet's final delete of a Pod whose containers have stopped. */
  private void deleteReal(String namespace, String name, String uid) {
    ObjectNode options = JsonNodeFactory.instance.objectNode();
    options.put("apiVersion", "v1");
    options.put("kind", "DeleteOptions");
    options.put("gracePeriodSeconds", 0);
    options.putObject("preconditions").put("uid", uid);
    try {
      api.delete("/api/v1/namespaces/" + namespace + "/pods/" + name, options);
    } catch (ApiServerClient.Failure e) {
      if (e.code() != 404 && e.code() != 409) {
        log.warn(
            "Local kubelet {}: cannot delete Pod {}/{}: {}", node, namespace, name, e.getMessage());
      }
    } catch (RuntimeException e) {
      log.warn(
          "Local kubelet {}: cannot delete Pod {}/{}: {}", node, namespace, name, e.getMessage());
    }
  }

  /** The real uid of a Pod the kubelet runs (for its service account tokens), if it runs it. */
  Optional<String> realUid(String namespace, String name) {
    return Optional.ofNullable(pods.get(namespace + "/" + name)).map(Ids::realUid);
  }

  /**
   * A service account token bound to a Pod, from the API server's TokenRequest API.
   *
   * @throws ApiServerClient.Failure if the API server refuses it
   */
  Optional<String> serviceAccountToken(
      String namespace, String pod, String serviceAccount, String audience, long expiration) {
    Optional<String> uid = realUid(namespace, pod);
    if (uid.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode request = JsonNodeFactory.instance.objectNode();
    request.put("apiVersion", "authentication.k8s.io/v1");
    request.put("kind", "TokenRequest");
    ObjectNode spec = request.putObject("spec");
    ArrayNode audiences = spec.putArray("audiences");
    if (!audience.isEmpty()) {
      audiences.add(audience);
    }
    spec.put("expirationSeconds", expiration);
    ObjectNode bound = spec.putObject("boundObjectRef");
    bound.put("apiVersion", "v1");
    bound.put("kind", "Pod");
    bound.put("name", pod);
    bound.put("uid", uid.get());
    JsonNode answer =
        api.post(
            "/api/v1/namespaces/" + namespace + "/serviceaccounts/" + serviceAccount + "/token",
            request);
    return Optional.of(answer.path("status").path("token").asText());
  }

  private void submit(Runnable task) {
    try {
      writer.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("Local kubelet {}: API server write failed", node, e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }
}
