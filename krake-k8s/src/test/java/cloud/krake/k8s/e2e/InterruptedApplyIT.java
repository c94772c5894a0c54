package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ForwardingStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An application deleted or moved while its first apply is in flight (issue 12, item 0): whatever
 * the apply created must not outlive the decision, with and without the complete and shutdown
 * hooks, and when the host that was applying dies before it could record what it applied.
 *
 * <p>The fake API server stores an object as soon as the request arrives and answers only after its
 * injected latency, so objects are on the cluster while the apply that created them is still in
 * flight, as with a slow real API server.
 */
class InterruptedApplyIT {

  /** Long enough that the decision is written while the apply is in flight, on a busy machine. */
  private static final Duration LATENCY = Duration.ofMillis(400);

  private static final List<String> HOOKS = List.of("complete", "shutdown");

  private final MemoryStore store = MemoryStore.create();
  private FakeClusters env;

  @BeforeEach
  void start() {
    env = new FakeClusters(store);
    env.registerClusters();
  }

  @AfterEach
  void stop() {
    env.close();
    store.close();
  }

  @Test
  void deletionDuringTheFirstApplyLeavesNothingOnTheCluster() {
    createWhileApplying("echo", documents("echo.yaml"), List.of());

    env.krake.applications().delete(NS, "echo");

    env.awaitGone("echo");
    assertThat(env.a.objects()).isEmpty();
    assertThat(env.b.objects()).isEmpty();
  }

  @Test
  void deletionDuringTheFirstApplyWithHooksLeavesNothingOnTheCluster() {
    createWhileApplying("sd", documents("shutdown-statefulset.yaml"), HOOKS);

    env.krake.applications().delete(NS, "sd");

    env.awaitGone("sd");
    assertThat(env.a.objects()).isEmpty();
    assertThat(env.b.objects()).isEmpty();
  }

  @Test
  void migrationDuringTheFirstApplyLeavesNothingOnTheFirstCluster() {
    createWhileApplying("echo", documents("echo.yaml"), List.of());

    env.moveTo("echo", "b");

    env.awaitRunningOn("echo", env.b);
    env.a.latency(Duration.ZERO);
    await().atMost(FakeClusters.TIMEOUT).until(() -> env.a.objects().isEmpty());
    assertThat(env.b.list("apps/v1", "Deployment")).hasSize(1);
    env.krake.applications().delete(NS, "echo");
    env.awaitGone("echo");
    assertThat(env.a.objects()).isEmpty();
    assertThat(env.b.objects()).isEmpty();
  }

  @Test
  void migrationDuringTheFirstApplyWithHooksLeavesNothingOnTheFirstCluster() {
    createWhileApplying("sd", documents("shutdown-statefulset.yaml"), HOOKS);

    env.moveTo("sd", "b");

    env.awaitRunningOn("sd", env.b);
    env.a.latency(Duration.ZERO);
    await().atMost(FakeClusters.TIMEOUT).until(() -> env.a.objects().isEmpty());
    assertThat(env.b.list("apps/v1", "StatefulSet")).hasSize(1);
    env.krake.applications().delete(NS, "sd");
    env.awaitGone("sd");
    assertThat(env.a.objects()).isEmpty();
    assertThat(env.b.objects()).isEmpty();
  }

  /**
   * The host dies after it applied everything and before it recorded it: its store fails from its
   * final write on (the write never reaches the store, as when the process is killed), and it is
   * closed. A second host on the same store then deletes the application.
   */
  @Test
  void aHostKilledMidApplyLeavesNothingOnceTheRestartedHostDeletesTheApplication() {
    env.stop();
    KilledHostStore dying = new KilledHostStore(store);
    env.start(dying);
    env.a.latency(LATENCY);
    env.create("sd", documents("shutdown-statefulset.yaml"), List.of(), HOOKS, "a");
    await().atMost(FakeClusters.TIMEOUT).untilTrue(dying.killed);
    env.stop();
    Optional<Application> left = new cloud.krake.store.Applications(store, env.clock).get(NS, "sd");
    assertThat(left).isPresent();
    assertThat(left.get().status().runningOn()).isEmpty();
    assertThat(env.a.objects()).isNotEmpty();

    env.start();
    env.krake.applications().delete(NS, "sd");

    env.awaitGone("sd");
    env.a.latency(Duration.ZERO);
    assertThat(env.a.objects()).isEmpty();
    assertThat(env.b.objects()).isEmpty();
  }

  /**
   * Issue 17's second handover gap ({@code kill -9} of a host instance): the host dies after it
   * applied everything, the Service named {@code shutdown} included, and before it recorded the
   * answers. The next host has a delta (here the token Secrets, which name its own hook endpoint;
   * in a group, the resources the dead host had not applied yet) but not the Service, which is on
   * the cluster already: it must still record {@code services["shutdown"]} from that Service, in
   * the write that makes the application RUNNING, else its deletion finds no shutdown service to
   * call.
   */
  @Test
  void theHostTakingOverAnApplyInterruptedAfterTheServiceRecordsTheShutdownService() {
    env.stop();
    KilledHostStore dying = new KilledHostStore(store);
    env.start(dying);
    env.create("sd", documents("shutdown-statefulset.yaml"), List.of(), HOOKS, "a");
    await().atMost(FakeClusters.TIMEOUT).untilTrue(dying.killed);
    env.stop();
    assertThat(new cloud.krake.store.Applications(store, env.clock).require(NS, "sd").status())
        .satisfies(s -> assertThat(s.runningOn()).isEmpty())
        .satisfies(s -> assertThat(s.services()).doesNotContainKey("shutdown"));
    assertThat(env.a.list("v1", "Service"))
        .anySatisfy(s -> assertThat(s.at("/metadata/name").asText()).isEqualTo("shutdown"));

    FirstWrite next = new FirstWrite(store, s -> s.path("state").asText().equals("RUNNING"));
    env.start(next);
    await().atMost(FakeClusters.TIMEOUT).until(() -> next.first.get() != null);

    ObjectNode running = next.first.get();
    assertThat(running.at("/status/services/shutdown").asText())
        .as(
            "services in the write that made the application RUNNING: %s",
            running.at("/status/services"))
        .matches(".+:3[0-9]{4}");
  }

  /**
   * The shutdown's guard for any path that leaves {@code services["shutdown"]} out: a running
   * application whose status lost the entry is deleted while no host runs; the next host records
   * the entry from the Service on the cluster before the shutdown protocol plans its first attempt,
   * so that the attempt has a service to call.
   */
  @Test
  void aDeletionWithoutTheShutdownServiceEntryTakesItFromTheServiceOnTheCluster() {
    env.create("sd", documents("shutdown-statefulset.yaml"), List.of(), HOOKS, "a");
    env.awaitRunningOn("sd", env.a);
    env.stop();
    cloud.krake.store.Applications raw = new cloud.krake.store.Applications(store, env.clock);
    Application running = raw.require(NS, "sd");
    assertThat(running.status().services()).containsKey("shutdown");
    raw.writeByController(running.withStatus(running.status().withServices(java.util.Map.of())));
    raw.delete(NS, "sd");

    FirstWrite next = new FirstWrite(store, s -> s.path("shutdown_attempts").asInt() > 0);
    env.start(next);
    await().atMost(FakeClusters.TIMEOUT).until(() -> next.first.get() != null);

    ObjectNode attempt = next.first.get();
    assertThat(attempt.at("/status/services/shutdown").asText())
        .as(
            "services in the write of the first shutdown attempt: %s",
            attempt.at("/status/services"))
        .isEqualTo(running.status().services().get("shutdown"));
  }

  /**
   * Two hosts on one store, as several host processes on one etcd: the first one stalls (a long GC
   * pause, a slow machine) right after it recorded its apply and before it applied anything; the
   * application is deleted meanwhile and the second host removes it. The first one then applies to
   * a cluster nobody will clean up again: it must take back what it applied.
   */
  @Test
  void anApplyThatOutlivesTheDeletionByAnotherHostTakesBackWhatItApplied() throws Exception {
    env.stop();
    StallingHostStore stalling = new StallingHostStore(store);
    env.start(stalling);
    Krake first = env.krake;
    try {
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
      await().atMost(FakeClusters.TIMEOUT).untilTrue(stalling.stalled);
      new cloud.krake.store.Applications(store, env.clock).delete(NS, "echo");
      env.start();
      env.awaitGone("echo");
      assertThat(env.a.objects()).isEmpty();

      stalling.resume.countDown();
      await()
          .atMost(FakeClusters.TIMEOUT)
          .until(() -> env.a.requests().stream().anyMatch(r -> r.startsWith("PATCH ")));
    } finally {
      stalling.resume.countDown();
      first.close();
    }
    assertThat(env.a.objects()).isEmpty();
  }

  /**
   * Creates an application on cluster {@code a}, answering slowly, and returns once the first of
   * its objects is on the cluster, while the apply is still in flight.
   */
  private void createWhileApplying(String name, List<ObjectNode> manifest, List<String> hooks) {
    env.a.latency(LATENCY);
    env.create(name, manifest, List.of(), hooks, "a");
    await()
        .atMost(FakeClusters.TIMEOUT)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> !env.a.objects().isEmpty());
    assertThat(env.krake.applications().require(NS, name).status().runningOn()).isEmpty();
  }

  /**
   * The store as seen by a host that stalls once, right after its first write of an application as
   * CREATING, until {@link #resume} is counted down.
   */
  private static final class StallingHostStore extends ForwardingStore {
    final AtomicBoolean stalled = new AtomicBoolean();
    final CountDownLatch resume = new CountDownLatch(1);

    StallingHostStore(Store delegate) {
      super(delegate);
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedRevision) {
      KeyValue written = super.update(key, value, expectedRevision);
      if (key.startsWith("/kubernetes/applications/")
          && KrakeJson.read(value, ObjectNode.class).at("/status/state").asText().equals("CREATING")
          && stalled.compareAndSet(false, true)) {
        try {
          resume.await(FakeClusters.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return written;
    }
  }

  /** The store of a host, remembering its first write of an application whose status matches. */
  private static final class FirstWrite extends ForwardingStore {
    final java.util.concurrent.atomic.AtomicReference<ObjectNode> first =
        new java.util.concurrent.atomic.AtomicReference<>();
    private final java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> status;

    FirstWrite(
        Store delegate,
        java.util.function.Predicate<com.fasterxml.jackson.databind.JsonNode> status) {
      super(delegate);
      this.status = status;
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedRevision) {
      KeyValue written = super.update(key, value, expectedRevision);
      ObjectNode doc = KrakeJson.read(value, ObjectNode.class);
      if (key.startsWith("/kubernetes/applications/") && status.test(doc.path("status"))) {
        first.compareAndSet(null, doc);
      }
      return written;
    }
  }

  /**
   * The store as seen by a host that is killed when it records an application as running: that
   * write and everything after it fails.
   */
  private static final class KilledHostStore extends ForwardingStore {
    final AtomicBoolean killed = new AtomicBoolean();

    KilledHostStore(Store delegate) {
      super(delegate);
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedRevision) {
      alive();
      if (key.startsWith("/kubernetes/applications/")
          && KrakeJson.read(value, ObjectNode.class).at("/status/running_on").isObject()) {
        killed.set(true);
        alive();
      }
      return super.update(key, value, expectedRevision);
    }

    @Override
    public Optional<KeyValue> get(String key) {
      alive();
      return super.get(key);
    }

    @Override
    public Page list(String prefix, PageRequest request) {
      alive();
      return super.list(prefix, request);
    }

    @Override
    public KeyValue create(String key, byte[] value) {
      alive();
      return super.create(key, value);
    }

    @Override
    public long delete(String key, long expectedRevision) {
      alive();
      return super.delete(key, expectedRevision);
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
      alive();
      return super.watch(prefix, fromRevision, listener);
    }

    private void alive() {
      if (killed.get()) {
        throw new StoreUnavailableException("the host was killed", null);
      }
    }
  }
}
