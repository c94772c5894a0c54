package cloud.krake.model;

/**
 * The states of a {@link Cluster}, as Krake's {@code ClusterState}, written by name on the wire.
 * The first seven are observed on the cluster; the others come from infrastructure management.
 */
public enum ClusterState {
  /** Registered, not yet observed (the default). */
  PENDING,
  /** Reachable and all nodes ready. */
  ONLINE,
  /** Being connected to. */
  CONNECTING,
  /** Not reachable. */
  OFFLINE,
  /** Reachable, but a node reports a pressure condition. */
  UNHEALTHY,
  /** Reachable, but a node is not ready. */
  NOTREADY,
  /** One of its metrics could not be fetched. */
  FAILING_METRICS,
  /** Being created by the infrastructure controller. */
  CREATING,
  /** Being reconciled by the infrastructure controller. */
  RECONCILING,
  /** Being deleted by the infrastructure controller. */
  DELETING,
  /** Reconciling its infrastructure failed. */
  FAILING_RECONCILIATION,
  /** Failed for good. */
  FAILED,
  /** Degraded after an error of the cluster controller. */
  DEGRADED
}
