package cloud.krake.store;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import java.time.Clock;

/**
 * The typed layer for {@link Application}s, stored under {@code
 * /kubernetes/applications/{namespace}/{name}}: {@link StatusResources} plus Krake's deletion rule
 * for the shutdown hook.
 *
 * <pre>{@code
 * Applications apps = new Applications(store, Clock.systemUTC());
 * Application created = apps.create(Application.of(Metadata.of("default", "echo"), spec));
 * apps.modifyStatus("default", "echo", a -> a.status().withState(ApplicationState.RUNNING));
 * apps.delete("default", "echo");   // deleted set, cascade_deletion appended
 * }</pre>
 */
public final class Applications extends StatusResources<Application, ApplicationStatus> {

  /** The hook name that makes deletion wait for the application's acknowledgement. */
  public static final String SHUTDOWN_HOOK = "shutdown";

  /**
   * Creates the typed layer.
   *
   * @param store the store
   * @param clock the source of timestamps
   */
  public Applications(Store store, Clock clock) {
    super(store, ResourceType.APPLICATION, clock);
  }

  /**
   * As Krake's API {@code DELETE}: an application with the {@code shutdown} hook moves to
   * WAITING_FOR_CLEANING, whatever its state, so that the controller asks it to shut down before
   * its resources are deleted.
   */
  @Override
  protected Application onDeletion(Application marked) {
    if (!marked.spec().hooks().contains(SHUTDOWN_HOOK)) {
      return marked;
    }
    return marked.withStatus(marked.status().withState(ApplicationState.WAITING_FOR_CLEANING));
  }
}
