package cloud.krake.store;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.ApplicationValidator;
import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.Metadata;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
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

  private final List<ApplicationValidator> validators;

  /**
   * Creates the typed layer.
   *
   * @param store the store
   * @param clock the source of timestamps
   */
  public Applications(Store store, Clock clock) {
    this(store, clock, List.of());
  }

  /**
   * Creates the typed layer with extra validators.
   *
   * @param store the store
   * @param clock the source of timestamps
   * @param validators run on {@link #create} and on an {@link #update} that changes the spec, after
   *     {@link Application#validate()}; all their errors are reported together
   */
  public Applications(Store store, Clock clock, List<ApplicationValidator> validators) {
    super(store, ResourceType.APPLICATION, clock);
    this.validators = List.copyOf(validators);
  }

  /**
   * {@inheritDoc}
   *
   * <p>For applications: the fields of Krake's model this library does not implement, each rejected
   * naming it ({@code spec.tosca}, {@code spec.csar}, {@code spec.auto_cluster_create}), then every
   * registered {@link ApplicationValidator}; only on {@link #create} and on an {@link #update} that
   * changes the spec.
   */
  @Override
  protected List<FieldError> moreErrors(Optional<Application> current, Application next) {
    if (current.isPresent() && current.get().spec().equals(next.spec())) {
      return List.of();
    }
    List<FieldError> errors = new ArrayList<>(unsupported(current, next));
    for (ApplicationValidator validator : validators) {
      errors.addAll(validator.validate(next));
    }
    return errors;
  }

  /**
   * The fields of Krake's application model that are read and kept but not implemented, set by a
   * create or by an update that sets or changes them: {@code spec.tosca} and {@code spec.csar}
   * (Krake translates them into a manifest; here nothing would be deployed while the application
   * was reported RUNNING) and {@code spec.auto_cluster_create} (Krake's scheduler creates a cluster
   * on a cloud; here it would be silently ignored). Each is rejected naming its field, rather than
   * accepted and ignored. A stored application that already holds one (written before this check)
   * can still be updated as long as the update leaves it unchanged.
   *
   * @param current the stored application an update replaces; empty on create
   * @param next the application about to be stored
   * @return one error per unsupported field; empty if none
   */
  static List<FieldError> unsupported(Optional<Application> current, Application next) {
    List<FieldError> errors = new ArrayList<>();
    Optional<ApplicationSpec> before = current.map(Application::spec);
    ApplicationSpec spec = next.spec();
    if (hasTosca(spec) && !before.map(b -> b.tosca().equals(spec.tosca())).orElse(false)) {
      errors.add(
          new FieldError(
              "spec.tosca",
              "TOSCA templates are not supported by this library: give the application's"
                  + " Kubernetes resources in spec.manifest"));
    }
    if (spec.csar().filter(c -> !c.isEmpty()).isPresent()
        && !before.map(b -> b.csar().equals(spec.csar())).orElse(false)) {
      errors.add(
          new FieldError(
              "spec.csar",
              "CSAR archives are not supported by this library: give the application's"
                  + " Kubernetes resources in spec.manifest"));
    }
    if (spec.autoClusterCreate() && !before.map(ApplicationSpec::autoClusterCreate).orElse(false)) {
      errors.add(
          new FieldError(
              "spec.auto_cluster_create",
              "automatic cluster creation is not supported by this library: register the"
                  + " clusters with krake.clusters() and leave it false"));
    }
    return errors;
  }

  private static boolean hasTosca(ApplicationSpec spec) {
    JsonNode tosca = spec.tosca();
    return tosca.isTextual() ? !tosca.asText().isEmpty() : !tosca.isEmpty();
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
   * that the controller removes its resources. Unlike Krake, which sets {@code deleted} without a
   * finalizer (an application that was never applied then stays in the store for good), the {@value
   * #CASCADE_DELETION} finalizer is appended as by {@link #delete}: the application leaves the
   * store like every deleted one, through the garbage collector, and calling complete again stays
   * valid (idempotent) until it is gone. An application already in deletion ({@code
   * metadata.deleted} set, by an earlier complete or by {@link #delete}) is returned unchanged,
   * without a write, whatever state its deletion has reached (READY_FOR_ACTION,
   * WAITING_FOR_CLEANING, DELETING, FAILED...): a repeated call never moves a deletion backwards
   * nor gives back a finalizer the garbage collector removed (unlike Krake, which writes {@code
   * deleted} and the state again on every call). Concurrent calls cause exactly one transition.
   *
   * @param namespace the namespace
   * @param name the name
   * @return the application after the transition
   * @throws NotFoundException if the application does not exist
   */
  public Application acknowledgeComplete(String namespace, String name) {
    return retryOnConflict(() -> complete(require(namespace, name)));
  }

  /**
   * One attempt of {@link #acknowledgeComplete(String, String)} on an application the caller has
   * just read and checked (the hook endpoint checks the token on it): the write is a
   * compare-and-set on exactly that read, so a caller that re-reads after a {@link
   * ConflictException} checks the fresh application again.
   *
   * @param read the application as read from the store
   * @return the application after the transition
   * @throws ConflictException if it was written since it was read
   */
  public Application acknowledgeComplete(Application read) {
    return complete(read);
  }

  private Application complete(Application current) {
    if (current.metadata().isDeleted()) {
      // Already in deletion (an earlier complete, or a DELETE): whatever state the deletion has
      // reached, writing READY_FOR_ACTION and cascade_deletion again would move it backwards.
      return current;
    }
    Metadata metadata = current.metadata();
    List<String> finalizers = new ArrayList<>(metadata.finalizers());
    if (!finalizers.contains(CASCADE_DELETION)) {
      finalizers.add(CASCADE_DELETION);
    }
    Application next =
        current
            .withMetadata(
                metadata
                    .withDeleted(Optional.of(metadata.deleted().orElseGet(this::now)))
                    .withFinalizers(finalizers))
            .withStatus(current.status().withState(ApplicationState.READY_FOR_ACTION));
    return write(key(metadata), next, metadata.revision());
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
   * One attempt of {@link #acknowledgeShutdown(String, String)} on an application the caller has
   * just read and checked: a compare-and-set on exactly that read (nothing is written if the state
   * does not change).
   *
   * @param read the application as read from the store
   * @return the application as stored afterwards
   * @throws ConflictException if it was written since it was read
   */
  public Application acknowledgeShutdown(Application read) {
    return modifyStatusOnce(read, Applications::shutdownAcknowledged);
  }

  private static ApplicationStatus shutdownAcknowledged(Application current) {
    return SHUTDOWN_ACKNOWLEDGEABLE.contains(current.status().state())
        ? current
            .status()
            .withState(ApplicationState.READY_FOR_ACTION)
            .withShutdownGracePeriod(Optional.empty())
            .withShutdownAttempts(0)
            .withShutdownCallCompleted(Optional.empty())
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
              .withShutdownAttempts(0)
              .withShutdownCallCompleted(Optional.empty());
        });
  }

  /**
   * Krake's {@code PUT .../binding}: writes the owners and the status of an application the
   * scheduler has bound, in one compare-and-set on the revision it was read at, without bumping
   * {@code metadata.modified} (a binding is not a main update). The spec and every other metadata
   * field keep their stored values.
   *
   * @param bound the application as read, with the binding applied to {@code metadata.owners} and
   *     the status ({@code scheduled_to}, {@code scheduled}, {@code kube_controller_triggered})
   * @return the application as stored
   * @throws ConflictException if it was written since it was read
   * @throws IllegalArgumentException if {@code metadata.revision} is 0
   */
  public Application bind(Application bound) {
    String key = key(bound.metadata());
    long expected = requireRevision(bound.metadata());
    Application current = requireAt(key, expected);
    Application next =
        current
            .withMetadata(current.metadata().withOwners(bound.metadata().owners()))
            .withStatus(bound.status());
    if (next.equals(current)) {
      return unchanged(key, current);
    }
    return write(key, next, expected);
  }

  /**
   * A controller's write: the status, the finalizers and the owners of {@code next}, in one
   * compare-and-set on the revision it was read at, without bumping {@code metadata.modified}.
   * Krake does this as a status write plus a main {@code PUT} for the controller's own finalizer
   * and owner changes, which bumps {@code modified} and sends every application back through the
   * scheduler before the controller looks at it again; here the controller's bookkeeping is not a
   * user's update. The spec and every other metadata field keep their stored values. An application
   * in deletion left without finalizers is removed from the store, as Krake's API does.
   *
   * @param next the application as read, with its new status, finalizers and owners
   * @return the application as stored (for a removed one: as it was last, with the revision of the
   *     removal)
   * @throws ConflictException if it was written since it was read
   * @throws NotFoundException if it no longer exists
   * @throws InvalidResourceException naming {@code metadata.finalizers} if a finalizer is added to
   *     an application in deletion
   * @throws IllegalArgumentException if {@code metadata.revision} is 0
   */
  public Application writeByController(Application next) {
    String key = key(next.metadata());
    long expected = requireRevision(next.metadata());
    Application current = requireAt(key, expected);
    Metadata stored = current.metadata();
    List<String> finalizers = next.metadata().finalizers();
    if (stored.isDeleted() && !stored.finalizers().containsAll(finalizers)) {
      throw InvalidResourceException.of(
          "metadata.finalizers", "Finalizers can only be removed if a deletion is in progress.");
    }
    Application written =
        current
            .withMetadata(stored.withFinalizers(finalizers).withOwners(next.metadata().owners()))
            .withStatus(next.status());
    if (written.equals(current)) {
      return unchanged(key, current);
    }
    if (stored.isDeleted() && finalizers.isEmpty()) {
      long removedAt = removeAt(key, current);
      return written.withMetadata(written.metadata().withRevision(removedAt));
    }
    return write(key, written, expected);
  }
}
