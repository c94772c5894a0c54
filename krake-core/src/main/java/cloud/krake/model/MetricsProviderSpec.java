package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The type and settings of a metrics provider ({@code spec} of {@link MetricsProvider} and {@link
 * GlobalMetricsProvider}), as Krake's polymorphic {@code MetricsProviderSpec}. On the wire the type
 * names the field holding the settings: {@code {"type": "static", "static": {"metrics": {...}}}}.
 * Only the settings of the named type are meaningful; absent ones are not written.
 *
 * @param type one of {@code prometheus}, {@code influx}, {@code kafka}, {@code static}
 * @param prometheus the settings when {@code type} is {@code prometheus}
 * @param influx the settings when {@code type} is {@code influx}
 * @param kafka the settings when {@code type} is {@code kafka}
 * @param staticSpec the settings when {@code type} is {@code static} (JSON field {@code static})
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record MetricsProviderSpec(
    String type,
    Optional<PrometheusSpec> prometheus,
    Optional<InfluxSpec> influx,
    Optional<KafkaSpec> kafka,
    @JsonProperty("static") Optional<StaticSpec> staticSpec) {

  /** The provider types Krake knows. */
  public static final Set<String> TYPES = Set.of("prometheus", "influx", "kafka", "static");

  /** Normalises absent values; a missing type reads as {@code ""}, which validation reports. */
  public MetricsProviderSpec {
    type = type == null ? "" : type;
    prometheus = Values.opt(prometheus);
    influx = Values.opt(influx);
    kafka = Values.opt(kafka);
    staticSpec = Values.opt(staticSpec);
  }

  /**
   * Returns the spec of a Prometheus provider.
   *
   * @param spec the settings
   */
  public static MetricsProviderSpec of(PrometheusSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new MetricsProviderSpec(
        "prometheus", Optional.of(spec), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /**
   * Returns the spec of an InfluxDB provider.
   *
   * @param spec the settings
   */
  public static MetricsProviderSpec of(InfluxSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new MetricsProviderSpec(
        "influx", Optional.empty(), Optional.of(spec), Optional.empty(), Optional.empty());
  }

  /**
   * Returns the spec of a KSQL provider.
   *
   * @param spec the settings
   */
  public static MetricsProviderSpec of(KafkaSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new MetricsProviderSpec(
        "kafka", Optional.empty(), Optional.empty(), Optional.of(spec), Optional.empty());
  }

  /**
   * Returns the spec of a static provider.
   *
   * @param spec the settings
   */
  public static MetricsProviderSpec of(StaticSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new MetricsProviderSpec(
        "static", Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(spec));
  }

  /**
   * Checks the spec and returns every violation below {@code prefix}: {@code type} is a known type
   * (error on {@code spec.type}), the settings of that type are present (error on, for example,
   * {@code spec.static}) and their URL, table, column, token, organisation and bucket fields are
   * non-empty.
   *
   * @param prefix the path of the spec in the document, normally {@code spec}
   * @return every violation; empty if valid
   */
  public List<FieldError> validate(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<FieldError> errors = new ArrayList<>();
    if (!TYPES.contains(type)) {
      errors.add(
          new FieldError(
              prefix + ".type", "must be one of 'prometheus', 'influx', 'kafka', 'static'"));
      return errors;
    }
    String path = prefix + "." + type;
    Optional<?> settings =
        switch (type) {
          case "prometheus" -> prometheus;
          case "influx" -> influx;
          case "kafka" -> kafka;
          default -> staticSpec;
        };
    if (settings.isEmpty()) {
      errors.add(new FieldError(path, "is required for type '" + type + "'"));
      return errors;
    }
    switch (type) {
      case "prometheus" -> required(path, Map.of("url", prometheus.orElseThrow().url()), errors);
      case "influx" -> {
        InfluxSpec i = influx.orElseThrow();
        required(
            path,
            Map.of("url", i.url(), "token", i.token(), "org", i.org(), "bucket", i.bucket()),
            errors);
      }
      case "kafka" -> {
        KafkaSpec k = kafka.orElseThrow();
        required(
            path,
            Map.of(
                "comparison_column",
                k.comparisonColumn(),
                "value_column",
                k.valueColumn(),
                "table",
                k.table(),
                "url",
                k.url()),
            errors);
      }
      default -> {
        // a static provider needs no further settings; an empty map is allowed
      }
    }
    return errors;
  }

  private static void required(String path, Map<String, String> fields, List<FieldError> errors) {
    fields.entrySet().stream()
        .filter(e -> e.getValue().isEmpty())
        .map(Map.Entry::getKey)
        .sorted()
        .forEach(name -> errors.add(new FieldError(path + "." + name, "is required")));
  }
}
