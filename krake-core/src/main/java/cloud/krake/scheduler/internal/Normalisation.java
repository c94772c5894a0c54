package cloud.krake.scheduler.internal;

import cloud.krake.model.MetricSpec;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.scheduler.metrics.MetricException;
import java.util.Objects;

/**
 * Turns a raw metric value into the normalised value in {@code [0, 1]} that ranking and metric
 * constraints use, as Krake's {@code Metric.normalize}: {@code (v - min) / (max - min)}. A value
 * outside {@code [min, max]}, or not among a non-empty {@code allowed_values}, is an error ({@link
 * ReasonCode#INVALID_METRIC}) rather than being clamped. Stateless and thread-safe.
 */
public final class Normalisation {
  private Normalisation() {}

  /**
   * Normalises a raw value against its metric definition.
   *
   * @param metric the name of the Krake metric resource, used in the error message
   * @param raw the value the provider returned
   * @param spec the metric's definition ({@code min}, {@code max}, {@code allowed_values})
   * @return the normalised value, in {@code [0, 1]}
   * @throws MetricException with {@link ReasonCode#INVALID_METRIC} when {@code raw} is not finite,
   *     lies outside {@code [min, max]}, is not one of a non-empty {@code allowed_values}, or when
   *     the definition itself has {@code min >= max}
   */
  public static double normalise(String metric, double raw, MetricSpec spec) {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(spec, "spec");
    double min = spec.min();
    double max = spec.max();
    if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
      throw invalid(
          metric, "its definition needs finite min < max (min " + min + ", max " + max + ")");
    }
    if (!Double.isFinite(raw)) {
      throw invalid(metric, "the value " + raw + " is not a finite number");
    }
    if (raw < min || raw > max) {
      throw invalid(metric, "the value " + raw + " lies outside [" + min + ", " + max + "]");
    }
    if (!spec.allowedValues().isEmpty() && !isAllowed(raw, spec)) {
      throw invalid(
          metric, "the value " + raw + " is not among the allowed values " + spec.allowedValues());
    }
    return (raw - min) / (max - min);
  }

  private static boolean isAllowed(double raw, MetricSpec spec) {
    for (int allowed : spec.allowedValues()) {
      if (allowed == raw) {
        return true;
      }
    }
    return false;
  }

  private static MetricException invalid(String metric, String why) {
    return new MetricException(
        Reason.of(ReasonCode.INVALID_METRIC, "Invalid metric '" + metric + "': " + why));
  }
}
