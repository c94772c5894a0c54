package cloud.krake.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.TestClusters;
import cloud.krake.model.Cluster;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metric;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.Resource;
import cloud.krake.model.ResourceRef;
import cloud.krake.scheduler.metrics.MetricsProviderClient;
import cloud.krake.scheduler.metrics.MetricsProviders;
import cloud.krake.scheduler.metrics.StaticMetricsProvider;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fetching a scheduling pass's metrics, with the static metrics of the test manifests. */
class MetricsFetcherTest {

  private final MemoryStore store = MemoryStore.create();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final Krake krake = Krake.builder().store(store).clock(clock).build();
  private final AtomicInteger calls = new AtomicInteger();
  private final MetricsProviders counting =
      MetricsProviders.builder()
          .register(
              StaticMetricsProvider.TYPE,
              (name, spec) -> {
                MetricsProviderClient inner = StaticMetricsProvider.FACTORY.create(name, spec);
                return metric -> {
                  calls.incrementAndGet();
                  return inner.value(metric);
                };
              })
          .build();
  private MetricsFetcher fetcher;

  @BeforeEach
  void loadTheStaticMetrics() throws IOException {
    Path sample =
        Path.of(
            URI.create(
                MetricsFetcherTest.class.getResource("/manifests/static-metrics.yaml").toString()));
    for (Resource<?> resource : KrakeJson.readAllResources(Files.readString(sample))) {
      if (resource instanceof GlobalMetricsProvider provider) {
        krake.globalMetricsProviders().create(provider);
      } else if (resource instanceof GlobalMetric metric) {
        krake.globalMetrics().create(metric);
      }
    }
    fetcher = new MetricsFetcher(krake, counting, Duration.ofSeconds(10));
  }

  @AfterEach
  void close() {
    fetcher.close();
    store.close();
  }

  private static Cluster cluster(String name, String metrics) {
    return TestClusters.read(
        "{name: %s, namespace: tenant}".formatted(name), "metrics: " + metrics);
  }

  private static final String BOTH =
      "[{name: electricity_cost_1, weight: 1}, {name: green_energy_ratio_1, weight: 2}]";

  @Test
  void readsAndNormalisesKrakesStaticMetrics() {
    Cluster cluster = cluster("c1", BOTH);

    MetricValues values = fetcher.fetch(List.of(cluster)).of(ResourceRef.to(cluster));

    assertThat(values.failed()).isFalse();
    assertThat(values.values())
        .containsEntry("electricity_cost_1", 0.9)
        .containsEntry("green_energy_ratio_1", 0.1);
  }

  @Test
  void fetchesEachProviderMetricOncePerPassAndReusesItWithinTheCacheTime() {
    List<Cluster> clusters = List.of(cluster("c1", BOTH), cluster("c2", BOTH), cluster("c3", BOTH));

    fetcher.fetch(clusters);
    assertThat(calls).hasValue(2);

    clock.advance(Duration.ofSeconds(5));
    fetcher.fetch(clusters);
    assertThat(calls).hasValue(2);

    clock.advance(Duration.ofSeconds(5));
    fetcher.fetch(clusters);
    assertThat(calls).hasValue(4);
  }

  @Test
  void aMissingMetricIsAnUnknownMetricFailureNotACrash() {
    Cluster cluster =
        cluster("c1", "[{name: nope, weight: 1}, {name: electricity_cost_1, weight: 1}]");

    MetricValues values = fetcher.fetch(List.of(cluster)).of(ResourceRef.to(cluster));

    assertThat(values.failed()).isTrue();
    assertThat(values.failures().get("nope").code()).isEqualTo(ReasonCode.UNKNOWN_METRIC);
    assertThat(values.values()).containsEntry("electricity_cost_1", 0.9);
  }

  @Test
  void aValueOutsideTheMetricsRangeIsAnInvalidMetric() {
    krake
        .globalMetrics()
        .create(
            KrakeJson.read(
                """
                api: core
                kind: GlobalMetric
                metadata: {name: narrow}
                spec: {min: 0.0, max: 0.5, provider: {name: static_provider, metric: electricity_cost_1}}
                """,
                GlobalMetric.class));
    Cluster cluster = cluster("c1", "[{name: narrow, weight: 1}]");

    MetricValues values = fetcher.fetch(List.of(cluster)).of(ResourceRef.to(cluster));

    assertThat(values.failures().get("narrow").code()).isEqualTo(ReasonCode.INVALID_METRIC);
  }

  @Test
  void namespacedMetricsUseTheProviderOfTheirNamespace() {
    krake
        .metricsProviders()
        .create(
            KrakeJson.read(
                """
                api: core
                kind: MetricsProvider
                metadata: {name: local, namespace: tenant}
                spec: {type: static, static: {metrics: {load: 0.25}}}
                """,
                cloud.krake.model.MetricsProvider.class));
    krake
        .metrics()
        .create(
            KrakeJson.read(
                """
                api: core
                kind: Metric
                metadata: {name: load, namespace: tenant}
                spec: {min: 0.0, max: 1.0, provider: {name: local, metric: load}}
                """,
                Metric.class));
    Cluster cluster = cluster("c1", "[{name: load, weight: 1, namespaced: true}]");

    ClusterMetrics metrics = fetcher.fetch(List.of(cluster));

    assertThat(metrics.of(ResourceRef.to(cluster)).values()).containsEntry("load", 0.25);
  }

  @Test
  void anUnsupportedProviderTypeIsAnUnknownMetricsProvider() {
    krake
        .globalMetricsProviders()
        .create(
            KrakeJson.read(
                """
                api: core
                kind: GlobalMetricsProvider
                metadata: {name: prom}
                spec: {type: prometheus, prometheus: {url: "http://127.0.0.1:9"}}
                """,
                GlobalMetricsProvider.class));
    krake
        .globalMetrics()
        .create(
            KrakeJson.read(
                """
                api: core
                kind: GlobalMetric
                metadata: {name: heat}
                spec: {min: 0.0, max: 1.0, provider: {name: prom, metric: heat}}
                """,
                GlobalMetric.class));
    Cluster cluster = cluster("c1", "[{name: heat, weight: 1}]");

    MetricValues values = fetcher.fetch(List.of(cluster)).of(ResourceRef.to(cluster));

    assertThat(values.failures().get("heat").code()).isEqualTo(ReasonCode.UNKNOWN_METRICS_PROVIDER);
  }

  @Test
  void aClusterWithoutMetricsHasNone() {
    Cluster cluster = cluster("c1", "[]");

    assertThat(fetcher.fetch(List.of(cluster)).of(ResourceRef.to(cluster)))
        .isEqualTo(MetricValues.NONE);
  }
}
