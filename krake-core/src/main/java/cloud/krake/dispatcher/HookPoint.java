package cloud.krake.dispatcher;

/**
 * The points at which the library calls registered {@link HookHandler}s, as Krake's {@code
 * HookType} ({@code krake/controller/kubernetes/hooks.py}). For each point: what the {@link
 * HookContext} carries, whether a handler may change the application it returns, and what a failure
 * ({@link HookException}) does to the operation.
 */
public enum HookPoint {
  /**
   * Before a new manifest resource is created on the cluster. Context: application, cluster,
   * resource. No changes. A failure aborts the reconcile (application FAILED).
   */
  RESOURCE_PRE_CREATE(false),
  /**
   * After a resource was created. Context: application, cluster, resource, the API server's
   * response. May change the application's status (services, observed manifest), as Krake's {@code
   * register_service}. A failure aborts the reconcile.
   */
  RESOURCE_POST_CREATE(true),
  /** Before a changed resource is patched. Context as create. No changes. Failure aborts. */
  RESOURCE_PRE_UPDATE(false),
  /** After a resource was patched. Context as create. May change the status. Failure aborts. */
  RESOURCE_POST_UPDATE(true),
  /** Before a resource is deleted. Context: application, cluster, resource. No changes. */
  RESOURCE_PRE_DELETE(false),
  /**
   * After a resource was deleted. May change the status (Krake's {@code unregister_service}).
   * Failure aborts the deletion, which is retried.
   */
  RESOURCE_POST_DELETE(true),
  /**
   * While the desired manifest is computed, before it is applied, on reconcile and migration.
   * Context: application (with {@code status.last_applied_manifest} and {@code
   * status.mangled_observer_schema} already regenerated) and the target cluster. Handlers change
   * the application: they add resources and inject into workloads (Krake's {@code complete} and
   * {@code shutdown} handlers, registered in that order). A failure aborts the reconcile with
   * INVALID_RESOURCE.
   */
  APPLICATION_MANGLING(true),
  /** Before a reconcile. Context: application. No changes. Failure aborts the reconcile. */
  APPLICATION_PRE_RECONCILE(false),
  /** After a successful reconcile. Context: application. No changes. Failure is logged. */
  APPLICATION_POST_RECONCILE(false),
  /** Before a migration. Context: application, target cluster. No changes. Failure aborts. */
  APPLICATION_PRE_MIGRATE(false),
  /** After a migration. Context: application, new cluster. No changes. Failure is logged. */
  APPLICATION_POST_MIGRATE(false),
  /** Before an application's resources are deleted. Context: application. No changes. */
  APPLICATION_PRE_DELETE(false),
  /** After an application was removed. Context: application. No changes. Failure is logged. */
  APPLICATION_POST_DELETE(false),
  /** When a cluster is registered. Context: cluster. No changes. Failure is logged. */
  CLUSTER_CREATION(false),
  /** When a cluster is removed. Context: cluster. No changes. Failure is logged. */
  CLUSTER_DELETION(false);

  private final boolean mayChangeApplication;

  HookPoint(boolean mayChangeApplication) {
    this.mayChangeApplication = mayChangeApplication;
  }

  /** Returns whether handlers at this point may return a changed application. */
  public boolean mayChangeApplication() {
    return mayChangeApplication;
  }
}
