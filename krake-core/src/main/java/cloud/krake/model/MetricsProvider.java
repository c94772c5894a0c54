package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A namespaced source of metric values, as Krake's {@code MetricsProvider} ({@code api: core},
 * {@code kind: MetricsProvider}); stored under {@code /core/metricsproviders/{namespace}/{name}}.
 * {@link #toString()} masks the provider's credentials (the InfluxDB token).
 *
 * @param api always {@value #API}; defaults to it when absent
 * @param kind always {@value #KIND}; defaults to it when absent
 * @param metadata the metadata
 * @param spec the provider's type and connection settings
 */
public record MetricsProvider(String api, String kind, Metadata metadata, MetricsProviderSpec spec)
    implements Resource<MetricsProvider> {

  /** The api of every metrics provider. */
  public static final String API = "core";

  /** The kind of this resource. */
  public static final String KIND = "MetricsProvider";

  /**
   * Normalises absent values.
   *
   * @throws InvalidResourceException naming {@code api} or {@code kind} if one is not the fixed
   *     value, or naming {@code spec} if the spec is absent
   */
  public MetricsProvider {
    Kinds.check(api, API, kind, KIND);
    api = API;
    kind = KIND;
    metadata = Kinds.metadata(metadata);
    if (spec == null) {
      throw InvalidResourceException.of("spec", "is required");
    }
  }

  /**
   * Returns a new metrics provider.
   *
   * @param metadata the metadata
   * @param spec the provider's settings
   */
  public static MetricsProvider of(Metadata metadata, MetricsProviderSpec spec) {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    return new MetricsProvider(API, KIND, metadata, spec);
  }

  @Override
  public MetricsProvider withMetadata(Metadata metadata) {
    Objects.requireNonNull(metadata, "metadata");
    return new MetricsProvider(api, kind, metadata, spec);
  }

  /**
   * Checks metadata and spec: {@link Metadata#validate()}, {@link
   * MetricsProviderSpec#validate(String)}.
   */
  @Override
  public List<FieldError> validate() {
    List<FieldError> errors = new ArrayList<>(Kinds.validateMetadata(metadata, true));
    errors.addAll(spec.validate("spec"));
    return errors;
  }
}
