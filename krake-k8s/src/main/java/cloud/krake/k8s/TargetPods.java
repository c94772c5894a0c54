package cloud.krake.k8s;

import cloud.krake.hooks.lifecycle.HookTarget;
import cloud.krake.hooks.lifecycle.LifecycleContext;
import cloud.krake.hooks.lifecycle.LifecycleHandler;
import cloud.krake.hooks.lifecycle.LifecycleHooks;
import cloud.krake.model.Application;
import cloud.krake.model.PodTemplates;
import cloud.krake.runtime.ResourceKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pods a container lifecycle hook runs in: those of the workload its {@code target} names (or
 * the manifest's first workload), found by the pod template's labels, oldest first, without those
 * being deleted. Stateless.
 */
final class TargetPods {

  private TargetPods() {}

  /** A pod of the hook's target workload, with what the hook needs of it. */
  record TargetPod(ObjectNode pod, HookTarget target, String namespace) {
    String name() {
      return pod.path("metadata").path("name").asText();
    }

    Optional<Instant> created() {
      try {
        return Optional.of(Instant.parse(pod.path("metadata").path("creationTimestamp").asText()));
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }

    boolean terminating() {
      return pod.path("metadata").hasNonNull("deletionTimestamp");
    }

    boolean containerRunning() {
      String container = target.container().orElse("");
      for (JsonNode status : pod.path("status").path("containerStatuses")) {
        if (container.isEmpty() || status.path("name").asText().equals(container)) {
          return status.path("state").has("running");
        }
      }
      return false;
    }

    String restartPolicy() {
      return pod.path("spec").path("restartPolicy").asText("Always");
    }

    long gracePeriod() {
      return pod.path("spec")
          .path("terminationGracePeriodSeconds")
          .asLong(LifecycleHooks.DEFAULT_GRACE_PERIOD_SECONDS);
    }

    /** Where a hook runs in this pod, for the runner. */
    LifecycleContext context(ResourceKey key, String cluster, Set<String> secrets) {
      return new LifecycleContext(
          key.namespace(),
          key.name(),
          cluster,
          namespace,
          name(),
          target.container(),
          podIp(),
          secrets);
    }

    Optional<String> podIp() {
      String ip = pod.path("status").path("podIP").asText("");
      return ip.isEmpty() ? Optional.empty() : Optional.of(ip);
    }
  }

  /** The pods of the workload a hook targets, not being deleted, oldest first. */
  static List<TargetPod> pods(Application app, LifecycleHandler handler, ClusterClient client) {
    List<ObjectNode> manifest = app.spec().manifest();
    Optional<HookTarget> target = HookTarget.resolve(handler.target(), manifest);
    if (target.isEmpty()) {
      return List.of();
    }
    for (ObjectNode resource : manifest) {
      if (!PodTemplates.isWorkload(resource)
          || !resource.path("kind").asText().equals(target.get().kind())
          || !resource.path("metadata").path("name").asText().equals(target.get().name())) {
        continue;
      }
      String namespace =
          resource.path("metadata").path("namespace").asText(client.defaultNamespace());
      List<ObjectNode> found;
      if (target.get().kind().equals("Pod")) {
        found = client.get(resource).map(List::of).orElse(List.of());
      } else {
        JsonNode labels = PodTemplates.podTemplate(resource);
        String selector =
            labels.path("metadata").path("labels").properties().stream()
                .map(e -> e.getKey() + "=" + e.getValue().asText())
                .sorted()
                .collect(Collectors.joining(","));
        if (selector.isEmpty()) {
          return List.of();
        }
        found = client.list("v1", "Pod", Optional.of(namespace), selector);
      }
      List<TargetPod> pods = new ArrayList<>();
      for (ObjectNode pod : found) {
        TargetPod candidate = new TargetPod(pod, target.get(), namespace);
        if (!candidate.terminating()) {
          pods.add(candidate);
        }
      }
      pods.sort(
          (a, b) -> a.created().orElse(Instant.EPOCH).compareTo(b.created().orElse(Instant.EPOCH)));
      return pods;
    }
    return List.of();
  }

  /** The secrets a hook's output is redacted of: the complete and shutdown tokens. */
  static Set<String> secrets(Application app) {
    Set<String> secrets = new HashSet<>();
    app.status().complete().token().ifPresent(secrets::add);
    app.status().shutdown().token().ifPresent(secrets::add);
    return secrets;
  }
}
