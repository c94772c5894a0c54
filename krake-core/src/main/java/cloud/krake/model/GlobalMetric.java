package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A metric visible in every namespace, as Krake's {@code GlobalMetric} ({@code api: core}, {@code
 * kind: GlobalMetric}); stored under {@code /core/globalmetrics/{name}}. It has no namespace.
 *
 * @param api always {@value #API}; defaults to it when absent
 * @param kind always {@value #KIND}; defaults to it when absent
 * @param metadata the metadata
 * @param spec the metric's definition
 */
public record GlobalMetric(String api, String kind, Metadata metadata, MetricSpec spec)
    implements Resource<GlobalMetric> {

  /** The api of every metric. */
  public static final String API = "core";

  /** The kind of this resource. */
  public static final String KIND = "GlobalMetric";

  /**
   * Normalises absent values.
   *
   * @throws InvalidResourceException naming {@code api} or {@code kind} if one is not the fixed
   *     value, or naming {@code spec} if the spec is absent
   */
  public GlobalMetric {
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
  public static GlobalMetric of(Metadata metadata, MetricSpec spec) {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    return new GlobalMetric(API, KIND, metadata, spec);
  }

  @Override
  public GlobalMetric withMetadata(Metadata metadata) {
    Objects.requireNonNull(metadata, "metadata");
    return new GlobalMetric(api, kind, metadata, spec);
  }

  /** Checks metadata and spec: {@link Metadata#validate()}, {@link MetricSpec#validate(String)}. */
  @Override
  public List<FieldError> validate() {
    List<FieldError> errors = new ArrayList<>(Kinds.validateMetadata(metadata, false));
    errors.addAll(spec.validate("spec"));
    return errors;
  }
}
