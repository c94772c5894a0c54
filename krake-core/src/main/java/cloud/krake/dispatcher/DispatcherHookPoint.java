package cloud.krake.dispatcher;

/**
 * The points at which the library calls registered {@link HookHandler}s, as Krake's {@code
 * HookType} ({@code krake/controller/kubernetes/hooks.py}). For each point: what the {@link
 * HookContext} carries, whether a handler may change the application it returns ({@link
 * #mayChangeApplication()}), and what a failure ({@link HookException}) does to the operation
 * ({@link #failurePolicy()}, one {@link HookFailurePolicy} per point, declared here and nowhere
 * else; the Javadoc of each point names it, and a test checks that it does, as it checks the table
 * of {@code docs/hooks.md}).
 */
public enum DispatcherHookPoint {
  /**
   * Before a new manifest resource is created on the cluster. Context: application, cluster,
   * resource. No changes. Failure: {@link HookFailurePolicy#ABORT} (application FAILED).
   */
  RESOURCE_PRE_CREATE(false, HookFailurePolicy.ABORT),
  /**
   * After a resource was created. Context: application, cluster, resource, the API server's
   * response. May change the application's status (services, observed manifest), as Krake's {@code
   * register_service}. Failure: {@link HookFailurePolicy#ABORT}.
   */
  RESOURCE_POST_CREATE(true, HookFailurePolicy.ABORT),
  /**
   * Before a changed resource is patched. Context as create. No changes. Failure: {@link
   * HookFailurePolicy#ABORT}.
   */
  RESOURCE_PRE_UPDATE(false, HookFailurePolicy.ABORT),
  /**
   * After a resource was patched. Context as create. May change the status. Failure: {@link
   * HookFailurePolicy#ABORT}.
   */
  RESOURCE_POST_UPDATE(true, HookFailurePolicy.ABORT),
  /**
   * Before a resource is deleted (an application's deletion or migration, or a resource dropped
   * from the manifest). Context: application, cluster, resource. No changes. Failure: {@link
   * HookFailurePolicy#RETRY} (the deletion is tried again).
   */
  RESOURCE_PRE_DELETE(false, HookFailurePolicy.RETRY),
  /**
   * After a resource was deleted. May change the status (Krake's {@code unregister_service}).
   * Failure: {@link HookFailurePolicy#RETRY} (the deletion is tried again).
   */
  RESOURCE_POST_DELETE(true, HookFailurePolicy.RETRY),
  /**
   * While the desired manifest is computed, before it is applied, on reconcile and migration.
   * Context: application (with {@code status.last_applied_manifest} and {@code
   * status.mangled_observer_schema} already regenerated) and the target cluster. Handlers change
   * the application: they add resources and inject into workloads (Krake's {@code complete} and
   * {@code shutdown} handlers, registered in that order). Failure: {@link HookFailurePolicy#ABORT}
   * (an {@code InvalidResourceException} gives INVALID_RESOURCE).
   */
  APPLICATION_MANGLING(true, HookFailurePolicy.ABORT),
  /**
   * Before a reconcile. Context: application. No changes. Failure: {@link HookFailurePolicy#ABORT}.
   */
  APPLICATION_PRE_RECONCILE(false, HookFailurePolicy.ABORT),
  /**
   * After a successful reconcile. Context: application. No changes. Failure: {@link
   * HookFailurePolicy#LOG}.
   */
  APPLICATION_POST_RECONCILE(false, HookFailurePolicy.LOG),
  /**
   * Before a migration. Context: application, target cluster. No changes. Failure: {@link
   * HookFailurePolicy#ABORT}.
   */
  APPLICATION_PRE_MIGRATE(false, HookFailurePolicy.ABORT),
  /**
   * After a migration. Context: application, new cluster. No changes. Failure: {@link
   * HookFailurePolicy#LOG}.
   */
  APPLICATION_POST_MIGRATE(false, HookFailurePolicy.LOG),
  /**
   * Before an application's resources are deleted. Context: application. No changes. Failure:
   * {@link HookFailurePolicy#RETRY} (a deletion is never given up).
   */
  APPLICATION_PRE_DELETE(false, HookFailurePolicy.RETRY),
  /**
   * After an application's resources were deleted and its finalizer removed. Context: application.
   * No changes. Failure: {@link HookFailurePolicy#LOG}.
   */
  APPLICATION_POST_DELETE(false, HookFailurePolicy.LOG),
  /**
   * When a cluster is registered, before its nodes are watched and its state is probed. Context:
   * cluster. No changes. Failure: {@link HookFailurePolicy#RETRY} (the cluster stays as it is until
   * the handler succeeds).
   */
  CLUSTER_CREATION(false, HookFailurePolicy.RETRY),
  /**
   * When a cluster is removed, after its watch was closed. Context: cluster. No changes. Failure:
   * {@link HookFailurePolicy#RETRY} (called again until it succeeds).
   */
  CLUSTER_DELETION(false, HookFailurePolicy.RETRY);

  private final boolean mayChangeApplication;
  private final HookFailurePolicy failurePolicy;

  DispatcherHookPoint(boolean mayChangeApplication, HookFailurePolicy failurePolicy) {
    this.mayChangeApplication = mayChangeApplication;
    this.failurePolicy = failurePolicy;
  }

  /** Returns whether handlers at this point may return a changed application. */
  public boolean mayChangeApplication() {
    return mayChangeApplication;
  }

  /**
   * Returns what a failed handler at this point does to the operation: the only place the policy of
   * a point is stated.
   */
  public HookFailurePolicy failurePolicy() {
    return failurePolicy;
  }
}
