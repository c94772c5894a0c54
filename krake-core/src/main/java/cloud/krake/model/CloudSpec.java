package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The type and settings of a cloud ({@code spec} of {@link Cloud} and {@link GlobalCloud}), as
 * Krake's polymorphic {@code CloudSpec}. On the wire the type names the field holding the settings:
 * {@code {"type": "openstack", "openstack": {"url", "auth", "metrics",
 * "infrastructure_provider"}}}. Krake knows one type, {@code openstack}.
 *
 * @param type the cloud type, {@code openstack}; {@code ""} when absent, which validation reports
 * @param openstack the settings when {@code type} is {@code openstack}
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record CloudSpec(String type, Optional<OpenstackSpec> openstack) {

  /** The only cloud type Krake knows. */
  public static final String OPENSTACK = "openstack";

  /** Normalises absent values. */
  public CloudSpec {
    type = type == null ? "" : type;
    openstack = Values.opt(openstack);
  }

  /**
   * Returns the spec of an OpenStack cloud.
   *
   * @param spec the settings
   */
  public static CloudSpec of(OpenstackSpec spec) {
    Objects.requireNonNull(spec, "spec");
    return new CloudSpec(OPENSTACK, Optional.of(spec));
  }

  /**
   * Returns the metrics of the cloud's settings ({@code spec.<type>.metrics}, as Krake's scheduler
   * reads them); empty when the settings are absent.
   */
  public List<MetricRef> metrics() {
    return openstack.map(OpenstackSpec::metrics).orElse(List.of());
  }

  /**
   * Checks the spec and returns every violation below {@code prefix}: {@code type} is {@code
   * openstack} and {@code openstack} is present, with a non-empty {@code url}, {@code auth} and
   * {@code infrastructure_provider.name}; every metric has a name and a finite weight. For a global
   * cloud, as Krake's {@code GlobalCloud}, neither the infrastructure provider nor a metric may be
   * namespaced.
   *
   * @param prefix the path of the spec in the document, normally {@code spec}
   * @param global whether the spec is a {@link GlobalCloud}'s
   * @return every violation; empty if valid
   */
  public List<FieldError> validate(String prefix, boolean global) {
    Objects.requireNonNull(prefix, "prefix");
    List<FieldError> errors = new ArrayList<>();
    if (!OPENSTACK.equals(type)) {
      errors.add(new FieldError(prefix + ".type", "must be 'openstack', was '" + type + "'"));
      return errors;
    }
    String path = prefix + "." + OPENSTACK;
    if (openstack.isEmpty()) {
      errors.add(new FieldError(path, "is required for type 'openstack'"));
      return errors;
    }
    OpenstackSpec settings = openstack.get();
    if (settings.url().isEmpty()) {
      errors.add(new FieldError(path + ".url", "is required"));
    }
    if (settings.auth().isEmpty()) {
      errors.add(new FieldError(path + ".auth", "is required"));
    }
    if (settings.infrastructureProvider().name().isEmpty()) {
      errors.add(new FieldError(path + ".infrastructure_provider.name", "is required"));
    }
    if (global && settings.infrastructureProvider().namespaced()) {
      errors.add(
          new FieldError(
              path + ".infrastructure_provider.namespaced",
              "must be false: a global cloud cannot reference a namespaced infrastructure"
                  + " provider"));
    }
    List<MetricRef> metrics = settings.metrics();
    for (int i = 0; i < metrics.size(); i++) {
      MetricRef metric = metrics.get(i);
      String at = path + ".metrics[" + i + "]";
      if (metric.name().isEmpty()) {
        errors.add(new FieldError(at + ".name", "is required"));
      }
      if (!Double.isFinite(metric.weight())) {
        errors.add(new FieldError(at + ".weight", "must be a finite number"));
      }
      if (global && metric.namespaced()) {
        errors.add(
            new FieldError(
                at + ".namespaced",
                "must be false: a global cloud cannot use a namespaced metric"));
      }
    }
    return errors;
  }
}
