package cloud.krake.model;

import java.util.List;

/**
 * What a cluster must offer to receive an application ({@code spec.constraints.cluster}), as
 * Krake's {@code ClusterConstraints}. A JSON {@code null} or missing list is read as empty (Krake's
 * {@code null}, meaning "no constraint").
 *
 * @param labels label constraints, all of which the cluster's labels must satisfy
 * @param customResources custom resource definitions ({@code <plural>.<group>}) the cluster must
 *     list in its {@code spec.custom_resources}
 * @param metrics metric constraints, all of which the cluster's metrics must satisfy
 */
public record ClusterConstraints(
    List<LabelConstraint> labels, List<String> customResources, List<MetricConstraint> metrics) {

  /** No constraint at all. */
  public static final ClusterConstraints NONE = new ClusterConstraints(null, null, null);

  /**
   * Normalises and copies the lists.
   *
   * @throws InvalidResourceException naming the element if a list holds a {@code null}
   */
  public ClusterConstraints {
    labels = Values.list("labels", labels);
    customResources = Values.list("custom_resources", customResources);
    metrics = Values.list("metrics", metrics);
  }

  /**
   * Returns a copy with other label constraints.
   *
   * @param labels the label constraints
   */
  public ClusterConstraints withLabels(List<LabelConstraint> labels) {
    return new ClusterConstraints(labels, customResources, metrics);
  }

  /**
   * Returns a copy with other custom resource constraints.
   *
   * @param customResources the custom resource definition names
   */
  public ClusterConstraints withCustomResources(List<String> customResources) {
    return new ClusterConstraints(labels, customResources, metrics);
  }

  /**
   * Returns a copy with other metric constraints.
   *
   * @param metrics the metric constraints
   */
  public ClusterConstraints withMetrics(List<MetricConstraint> metrics) {
    return new ClusterConstraints(labels, customResources, metrics);
  }
}
