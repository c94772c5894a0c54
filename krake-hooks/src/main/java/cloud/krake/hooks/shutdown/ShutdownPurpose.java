package cloud.krake.hooks.shutdown;

/**
 * Why an application with the shutdown hook is asked to shut down: the two trigger points of
 * Krake's application controller ({@code krake/controller/kubernetes/application/application.py}):
 * deletion and migration.
 */
public enum ShutdownPurpose {
  /**
   * The application is marked deleted ({@code Applications.delete}, as Krake's API {@code DELETE}):
   * once the shutdown is over its resources are deleted, or with the {@code give_up} strategy left
   * DEGRADED with its resources.
   */
  DELETION,
  /**
   * The application is to move to another cluster ({@code running_on} differs from {@code
   * scheduled_to}): once the shutdown is over it is migrated, or with the {@code give_up} strategy
   * kept DEGRADED on its old cluster.
   */
  MIGRATION
}
