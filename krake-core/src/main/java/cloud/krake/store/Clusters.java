package cloud.krake.store;

import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterStatus;
import cloud.krake.model.ClusterValidator;
import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The typed layer for {@link Cluster}s, stored under {@code
 * /kubernetes/clusters/{namespace}/{name}}, with Krake's API semantics ({@link StatusResources}).
 */
public final class Clusters extends StatusResources<Cluster, ClusterStatus> {

  private final List<ClusterValidator> validators;

  /**
   * Creates the typed layer.
   *
   * @param store the store
   * @param clock the source of timestamps
   */
  public Clusters(Store store, Clock clock) {
    this(store, clock, List.of());
  }

  /**
   * Creates the typed layer with extra validators.
   *
   * @param store the store
   * @param clock the source of timestamps
   * @param validators run on {@link #create} and on an {@link #update} that changes the spec, after
   *     {@link Cluster#validate()}; all their errors are reported together
   */
  public Clusters(Store store, Clock clock, List<ClusterValidator> validators) {
    super(store, ResourceType.CLUSTER, clock);
    this.validators = List.copyOf(validators);
  }

  /**
   * {@inheritDoc}
   *
   * <p>For clusters: {@code spec.tosca}, set by a create or by an update that changes it, is
   * rejected naming the field. In Krake a cluster described by a TOSCA template is created on a
   * cloud by the infrastructure controller (through an IM infrastructure provider); this library
   * creates no cluster on a cloud, so such a cluster would stay PENDING for ever. A stored cluster
   * that already holds one (written by Krake) can still be updated as long as the update leaves it
   * unchanged. Then every registered {@link ClusterValidator}, on {@link #create} and on an {@link
   * #update} that changes the spec.
   */
  @Override
  protected List<FieldError> moreErrors(Optional<Cluster> current, Cluster next) {
    List<FieldError> errors = new ArrayList<>();
    ObjectNode tosca = next.spec().tosca();
    if (!tosca.isEmpty() && !current.map(c -> c.spec().tosca().equals(tosca)).orElse(false)) {
      errors.add(
          new FieldError(
              "spec.tosca",
              "creating clusters on a cloud from a TOSCA template is not supported by this"
                  + " library: register the cluster with its spec.kubeconfig"));
    }
    if (current.isEmpty() || !current.get().spec().equals(next.spec())) {
      for (ClusterValidator validator : validators) {
        errors.addAll(validator.validate(next));
      }
    }
    return errors;
  }
}
