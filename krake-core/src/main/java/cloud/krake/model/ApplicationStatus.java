package cloud.krake.model;

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
 * <p>The record is immutable: JSON trees are deep-copied when the record is built and by their
 * accessors. {@link #toString()} masks the hook tokens, the private keys and the data of Secret
 * resources in the manifests, so a status can be logged; the JSON form (what is stored) keeps them.
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
 * @param completeToken the secret token of the complete hook; redacted in {@link #toString()}
 * @param completeCert the PEM client certificate given to the application for the complete hook
 * @param completeKey the PEM private key of that certificate; redacted in {@link #toString()}
 * @param shutdownToken the secret token of the shutdown hook; redacted in {@link #toString()}
 * @param shutdownCert the PEM client certificate given to the application for the shutdown hook
 * @param shutdownKey the PEM private key of that certificate; redacted in {@link #toString()}
 * @param shutdownGracePeriod the deadline of the current attempt of the shutdown in progress; empty
 *     when no shutdown is in progress. Krake uses it only as an "already shutting down" flag; here
 *     the shutdown protocol also compares it with the clock, so a restarted instance resumes the
 *     wait instead of starting over
 * @param shutdownAttempts the number of the current attempt of the shutdown in progress ({@code 1}
 *     for the first call of the application's shutdown service); {@code 0} (the default) when no
 *     round has started. Not in Krake's model, which keeps its progress in memory only; Krake
 *     ignores unknown fields, so documents with it stay readable there
 * @param autoClusterCreateStarted the name of the cluster the scheduler is creating for the
 *     application
 * @param migrationRetries the number of failed data migrations; default {@code 0}
 * @param migrationTimeout epoch seconds before which the scheduler does not reschedule the
 *     application after a failed data migration; default {@code 0}
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
    Optional<String> completeToken,
    Optional<String> completeCert,
    Optional<String> completeKey,
    Optional<String> shutdownToken,
    Optional<String> shutdownCert,
    Optional<String> shutdownKey,
    Optional<Instant> shutdownGracePeriod,
    int shutdownAttempts,
    Optional<String> autoClusterCreateStarted,
    int migrationRetries,
    long migrationTimeout) {

  private static final ApplicationStatus INITIAL =
      new ApplicationStatus(
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
          null, null, null, null, null, 0, null, 0, 0L);

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
    completeToken = Values.opt(completeToken);
    completeCert = Values.opt(completeCert);
    completeKey = Values.opt(completeKey);
    shutdownToken = Values.opt(shutdownToken);
    shutdownCert = Values.opt(shutdownCert);
    shutdownKey = Values.opt(shutdownKey);
    shutdownGracePeriod = Values.opt(shutdownGracePeriod);
    autoClusterCreateStarted = Values.opt(autoClusterCreateStarted);
  }

  /**
   * Returns the status of a new application: {@code PENDING}, everything else empty or zero, as
   * Krake's API initialises it on create.
   */
  public static ApplicationStatus initial() {
    return INITIAL;
  }

  /** Returns deep copies of the mangledObserverSchema entries. */
  @Override
  public List<ObjectNode> mangledObserverSchema() {
    return Values.copyNodes(mangledObserverSchema);
  }

  /** Returns deep copies of the lastObservedManifest entries. */
  @Override
  public List<ObjectNode> lastObservedManifest() {
    return Values.copyNodes(lastObservedManifest);
  }

  /** Returns deep copies of the lastAppliedManifest entries. */
  @Override
  public List<ObjectNode> lastAppliedManifest() {
    return Values.copyNodes(lastAppliedManifest);
  }

  /**
   * Returns a copy with another {@code state}.
   *
   * @param state the new value
   */
  public ApplicationStatus withState(ApplicationState state) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code reason}.
   *
   * @param reason the new value
   */
  public ApplicationStatus withReason(Optional<Reason> reason) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code container_health}.
   *
   * @param containerHealth the new value
   */
  public ApplicationStatus withContainerHealth(ContainerHealth containerHealth) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code kube_controller_triggered}.
   *
   * @param kubeControllerTriggered the new value
   */
  public ApplicationStatus withKubeControllerTriggered(Optional<Instant> kubeControllerTriggered) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code scheduled}.
   *
   * @param scheduled the new value
   */
  public ApplicationStatus withScheduled(Optional<Instant> scheduled) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code scheduled_to}.
   *
   * @param scheduledTo the new value
   */
  public ApplicationStatus withScheduledTo(Optional<ResourceRef> scheduledTo) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code running_on}.
   *
   * @param runningOn the new value
   */
  public ApplicationStatus withRunningOn(Optional<ResourceRef> runningOn) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code retries}.
   *
   * @param retries the new value
   */
  public ApplicationStatus withRetries(Optional<Integer> retries) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code scheduled_retry}.
   *
   * @param scheduledRetry the new value
   */
  public ApplicationStatus withScheduledRetry(Optional<Instant> scheduledRetry) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code services}.
   *
   * @param services the new value
   */
  public ApplicationStatus withServices(Map<String, String> services) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code mangled_observer_schema}.
   *
   * @param mangledObserverSchema the new value
   */
  public ApplicationStatus withMangledObserverSchema(List<ObjectNode> mangledObserverSchema) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code last_observed_manifest}.
   *
   * @param lastObservedManifest the new value
   */
  public ApplicationStatus withLastObservedManifest(List<ObjectNode> lastObservedManifest) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code last_applied_manifest}.
   *
   * @param lastAppliedManifest the new value
   */
  public ApplicationStatus withLastAppliedManifest(List<ObjectNode> lastAppliedManifest) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code complete_token}.
   *
   * @param completeToken the new value
   */
  public ApplicationStatus withCompleteToken(Optional<String> completeToken) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code complete_cert}.
   *
   * @param completeCert the new value
   */
  public ApplicationStatus withCompleteCert(Optional<String> completeCert) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code complete_key}.
   *
   * @param completeKey the new value
   */
  public ApplicationStatus withCompleteKey(Optional<String> completeKey) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code shutdown_token}.
   *
   * @param shutdownToken the new value
   */
  public ApplicationStatus withShutdownToken(Optional<String> shutdownToken) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code shutdown_cert}.
   *
   * @param shutdownCert the new value
   */
  public ApplicationStatus withShutdownCert(Optional<String> shutdownCert) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code shutdown_key}.
   *
   * @param shutdownKey the new value
   */
  public ApplicationStatus withShutdownKey(Optional<String> shutdownKey) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code shutdown_grace_period}.
   *
   * @param shutdownGracePeriod the new value
   */
  public ApplicationStatus withShutdownGracePeriod(Optional<Instant> shutdownGracePeriod) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code shutdown_attempts}.
   *
   * @param shutdownAttempts the new value; not negative
   * @throws InvalidResourceException if {@code shutdownAttempts} is negative
   */
  public ApplicationStatus withShutdownAttempts(int shutdownAttempts) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code auto_cluster_create_started}.
   *
   * @param autoClusterCreateStarted the new value
   */
  public ApplicationStatus withAutoClusterCreateStarted(Optional<String> autoClusterCreateStarted) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code migration_retries}.
   *
   * @param migrationRetries the new value
   */
  public ApplicationStatus withMigrationRetries(int migrationRetries) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
  }

  /**
   * Returns a copy with another {@code migration_timeout}.
   *
   * @param migrationTimeout the new value
   */
  public ApplicationStatus withMigrationTimeout(long migrationTimeout) {
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
        completeToken,
        completeCert,
        completeKey,
        shutdownToken,
        shutdownCert,
        shutdownKey,
        shutdownGracePeriod,
        shutdownAttempts,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout);
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
        + Redaction.secret(completeToken)
        + ", completeCert="
        + completeCert
        + ", completeKey="
        + Redaction.secret(completeKey)
        + ", shutdownToken="
        + Redaction.secret(shutdownToken)
        + ", shutdownCert="
        + shutdownCert
        + ", shutdownKey="
        + Redaction.secret(shutdownKey)
        + ", shutdownGracePeriod="
        + shutdownGracePeriod
        + ", shutdownAttempts="
        + shutdownAttempts
        + ", autoClusterCreateStarted="
        + autoClusterCreateStarted
        + ", migrationRetries="
        + migrationRetries
        + ", migrationTimeout="
        + migrationTimeout
        + "]";
  }
}
