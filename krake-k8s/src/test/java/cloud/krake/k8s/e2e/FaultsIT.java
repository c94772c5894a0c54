package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ReasonCode;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Store;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.EtcdServer;
import cloud.krake.testing.ForwardingStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Faults on the way: a failing API server, dropped watches, lost compare-and-sets, a Krake instance
 * replaced mid-reconcile on the same etcd store, and workload status set on the cluster. Fake
 * clusters only: they inject the faults.
 */
class FaultsIT {

  @Test
  void serviceUnavailableDuringApplyFailsWithKubernetesErrorThenConverges() {
    try (MemoryStore store = MemoryStore.create();
        FakeClusters env = new FakeClusters(store)) {
      env.registerClusters();
      env.a.failRequests("PATCH", null, 503);

      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
      Application failed = env.awaitState("echo", ApplicationState.FAILED);
      assertThat(failed.status().reason().orElseThrow().code())
          .isEqualTo(ReasonCode.KUBERNETES_ERROR);

      env.a.clearFailures();
      env.awaitRunningOn("echo", env.a);
      assertThat(env.krake.applications().require(NS, "echo").status().reason()).isEmpty();
      assertThat(env.a.list("apps/v1", "Deployment")).hasSize(1);
    }
  }

  @Test
  void deletionAgainstAFailingApiServerIsRetriedUntilItSucceeds() {
    try (MemoryStore store = MemoryStore.create();
        FakeClusters env = new FakeClusters(store)) {
      env.registerClusters();
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
      env.awaitRunningOn("echo", env.a);
      env.a.failRequests("DELETE", null, 503);

      env.krake.applications().delete(NS, "echo");
      Application failed = env.awaitState("echo", ApplicationState.FAILED);
      assertThat(failed.metadata().isDeleted()).isTrue();

      env.a.clearFailures();
      env.awaitGone("echo");
      assertThat(env.a.objects()).isEmpty();
    }
  }

  @Test
  void droppedWatchesResumeWithNothingMissed() {
    try (MemoryStore store = MemoryStore.create();
        FakeClusters env = new FakeClusters(store)) {
      env.registerClusters();
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
      env.awaitRunningOn("echo", env.a);

      env.a.dropWatches();
      env.a.updateStatus(
          "apps/v1", "Deployment", "default", "echo-demo", o -> setStatus(o, "readyReplicas", 0));

      env.awaitState("echo", ApplicationState.DEGRADED);
      await().atMost(FakeClusters.TIMEOUT).until(() -> env.a.watchCount() > 0);
    }
  }

  @Test
  void aLostCompareAndSetIsReadAgainAndRetriedWithoutLosingTheOtherWrite() {
    AtomicBoolean interfered = new AtomicBoolean();
    try (MemoryStore memory = MemoryStore.create()) {
      Store store = new InterferingStore(memory, interfered);
      try (FakeClusters env = new FakeClusters(store)) {
        env.registerClusters();
        env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");

        Application running = env.awaitRunningOn("echo", env.a);

        assertThat(interfered).isTrue();
        assertThat(running.metadata().labels()).containsEntry("touched", "yes");
        assertThat(env.a.list("apps/v1", "Deployment")).hasSize(1);
        assertThat(env.a.list("v1", "Service")).hasSize(1);
      }
    }
  }

  @Test
  void aNewInstanceOnTheSameEtcdStoreConvergesMidReconcileWithoutDuplicates() {
    try (EtcdServer etcd = EtcdServer.builder().build().start();
        EtcdStore store = EtcdStore.builder().endpoint(etcd.endpoint()).build();
        FakeClusters env = new FakeClusters(store)) {
      env.registerClusters();
      env.a.latency(Duration.ofMillis(300));
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
      env.awaitState("echo", ApplicationState.CREATING);

      env.stop();
      env.start();

      Application running = env.awaitRunningOn("echo", env.a);
      env.a.latency(Duration.ZERO);
      assertThat(env.a.list("apps/v1", "Deployment")).hasSize(1);
      assertThat(env.a.list("v1", "Service")).hasSize(1);
      assertThat(running.metadata().finalizers()).containsOnlyOnce("kubernetes_resources_deletion");

      env.krake.applications().delete(NS, "echo");
      env.awaitGone("echo");
      assertThat(env.a.objects()).isEmpty();
    }
  }

  /**
   * A store that, the first time the controller writes the application CREATING, first lets another
   * writer change its labels, so the controller's compare-and-set loses.
   */
  private static final class InterferingStore extends ForwardingStore {
    private final AtomicBoolean interfered;

    InterferingStore(Store delegate, AtomicBoolean interfered) {
      super(delegate);
      this.interfered = interfered;
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedRevision) {
      String json = new String(value, StandardCharsets.UTF_8);
      if (key.startsWith("/kubernetes/applications/")
          && json.contains("\"CREATING\"")
          && interfered.compareAndSet(false, true)) {
        KeyValue current = delegate.get(key).orElseThrow();
        ObjectNode doc = cloud.krake.model.KrakeJson.read(current.value(), ObjectNode.class);
        doc.withObjectProperty("metadata").putObject("labels").put("touched", "yes");
        delegate.update(key, cloud.krake.model.KrakeJson.writeBytes(doc), current.modRevision());
      }
      return delegate.update(key, value, expectedRevision);
    }
  }

  private static ObjectNode setStatus(ObjectNode object, String field, int value) {
    object.withObjectProperty("status").put(field, value);
    return object;
  }

  /**
   * Workload health as the cluster reports it (status set on the fake: a real controller manager
   * would overwrite it at once).
   */
  @Test
  void workloadHealthFollowsTheCluster() {
    try (MemoryStore store = MemoryStore.create();
        FakeClusters env = new FakeClusters(store)) {
      env.registerClusters();
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
      env.awaitRunningOn("echo", env.a);

      env.a.updateStatus(
          "apps/v1", "Deployment", "default", "echo-demo", o -> setStatus(o, "readyReplicas", 0));
      env.awaitState("echo", ApplicationState.DEGRADED);

      env.a.updateStatus(
          "apps/v1", "Deployment", "default", "echo-demo", o -> setStatus(o, "readyReplicas", 1));
      Application healthy = env.awaitState("echo", ApplicationState.RUNNING);
      assertThat(healthy.status().containerHealth().runningPods()).isEqualTo(1);
    }
  }
}
