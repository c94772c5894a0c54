package cloud.krake.k8s;

import cloud.krake.model.Cluster;
import cloud.krake.model.FieldError;
import java.util.List;

/**
 * Makes {@link ClusterClient}s from Krake's {@link Cluster} resources: one client per cluster,
 * cached and re-made when the cluster's kubeconfig or {@code custom_resources} change.
 *
 * <p>Thread-safe.
 */
public interface ClusterConnector extends AutoCloseable {

  /**
   * Returns the client for a cluster.
   *
   * <p>The same object must be returned for as long as the cluster's kubeconfig and {@code
   * custom_resources} do not change and the cluster is not {@link #disconnect}ed (a connector that
   * wraps another one's clients wraps each client once): the controllers keep their watches per
   * client object, and a new object re-opens them, so a connector that returns a new object on
   * every call makes every reconcile of the cluster re-open its watches, whose first listing queues
   * the next reconcile, without end.
   *
   * @param cluster the cluster, with its kubeconfig
   * @return the client, shared by every caller for the same cluster, kubeconfig and {@code
   *     custom_resources}
   * @throws KubernetesException with {@link cloud.krake.model.ReasonCode#INVALID_RESOURCE} when the
   *     kubeconfig is unusable (not exactly one context, user and cluster; an external credential
   *     plugin the connector does not allow; file references instead of embedded data)
   */
  ClusterClient connect(Cluster cluster);

  /**
   * Checks, without connecting, that {@link #connect} could use a cluster's kubeconfig; the
   * Kubernetes backend registers it as {@code Krake.Builder.clusterValidator}, so that an unusable
   * kubeconfig is refused when the cluster is created (or its spec updated) rather than found at
   * reconcile. A cluster without a kubeconfig has no error. The default finds none.
   *
   * @param cluster the cluster about to be stored
   * @return the problems, each naming its field below {@code spec.kubeconfig}; never quoting
   *     credentials; empty if none
   */
  default List<FieldError> validate(Cluster cluster) {
    return List.of();
  }

  /**
   * Closes the client made for a cluster, if any, stopping its watches; for a deleted cluster. The
   * next {@link #connect} makes a new one. The default does nothing.
   *
   * @param cluster the cluster
   */
  default void disconnect(Cluster cluster) {}

  /** Closes every client made. Idempotent. */
  @Override
  void close();
}
