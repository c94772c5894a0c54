package cloud.krake.model;

import java.util.List;

/**
 * What a cloud must offer to receive a cluster ({@code spec.constraints.cloud} of a {@link
 * ClusterSpec}), as Krake's {@code CloudConstraints}. Missing lists are read as empty.
 *
 * @param labels label constraints on the cloud's labels
 * @param metrics metric constraints on the cloud's metrics
 */
public record CloudConstraints(List<LabelConstraint> labels, List<MetricConstraint> metrics) {

  /** No constraint at all. */
  public static final CloudConstraints NONE = new CloudConstraints(null, null);

  /**
   * Normalises and copies the lists.
   *
   * @throws InvalidResourceException naming the element if a list holds a {@code null}
   */
  public CloudConstraints {
    labels = Values.list("labels", labels);
    metrics = Values.list("metrics", metrics);
  }
}
