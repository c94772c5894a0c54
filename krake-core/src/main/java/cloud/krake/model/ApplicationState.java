package cloud.krake.model;

/**
 * The states of an {@link Application}, as Krake's {@code ApplicationState}, written by name on the
 * wire ({@code "state": "RUNNING"}). The scheduler, the application controller and the hook
 * endpoints move an application between them, as Krake's do (its {@code
 * krake/controller/kubernetes/application/application.py}); the documentation's concepts page draws
 * the state diagram.
 */
public enum ApplicationState {
  /** Created, not yet scheduled (the default). */
  PENDING,
  /** Its TOSCA template or CSAR archive is being translated into a manifest. */
  TRANSLATING,
  /** Its resources are being created on the cluster it was scheduled to. */
  CREATING,
  /** Its resources are being updated on the cluster it runs on. */
  RECONCILING,
  /** Applied and healthy. */
  RUNNING,
  /** Scheduling failed with retries left, the workload is unhealthy, or a shutdown failed. */
  DEGRADED,
  /** Failed for good: retries exhausted or an error while handling it. */
  FAILED,
  /** Its workload ran to completion. */
  COMPLETED,
  /** A container of its workload terminated and is being restarted. */
  RESTARTING,
  /** Waiting for the application to acknowledge a graceful shutdown. */
  WAITING_FOR_CLEANING,
  /** The application acknowledged (complete or shutdown hook); it may be deleted or migrated. */
  READY_FOR_ACTION,
  /** Being moved to another cluster. */
  MIGRATING,
  /** Waiting for a cluster the scheduler creates for it. */
  WAITING_FOR_CLUSTER_CREATION,
  /** Its resources are being deleted. */
  DELETING,
  /** Deleted; in Krake only ever reported, never stored. */
  DELETED,
  /** Declared by Krake, never used. */
  RETRYING
}
