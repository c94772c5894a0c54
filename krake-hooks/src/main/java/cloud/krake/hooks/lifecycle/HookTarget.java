package cloud.krake.hooks.lifecycle;

import cloud.krake.model.PodTemplates;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which container of an application's manifest a lifecycle hook acts on: a workload ({@code kind}
 * and {@code name} as in the manifest, for example {@code Deployment echo}) and optionally one of
 * its containers. A handler without a target acts on the first workload's first container. The
 * controller resolves the target to a running pod and passes it in the {@link LifecycleContext}.
 *
 * <pre>{@code
 * target: {kind: Deployment, name: echo, container: sidecar}
 * }</pre>
 *
 * @param kind the workload's kind, e.g. {@code Deployment}, {@code StatefulSet}, {@code Pod}
 * @param name the workload's {@code metadata.name}
 * @param container the container's name; empty for the workload's first container
 */
public record HookTarget(String kind, String name, Optional<String> container) {

  /** Checks the components. */
  public HookTarget {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(container, "container");
  }

  /**
   * The kinds that run containers, in any API group; which group and where the pod spec is are
   * {@link PodTemplates}'.
   */
  public static final Set<String> WORKLOAD_KINDS = PodTemplates.KINDS;

  /**
   * Resolves a hook's target against an application's manifest to a workload and a named container:
   * the declared workload (and its declared container, or its first one), or without a declaration
   * the first workload's first container.
   *
   * @param declared the hook's target, if any
   * @param manifest the application's manifest, in order
   * @return the workload and container, or empty if the manifest has no such workload or container
   */
  public static Optional<HookTarget> resolve(
      Optional<HookTarget> declared, List<? extends JsonNode> manifest) {
    Objects.requireNonNull(declared, "declared");
    Objects.requireNonNull(manifest, "manifest");
    for (JsonNode resource : manifest) {
      String kind = resource.path("kind").asText();
      String name = resource.path("metadata").path("name").asText();
      if (!PodTemplates.isWorkload(resource)
          || (declared.isPresent()
              && !(declared.get().kind().equals(kind) && declared.get().name().equals(name)))) {
        continue;
      }
      JsonNode containers = PodTemplates.podSpec(resource).path("containers");
      Optional<String> wanted = declared.flatMap(HookTarget::container);
      for (JsonNode container : containers) {
        String containerName = container.path("name").asText();
        if (wanted.isEmpty() || wanted.get().equals(containerName)) {
          return Optional.of(new HookTarget(kind, name, Optional.of(containerName)));
        }
      }
      if (declared.isPresent()) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
