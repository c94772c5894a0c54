package cloud.krake.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The settings of an OpenStack cloud ({@code spec.openstack} of a {@link CloudSpec}), as Krake's
 * {@code OpenstackSpec}. The library uses only {@code metrics} (inherited by clusters with {@code
 * inherit_metrics}); {@code url}, {@code auth} and {@code infrastructure_provider} are stored and
 * read back unchanged for Krake's infrastructure controller, which this library does not replace.
 *
 * <p>{@code auth} is Krake's polymorphic {@code OpenstackAuthMethod} (for example {@code {"type":
 * "password", "password": {"user": {"username", "password"}, "project": {...}}}}), kept as a JSON
 * object and deep-copied. It holds a password: {@link #toString()} shows only its {@code type}.
 *
 * @param url the OpenStack identity (Keystone) URL; {@code ""} when absent
 * @param auth how to authenticate at OpenStack; empty when absent
 * @param metrics the metrics that rank the cloud and that clusters may inherit
 * @param infrastructureProvider the provider that creates clusters on the cloud
 */
public record OpenstackSpec(
    String url,
    ObjectNode auth,
    List<MetricRef> metrics,
    InfrastructureProviderRef infrastructureProvider) {

  /**
   * Normalises absent values and copies the list and the JSON tree.
   *
   * @throws InvalidResourceException naming the element if {@code metrics} holds a {@code null}
   */
  public OpenstackSpec {
    url = url == null ? "" : url;
    auth = Values.object(auth);
    metrics = Values.list("metrics", metrics);
    infrastructureProvider =
        infrastructureProvider == null
            ? new InfrastructureProviderRef(null, false)
            : infrastructureProvider;
  }

  /** Returns a deep copy of the authentication settings. */
  @Override
  public ObjectNode auth() {
    return auth.deepCopy();
  }

  /** Returns the spec with the authentication settings masked but for their type. */
  @Override
  public String toString() {
    return "OpenstackSpec[url="
        + url
        + ", auth={type="
        + auth.path("type").asText("")
        + ", "
        + Redaction.REDACTED
        + "}, metrics="
        + metrics
        + ", infrastructureProvider="
        + infrastructureProvider
        + "]";
  }
}
