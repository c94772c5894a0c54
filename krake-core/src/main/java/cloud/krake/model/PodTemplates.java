package cloud.krake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that knows which Kubernetes resources run containers, and where their pod spec
 * sits: the workload kinds of Kubernetes' built-in API groups, by kind <b>and</b> API group, as the
 * API server serves them. Used by hook mangling, the lifecycle and execution hooks, and workload
 * health; a kind of another group (a custom resource that happens to be called {@code Deployment})
 * is not a workload.
 *
 * <table>
 *   <caption>Workloads</caption>
 *   <tr><th>group</th><th>kinds</th><th>pod spec</th></tr>
 *   <tr><td>core ({@code v1})</td><td>Pod</td><td>{@code spec}</td></tr>
 *   <tr><td>core ({@code v1})</td><td>ReplicationController</td><td>{@code spec.template.spec}</td>
 *   </tr>
 *   <tr><td>{@code apps}</td><td>Deployment, StatefulSet, DaemonSet, ReplicaSet</td>
 *   <td>{@code spec.template.spec}</td></tr>
 *   <tr><td>{@code extensions} (before Kubernetes 1.16)</td><td>Deployment, DaemonSet,
 *   ReplicaSet</td><td>{@code spec.template.spec}</td></tr>
 *   <tr><td>{@code batch}</td><td>Job</td><td>{@code spec.template.spec}</td></tr>
 *   <tr><td>{@code batch}</td><td>CronJob</td><td>{@code spec.jobTemplate.spec.template.spec}</td>
 *   </tr>
 * </table>
 *
 * <p>To teach Krake for Java a new workload kind, add it here; every user follows. Stateless and
 * thread-safe; the methods read the given tree and never change it.
 */
public final class PodTemplates {

  /** The kinds that can carry a pod spec, in any of their groups. */
  public static final Set<String> KINDS =
      Set.of(
          "Pod",
          "ReplicationController",
          "Deployment",
          "StatefulSet",
          "DaemonSet",
          "ReplicaSet",
          "Job",
          "CronJob");

  private static final List<String> TEMPLATE = List.of("spec", "template");
  private static final List<String> JOB_TEMPLATE =
      List.of("spec", "jobTemplate", "spec", "template");

  /**
   * Group and kind to the path of the pod template (the object with the pods' {@code metadata} and
   * {@code spec}; a Pod is its own template).
   */
  private static final Map<String, List<String>> TEMPLATES =
      Map.ofEntries(
          Map.entry("/Pod", List.of()),
          Map.entry("/ReplicationController", TEMPLATE),
          Map.entry("apps/Deployment", TEMPLATE),
          Map.entry("apps/StatefulSet", TEMPLATE),
          Map.entry("apps/DaemonSet", TEMPLATE),
          Map.entry("apps/ReplicaSet", TEMPLATE),
          Map.entry("extensions/Deployment", TEMPLATE),
          Map.entry("extensions/DaemonSet", TEMPLATE),
          Map.entry("extensions/ReplicaSet", TEMPLATE),
          Map.entry("batch/Job", TEMPLATE),
          Map.entry("batch/CronJob", JOB_TEMPLATE));

  private PodTemplates() {}

  /**
   * Returns the API group of a resource from its {@code apiVersion}: {@code apps} for {@code
   * apps/v1}, the empty string for the core group ({@code v1}) or a missing {@code apiVersion}.
   */
  public static String group(JsonNode resource) {
    String apiVersion = resource.path("apiVersion").asText("");
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  /** Whether the resource is a workload of the table above (kind and group). */
  public static boolean isWorkload(JsonNode resource) {
    return podSpecPath(resource).isPresent();
  }

  /**
   * Returns the path of the resource's pod spec, for example {@code [spec, template, spec]}, or
   * empty if the resource is not a workload.
   */
  public static Optional<List<String>> podSpecPath(JsonNode resource) {
    return templatePath(resource)
        .map(
            template -> {
              List<String> path = new ArrayList<>(template);
              path.add("spec");
              return List.copyOf(path);
            });
  }

  private static Optional<List<String>> templatePath(JsonNode resource) {
    return Optional.ofNullable(
        TEMPLATES.get(group(resource) + "/" + resource.path("kind").asText("")));
  }

  /**
   * Returns the resource's pod spec, or a {@link MissingNode} if the resource is not a workload or
   * has no pod spec at the path.
   */
  public static JsonNode podSpec(JsonNode resource) {
    return at(resource, podSpecPath(resource));
  }

  /**
   * Returns the resource's pod template (the object holding the pods' {@code metadata} and {@code
   * spec}): the resource itself for a Pod, or a {@link MissingNode} if it is not a workload.
   */
  public static JsonNode podTemplate(JsonNode resource) {
    return at(resource, templatePath(resource));
  }

  private static JsonNode at(JsonNode resource, Optional<List<String>> path) {
    if (path.isEmpty()) {
      return MissingNode.getInstance();
    }
    JsonNode node = resource;
    for (String field : path.get()) {
      node = node.path(field);
    }
    return node;
  }
}
