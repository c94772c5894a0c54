package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The definition of a metric ({@code spec} of {@link Metric} and {@link GlobalMetric}), as Krake's
 * {@code MetricSpec}. The scheduler normalises a fetched value {@code v} to {@code (v - min) / (max
 * - min)} before weighting it.
 *
 * @param allowedValues the values the metric may take; empty means any value in {@code [min, max]}
 * @param min the lowest value
 * @param max the highest value
 * @param provider where the value comes from
 */
public record MetricSpec(
    List<Integer> allowedValues, double min, double max, MetricProviderRef provider) {

  /**
   * Normalises absent values; a missing provider reads as one with empty names, which {@link
   * #validate(String)} reports.
   *
   * @throws InvalidResourceException naming the element if {@code allowed_values} holds a {@code
   *     null}
   */
  public MetricSpec {
    allowedValues = Values.list("allowed_values", allowedValues);
    provider = provider == null ? new MetricProviderRef(null, null) : provider;
  }

  /**
   * Checks the definition and returns every violation below {@code prefix}: {@code min < max} (both
   * finite), every allowed value within {@code [min, max]}, and a provider with a name and a metric
   * name. Krake checks none of these.
   *
   * @param prefix the path of the spec in the document, normally {@code spec}
   * @return every violation; empty if valid
   */
  public List<FieldError> validate(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<FieldError> errors = new ArrayList<>();
    if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
      errors.add(new FieldError(prefix + ".max", "min and max must be finite and min < max"));
    }
    for (int i = 0; i < allowedValues.size(); i++) {
      int value = allowedValues.get(i);
      if (value < min || value > max) {
        errors.add(new FieldError(prefix + ".allowed_values[" + i + "]", "must lie in [min, max]"));
      }
    }
    if (provider.name().isEmpty()) {
      errors.add(new FieldError(prefix + ".provider.name", "is required"));
    }
    if (provider.metric().isEmpty()) {
      errors.add(new FieldError(prefix + ".provider.metric", "is required"));
    }
    return errors;
  }
}
