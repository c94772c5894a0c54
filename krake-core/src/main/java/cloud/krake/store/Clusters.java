package cloud.krake.store;

import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterStatus;
import java.time.Clock;

/**
 * The typed layer for {@link Cluster}s, stored under {@code
 * /kubernetes/clusters/{namespace}/{name}}, with Krake's API semantics ({@link StatusResources}).
 */
public final class Clusters extends StatusResources<Cluster, ClusterStatus> {

  /**
   * Creates the typed layer.
   *
   * @param store the store
   * @param clock the source of timestamps
   */
  public Clusters(Store store, Clock clock) {
    super(store, ResourceType.CLUSTER, clock);
  }
}
