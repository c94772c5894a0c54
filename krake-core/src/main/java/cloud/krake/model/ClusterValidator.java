package cloud.krake.model;

import java.util.List;

/**
 * An extra check of clusters, beyond {@link Cluster#validate()}, for fields whose format another
 * module owns: the Kubernetes backend checks {@code spec.kubeconfig} with one (whether its
 * connector can use it: one context, user and cluster; no file reference it cannot read; no {@code
 * exec} plugin the host did not allow). Registered with {@code Krake.Builder.clusterValidator}; the
 * typed store layer ({@code Clusters}) runs every registered validator when a cluster is created
 * and when an update changes its spec, and rejects the write with an {@link
 * InvalidResourceException} listing every error of every validator: nothing is stored.
 *
 * <p>Implementations must be thread-safe, fast (they run on the writer's thread, before the store
 * write), must not write anything, and must not quote credentials in their messages.
 */
@FunctionalInterface
public interface ClusterValidator {

  /**
   * Checks a cluster.
   *
   * @param cluster the cluster about to be stored
   * @return every problem, each naming its field (for example {@code
   *     spec.kubeconfig.users[0].user.exec.command}); empty if none
   */
  List<FieldError> validate(Cluster cluster);
}
