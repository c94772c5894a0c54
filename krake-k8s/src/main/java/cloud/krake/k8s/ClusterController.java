package cloud.krake.k8s;

import cloud.krake.KrakeContext;
import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.dispatcher.HookContext;
import cloud.krake.dispatcher.HookException;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.ClusterStatus;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.runtime.ReconcileResult;
import cloud.krake.runtime.ReconcilingComponent;
import cloud.krake.runtime.Reflector;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.Clusters;
import cloud.krake.store.NotFoundException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Krake's Kubernetes cluster controller ({@code krake/controller/kubernetes/cluster/cluster.py}) on
 * the core runtime: the state of each cluster from its nodes. A node condition {@code *Pressure =
 * True} makes it UNHEALTHY, a node not {@code Ready} NOTREADY, otherwise ONLINE; an API server that
 * cannot be reached makes it OFFLINE, and from there CONNECTING first once it answers again, as
 * Krake. FAILING_METRICS is the scheduler's and left alone; clusters without a kubeconfig, FAILED
 * or in deletion are not looked at. {@code status.nodes} holds each node's name and conditions.
 *
 * <p>Nodes are watched (a change is seen at once), and every {@link #DEFAULT_PROBE_INTERVAL} the
 * nodes are listed as a liveness probe, where Krake polls every 2 s. A cluster whose API server
 * never answered goes OFFLINE ({@code CLUSTER_NOT_REACHABLE}, with what failed) at its first probe
 * and is probed again every interval. Only changes are written, by compare-and-set; each change of
 * state is one log line (WARN for OFFLINE, with the reason's code and message and no stack trace;
 * INFO otherwise). {@code ClusterCreation} runs once when a cluster with a kubeconfig is first
 * observed, reachable or not, and {@code ClusterDeletion} when it is deleted.
 *
 * <p>Thread-safe.
 */
public final class ClusterController extends ReconcilingComponent<ResourceKey> {

  /** The component's name. */
  public static final String NAME = "kubernetes-clusters";

  /** How often each cluster's nodes are listed even without a change. */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(ClusterController.class);

  private final KrakeContext krake;
  private final Clusters clusters;
  private final ClusterConnector connector;
  private final Duration probeInterval;
  private final Map<ResourceKey, Watched> watches = new ConcurrentHashMap<>();
  private final Map<ResourceKey, Cluster> known = new ConcurrentHashMap<>();
  private final Set<ResourceKey> announced = ConcurrentHashMap.newKeySet();

  /** Removed clusters whose CLUSTER_DELETION handlers have not succeeded yet. */
  private final Map<ResourceKey, Cluster> deletions = new ConcurrentHashMap<>();

  private record Watched(Cluster cluster, ClusterClient client, ObjectWatch watch) {}

  /**
   * Creates the controller.
   *
   * @param krake the context
   * @param connector makes the clusters' clients (shared with the application controller)
   * @param probeInterval how often the nodes are listed without a change
   */
  public ClusterController(KrakeContext krake, ClusterConnector connector, Duration probeInterval) {
    super(NAME, krake.clock(), krake.timer(), krake.workers());
    this.krake = krake;
    this.clusters = krake.clusters();
    this.connector = Objects.requireNonNull(connector, "connector");
    this.probeInterval = Objects.requireNonNull(probeInterval, "probeInterval");
    Reflector<Cluster> reflector =
        reflect(new Reflector<>(NAME, clusters, queue()::add, krake.timer()));
    // a cluster is probed by the owner of the cluster's shard
    shardBy(
        krake.membership(),
        k -> krake.membership().shardOf(k.namespace(), k.name()),
        reflector::cachedKeys);
  }

  @Override
  protected void closeResources() {
    watches.values().forEach(w -> w.watch().close());
    watches.clear();
  }

  /**
   * Reconciles a cluster; a {@link HookException} of the cluster points, whose {@link
   * DispatcherHookPoint#failurePolicy()} is RETRY, makes the whole reconcile try again with
   * back-off.
   */
  @Override
  protected ReconcileResult reconcile(ResourceKey key) {
    try {
      return reconcileCluster(key);
    } catch (HookException e) {
      if (!e.retried()) {
        throw e;
      }
      log.warn("cluster {}: {}; trying again with back-off", key, e.getMessage());
      return ReconcileResult.retryWithBackoff();
    }
  }

  private ReconcileResult reconcileCluster(ResourceKey key) {
    Optional<Cluster> read = clusters.get(key.namespace(), key.name());
    if (read.isEmpty() || read.get().metadata().isDeleted()) {
      Watched gone = watches.remove(key);
      if (gone != null) {
        gone.watch().close();
      }
      Cluster seen = gone != null ? gone.cluster() : known.get(key);
      if (announced.remove(key) && seen != null) {
        deletions.put(key, read.orElse(seen));
      }
      Cluster deleted = deletions.get(key);
      if (deleted != null) {
        // kept until the handlers succeed: a failure is retried (CLUSTER_DELETION's policy)
        dispatch(DispatcherHookPoint.CLUSTER_DELETION, deleted);
        deletions.remove(key);
      }
      Cluster last = known.remove(key);
      if (read.isEmpty() && last != null) {
        // Removed from the store: its applications are gone (the garbage collector saw to it).
        connector.disconnect(last);
      } else if (read.isPresent()) {
        known.put(key, read.get());
      }
      return ReconcileResult.done();
    }
    Cluster cluster = read.get();
    known.put(key, cluster);
    ClusterState state = cluster.status().state();
    if (state == ClusterState.FAILED || cluster.spec().kubeconfig().isEmpty()) {
      return ReconcileResult.done();
    }
    // re-checked before each call to the cluster: a deposed instance stops probing at once
    krake.membership().checkHolds(key.namespace(), key.name());
    ClusterClient client;
    try {
      client = connector.connect(cluster);
    } catch (KubernetesException e) {
      write(
          cluster, ClusterState.OFFLINE, Optional.of(Reason.of(e.reason(), e.getMessage())), null);
      return ReconcileResult.requeueAfter(probeInterval);
    }
    announce(key, cluster);
    List<ObjectNode> nodes;
    try {
      // The probe first: a server that never answered must not fail the watch's discovery outside
      // of it and leave the cluster PENDING with the work queue's back-off.
      nodes = client.list("v1", "Node", Optional.empty());
      ensureWatch(key, cluster, client);
    } catch (KubernetesException e) {
      write(
          cluster,
          ClusterState.OFFLINE,
          Optional.of(Reason.of(ReasonCode.CLUSTER_NOT_REACHABLE, e.getMessage())),
          null);
      return ReconcileResult.requeueAfter(probeInterval);
    }
    if (state == ClusterState.FAILING_METRICS) {
      write(cluster, state, cluster.status().reason(), trimmed(nodes));
      return ReconcileResult.requeueAfter(probeInterval);
    }
    ClusterState next = state == ClusterState.OFFLINE ? ClusterState.CONNECTING : fromNodes(nodes);
    write(cluster, next, Optional.empty(), trimmed(nodes));
    if (next == ClusterState.CONNECTING) {
      return ReconcileResult.requeueAfter(Duration.ZERO);
    }
    return ReconcileResult.requeueAfter(probeInterval);
  }

  /**
   * Runs {@code ClusterCreation} once, when the cluster is first observed with a kubeconfig; it
   * counts as run once its handlers succeeded (a failure is retried: CLUSTER_CREATION's policy).
   */
  private void announce(ResourceKey key, Cluster cluster) {
    if (!announced.contains(key)) {
      dispatch(DispatcherHookPoint.CLUSTER_CREATION, cluster);
      announced.add(key);
    }
  }

  private void ensureWatch(ResourceKey key, Cluster cluster, ClusterClient client) {
    Watched current = watches.get(key);
    if (current != null && current.client() == client) {
      return;
    }
    if (current != null) {
      current.watch().close();
    }
    ObjectWatch watch =
        client.watch(
            "v1",
            "Node",
            Optional.empty(),
            new ObjectListener() {
              @Override
              public void onEvent(ObjectEvent event) {
                queue().add(key);
              }

              @Override
              public void onResync(List<ObjectNode> objects) {
                queue().add(key);
              }

              @Override
              public void onError(KubernetesException error) {
                queue().add(key);
              }
            });
    watches.put(key, new Watched(cluster, client, watch));
  }

  /** Krake's rule: any pressure → UNHEALTHY; any node not Ready → NOTREADY; else ONLINE. */
  static ClusterState fromNodes(List<ObjectNode> nodes) {
    boolean notReady = false;
    for (ObjectNode node : nodes) {
      boolean ready = false;
      for (JsonNode condition : node.path("status").path("conditions")) {
        String type = condition.path("type").asText("");
        String status = condition.path("status").asText("");
        if (type.endsWith("Pressure") && status.equals("True")) {
          return ClusterState.UNHEALTHY;
        }
        if (type.equals("Ready")) {
          ready = status.equals("True");
        }
      }
      notReady |= !ready;
    }
    return notReady ? ClusterState.NOTREADY : ClusterState.ONLINE;
  }

  private static List<ObjectNode> trimmed(List<ObjectNode> nodes) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode node : nodes) {
      ObjectNode t = JsonNodeFactory.instance.objectNode();
      t.putObject("metadata").put("name", node.path("metadata").path("name").asText());
      ArrayNode conditions = t.putObject("status").putArray("conditions");
      for (JsonNode c : node.path("status").path("conditions")) {
        conditions
            .addObject()
            .put("type", c.path("type").asText())
            .put("status", c.path("status").asText());
      }
      out.add(t);
    }
    return out;
  }

  private void write(
      Cluster cluster, ClusterState state, Optional<Reason> reason, List<ObjectNode> nodes) {
    ClusterStatus status = cluster.status().withState(state).withReason(reason);
    if (nodes != null) {
      status = status.withNodes(nodes);
    }
    if (status.equals(cluster.status())) {
      return;
    }
    try {
      clusters.updateStatus(cluster.withStatus(status));
      if (state != cluster.status().state()) {
        logStateChange(cluster, state, reason);
      }
    } catch (NotFoundException gone) {
      // deleted meanwhile: the next event says so
    }
  }

  /**
   * One line per change of state: WARN with the reason's code and message (never a stack trace)
   * when the cluster goes OFFLINE, INFO otherwise.
   */
  private static void logStateChange(Cluster cluster, ClusterState state, Optional<Reason> reason) {
    String name = cluster.metadata().namespace().orElse("") + "/" + cluster.metadata().name();
    if (state == ClusterState.OFFLINE) {
      log.warn(
          "cluster {}: {} ({}): {}",
          name,
          state,
          reason.map(r -> r.code().toString()).orElse("no reason"),
          reason.map(Reason::message).orElse(""));
    } else {
      log.info("cluster {}: {} (was {})", name, state, cluster.status().state());
    }
  }

  private void dispatch(DispatcherHookPoint point, Cluster cluster) {
    if (!krake.dispatcher().handlers(point).isEmpty()) {
      krake.dispatcher().dispatch(HookContext.of(point, cluster));
    }
  }
}
