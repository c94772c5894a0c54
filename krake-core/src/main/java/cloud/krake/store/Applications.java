package cloud.krake.store;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

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

  /**
   * The transition of Krake's {@code PUT .../complete} once the token has been checked: the
   * application becomes READY_FOR_ACTION and is marked deleted, in one compare-and-set write, so
   * that the controller removes its resources. Unlike Krake, an application that holds no finalizer
   * (it was never applied anywhere) is removed from the store at once instead of being left behind.
   * Idempotent: an application already READY_FOR_ACTION and deleted is returned unchanged, without
   * a write. Concurrent calls cause exactly one transition.
   *
   * @param namespace the namespace
   * @param name the name
   * @return the application after the transition (with {@code metadata.deleted} set); if it was
   *     removed, its last state
   * @throws NotFoundException if the application does not exist
   */
  public Application acknowledgeComplete(String namespace, String name) {
    return retryOnConflict(() -> complete(require(namespace, name)));
  }

  /**
   * As {@link #acknowledgeComplete(String, String)}, starting from an application the caller has
   * just read (the hook endpoint, which read it to check the token); re-reads after a lost
   * compare-and-set.
   *
   * @param read the application as read from the store
   * @return the application after the transition
   * @throws NotFoundException if the application no longer exists
   */
  public Application acknowledgeComplete(Application read) {
    try {
      return complete(read);
    } catch (ConflictException e) {
      return acknowledgeComplete(read.metadata().namespace().orElse(""), read.metadata().name());
    }
  }

  private Application complete(Application current) {
    if (current.status().state() == ApplicationState.READY_FOR_ACTION
        && current.metadata().isDeleted()) {
      return current;
    }
    String key = key(current.metadata());
    Application next =
        current
            .withMetadata(
                current.metadata().isDeleted()
                    ? current.metadata()
                    : current.metadata().withDeleted(Optional.of(now())))
            .withStatus(current.status().withState(ApplicationState.READY_FOR_ACTION));
    if (next.metadata().finalizers().isEmpty()) {
      long removedAt = store.delete(key, current.metadata().revision());
      return next.withMetadata(next.metadata().withRevision(removedAt));
    }
    return write(key, next, current.metadata().revision());
  }

  /** The states from which Krake's {@code PUT .../shutdown} moves an application on. */
  public static final Set<ApplicationState> SHUTDOWN_ACKNOWLEDGEABLE =
      Set.copyOf(EnumSet.of(ApplicationState.WAITING_FOR_CLEANING, ApplicationState.DEGRADED));

  /**
   * The transition of Krake's {@code PUT .../shutdown} once the token has been checked: an
   * application WAITING_FOR_CLEANING or DEGRADED becomes READY_FOR_ACTION and its shutdown progress
   * ({@code shutdown_grace_period}, {@code shutdown_attempts}) is cleared; in any other state it is
   * left unchanged (and, unlike Krake, not rewritten). Concurrent calls cause exactly one
   * transition.
   *
   * @param namespace the namespace
   * @param name the name
   * @return the application as stored afterwards
   * @throws NotFoundException if the application does not exist
   */
  public Application acknowledgeShutdown(String namespace, String name) {
    return modifyStatus(namespace, name, Applications::shutdownAcknowledged);
  }

  /**
   * As {@link #acknowledgeShutdown(String, String)}, starting from an application the caller has
   * just read; re-reads after a lost compare-and-set.
   *
   * @param read the application as read from the store
   * @return the application as stored afterwards
   * @throws NotFoundException if the application no longer exists
   */
  public Application acknowledgeShutdown(Application read) {
    return modifyStatus(read, Applications::shutdownAcknowledged);
  }

  private static ApplicationStatus shutdownAcknowledged(Application current) {
    return SHUTDOWN_ACKNOWLEDGEABLE.contains(current.status().state())
        ? current
            .status()
            .withState(ApplicationState.READY_FOR_ACTION)
            .withShutdownGracePeriod(Optional.empty())
            .withShutdownAttempts(0)
        : current.status();
  }

  /**
   * Krake's {@code PUT .../retry}: a DEGRADED application (its shutdown failed with the {@code
   * give_up} strategy) goes back to WAITING_FOR_CLEANING with its shutdown progress ({@code
   * shutdown_grace_period}, {@code shutdown_attempts}) cleared, so that a new round of the shutdown
   * protocol starts at attempt 1.
   *
   * @param namespace the namespace
   * @param name the name
   * @return the application as stored afterwards
   * @throws NotFoundException if the application does not exist
   * @throws IllegalStateException if the application is not DEGRADED ("No migration or deletion
   *     retry needed", as Krake's 400)
   */
  public Application retryShutdown(String namespace, String name) {
    return modifyStatus(
        namespace,
        name,
        current -> {
          if (current.status().state() != ApplicationState.DEGRADED) {
            throw new IllegalStateException(
                "No migration or deletion retry needed: "
                    + namespace
                    + "/"
                    + name
                    + " is "
                    + current.status().state());
          }
          return current
              .status()
              .withState(ApplicationState.WAITING_FOR_CLEANING)
              .withShutdownGracePeriod(Optional.empty())
              .withShutdownAttempts(0);
        });
  }
}
