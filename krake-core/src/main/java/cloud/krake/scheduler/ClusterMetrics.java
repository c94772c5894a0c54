package cloud.krake.scheduler;

import cloud.krake.model.ResourceRef;
import java.util.Map;
import java.util.Objects;

/**
 * The metrics of every cluster for one scheduling pass, keyed by the cluster's reference ({@link
 * ResourceRef#to(cloud.krake.model.Resource)}). Fetching them (once per provider and metric, with
 * caching) is the caller's business; {@code Placement} only reads them, so a pass over many
 * applications can share one instance.
 *
 * <p>A cluster absent from the map has no fetched metric; if its spec declares metrics, each of
 * them counts as failed with {@link cloud.krake.model.ReasonCode#INVALID_METRIC} (see {@link
 * cloud.krake.scheduler.internal.Placement}).
 *
 * @param byCluster the metrics per cluster
 */
public record ClusterMetrics(Map<ResourceRef, MetricValues> byCluster) {
  /** No metrics for any cluster. */
  public static final ClusterMetrics NONE = new ClusterMetrics(Map.of());

  /** Copies the map. */
  public ClusterMetrics {
    byCluster = Map.copyOf(Objects.requireNonNull(byCluster, "byCluster"));
  }

  /**
   * The metrics of one cluster.
   *
   * @param cluster the cluster's reference
   * @return its metrics, {@link MetricValues#NONE} when none were supplied
   */
  public MetricValues of(ResourceRef cluster) {
    Objects.requireNonNull(cluster, "cluster");
    return byCluster.getOrDefault(cluster, MetricValues.NONE);
  }
}
