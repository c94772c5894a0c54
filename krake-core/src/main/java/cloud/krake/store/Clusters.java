package cloud.krake.store;

import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterStatus;
import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

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

  /**
   * {@inheritDoc}
   *
   * <p>For clusters: {@code spec.tosca}, set by a create or by an update that changes it, is
   * rejected naming the field. In Krake a cluster described by a TOSCA template is created on a
   * cloud by the infrastructure controller (through an IM infrastructure provider); this library
   * creates no cluster on a cloud, so such a cluster would stay PENDING for ever. A stored cluster
   * that already holds one (written by Krake) can still be updated as long as the update leaves it
   * unchanged.
   */
  @Override
  protected List<FieldError> moreErrors(Optional<Cluster> current, Cluster next) {
    ObjectNode tosca = next.spec().tosca();
    if (tosca.isEmpty() || current.map(c -> c.spec().tosca().equals(tosca)).orElse(false)) {
      return List.of();
    }
    return List.of(
        new FieldError(
            "spec.tosca",
            "creating clusters on a cloud from a TOSCA template is not supported by this library:"
                + " register the cluster with its spec.kubeconfig"));
  }
}
