package cloud.krake.hooks.lifecycle;

import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where a lifecycle hook runs: the application it belongs to, the cluster, and the pod and
 * container its {@link HookTarget} resolved to (the controller resolves it), plus the secret values
 * to redact from everything recorded.
 *
 * <p>{@link #toString()} never shows the secrets.
 *
 * @param namespace the application's Krake namespace
 * @param application the application's name
 * @param cluster the cluster's name, a cluster of the application's namespace
 * @param podNamespace the pod's Kubernetes namespace
 * @param pod the pod's name
 * @param container the container; empty for the pod's first container
 * @param podIp the pod's IP, the host of an {@code http_get} without one (as the kubelet); empty if
 *     not known
 * @param secrets values to replace with {@code ***} in output tails and messages (for example the
 *     application's hook tokens); header values of {@code http_get} are added by the runner
 */
public record LifecycleContext(
    String namespace,
    String application,
    String cluster,
    String podNamespace,
    String pod,
    Optional<String> container,
    Optional<String> podIp,
    Set<String> secrets) {

  /** Checks and copies the components. */
  public LifecycleContext {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(podNamespace, "podNamespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(podIp, "podIp");
    secrets = Set.copyOf(Objects.requireNonNull(secrets, "secrets"));
  }

  /**
   * Returns the reference to {@link #cluster()} in the application's namespace: the cluster the
   * hook runs on. A cluster name never resolves across namespaces (Krake's tenant separation; see
   * {@link Cluster#ref(String, String)}).
   *
   * @return the reference
   */
  public ResourceRef clusterRef() {
    return Cluster.ref(namespace, cluster);
  }

  /**
   * Returns a context for a pod's first container, without a pod IP or secrets.
   *
   * @param namespace the application's Krake namespace
   * @param application the application's name
   * @param cluster the cluster's name
   * @param podNamespace the pod's Kubernetes namespace
   * @param pod the pod's name
   */
  public static LifecycleContext of(
      String namespace, String application, String cluster, String podNamespace, String pod) {
    return new LifecycleContext(
        namespace,
        application,
        cluster,
        podNamespace,
        pod,
        Optional.empty(),
        Optional.empty(),
        Set.of());
  }

  /** Returns a copy acting on a named container. */
  public LifecycleContext withContainer(String container) {
    return new LifecycleContext(
        namespace, application, cluster, podNamespace, pod, Optional.of(container), podIp, secrets);
  }

  /** Returns a copy with the pod's IP. */
  public LifecycleContext withPodIp(String podIp) {
    return new LifecycleContext(
        namespace, application, cluster, podNamespace, pod, container, Optional.of(podIp), secrets);
  }

  /** Returns a copy with the secret values to redact. */
  public LifecycleContext withSecrets(Set<String> secrets) {
    return new LifecycleContext(
        namespace, application, cluster, podNamespace, pod, container, podIp, secrets);
  }

  @Override
  public String toString() {
    return "LifecycleContext["
        + namespace
        + "/"
        + application
        + " on "
        + cluster
        + " pod "
        + podNamespace
        + "/"
        + pod
        + container.map(c -> " container " + c).orElse("")
        + podIp.map(ip -> " ip " + ip).orElse("")
        + " secrets=<"
        + secrets.size()
        + ">]";
  }
}
