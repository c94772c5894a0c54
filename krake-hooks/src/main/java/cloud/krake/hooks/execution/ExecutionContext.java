package cloud.krake.hooks.execution;

import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What an action runs for: the application, its cluster and Kubernetes namespace, the workload it
 * is about, options and input artifacts. The source of the {@link TemplateContext} and of the
 * cluster the Kubernetes functions act on.
 *
 * <pre>{@code
 * ExecutionContext context = ExecutionContext.of("default", "mysql")
 *     .withCluster("edge-1").withNamespace("db").withSubject(Subject.statefulSet("mysql"))
 *     .withOptions(Map.of("bucket", "backups"));
 * }</pre>
 *
 * <p>{@link #toString()} shows option and artifact keys only.
 *
 * @param applicationNamespace the application's Krake namespace ({@code .Application.Namespace})
 * @param applicationName the application's name ({@code .Application.Name})
 * @param cluster the cluster the application runs on ({@code .Cluster.Name}), a cluster of the
 *     application's namespace
 * @param namespace the Kubernetes namespace of its resources ({@code .Namespace.Name})
 * @param subject the workload the action is about ({@code .Deployment} / {@code .StatefulSet})
 * @param options free key-values ({@code .Options})
 * @param artifactsIn artifacts of earlier actions ({@code .ArtifactsIn})
 */
public record ExecutionContext(
    String applicationNamespace,
    String applicationName,
    Optional<String> cluster,
    Optional<String> namespace,
    Optional<Subject> subject,
    Map<String, String> options,
    Map<String, Artifact> artifactsIn) {

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if {@code applicationName} is blank
   */
  public ExecutionContext {
    Objects.requireNonNull(applicationNamespace, "applicationNamespace");
    Objects.requireNonNull(applicationName, "applicationName");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(subject, "subject");
    options = Map.copyOf(Objects.requireNonNull(options, "options"));
    artifactsIn = Map.copyOf(Objects.requireNonNull(artifactsIn, "artifactsIn"));
    if (applicationName.isBlank()) {
      throw new IllegalArgumentException("an execution context needs an application name");
    }
  }

  /**
   * Returns the context of an application without cluster, namespace, subject, options or
   * artifacts.
   *
   * @param applicationNamespace the application's Krake namespace
   * @param applicationName the application's name
   */
  public static ExecutionContext of(String applicationNamespace, String applicationName) {
    return new ExecutionContext(
        applicationNamespace,
        applicationName,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Map.of(),
        Map.of());
  }

  /**
   * Returns the reference to {@link #cluster()} in the application's namespace: the cluster the
   * Kubernetes functions act on. A cluster name never resolves across namespaces (Krake's tenant
   * separation; see {@link Cluster#ref(String, String)}).
   *
   * @return the reference; empty if the context names no cluster
   */
  public Optional<ResourceRef> clusterRef() {
    return cluster.map(name -> Cluster.ref(applicationNamespace, name));
  }

  /**
   * Returns a copy with a cluster.
   *
   * @param cluster the cluster's name
   */
  public ExecutionContext withCluster(String cluster) {
    return new ExecutionContext(
        applicationNamespace,
        applicationName,
        Optional.of(cluster),
        namespace,
        subject,
        options,
        artifactsIn);
  }

  /**
   * Returns a copy with a Kubernetes namespace.
   *
   * @param namespace the namespace's name
   */
  public ExecutionContext withNamespace(String namespace) {
    return new ExecutionContext(
        applicationNamespace,
        applicationName,
        cluster,
        Optional.of(namespace),
        subject,
        options,
        artifactsIn);
  }

  /**
   * Returns a copy with a subject.
   *
   * @param subject the workload
   */
  public ExecutionContext withSubject(Subject subject) {
    return new ExecutionContext(
        applicationNamespace,
        applicationName,
        cluster,
        namespace,
        Optional.of(subject),
        options,
        artifactsIn);
  }

  /**
   * Returns a copy with these options replacing the current ones.
   *
   * @param options the options
   */
  public ExecutionContext withOptions(Map<String, String> options) {
    return new ExecutionContext(
        applicationNamespace, applicationName, cluster, namespace, subject, options, artifactsIn);
  }

  /**
   * Returns a copy with these options added; they win over options of the same key.
   *
   * @param more the options to add
   */
  public ExecutionContext plusOptions(Map<String, String> more) {
    Map<String, String> merged = new LinkedHashMap<>(options);
    merged.putAll(more);
    return withOptions(merged);
  }

  /**
   * Returns a copy with these input artifacts replacing the current ones.
   *
   * @param artifactsIn the artifacts by name
   */
  public ExecutionContext withArtifactsIn(Map<String, Artifact> artifactsIn) {
    return new ExecutionContext(
        applicationNamespace, applicationName, cluster, namespace, subject, options, artifactsIn);
  }

  @Override
  public String toString() {
    return "ExecutionContext["
        + applicationNamespace
        + "/"
        + applicationName
        + cluster.map(c -> ", cluster=" + c).orElse("")
        + namespace.map(n -> ", namespace=" + n).orElse("")
        + subject.map(s -> ", " + s.kind().templateRoot() + "=" + s.name()).orElse("")
        + ", options="
        + new java.util.TreeSet<>(options.keySet())
        + ", artifactsIn="
        + new java.util.TreeSet<>(artifactsIn.keySet())
        + "]";
  }
}
