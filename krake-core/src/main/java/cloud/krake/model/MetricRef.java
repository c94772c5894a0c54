package cloud.krake.model;

/**
 * A metric used to rank a cluster ({@code spec.metrics[*]} of a {@link ClusterSpec}), as Krake's
 * {@code MetricRef}.
 *
 * @param name the name of the {@link Metric} or {@link GlobalMetric} resource
 * @param weight the weight the metric's normalised value is multiplied with when ranking
 * @param namespaced {@code true} for a namespaced {@link Metric} (in the cluster's namespace),
 *     {@code false} (the default) for a {@link GlobalMetric}
 */
public record MetricRef(String name, double weight, boolean namespaced) {

  /** Normalises a missing name to {@code ""}, which {@link Cluster#validate()} reports. */
  public MetricRef {
    name = name == null ? "" : name;
  }

  /**
   * Returns a reference to a global metric.
   *
   * @param name the metric's name
   * @param weight its weight
   */
  public static MetricRef global(String name, double weight) {
    return new MetricRef(name, weight, false);
  }
}
