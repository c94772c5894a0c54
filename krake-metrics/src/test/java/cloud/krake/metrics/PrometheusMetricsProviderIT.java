package cloud.krake.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.model.PrometheusSpec;
import cloud.krake.model.Resource;
import cloud.krake.model.ResourceRef;
import cloud.krake.scheduler.MetricsFetcher;
import cloud.krake.scheduler.SchedulerConfig;
import cloud.krake.scheduler.SchedulerController;
import cloud.krake.scheduler.metrics.MetricsProviderClient;
import cloud.krake.scheduler.metrics.MetricsProviders;
import cloud.krake.scheduler.metrics.StaticMetricsProvider;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import cloud.krake.testing.PrometheusServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus ({@link PrometheusServer}: {@code /usr/bin/prometheus}, Debian package {@code
 * prometheus}) scraping the fixture's exporter, queried through {@link PrometheusMetricsProvider}.
 */
class PrometheusMetricsProviderIT {

  private PrometheusServer prometheus;
  private HttpMetricsProviders http;
  private String url;

  /** The Prometheus metrics of the test manifests that have no allowed values (zones 1 to 5). */
  private static List<String> sampleMetrics() throws IOException {
    Path file =
        Path.of(
            URI.create(
                PrometheusMetricsProviderIT.class
                    .getResource("/manifests/prometheus-metrics.yaml")
                    .toString()));
    return KrakeJson.readAllResources(Files.readString(file)).stream()
        .filter(GlobalMetric.class::isInstance)
        .map(GlobalMetric.class::cast)
        .filter(m -> m.spec().provider().name().equals("prometheus"))
        .filter(m -> m.spec().allowedValues().isEmpty())
        .map(m -> m.spec().provider().metric())
        .sorted()
        .toList();
  }

  @BeforeEach
  void start() throws IOException {
    List<String> metrics = sampleMetrics();
    assertThat(metrics).hasSize(5);
    PrometheusServer.Builder builder = PrometheusServer.builder();
    for (int i = 0; i < metrics.size(); i++) {
      builder.gauge(metrics.get(i), i + 1);
    }
    prometheus = builder.build().start();
    http = HttpMetricsProviders.builder().callTimeout(Duration.ofSeconds(5)).build();
    url = prometheus.url().toString();
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
    if (prometheus != null) {
      prometheus.close();
    }
  }

  @Test
  void readsTheExportersValuesAndSeesThemChange() {
    MetricsProviderClient provider =
        http.create("prometheus", MetricsProviderSpec.of(new PrometheusSpec(url)));

    assertThat(provider.value("heat_demand_zone_1")).isEqualTo(1.0);
    assertThat(provider.value("heat_demand_zone_5")).isEqualTo(5.0);

    prometheus.gauge("heat_demand_zone_3", 4.25);

    await("Prometheus sees the new value")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(provider.value("heat_demand_zone_3")).isEqualTo(4.25));
  }

  @Test
  void applicationsLandWhereThePrometheusMetricsSayAndMoveWhenTheyChange() throws IOException {
    ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));
    ManualTimer timers = new ManualTimer(clock);
    try (MemoryStore store = MemoryStore.create()) {
      Krake krake = Krake.builder().store(store).clock(clock).build();
      Path file =
          Path.of(
              URI.create(
                  PrometheusMetricsProviderIT.class
                      .getResource("/manifests/prometheus-metrics.yaml")
                      .toString()));
      for (Resource<?> resource : KrakeJson.readAllResources(Files.readString(file))) {
        if (resource instanceof GlobalMetric metric) {
          krake.globalMetrics().create(metric);
        }
      }
      // The document's provider URL is a placeholder; this test's Prometheus runs elsewhere.
      krake
          .globalMetricsProviders()
          .create(
              GlobalMetricsProvider.of(
                  Metadata.global("prometheus"), MetricsProviderSpec.of(new PrometheusSpec(url))));
      MetricsProviderClient provider =
          http.create("prometheus", MetricsProviderSpec.of(new PrometheusSpec(url)));
      assertThat(provider.value("heat_demand_zone_2")).isEqualTo(2.0);
      Cluster zone1 = onlineCluster(krake, "zone-1", "heat_demand_zone_1");
      Cluster zone2 = onlineCluster(krake, "zone-2", "heat_demand_zone_2");
      MetricsProviders providers =
          MetricsProviders.builder()
              .register("prometheus", http)
              .register(StaticMetricsProvider.TYPE, StaticMetricsProvider.FACTORY)
              .build();
      try (MetricsFetcher fetcher = new MetricsFetcher(krake, providers, Duration.ZERO);
          SchedulerController scheduler =
              new SchedulerController(
                  krake, fetcher, SchedulerConfig.DEFAULTS, new SplittableRandom(1), timers, 1)) {
        scheduler.watch();
        krake
            .applications()
            .create(
                KrakeJson.read(
                    """
                    metadata: {name: heating, namespace: tenant}
                    spec:
                      manifest: [{apiVersion: v1, kind: Pod, metadata: {name: heating}}]
                      constraints: {cluster: {labels: ["location is DE"]}}
                    """,
                    Application.class));
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.queued() > 0);
        scheduler.drain();

        // zone 1 = 1 of 5, zone 2 = 2 of 5: the higher weighted value wins.
        assertThat(scheduledTo(krake)).contains(ResourceRef.to(zone2));

        prometheus.gauge("heat_demand_zone_1", 5.0);
        await("Prometheus sees the new value")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .untilAsserted(() -> assertThat(provider.value("heat_demand_zone_1")).isEqualTo(5.0));
        timers.advance(Duration.ofSeconds(30));
        scheduler.drain();
        assertThat(scheduledTo(krake))
            .as("within reschedule_after the binding stays")
            .contains(ResourceRef.to(zone2));

        timers.advance(SchedulerConfig.DEFAULTS.rescheduleAfter());
        scheduler.drain();

        assertThat(scheduledTo(krake)).contains(ResourceRef.to(zone1));
      }
    }
  }

  private static java.util.Optional<ResourceRef> scheduledTo(Krake krake) {
    return krake.applications().require("tenant", "heating").status().scheduledTo();
  }

  private static Cluster onlineCluster(Krake krake, String name, String metric) {
    krake
        .clusters()
        .create(
            KrakeJson.read(
                """
                metadata: {name: %s, namespace: tenant, labels: {location: DE}}
                spec:
                  metrics: [{name: %s, weight: 1}]
                  kubeconfig:
                    apiVersion: v1
                    kind: Config
                    current-context: admin@c
                    clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
                    contexts: [{name: admin@c, context: {cluster: c, user: admin}}]
                    users: [{name: admin, user: {token: secret}}]
                """
                    .formatted(name, metric),
                Cluster.class));
    return krake
        .clusters()
        .modifyStatus("tenant", name, c -> c.status().withState(ClusterState.ONLINE));
  }
}
