package cloud.krake.micrometer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.KrakeHealth;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.endpoint.HookRequest;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.runtime.KrakeMetricsRecorder.HookRunOutcome;
import cloud.krake.runtime.KrakeMetricsRecorder.ShutdownAttemptOutcome;
import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meters after real work of a {@link Krake} over a {@link MemoryStore}, driven on the test's
 * thread with {@code watch()} and {@code drain()}, a manual clock and timer.
 */
class MicrometerKrakeMetricsTest {

  private static final Logger log = LoggerFactory.getLogger(MicrometerKrakeMetricsTest.class);

  private final MemoryStore store = MemoryStore.create();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerKrakeMetrics metrics = new MicrometerKrakeMetrics(registry);
  private final Krake krake =
      Krake.builder()
          .store(store)
          .clock(clock)
          .timer(new ManualTimer(clock))
          .metricsRecorder(metrics)
          .build();

  @AfterEach
  void close() {
    metrics.close();
    krake.close();
    store.close();
  }

  private void cluster(String name) {
    krake
        .clusters()
        .create(
            KrakeJson.read(
                """
                metadata: {name: %s, namespace: tenant}
                spec:
                  kubeconfig:
                    apiVersion: v1
                    kind: Config
                    current-context: admin@c
                    clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
                    contexts: [{name: admin@c, context: {cluster: c, user: admin}}]
                    users: [{name: admin, user: {token: secret}}]
                """
                    .formatted(name),
                Cluster.class));
    krake.clusters().modifyStatus("tenant", name, c -> c.status().withState(ClusterState.ONLINE));
  }

  private void app(String name) {
    krake
        .applications()
        .create(
            KrakeJson.read(
                """
                metadata: {name: %s, namespace: tenant}
                spec:
                  manifest: [{apiVersion: v1, kind: Pod, metadata: {name: %s}}]
                  constraints: {cluster: {labels: []}}
                  hooks: [complete]
                """
                    .formatted(name, name),
                Application.class));
  }

  private long reconciles(String controller) {
    return registry
        .find(MicrometerKrakeMetrics.RECONCILE)
        .tag("controller", controller)
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }

  @Test
  void reconcilesOfTheSchedulerAreTimedPerControllerAndOutcomeAndTheQueueDepthIsAGauge() {
    metrics.monitor(krake);
    krake.watch();
    cluster("one");
    app("echo");
    await().until(() -> krake.component("scheduler").orElseThrow().queued() > 0);
    double queuedBefore =
        registry
            .get(MicrometerKrakeMetrics.QUEUE_DEPTH)
            .tag("component", "scheduler")
            .gauge()
            .value();

    krake.settle(Duration.ofSeconds(10)); // drains until the watch events of its writes are done

    assertThat(queuedBefore).isPositive();
    assertThat(reconciles("scheduler")).isPositive();
    Application scheduled = krake.applications().require("tenant", "echo");
    assertThat(scheduled.status().scheduledTo()).isPresent();
    // binding an application returns requeueAfter(reschedule_after): outcome "requeue"
    Timer requeue =
        registry
            .get(MicrometerKrakeMetrics.RECONCILE)
            .tags("controller", "scheduler", "outcome", "requeue")
            .timer();
    assertThat(requeue.count()).isPositive();
    assertThat(requeue.totalTime(TimeUnit.NANOSECONDS)).isPositive();
    assertThat(
            registry
                .get(MicrometerKrakeMetrics.QUEUE_DEPTH)
                .tag("component", "scheduler")
                .gauge()
                .value())
        .isZero();
  }

  @Test
  void applicationsPerStateFollowTheStoreWithoutListingOnScrape() {
    app("first");
    metrics.monitor(krake);
    app("second");

    await()
        .untilAsserted(
            () ->
                assertThat(
                        registry
                            .get(MicrometerKrakeMetrics.APPLICATIONS)
                            .tag("state", "PENDING")
                            .gauge()
                            .value())
                    .isEqualTo(2));
    krake
        .applications()
        .modifyStatus("tenant", "first", a -> a.status().withState(ApplicationState.RUNNING));
    krake.applications().forceDelete("tenant", "second");

    await()
        .untilAsserted(
            () -> {
              assertThat(
                      registry
                          .get(MicrometerKrakeMetrics.APPLICATIONS)
                          .tag("state", "PENDING")
                          .gauge()
                          .value())
                  .isZero();
              assertThat(
                      registry
                          .get(MicrometerKrakeMetrics.APPLICATIONS)
                          .tag("state", "RUNNING")
                          .gauge()
                          .value())
                  .isEqualTo(1);
            });
    long listsBefore = storeCount("list");
    for (int i = 0; i < 3; i++) {
      registry.getMeters().forEach(Meter::measure);
    }
    assertThat(storeCount("list")).as("a scrape lists nothing").isEqualTo(listsBefore);
  }

  private long storeCount(String operation) {
    return registry
        .get(MicrometerKrakeMetrics.STORE_OPERATION)
        .tag("operation", operation)
        .timer()
        .count();
  }

  @Test
  void aLostCompareAndSetIsCountedAsAStoreConflictOfItsOperation() {
    KeyValue created = krake.store().create("/test/key", "a".getBytes(UTF_8));

    assertThatThrownBy(
            () -> krake.store().update("/test/key", "b".getBytes(UTF_8), created.modRevision() + 7))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> krake.store().create("/test/key", "c".getBytes(UTF_8)))
        .isInstanceOf(ConflictException.class);

    assertThat(
            registry
                .get(MicrometerKrakeMetrics.STORE_CONFLICTS)
                .tag("operation", "update")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(MicrometerKrakeMetrics.STORE_CONFLICTS)
                .tag("operation", "create")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(storeCount("create")).isEqualTo(2);
    assertThat(storeCount("update")).isEqualTo(1);
  }

  @Test
  void hookEndpointCallsAreCountedByHookAndStatus() {
    app("echo");
    HookEndpoint endpoint =
        HookEndpoint.builder()
            .applications(krake.applications())
            .config(HooksConfig.builder().build())
            .metricsRecorder(krake.metricsRecorder())
            .build();

    int wrongToken =
        endpoint
            .handle(
                HookRequest.of(
                    "PUT",
                    "/kubernetes/namespaces/tenant/applications/echo/complete",
                    "{\"token\":\"not-the-token\"}".getBytes(UTF_8)))
            .status();
    int noRoute = endpoint.handle(HookRequest.of("PUT", "/elsewhere", new byte[0])).status();

    assertThat(wrongToken).isEqualTo(401);
    assertThat(noRoute).isEqualTo(404);
    assertThat(
            registry
                .get(MicrometerKrakeMetrics.HOOK_ENDPOINT_CALLS)
                .tags("hook", "complete", "status", "401")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(MicrometerKrakeMetrics.HOOK_ENDPOINT_CALLS)
                .tags("hook", HookEndpoint.UNKNOWN_HOOK, "status", "404")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void hookRunsAndShutdownAttemptsGoToTheirMetersInBaseUnits() {
    metrics.executionHookRun("preHook", HookRunOutcome.TIMEOUT, Duration.ofSeconds(3).toNanos());
    metrics.lifecycleHookRun("pre_stop", HookRunOutcome.SUCCESS, Duration.ofMillis(250).toNanos());
    metrics.shutdownAttempt(ShutdownAttemptOutcome.CALL_FAILED);

    Timer execution =
        registry
            .get(MicrometerKrakeMetrics.EXECUTION_HOOK)
            .tags("kind", "preHook", "outcome", "timeout")
            .timer();
    assertThat(execution.count()).isEqualTo(1);
    assertThat(execution.totalTime(TimeUnit.SECONDS)).isEqualTo(3.0);
    assertThat(
            registry
                .get(MicrometerKrakeMetrics.LIFECYCLE_HOOK)
                .tags("kind", "pre_stop", "outcome", "success")
                .timer()
                .totalTime(TimeUnit.MILLISECONDS))
        .isEqualTo(250.0);
    assertThat(
            registry
                .get(MicrometerKrakeMetrics.SHUTDOWN_ATTEMPTS)
                .tag("outcome", "call_failed")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get(MicrometerKrakeMetrics.SHUTDOWN_ATTEMPTS)
                .tag("outcome", "called")
                .counter()
                .count())
        .isZero();
  }

  @Test
  void wiringAsTheMetricsPageShowsIt() {
    MemoryStore hostStore = MemoryStore.create();
    // tag::wiring[]
    MeterRegistry registry = new SimpleMeterRegistry(); // the host's registry
    MicrometerKrakeMetrics metrics = new MicrometerKrakeMetrics(registry);
    try (Krake krake = Krake.builder().store(hostStore).metricsRecorder(metrics).build()) {
      metrics.monitor(krake);
      krake.start();
      KrakeHealth health = krake.health(); // store, watches, controllers
      log.info("{}", health); // KrakeHealth{UP, store: UP (revision 1 in 0 ms), ...}
      // end::wiring[]
      assertThat(health.up()).as(health.toString()).isTrue();
      assertThat(registry.find(MicrometerKrakeMetrics.QUEUE_DEPTH).gauges()).hasSize(2);
    } finally {
      metrics.close();
      hostStore.close();
    }
  }

  @Test
  void withoutARecorderTheStoreIsUsedAsGiven() {
    try (Krake plain = Krake.builder().store(store).build()) {
      assertThat(plain.store()).isSameAs(store);
      assertThat(krake.store()).isNotSameAs(store);
    }
  }
}
