package cloud.krake.scheduler.metrics;

/**
 * Reads the current value of metrics from one metrics provider, as Krake's {@code
 * krake/controller/scheduler/metrics.py} providers: one instance per {@code MetricsProvider} or
 * {@code GlobalMetricsProvider} resource, created by a {@link MetricsProviderFactory}.
 *
 * <p>Implementations: {@code StaticMetricsProvider} (here), and the HTTP providers {@code
 * prometheus}, {@code kafka} and {@code influx} in the {@code krake-metrics} module. Thread-safe;
 * every call is bounded by the implementation's timeouts.
 */
public interface MetricsProviderClient extends AutoCloseable {

  /**
   * Returns the raw (not normalised) current value of a metric.
   *
   * @param metric the metric's name at the provider ({@code spec.provider.metric} of a Krake
   *     metric)
   * @return the value
   * @throws MetricException with UNREACHABLE_METRICS_PROVIDER when the provider cannot be reached
   *     or answers garbage, UNKNOWN_METRIC when it does not know the metric
   */
  double value(String metric);

  /** Releases what the provider holds (connections). The default does nothing. */
  @Override
  default void close() {}
}
