package cloud.krake.testing.kubernetes;

import static cloud.krake.testing.kubernetes.LocalKubelet.OWNED_KINDS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync loop of a {@link LocalKubelet}: the fake's events (under the store's lock) queue keys,
 * drained one at a time on the kubelet's sync thread, where a key syncs a Pod with its {@link
 * PodWorker} and writes its status, re-syncs the Pods waiting for a Secret or ConfigMap, or hands a
 * workload to the {@link WorkloadControllers} and Services to the {@link KubeProxy}. The pod
 * workers live here, confined to the sync thread.
 */
final class PodSyncLoop {
  private static final Logger log = LoggerFactory.getLogger(LocalKubelet.class);

  private record Key(String kind, String namespace, String name) {}

  private final FakeKubernetesApiServer server;
  private final ObjectStore store;
  private final ApiResource podType;
  private final Executor sync;
  private final Path workDirectory;
  private final WorkloadControllers controllers;
  private final KubeProxy kubeProxy;
  private final PodWorkerContext context;

  // Confined to the sync thread
  private final Map<Key, PodWorker> workers = new HashMap<>();
  private final List<PodWorker> stopping = new ArrayList<>();

  // Guarded by queue
  private final LinkedHashSet<Key> queue = new LinkedHashSet<>();
  private boolean draining;

  PodSyncLoop(
      FakeKubernetesApiServer server,
      Executor sync,
      Path workDirectory,
      WorkloadControllers controllers,
      KubeProxy kubeProxy,
      PodWorkerContext context) {
    this.server = server;
    this.store = server.store();
    this.podType = server.resourceType("v1", "Pod");
    this.sync = sync;
    this.workDirectory = workDirectory;
    this.controllers = controllers;
    this.kubeProxy = kubeProxy;
    this.context = context;
  }

  /** Queues the kube-proxy and every object of the {@link LocalKubelet#OWNED_KINDS}. */
  void start() {
    enqueue(new Key("proxy", "", ""));
    for (String kind : OWNED_KINDS) {
      for (ObjectNode object : store.list(typeOf(kind), null, Selectors.NONE, 0, null).items()) {
        JsonNode metadata = object.path("metadata");
        enqueue(new Key(kind, metadata.path("namespace").asText(), metadata.path("name").asText()));
      }
    }
  }

  private ApiResource typeOf(String groupKind) {
    int slash = groupKind.indexOf('/');
    String group = groupKind.substring(0, slash);
    return server.resourceType(
        group.isEmpty() ? "v1" : group + "/v1", groupKind.substring(slash + 1));
  }

  /** The worker of a Pod run by this kubelet, or {@code null}; on the sync thread. */
  PodWorker running(String namespace, String pod) {
    return workers.get(new Key("/Pod", namespace, pod));
  }

  /**
   * On the sync thread, on close: aborts every worker and closes the kube-proxy; returns the
   * container processes still running.
   */
  List<Process> abort() {
    List<Process> running = new ArrayList<>();
    List<PodWorker> all = new ArrayList<>(workers.values());
    all.addAll(stopping);
    for (PodWorker worker : all) {
      worker.abort();
      for (PodWorker.Container c : worker.containers().values()) {
        if (c.process != null) {
          running.add(c.process);
        }
      }
    }
    workers.clear();
    stopping.clear();
    kubeProxy.close();
    return running;
  }

  /** Under the store's lock: only queue work. */
  void onEvent(Event event) {
    String kind = event.groupKind.group() + "/" + event.groupKind.kind();
    String name = event.object.path("metadata").path("name").asText();
    String namespace = event.namespace;
    switch (kind) {
      case "/Secret", "/ConfigMap" -> enqueue(new Key("config", namespace, ""));
      case "/Node" -> enqueue(new Key("nodes", "", ""));
      case "/Service", "discovery.k8s.io/EndpointSlice" -> enqueue(new Key("proxy", "", ""));
      default -> {
        if (kind.equals("/Pod")) {
          enqueue(new Key("proxy", "", ""));
        }
        if (!OWNED_KINDS.contains(kind)) {
          return;
        }
        enqueue(new Key(kind, namespace, name));
        WorkloadControllers.controllerOf(event.object)
            .ifPresent(owner -> enqueue(new Key(owner[0], namespace, owner[1])));
        if (event.type.equals("DELETED") && !kind.equals("/Pod")) {
          enqueue(new Key("gc", namespace, event.object.path("metadata").path("uid").asText()));
        }
      }
    }
  }

  void enqueuePod(String namespace, String name) {
    enqueue(new Key("/Pod", namespace, name));
  }

  private void enqueue(Key key) {
    synchronized (queue) {
      if (!queue.add(key) || draining) {
        return;
      }
      draining = true;
    }
    try {
      sync.execute(this::drain);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  private void drain() {
    while (true) {
      Key key;
      synchronized (queue) {
        Iterator<Key> next = queue.iterator();
        if (!next.hasNext()) {
          draining = false;
          return;
        }
        key = next.next();
        next.remove();
      }
      try {
        process(key);
      } catch (RuntimeException e) {
        log.warn("Local kubelet for {}: failed on {}", server.name(), key, e);
      }
    }
  }

  private void process(Key key) {
    switch (key.kind()) {
      case "/Pod" -> syncPod(key);
      case "config" -> {
        for (PodWorker worker : workers.values()) {
          if (worker.namespace.equals(key.namespace()) && worker.waitingForConfig()) {
            syncPod(new Key("/Pod", worker.namespace, worker.name));
          }
        }
      }
      case "nodes" -> controllers.syncDaemonSets();
      case "proxy" -> kubeProxy.sync();
      case "gc" -> controllers.collect(key.namespace(), key.name());
      default -> controllers.sync(key.kind(), key.namespace(), key.name());
    }
  }

  private void syncPod(Key key) {
    java.util.Optional<ObjectNode> found = store.find(podType, key.namespace(), key.name());
    PodWorker worker = workers.get(key);
    if (worker != null
        && (found.isEmpty()
            || !found.get().path("metadata").path("uid").asText().equals(worker.uid))) {
      workers.remove(key);
      stopping.add(worker);
      worker.terminate(PodWorker.MINIMUM_GRACE_SECONDS, true);
      reap(worker);
      worker = null;
    }
    if (found.isEmpty()) {
      return;
    }
    ObjectNode pod = found.get();
    JsonNode metadata = pod.path("metadata");
    if (worker == null) {
      String phase = pod.path("status").path("phase").asText("");
      if (metadata.has("deletionTimestamp")) {
        store.finishPodDeletion(key.namespace(), key.name(), metadata.path("uid").asText());
        return;
      }
      if (phase.equals("Succeeded") || phase.equals("Failed")) {
        return; // finished before this kubelet saw it
      }
      worker =
          new PodWorker(
              context, pod, workDirectory.resolve("pods").resolve(metadata.path("uid").asText()));
      workers.put(key, worker);
    }
    if (metadata.has("deletionTimestamp")) {
      worker.terminate(metadata.path("deletionGracePeriodSeconds").asLong(0), false);
    } else {
      worker.sync(pod);
    }
    writeStatus(worker);
    if (worker.terminating() && worker.stopped()) {
      workers.remove(key);
      worker.releaseNetwork();
      store.finishPodDeletion(key.namespace(), key.name(), worker.uid);
      PodWorkerContext.deleteRecursively(worker.directory());
    }
  }

  /** After a container of the worker exited. */
  void podChanged(PodWorker worker) {
    if (worker.gone()) {
      reap(worker);
    } else {
      syncPod(new Key("/Pod", worker.namespace, worker.name));
    }
  }

  private void reap(PodWorker worker) {
    if (worker.stopped() && stopping.remove(worker)) {
      worker.releaseNetwork();
      PodWorkerContext.deleteRecursively(worker.directory());
    }
  }

  private void writeStatus(PodWorker worker) {
    ObjectNode status = worker.status();
    try {
      store.update(
          podType,
          worker.namespace,
          worker.name,
          pod -> {
            if (pod.path("metadata").path("uid").asText().equals(worker.uid)) {
              pod.set("status", status);
            }
            return pod;
          },
          ObjectStore.Mode.STATUS,
          null);
    } catch (ApiError e) {
      log.debug(
          "cannot write the status of Pod {}/{}: {}",
          worker.namespace,
          worker.name,
          e.getMessage());
    } catch (IllegalStateException e) {
      // the server is closed
    }
  }

  /** The worker of a Pod, for a log or exec request; an {@link ApiError} if there is none. */
  PodWorker worker(String namespace, String pod) {
    if (store.find(podType, namespace, pod).isEmpty()) {
      throw ApiError.notFound(podType, pod);
    }
    PodWorker worker = workers.get(new Key("/Pod", namespace, pod));
    if (worker == null) {
      throw ApiError.badRequest("pod " + pod + " is not run by the local kubelet");
    }
    return worker;
  }
}
