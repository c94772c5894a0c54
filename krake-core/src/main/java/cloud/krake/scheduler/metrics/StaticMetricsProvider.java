package cloud.krake.scheduler.metrics;

import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.StaticSpec;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code static} metrics provider, as Krake's {@code StaticMetricsProvider}: values fixed in
 * the provider resource's {@code spec.static.metrics}. Immutable and thread-safe.
 */
public final class StaticMetricsProvider implements MetricsProviderClient {

  /** The provider type this implements. */
  public static final String TYPE = "static";

  /** Creates static providers from their specs. */
  public static final MetricsProviderFactory FACTORY =
      (name, spec) -> new StaticMetricsProvider(name, staticSpec(name, spec));

  private final String name;
  private final Map<String, Double> metrics;

  /**
   * Creates the provider.
   *
   * @param name the provider resource's name, for messages
   * @param spec the fixed values
   */
  public StaticMetricsProvider(String name, StaticSpec spec) {
    this.name = Objects.requireNonNull(name, "name");
    this.metrics = Map.copyOf(Objects.requireNonNull(spec, "spec").metrics());
  }

  private static StaticSpec staticSpec(String name, MetricsProviderSpec spec) {
    return spec.staticSpec()
        .orElseThrow(
            () ->
                new MetricException(
                    new Reason(
                        ReasonCode.UNKNOWN_METRICS_PROVIDER,
                        "metrics provider " + name + " has no static settings")));
  }

  /**
   * Returns the fixed value.
   *
   * @throws MetricException with UNKNOWN_METRIC if the provider has no such metric
   */
  @Override
  public double value(String metric) {
    Double value = metrics.get(metric);
    if (value == null) {
      throw new MetricException(
          new Reason(
              ReasonCode.UNKNOWN_METRIC,
              "static metrics provider " + name + " has no metric " + metric));
    }
    return value;
  }

  @Override
  public String toString() {
    return "StaticMetricsProvider[" + name + ", " + metrics.size() + " metrics]";
  }
}
