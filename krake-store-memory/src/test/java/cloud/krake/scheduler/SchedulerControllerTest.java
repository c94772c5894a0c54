package cloud.krake.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.TestClusters;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualTimer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler as a controller, driven step by step with a manual clock and scheduler. */
class SchedulerControllerTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  private final MemoryStore store = MemoryStore.create();
  private final SchedulerFixture fixture = new SchedulerFixture(store, T0);
  private final Krake krake = fixture.krake;
  private final ManualTimer timers = fixture.timers;
  private SchedulerController scheduler;

  @BeforeEach
  void startWatching() {
    scheduler = fixture.watch();
  }

  @AfterEach
  void close() {
    fixture.close();
    store.close();
  }

  private Cluster onlineCluster(String name, String location, String metrics) {
    return TestClusters.online(
        krake,
        TestClusters.read(
            "{name: %s, namespace: tenant, labels: {location: %s}}".formatted(name, location),
            "metrics: " + metrics));
  }

  private Application app(String name, String backoffLimit) {
    return krake
        .applications()
        .create(
            KrakeJson.read(
                """
                metadata: {name: %s, namespace: tenant}
                spec:
                  manifest: [{apiVersion: v1, kind: Pod, metadata: {name: %s}}]
                  constraints: {cluster: {labels: ["location is DE"]}}
                  backoff_limit: %s
                """
                    .formatted(name, name, backoffLimit),
                Application.class));
  }

  private Application read(String name) {
    return krake.applications().require("tenant", name);
  }

  @Test
  void bindsAnApplicationToTheMatchingClusterAndOwnsIt() {
    Cluster de = onlineCluster("de", "DE", "[]");
    onlineCluster("fr", "FR", "[]");
    Application created = app("echo", "-1");

    fixture.settle();

    Application bound = read("echo");
    assertThat(bound.status().scheduledTo()).contains(ResourceRef.to(de));
    assertThat(bound.status().scheduled()).contains(T0);
    assertThat(bound.metadata().owners()).contains(ResourceRef.to(de));
    assertThat(bound.metadata().modified()).isEqualTo(created.metadata().modified());
  }

  @Test
  void anApplicationThatFitsNowhereIsDegradedAndBoundOnceAClusterAppearsAtItsRetry() {
    app("echo", "-1");
    fixture.settle();
    Application degraded = read("echo");
    assertThat(degraded.status().state()).isEqualTo(ApplicationState.DEGRADED);
    assertThat(degraded.status().reason().orElseThrow().code())
        .isEqualTo(ReasonCode.NO_SUITABLE_RESOURCE);
    assertThat(degraded.status().scheduledRetry()).contains(T0.plusSeconds(1));

    Cluster de = onlineCluster("de", "DE", "[]");
    fixture.settle();
    assertThat(read("echo").status().scheduledTo()).isEmpty();

    timers.advance(Duration.ofSeconds(1));
    scheduler.drain();

    Application bound = read("echo");
    assertThat(bound.status().scheduledTo()).contains(ResourceRef.to(de));
    assertThat(bound.status().reason()).isEmpty();
    assertThat(bound.status().scheduledRetry()).isEmpty();
  }

  @Test
  void exhaustedRetriesFailTheApplicationOnARealTimer() {
    app("echo", "1");
    fixture.settle();
    assertThat(read("echo").status().state()).isEqualTo(ApplicationState.DEGRADED);

    timers.advance(Duration.ofSeconds(1));
    scheduler.drain();

    assertThat(read("echo").status().state()).isEqualTo(ApplicationState.FAILED);
  }

  @Test
  void clustersWhoseMetricsFailAreMarkedAndExcluded() {
    onlineCluster("de", "DE", "[{name: missing_metric, weight: 1}]");
    app("echo", "-1");

    fixture.settle();

    Cluster de = krake.clusters().require("tenant", "de");
    assertThat(de.status().state()).isEqualTo(ClusterState.FAILING_METRICS);
    assertThat(de.status().metricsReasons().get("missing_metric").code())
        .isEqualTo(ReasonCode.UNKNOWN_METRIC);
    assertThat(read("echo").status().state()).isEqualTo(ApplicationState.DEGRADED);
  }

  @Test
  void failedAndDeletedApplicationsAreLeftAlone() {
    onlineCluster("de", "DE", "[]");
    Application failed = app("failed", "-1");
    krake
        .applications()
        .modifyStatus("tenant", "failed", a -> a.status().withState(ApplicationState.FAILED));
    app("deleted", "-1");
    krake.applications().delete("tenant", "deleted");

    fixture.settle();

    assertThat(read("failed").status().scheduledTo()).isEmpty();
    assertThat(read("failed").metadata().modified()).isEqualTo(failed.metadata().modified());
    assertThat(read("deleted").status().scheduledTo()).isEmpty();
  }

  @Test
  void aFailedVolumeMigrationKeepsTheApplicationWhereItRunsUntilItsMigrationTimeout() {
    onlineCluster("de", "DE", "[]");
    onlineCluster("fr", "FR", "[]");
    app("echo", "-1");
    fixture.settle();
    assertThat(read("echo").status().scheduledTo().orElseThrow().name()).isEqualTo("de");
    // the controller's failure path: back on "de", not to be moved before T0 + 120 s
    krake
        .applications()
        .modifyStatus(
            "tenant",
            "echo",
            a ->
                a.status().withMigrationRetries(2).withMigrationTimeout(T0.getEpochSecond() + 120));
    krake
        .applications()
        .modify(
            "tenant",
            "echo",
            a ->
                KrakeJson.read(
                    KrakeJson.write(a).replace("location is DE", "location is FR"),
                    Application.class));
    fixture.settle();

    assertThat(read("echo").status().scheduledTo().orElseThrow().name())
        .as("inside the back-off")
        .isEqualTo("de");

    timers.advance(Duration.ofSeconds(120));
    scheduler.drain();

    assertThat(read("echo").status().scheduledTo().orElseThrow().name())
        .as("after migration_timeout")
        .isEqualTo("fr");
  }

  @Test
  void boundApplicationsAreReevaluatedEveryRescheduleAfterUnlessMigrationIsOff() {
    onlineCluster("de", "DE", "[]");
    app("echo", "-1");
    krake
        .applications()
        .create(
            KrakeJson.read(
                """
                metadata: {name: pinned, namespace: tenant}
                spec:
                  manifest: [{apiVersion: v1, kind: Pod, metadata: {name: pinned}}]
                  constraints: {cluster: {labels: ["location is DE"]}, migration: false}
                """,
                Application.class));
    fixture.settle();
    assertThat(read("echo").status().scheduledTo()).isPresent();
    assertThat(read("pinned").status().scheduledTo()).isPresent();

    timers.advance(SchedulerConfig.DEFAULTS.rescheduleAfter());

    assertThat(scheduler.queued()).as("only the migratable application comes back").isEqualTo(1);
    assertThat(scheduler.drain()).isEqualTo(1);
  }

  @Test
  void aClusterWhoseMetricsRecoverIsOnlineAgain() {
    onlineCluster("de", "DE", "[]");
    krake
        .clusters()
        .modifyStatus(
            "tenant",
            "de",
            c ->
                c.status()
                    .withState(ClusterState.FAILING_METRICS)
                    .withMetricsReasons(
                        java.util.Map.of(
                            "m",
                            cloud.krake.model.Reason.of(
                                ReasonCode.UNREACHABLE_METRICS_PROVIDER, "down"))));
    app("echo", "-1");

    fixture.settle();

    Cluster de = krake.clusters().require("tenant", "de");
    assertThat(de.status().state()).isEqualTo(ClusterState.ONLINE);
    assertThat(de.status().metricsReasons()).isEmpty();
    assertThat(read("echo").status().scheduledTo()).contains(ResourceRef.to(de));
  }

  @Test
  void aChangedGlobalMetricRequeuesTheApplications() {
    onlineCluster("de", "DE", "[]");
    app("echo", "-1");
    fixture.settle();

    krake
        .globalMetrics()
        .create(
            KrakeJson.read(
                """
                api: core
                kind: GlobalMetric
                metadata: {name: m}
                spec: {min: 0.0, max: 1.0, provider: {name: p, metric: m}}
                """,
                cloud.krake.model.GlobalMetric.class));

    await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.queued() == 1);
  }
}
