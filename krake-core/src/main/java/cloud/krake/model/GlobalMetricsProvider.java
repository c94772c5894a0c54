package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A source of metric values visible in every namespace, as Krake's {@code GlobalMetricsProvider}
 * ({@code api: core}, {@code kind: GlobalMetricsProvider}); stored under {@code
 * /core/globalmetricsproviders/{name}}. It has no namespace. {@link #toString()} masks the
 * provider's credentials (the InfluxDB token).
 *
 * @param api always {@value #API}; defaults to it when absent
 * @param kind always {@value #KIND}; defaults to it when absent
 * @param metadata the metadata
 * @param spec the provider's type and connection settings
 */
public record GlobalMetricsProvider(
    String api, String kind, Metadata metadata, MetricsProviderSpec spec)
    implements Resource<GlobalMetricsProvider> {

  /** The api of every metrics provider. */
  public static final String API = "core";

  /** The kind of this resource. */
  public static final String KIND = "GlobalMetricsProvider";

  /**
   * Normalises absent values.
   *
   * @throws InvalidResourceException naming {@code api} or {@code kind} if one is not the fixed
   *     value, or naming {@code spec} if the spec is absent
   */
  public GlobalMetricsProvider {
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
  public static GlobalMetricsProvider of(Metadata metadata, MetricsProviderSpec spec) {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(spec, "spec");
    return new GlobalMetricsProvider(API, KIND, metadata, spec);
  }

  @Override
  public GlobalMetricsProvider withMetadata(Metadata metadata) {
    Objects.requireNonNull(metadata, "metadata");
    return new GlobalMetricsProvider(api, kind, metadata, spec);
  }

  /**
   * Checks metadata and spec: {@link Metadata#validate()}, {@link
   * MetricsProviderSpec#validate(String)}.
   */
  @Override
  public List<FieldError> validate() {
    List<FieldError> errors = new ArrayList<>(Kinds.validateMetadata(metadata, false));
    errors.addAll(spec.validate("spec"));
    return errors;
  }
}
