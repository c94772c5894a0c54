package cloud.krake.scheduler;

import cloud.krake.model.Reason;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The metrics fetched for one cluster in one scheduling pass: the normalised value (in {@code [0,
 * 1]}) of each metric that could be read, keyed by the Krake metric resource name (as {@link
 * cloud.krake.model.MetricRef#name()}), and the failure of each metric that could not.
 *
 * <p>As in Krake, metrics are all-or-nothing: a cluster with at least one failure ({@link
 * #failed()}) is not a candidate in this pass and its failures are reported so that the caller can
 * set the cluster to {@code FAILING_METRICS} with {@code metrics_reasons}.
 *
 * @param values normalised value per metric name, each in {@code [0, 1]}
 * @param failures the reason per metric name that could not be read or normalised
 */
public record MetricValues(Map<String, Double> values, Map<String, Reason> failures) {
  /** No metric fetched and none failed: a cluster without metrics. */
  public static final MetricValues NONE = new MetricValues(Map.of(), Map.of());

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException when a value is outside {@code [0, 1]} or a metric is both a
   *     value and a failure
   */
  public MetricValues {
    values = Map.copyOf(Objects.requireNonNull(values, "values"));
    failures = Map.copyOf(Objects.requireNonNull(failures, "failures"));
    for (Map.Entry<String, Double> entry : values.entrySet()) {
      double value = entry.getValue();
      if (!(value >= 0.0 && value <= 1.0)) {
        throw new IllegalArgumentException(
            "normalised value of metric '" + entry.getKey() + "' must lie in [0, 1]: " + value);
      }
      if (failures.containsKey(entry.getKey())) {
        throw new IllegalArgumentException(
            "metric '" + entry.getKey() + "' is both a value and a failure");
      }
    }
  }

  /**
   * Values only, no failure.
   *
   * @param values normalised value per metric name, each in {@code [0, 1]}
   * @return the metrics
   */
  public static MetricValues of(Map<String, Double> values) {
    return new MetricValues(values, Map.of());
  }

  /**
   * This value with one more normalised value.
   *
   * @param metric the metric resource name
   * @param normalised its normalised value, in {@code [0, 1]}
   * @return a new value
   */
  public MetricValues withValue(String metric, double normalised) {
    Objects.requireNonNull(metric, "metric");
    Map<String, Double> copy = new HashMap<>(values);
    copy.put(metric, normalised);
    Map<String, Reason> rest = new HashMap<>(failures);
    rest.remove(metric);
    return new MetricValues(copy, rest);
  }

  /**
   * This value with one more failure (replacing a value of the same metric).
   *
   * @param metric the metric resource name
   * @param reason why it failed
   * @return a new value
   */
  public MetricValues withFailure(String metric, Reason reason) {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(reason, "reason");
    Map<String, Reason> copy = new HashMap<>(failures);
    copy.put(metric, reason);
    Map<String, Double> rest = new HashMap<>(values);
    rest.remove(metric);
    return new MetricValues(rest, copy);
  }

  /**
   * Whether any metric failed, which excludes the cluster from this pass.
   *
   * @return {@code true} when {@link #failures()} is not empty
   */
  public boolean failed() {
    return !failures.isEmpty();
  }
}
