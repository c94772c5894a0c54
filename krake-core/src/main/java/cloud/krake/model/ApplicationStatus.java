package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The observed state of an {@link Application}, as Krake's {@code ApplicationStatus}, with its JSON
 * field names. Written only through status updates by the scheduler, the controllers and the hook
 * endpoint, never by a main update. Absent values read as empty or as the documented defaults;
 * {@link #initial()} is the status of a new application.
 *
 * <p>The record is immutable: JSON trees are copied once, when the record is built, into read-only
 * trees ({@link ReadOnlyJson}) that the accessors return as they are ({@code deepCopy()} gives a
 * tree to change). {@link #toString()} masks the hook tokens, the private keys and the data of
 * Secret resources in the manifests, so a status can be logged; the JSON form (what is stored)
 * keeps them.
 *
 * <p>The credentials of Krake's two hooks are one {@link HookCredentials} value each ({@link
 * #credentials(String)} by hook name); on the wire they stay Krake's six flat fields {@code
 * complete_token}, {@code complete_cert}, {@code complete_key}, {@code shutdown_token}, {@code
 * shutdown_cert} and {@code shutdown_key}, in Krake's field order. Copies are made with the {@code
 * withX} methods or, for several fields at once, {@link #toBuilder()}.
 *
 * @param state the current state; default {@link ApplicationState#PENDING}
 * @param reason the last error; cleared when a reconcile or migration succeeds
 * @param containerHealth pod counts of the workload as last observed; all {@code 0} by default
 * @param kubeControllerTriggered when the scheduler last handed the application to the controller;
 *     the controller acts only when this is not before {@code metadata.modified}
 * @param scheduled when {@code scheduled_to} last changed
 * @param scheduledTo the cluster the application is bound to
 * @param runningOn the cluster currently holding its resources
 * @param retries scheduling retries left; set from {@code spec.backoff_limit} by the scheduler
 * @param scheduledRetry the earliest time a {@code DEGRADED} application is scheduled again
 * @param services Service name to public endpoint ({@code host:port}); the shutdown hook needs an
 *     entry {@code shutdown}
 * @param mangledObserverSchema the effective observer schema (user schema, generated defaults, hook
 *     additions)
 * @param lastObservedManifest the observed values of the observed fields, with list length entries
 * @param lastAppliedManifest the desired state actually applied (manifest, known observed values,
 *     hook resources)
 * @param complete the credentials of the complete hook ({@code complete_token}, {@code
 *     complete_cert}, {@code complete_key}); token and key redacted in {@link #toString()}
 * @param shutdown the credentials of the shutdown hook ({@code shutdown_token}, {@code
 *     shutdown_cert}, {@code shutdown_key}); token and key redacted in {@link #toString()}
 * @param shutdownGracePeriod the deadline of the current attempt of the shutdown in progress; empty
 *     when no shutdown is in progress. Krake uses it only as an "already shutting down" flag; here
 *     the shutdown protocol also compares it with the clock, so a restarted instance resumes the
 *     wait instead of starting over
 * @param shutdownAttempts the number of the current attempt of the shutdown in progress ({@code 1}
 *     for the first call of the application's shutdown service); {@code 0} (the default) when no
 *     round has started. Not in Krake's model, which keeps its progress in memory only; Krake
 *     ignores unknown fields, so documents with it stay readable there
 * @param shutdownCallCompleted when the call of the current shutdown attempt's service completed:
 *     answered (any HTTP status) or failed (refused, timed out; also no service to call); empty
 *     while the call may still be in flight, or was never made (its caller stopped between
 *     recording the attempt and calling), and when no attempt is in progress. A protocol that finds
 *     an attempt without it, and is not making that call itself, calls again under a new attempt id
 *     (issue 17). Not in Krake's model: written as {@code shutdown_call_completed} only when
 *     present
 * @param autoClusterCreateStarted the name of the cluster the scheduler is creating for the
 *     application
 * @param migrationRetries the number of failed data migrations; default {@code 0}
 * @param migrationTimeout epoch seconds before which the scheduler does not reschedule the
 *     application after a failed data migration; default {@code 0}
 * @param observedGeneration the {@code metadata.generation} of the spec whose outcome this status
 *     reports: written by the application controller when it has applied (or failed to apply, or
 *     deleted) that spec, and by the scheduler when it fails to place it; {@code 0} (the default)
 *     before. Not in Krake's model: written as {@code observed_generation} only when not {@code 0}
 */
public record ApplicationStatus(
    ApplicationState state,
    Optional<Reason> reason,
    ContainerHealth containerHealth,
    Optional<Instant> kubeControllerTriggered,
    Optional<Instant> scheduled,
    Optional<ResourceRef> scheduledTo,
    Optional<ResourceRef> runningOn,
    Optional<Integer> retries,
    Optional<Instant> scheduledRetry,
    Map<String, String> services,
    List<ObjectNode> mangledObserverSchema,
    List<ObjectNode> lastObservedManifest,
    List<ObjectNode> lastAppliedManifest,
    HookCredentials complete,
    HookCredentials shutdown,
    Optional<Instant> shutdownGracePeriod,
    int shutdownAttempts,
    Optional<Instant> shutdownCallCompleted,
    Optional<String> autoClusterCreateStarted,
    int migrationRetries,
    long migrationTimeout,
    long observedGeneration) {

  private static final ApplicationStatus INITIAL = new Builder().build();

  /**
   * Normalises absent values and copies the collections and JSON trees.
   *
   * @throws InvalidResourceException naming the element if a list or map holds a {@code null}, or
   *     naming {@code status.shutdown_attempts} if it is negative
   */
  public ApplicationStatus {
    if (shutdownAttempts < 0) {
      throw InvalidResourceException.of("status.shutdown_attempts", "must not be negative");
    }
    state = state == null ? ApplicationState.PENDING : state;
    reason = Values.opt(reason);
    containerHealth = containerHealth == null ? ContainerHealth.NONE : containerHealth;
    kubeControllerTriggered = Values.opt(kubeControllerTriggered);
    scheduled = Values.opt(scheduled);
    scheduledTo = Values.opt(scheduledTo);
    runningOn = Values.opt(runningOn);
    retries = Values.opt(retries);
    scheduledRetry = Values.opt(scheduledRetry);
    services = Values.map("services", services);
    mangledObserverSchema = Values.nodes("mangled_observer_schema", mangledObserverSchema);
    lastObservedManifest = Values.nodes("last_observed_manifest", lastObservedManifest);
    lastAppliedManifest = Values.nodes("last_applied_manifest", lastAppliedManifest);
    complete = complete == null ? HookCredentials.NONE : complete;
    shutdown = shutdown == null ? HookCredentials.NONE : shutdown;
    shutdownGracePeriod = Values.opt(shutdownGracePeriod);
    shutdownCallCompleted = Values.opt(shutdownCallCompleted);
    autoClusterCreateStarted = Values.opt(autoClusterCreateStarted);
  }

  /**
   * Returns the status of a new application: {@code PENDING}, everything else empty or zero, as
   * Krake's API initialises it on create.
   */
  public static ApplicationStatus initial() {
    return INITIAL;
  }

  /** Returns a builder holding this status's values, to copy it with several fields changed. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Returns the mangledObserverSchema entries, as an unmodifiable list of read-only trees (the same
   * instances on every call, never copied; see {@link ReadOnlyJson}); call {@code deepCopy()} on an
   * entry to get one to change.
   */
  @Override
  public List<ObjectNode> mangledObserverSchema() {
    return mangledObserverSchema;
  }

  /**
   * Returns the lastObservedManifest entries, as an unmodifiable list of read-only trees (the same
   * instances on every call, never copied; see {@link ReadOnlyJson}); call {@code deepCopy()} on an
   * entry to get one to change.
   */
  @Override
  public List<ObjectNode> lastObservedManifest() {
    return lastObservedManifest;
  }

  /**
   * Returns the lastAppliedManifest entries, as an unmodifiable list of read-only trees (the same
   * instances on every call, never copied; see {@link ReadOnlyJson}); call {@code deepCopy()} on an
   * entry to get one to change.
   */
  @Override
  public List<ObjectNode> lastAppliedManifest() {
    return lastAppliedManifest;
  }

  /**
   * Returns the credentials of one of Krake's hooks.
   *
   * @param hook {@value HookCredentials#COMPLETE} or {@value HookCredentials#SHUTDOWN}
   * @throws IllegalArgumentException for any other hook name
   */
  public HookCredentials credentials(String hook) {
    return switch (hook) {
      case HookCredentials.COMPLETE -> complete;
      case HookCredentials.SHUTDOWN -> shutdown;
      default -> throw new IllegalArgumentException("unknown hook: " + hook);
    };
  }

  /**
   * Returns a copy with other credentials for one of Krake's hooks.
   *
   * @param hook {@value HookCredentials#COMPLETE} or {@value HookCredentials#SHUTDOWN}
   * @param credentials the new credentials
   * @throws IllegalArgumentException for any other hook name
   */
  public ApplicationStatus withCredentials(String hook, HookCredentials credentials) {
    return switch (hook) {
      case HookCredentials.COMPLETE -> toBuilder().complete(credentials).build();
      case HookCredentials.SHUTDOWN -> toBuilder().shutdown(credentials).build();
      default -> throw new IllegalArgumentException("unknown hook: " + hook);
    };
  }

  /** Returns a copy with another {@code state}. */
  public ApplicationStatus withState(ApplicationState state) {
    return toBuilder().state(state).build();
  }

  /** Returns a copy with another {@code reason}. */
  public ApplicationStatus withReason(Optional<Reason> reason) {
    return toBuilder().reason(reason).build();
  }

  /** Returns a copy with another {@code container_health}. */
  public ApplicationStatus withContainerHealth(ContainerHealth containerHealth) {
    return toBuilder().containerHealth(containerHealth).build();
  }

  /** Returns a copy with another {@code kube_controller_triggered}. */
  public ApplicationStatus withKubeControllerTriggered(Optional<Instant> kubeControllerTriggered) {
    return toBuilder().kubeControllerTriggered(kubeControllerTriggered).build();
  }

  /** Returns a copy with another {@code scheduled}. */
  public ApplicationStatus withScheduled(Optional<Instant> scheduled) {
    return toBuilder().scheduled(scheduled).build();
  }

  /** Returns a copy with another {@code scheduled_to}. */
  public ApplicationStatus withScheduledTo(Optional<ResourceRef> scheduledTo) {
    return toBuilder().scheduledTo(scheduledTo).build();
  }

  /** Returns a copy with another {@code running_on}. */
  public ApplicationStatus withRunningOn(Optional<ResourceRef> runningOn) {
    return toBuilder().runningOn(runningOn).build();
  }

  /** Returns a copy with another {@code retries}. */
  public ApplicationStatus withRetries(Optional<Integer> retries) {
    return toBuilder().retries(retries).build();
  }

  /** Returns a copy with another {@code scheduled_retry}. */
  public ApplicationStatus withScheduledRetry(Optional<Instant> scheduledRetry) {
    return toBuilder().scheduledRetry(scheduledRetry).build();
  }

  /** Returns a copy with another {@code services}. */
  public ApplicationStatus withServices(Map<String, String> services) {
    return toBuilder().services(services).build();
  }

  /** Returns a copy with another {@code mangled_observer_schema}. */
  public ApplicationStatus withMangledObserverSchema(List<ObjectNode> mangledObserverSchema) {
    return toBuilder().mangledObserverSchema(mangledObserverSchema).build();
  }

  /** Returns a copy with another {@code last_observed_manifest}. */
  public ApplicationStatus withLastObservedManifest(List<ObjectNode> lastObservedManifest) {
    return toBuilder().lastObservedManifest(lastObservedManifest).build();
  }

  /** Returns a copy with another {@code last_applied_manifest}. */
  public ApplicationStatus withLastAppliedManifest(List<ObjectNode> lastAppliedManifest) {
    return toBuilder().lastAppliedManifest(lastAppliedManifest).build();
  }

  /** Returns a copy with another {@code shutdown_grace_period}. */
  public ApplicationStatus withShutdownGracePeriod(Optional<Instant> shutdownGracePeriod) {
    return toBuilder().shutdownGracePeriod(shutdownGracePeriod).build();
  }

  /**
   * Returns a copy with another {@code shutdown_attempts}.
   *
   * @param shutdownAttempts the new value; not negative
   * @throws InvalidResourceException if {@code shutdownAttempts} is negative
   */
  public ApplicationStatus withShutdownAttempts(int shutdownAttempts) {
    return toBuilder().shutdownAttempts(shutdownAttempts).build();
  }

  /** Returns a copy with another {@code shutdown_call_completed}. */
  public ApplicationStatus withShutdownCallCompleted(Optional<Instant> shutdownCallCompleted) {
    return toBuilder().shutdownCallCompleted(shutdownCallCompleted).build();
  }

  /** Returns a copy with another {@code auto_cluster_create_started}. */
  public ApplicationStatus withAutoClusterCreateStarted(Optional<String> autoClusterCreateStarted) {
    return toBuilder().autoClusterCreateStarted(autoClusterCreateStarted).build();
  }

  /** Returns a copy with another {@code migration_retries}. */
  public ApplicationStatus withMigrationRetries(int migrationRetries) {
    return toBuilder().migrationRetries(migrationRetries).build();
  }

  /** Returns a copy with another {@code migration_timeout}. */
  public ApplicationStatus withMigrationTimeout(long migrationTimeout) {
    return toBuilder().migrationTimeout(migrationTimeout).build();
  }

  /**
   * Returns a copy with another {@code observed_generation}: the generation of the spec whose
   * outcome the status reports.
   */
  public ApplicationStatus withObservedGeneration(long observedGeneration) {
    return toBuilder().observedGeneration(observedGeneration).build();
  }

  /** Returns the status with tokens, private keys and the data of Secret resources masked. */
  @Override
  public String toString() {
    return "ApplicationStatus["
        + "state="
        + state
        + ", reason="
        + reason
        + ", containerHealth="
        + containerHealth
        + ", kubeControllerTriggered="
        + kubeControllerTriggered
        + ", scheduled="
        + scheduled
        + ", scheduledTo="
        + scheduledTo
        + ", runningOn="
        + runningOn
        + ", retries="
        + retries
        + ", scheduledRetry="
        + scheduledRetry
        + ", services="
        + services
        + ", mangledObserverSchema="
        + mangledObserverSchema
        + ", lastObservedManifest="
        + Redaction.manifests(lastObservedManifest)
        + ", lastAppliedManifest="
        + Redaction.manifests(lastAppliedManifest)
        + ", completeToken="
        + Redaction.secret(complete.token())
        + ", completeCert="
        + complete.cert()
        + ", completeKey="
        + Redaction.secret(complete.key())
        + ", shutdownToken="
        + Redaction.secret(shutdown.token())
        + ", shutdownCert="
        + shutdown.cert()
        + ", shutdownKey="
        + Redaction.secret(shutdown.key())
        + ", shutdownGracePeriod="
        + shutdownGracePeriod
        + ", shutdownAttempts="
        + shutdownAttempts
        + ", shutdownCallCompleted="
        + shutdownCallCompleted
        + ", autoClusterCreateStarted="
        + autoClusterCreateStarted
        + ", migrationRetries="
        + migrationRetries
        + ", migrationTimeout="
        + migrationTimeout
        + ", observedGeneration="
        + observedGeneration
        + "]";
  }

  /** Writes the status in Krake's flat form. */
  @JsonValue
  ApplicationStatusWire toWire() {
    return ApplicationStatusWire.of(this);
  }

  /** Reads the status from Krake's flat form. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static ApplicationStatus fromWire(ApplicationStatusWire wire) {
    return wire.toStatus();
  }

  /**
   * Builds a status; unset values are the defaults of {@link #initial()}. Not thread-safe; {@link
   * #build()} validates as the constructor does.
   */
  public static final class Builder {
    private ApplicationState state = ApplicationState.PENDING;
    private Optional<Reason> reason = Optional.empty();
    private ContainerHealth containerHealth = ContainerHealth.NONE;
    private Optional<Instant> kubeControllerTriggered = Optional.empty();
    private Optional<Instant> scheduled = Optional.empty();
    private Optional<ResourceRef> scheduledTo = Optional.empty();
    private Optional<ResourceRef> runningOn = Optional.empty();
    private Optional<Integer> retries = Optional.empty();
    private Optional<Instant> scheduledRetry = Optional.empty();
    private Map<String, String> services = Map.of();
    private List<ObjectNode> mangledObserverSchema = List.of();
    private List<ObjectNode> lastObservedManifest = List.of();
    private List<ObjectNode> lastAppliedManifest = List.of();
    private HookCredentials complete = HookCredentials.NONE;
    private HookCredentials shutdown = HookCredentials.NONE;
    private Optional<Instant> shutdownGracePeriod = Optional.empty();
    private int shutdownAttempts;
    private Optional<Instant> shutdownCallCompleted = Optional.empty();
    private Optional<String> autoClusterCreateStarted = Optional.empty();
    private int migrationRetries;
    private long migrationTimeout;
    private long observedGeneration;

    private Builder() {}

    private Builder(ApplicationStatus s) {
      state = s.state;
      reason = s.reason;
      containerHealth = s.containerHealth;
      kubeControllerTriggered = s.kubeControllerTriggered;
      scheduled = s.scheduled;
      scheduledTo = s.scheduledTo;
      runningOn = s.runningOn;
      retries = s.retries;
      scheduledRetry = s.scheduledRetry;
      services = s.services;
      mangledObserverSchema = s.mangledObserverSchema;
      lastObservedManifest = s.lastObservedManifest;
      lastAppliedManifest = s.lastAppliedManifest;
      complete = s.complete;
      shutdown = s.shutdown;
      shutdownGracePeriod = s.shutdownGracePeriod;
      shutdownAttempts = s.shutdownAttempts;
      shutdownCallCompleted = s.shutdownCallCompleted;
      autoClusterCreateStarted = s.autoClusterCreateStarted;
      migrationRetries = s.migrationRetries;
      migrationTimeout = s.migrationTimeout;
      observedGeneration = s.observedGeneration;
    }

    /** Sets {@code state}. */
    public Builder state(ApplicationState state) {
      this.state = state;
      return this;
    }

    /** Sets {@code reason}. */
    public Builder reason(Optional<Reason> reason) {
      this.reason = reason;
      return this;
    }

    /** Sets {@code container_health}. */
    public Builder containerHealth(ContainerHealth containerHealth) {
      this.containerHealth = containerHealth;
      return this;
    }

    /** Sets {@code kube_controller_triggered}. */
    public Builder kubeControllerTriggered(Optional<Instant> kubeControllerTriggered) {
      this.kubeControllerTriggered = kubeControllerTriggered;
      return this;
    }

    /** Sets {@code scheduled}. */
    public Builder scheduled(Optional<Instant> scheduled) {
      this.scheduled = scheduled;
      return this;
    }

    /** Sets {@code scheduled_to}. */
    public Builder scheduledTo(Optional<ResourceRef> scheduledTo) {
      this.scheduledTo = scheduledTo;
      return this;
    }

    /** Sets {@code running_on}. */
    public Builder runningOn(Optional<ResourceRef> runningOn) {
      this.runningOn = runningOn;
      return this;
    }

    /** Sets {@code retries}. */
    public Builder retries(Optional<Integer> retries) {
      this.retries = retries;
      return this;
    }

    /** Sets {@code scheduled_retry}. */
    public Builder scheduledRetry(Optional<Instant> scheduledRetry) {
      this.scheduledRetry = scheduledRetry;
      return this;
    }

    /** Sets {@code services}. */
    public Builder services(Map<String, String> services) {
      this.services = services;
      return this;
    }

    /** Sets {@code mangled_observer_schema}. */
    public Builder mangledObserverSchema(List<ObjectNode> mangledObserverSchema) {
      this.mangledObserverSchema = mangledObserverSchema;
      return this;
    }

    /** Sets {@code last_observed_manifest}. */
    public Builder lastObservedManifest(List<ObjectNode> lastObservedManifest) {
      this.lastObservedManifest = lastObservedManifest;
      return this;
    }

    /** Sets {@code last_applied_manifest}. */
    public Builder lastAppliedManifest(List<ObjectNode> lastAppliedManifest) {
      this.lastAppliedManifest = lastAppliedManifest;
      return this;
    }

    /** Sets {@code complete}. */
    public Builder complete(HookCredentials complete) {
      this.complete = complete;
      return this;
    }

    /** Sets {@code shutdown}. */
    public Builder shutdown(HookCredentials shutdown) {
      this.shutdown = shutdown;
      return this;
    }

    /** Sets {@code shutdown_grace_period}. */
    public Builder shutdownGracePeriod(Optional<Instant> shutdownGracePeriod) {
      this.shutdownGracePeriod = shutdownGracePeriod;
      return this;
    }

    /** Sets {@code shutdown_attempts}. */
    public Builder shutdownAttempts(int shutdownAttempts) {
      this.shutdownAttempts = shutdownAttempts;
      return this;
    }

    /** Sets {@code shutdown_call_completed}. */
    public Builder shutdownCallCompleted(Optional<Instant> shutdownCallCompleted) {
      this.shutdownCallCompleted = shutdownCallCompleted;
      return this;
    }

    /** Sets {@code auto_cluster_create_started}. */
    public Builder autoClusterCreateStarted(Optional<String> autoClusterCreateStarted) {
      this.autoClusterCreateStarted = autoClusterCreateStarted;
      return this;
    }

    /** Sets {@code migration_retries}. */
    public Builder migrationRetries(int migrationRetries) {
      this.migrationRetries = migrationRetries;
      return this;
    }

    /** Sets {@code migration_timeout}. */
    public Builder migrationTimeout(long migrationTimeout) {
      this.migrationTimeout = migrationTimeout;
      return this;
    }

    /** Sets {@code observed_generation}. */
    public Builder observedGeneration(long observedGeneration) {
      this.observedGeneration = observedGeneration;
      return this;
    }

    /**
     * Returns the status.
     *
     * @throws InvalidResourceException as the constructor
     */
    public ApplicationStatus build() {
      return new ApplicationStatus(
          state,
          reason,
          containerHealth,
          kubeControllerTriggered,
          scheduled,
          scheduledTo,
          runningOn,
          retries,
          scheduledRetry,
          services,
          mangledObserverSchema,
          lastObservedManifest,
          lastAppliedManifest,
          complete,
          shutdown,
          shutdownGracePeriod,
          shutdownAttempts,
          shutdownCallCompleted,
          autoClusterCreateStarted,
          migrationRetries,
          migrationTimeout,
          observedGeneration);
    }
  }
}
