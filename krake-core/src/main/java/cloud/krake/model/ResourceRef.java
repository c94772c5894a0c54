package cloud.krake.model;

import java.util.Objects;
import java.util.Optional;

/**
 * A reference to a Krake resource, as Krake's {@code ResourceRef}: equal when all four fields are
 * equal. Used for {@code metadata.owners} and for {@code status.scheduled_to} / {@code running_on}.
 *
 * @param api the API group, for example {@code "kubernetes"}
 * @param namespace the namespace; empty for global resources
 * @param kind the kind, for example {@code "Cluster"}
 * @param name the name
 */
public record ResourceRef(String api, Optional<String> namespace, String kind, String name) {

  /** Checks the components; a {@code null} namespace is read as empty. */
  public ResourceRef {
    Objects.requireNonNull(api, "api");
    namespace = namespace == null ? Optional.empty() : namespace;
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
  }

  /**
   * Returns a reference to a namespaced resource.
   *
   * @param api the API group
   * @param namespace the namespace
   * @param kind the kind
   * @param name the name
   */
  public static ResourceRef of(String api, String namespace, String kind, String name) {
    return new ResourceRef(api, Optional.of(namespace), kind, name);
  }

  /**
   * Returns the reference to a resource.
   *
   * @param resource the resource referred to
   */
  public static ResourceRef to(Resource<?> resource) {
    return new ResourceRef(
        resource.api(),
        resource.metadata().namespace(),
        resource.kind(),
        resource.metadata().name());
  }
}
