package cloud.krake.scheduler.internal;

import cloud.krake.model.ResourceRef;
import java.util.Objects;

/**
 * The ranking score of one matching cluster, for diagnostics.
 *
 * @param cluster the cluster
 * @param score the weighted mean of its normalised metrics including the stickiness term (Krake's
 *     formula), or the stickiness term alone when ranked without metrics
 * @param withMetrics whether the cluster was ranked by its metrics
 * @param current whether it is the cluster the application is bound to (and got the stickiness)
 */
public record ClusterScore(
    ResourceRef cluster, double score, boolean withMetrics, boolean current) {
  /** Checks the reference. */
  public ClusterScore {
    Objects.requireNonNull(cluster, "cluster");
  }
}
