package cloud.krake.model;

/**
 * The scheduling constraints of a cluster ({@code spec.constraints} of a {@link ClusterSpec}), as
 * Krake's {@code ClusterCloudConstraints}: used when a cluster is placed onto a cloud. Krake
 * requires the field; here a missing one is read as {@link #NONE}, since clusters registered from a
 * kubeconfig are never scheduled.
 *
 * @param cloud the constraints on the cloud; {@link CloudConstraints#NONE} when absent
 */
public record ClusterCloudConstraints(CloudConstraints cloud) {

  /** No constraint at all. */
  public static final ClusterCloudConstraints NONE = new ClusterCloudConstraints(null);

  /** Normalises an absent {@code cloud} to {@link CloudConstraints#NONE}. */
  public ClusterCloudConstraints {
    cloud = cloud == null ? CloudConstraints.NONE : cloud;
  }
}
