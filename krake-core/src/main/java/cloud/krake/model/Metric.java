package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A namespaced metric, as Krake's {@code Metric} ({@code api: core}, {@code kind: Metric}); stored
 * under {@code /core/metrics/{namespace}/{name}}.
 *
 * @param api always {@value #API}; defaults to it when absent
 * @param kind always {@value #KIND}; defaults to it when absent
 * @param metadata the metadata
 * @param spec the metric's definition
 */
public record Metric(String api, String kind, Metadata metadata, MetricSpec spec)
    implements Resource<Metric> {

  /** The api of every metric. */
  public static final String API = "core";

  /** The kind of this resource. */
  public static final String KIND = "Metric";

  /**
   * Normalises absent values.
   *
   * @throws InvalidResourceException naming {@code api} or {@code kind} if one is not the fixed
   *     value, or naming {@code spec} if the spec is absent
   */
  public Metric {
    Kinds.check(api, API, kind, KIND);
    api = API;
    kind = KIND;
    metadata = Kinds.metadata(metadata);
    if (spec == null) {
      throw InvalidResourceException.of("spec", "is required");
    }
  }

  /**
   * Returns a new metric.
   *
   * @param metadata the metadata
   * @param spec the definition
   */
  public static Metric of(Metadata metadata, MetricSpec spec) {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    return new Metric(API, KIND, metadata, spec);
  }

  @Override
  public Metric withMetadata(Metadata metadata) {
    Objects.requireNonNull(metadata, "metadata");
    return new Metric(api, kind, metadata, spec);
  }

  /** Checks metadata and spec: {@link Metadata#validate()}, {@link MetricSpec#validate(String)}. */
  @Override
  public List<FieldError> validate() {
    List<FieldError> errors = new ArrayList<>(Kinds.validateMetadata(metadata, true));
    errors.addAll(spec.validate("spec"));
    return errors;
  }
}
