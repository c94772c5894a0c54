package cloud.krake.runtime;

import cloud.krake.model.Resource;
import java.util.Objects;

/**
 * The key of a resource in a work queue: namespace and name, as Krake's store keys (not the uid,
 * which Krake's own queue uses: a resource deleted and created again under the same name is the
 * same key here, and the worker re-reads whichever exists).
 *
 * @param namespace the namespace; {@code ""} for global resource types
 * @param name the name
 */
public record ResourceKey(String namespace, String name) {

  /** Checks the components. */
  public ResourceKey {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /**
   * Returns the key of a resource; a resource without namespace (a global type) has namespace
   * {@code ""}.
   *
   * @param resource the resource
   */
  public static ResourceKey of(Resource<?> resource) {
    return new ResourceKey(resource.metadata().namespace().orElse(""), resource.metadata().name());
  }

  /** Returns {@code namespace/name}, or {@code name} for a global resource. */
  @Override
  public String toString() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
