package cloud.krake.scheduler;

import cloud.krake.KrakeContext;
import cloud.krake.model.Cluster;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricRef;
import cloud.krake.model.MetricSpec;
import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.scheduler.internal.Normalisation;
import cloud.krake.scheduler.metrics.MetricException;
import cloud.krake.scheduler.metrics.MetricsProviderClient;
import cloud.krake.scheduler.metrics.MetricsProviders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches the metrics of clusters for one scheduling pass, as Krake's scheduler does before it
 * filters and ranks ({@code fetch_kubernetes_cluster_scores}), into the {@link ClusterMetrics} that
 * {@code Placement} decides on.
 *
 * <p>For each {@link MetricRef} of a cluster's {@code spec.metrics}: the metric resource ({@code
 * Metric} in the cluster's namespace when {@code namespaced}, else {@code GlobalMetric}), then its
 * provider resource ({@code MetricsProvider} in the same namespace, or {@code
 * GlobalMetricsProvider}), then the raw value from the provider, normalised with the metric's
 * {@code min}, {@code max} and {@code allowed_values}. Failures become the metric's {@link Reason}:
 * UNKNOWN_METRIC (no such metric resource, or the provider does not know it),
 * UNKNOWN_METRICS_PROVIDER (no such provider resource, or an unsupported type),
 * UNREACHABLE_METRICS_PROVIDER, INVALID_METRIC (out of range or not allowed). Never throws for a
 * metric: a failure is a value.
 *
 * <p>Unlike Krake, which queries every provider for every cluster on every pass and a second time
 * for ranking, each (provider, metric) is fetched at most once per {@link #fetch} and its result,
 * failures included, is cached for {@link #cacheTtl()} across passes: scheduling many applications
 * does not multiply the queries by the number of clusters.
 *
 * <p>Thread-safe; {@link #fetch} blocks while providers answer (bounded by their timeouts).
 */
public final class MetricsFetcher implements AutoCloseable {

  /** How long a fetched value is reused by later passes by default: 10 seconds. */
  public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(MetricsFetcher.class);

  private final KrakeContext krake;
  private final MetricsProviders registry;
  private final Clock clock;
  private final Duration cacheTtl;
  private final Map<ProviderKey, Cached> cache = new ConcurrentHashMap<>();
  private final Map<String, Instance> instances = new ConcurrentHashMap<>();

  /**
   * Creates a fetcher.
   *
   * @param krake where the metric and provider resources are read, and the clock
   * @param registry the supported provider types
   * @param cacheTtl how long a fetched value is reused by later passes; zero disables reuse
   * @throws IllegalArgumentException if {@code cacheTtl} is negative
   */
  public MetricsFetcher(KrakeContext krake, MetricsProviders registry, Duration cacheTtl) {
    this.krake = Objects.requireNonNull(krake, "krake");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.cacheTtl = Objects.requireNonNull(cacheTtl, "cacheTtl");
    if (cacheTtl.isNegative()) {
      throw new IllegalArgumentException("cacheTtl must not be negative: " + cacheTtl);
    }
    this.clock = krake.clock();
  }

  /** Returns how long fetched values are reused by later passes. */
  public Duration cacheTtl() {
    return cacheTtl;
  }

  /**
   * Fetches the metrics of every cluster, each (provider, metric) at most once.
   *
   * @param clusters the clusters of one scheduling pass
   * @return the normalised values and failures per cluster; clusters without metrics get {@link
   *     MetricValues#NONE}
   */
  public ClusterMetrics fetch(List<Cluster> clusters) {
    Objects.requireNonNull(clusters, "clusters");
    Instant now = clock.instant();
    Map<ProviderKey, Cached> pass = new HashMap<>();
    Map<MetricKey, Optional<MetricSpec>> specs = new HashMap<>();
    Map<ResourceRef, MetricValues> result = new LinkedHashMap<>();
    for (Cluster cluster : clusters) {
      String namespace = cluster.metadata().namespace().orElse("");
      MetricValues values = MetricValues.NONE;
      for (MetricRef ref : cluster.spec().metrics()) {
        try {
          double normalised = normalisedValue(namespace, ref, now, pass, specs);
          values = values.withValue(ref.name(), normalised);
        } catch (MetricException e) {
          values = values.withFailure(ref.name(), e.reason());
        }
      }
      result.put(ResourceRef.to(cluster), values);
    }
    return new ClusterMetrics(result);
  }

  private double normalisedValue(
      String namespace,
      MetricRef ref,
      Instant now,
      Map<ProviderKey, Cached> pass,
      Map<MetricKey, Optional<MetricSpec>> specs) {
    Optional<String> providerNamespace =
        ref.namespaced() ? Optional.of(namespace) : Optional.empty();
    MetricKey metricKey = new MetricKey(providerNamespace, ref.name());
    // Many clusters share a metric: read each metric resource once per pass.
    MetricSpec spec =
        specs
            .computeIfAbsent(metricKey, this::readMetric)
            .orElseThrow(
                () ->
                    unknownMetric(
                        ref.namespaced()
                            ? "metric " + namespace + "/" + ref.name()
                            : "global metric " + ref.name()));
    ProviderKey key =
        new ProviderKey(providerNamespace, spec.provider().name(), spec.provider().metric());
    Cached cached = pass.get(key);
    if (cached == null) {
      cached = cache.get(key);
      if (cached == null || !now.isBefore(cached.fetchedAt().plus(cacheTtl))) {
        cached = fetch(key, now);
        cache.put(key, cached);
      }
      pass.put(key, cached);
    }
    if (cached.failure().isPresent()) {
      throw new MetricException(cached.failure().get());
    }
    return Normalisation.normalise(ref.name(), cached.value(), spec);
  }

  private Optional<MetricSpec> readMetric(MetricKey key) {
    return key.namespace().isPresent()
        ? krake.metrics().get(key.namespace().get(), key.name()).map(Metric::spec)
        : krake.globalMetrics().get("", key.name()).map(GlobalMetric::spec);
  }

  private Cached fetch(ProviderKey key, Instant now) {
    try {
      MetricsProviderClient provider = provider(key);
      return new Cached(provider.value(key.metric()), Optional.empty(), now);
    } catch (MetricException e) {
      log.debug("metric {} from provider {}: {}", key.metric(), key.provider(), e.getMessage());
      return new Cached(0, Optional.of(e.reason()), now);
    } catch (RuntimeException e) {
      return new Cached(
          0,
          Optional.of(
              new Reason(
                  ReasonCode.UNREACHABLE_METRICS_PROVIDER,
                  "metrics provider "
                      + key.provider()
                      + " failed: "
                      + e.getClass().getSimpleName())),
          now);
    }
  }

  /** Returns the provider instance of a provider resource, re-created when its spec changed. */
  private MetricsProviderClient provider(ProviderKey key) {
    MetricsProviderSpec spec =
        key.namespace().isPresent()
            ? krake
                .metricsProviders()
                .get(key.namespace().get(), key.provider())
                .map(cloud.krake.model.MetricsProvider::spec)
                .orElseThrow(() -> unknownProvider(key))
            : krake
                .globalMetricsProviders()
                .get("", key.provider())
                .map(GlobalMetricsProvider::spec)
                .orElseThrow(() -> unknownProvider(key));
    String id = key.namespace().map(ns -> ns + "/").orElse("") + key.provider();
    Instance instance =
        instances.compute(
            id,
            (k, old) -> {
              if (old != null && old.spec().equals(spec)) {
                return old;
              }
              if (old != null) {
                old.provider().close();
              }
              return new Instance(spec, registry.create(key.provider(), spec));
            });
    return instance.provider();
  }

  private static MetricException unknownMetric(String what) {
    return new MetricException(new Reason(ReasonCode.UNKNOWN_METRIC, what + " does not exist"));
  }

  private static MetricException unknownProvider(ProviderKey key) {
    return new MetricException(
        new Reason(
            ReasonCode.UNKNOWN_METRICS_PROVIDER,
            "metrics provider "
                + key.namespace().map(ns -> ns + "/").orElse("")
                + key.provider()
                + " does not exist"));
  }

  /** Closes every provider instance (their connections). */
  @Override
  public void close() {
    instances.values().forEach(i -> i.provider().close());
    instances.clear();
    cache.clear();
  }

  private record MetricKey(Optional<String> namespace, String name) {}

  private record ProviderKey(Optional<String> namespace, String provider, String metric) {}

  private record Cached(double value, Optional<Reason> failure, Instant fetchedAt) {}

  private record Instance(MetricsProviderSpec spec, MetricsProviderClient provider) {}
}
