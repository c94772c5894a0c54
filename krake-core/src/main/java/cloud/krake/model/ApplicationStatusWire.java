package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Krake's JSON form of an {@link ApplicationStatus}: Krake's fields in Krake's order, with the
 * credentials of the complete and shutdown hooks as six flat fields ({@code complete_token}, {@code
 * complete_cert}, {@code complete_key}, {@code shutdown_token}, {@code shutdown_cert}, {@code
 * shutdown_key}) where the status holds one {@link HookCredentials} per hook. {@link KrakeJson}
 * writes and reads a status through it, so the stored documents stay those Krake writes (pinned
 * byte-for-byte by {@code WireFormatTest}). Absent values are normalised by the status's
 * constructor. To add a stored field, add it here (in Krake's order) and to the status.
 */
record ApplicationStatusWire(
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
    @JsonInclude(JsonInclude.Include.NON_ABSENT) Optional<Instant> shutdownCallCompleted,
    Optional<String> autoClusterCreateStarted,
    int migrationRetries,
    long migrationTimeout,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long observedGeneration) {

  /** Returns the flat form of a status. */
  static ApplicationStatusWire of(ApplicationStatus s) {
    return new ApplicationStatusWire(
        s.state(),
        s.reason(),
        s.containerHealth(),
        s.kubeControllerTriggered(),
        s.scheduled(),
        s.scheduledTo(),
        s.runningOn(),
        s.retries(),
        s.scheduledRetry(),
        s.services(),
        s.mangledObserverSchema(),
        s.lastObservedManifest(),
        s.lastAppliedManifest(),
        s.complete().token(),
        s.complete().cert(),
        s.complete().key(),
        s.shutdown().token(),
        s.shutdown().cert(),
        s.shutdown().key(),
        s.shutdownGracePeriod(),
        s.shutdownAttempts(),
        s.shutdownCallCompleted(),
        s.autoClusterCreateStarted(),
        s.migrationRetries(),
        s.migrationTimeout(),
        s.observedGeneration());
  }

  /** Returns the status this form stands for. */
  ApplicationStatus toStatus() {
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
        new HookCredentials(completeToken, completeCert, completeKey),
        new HookCredentials(shutdownToken, shutdownCert, shutdownKey),
        shutdownGracePeriod,
        shutdownAttempts,
        shutdownCallCompleted,
        autoClusterCreateStarted,
        migrationRetries,
        migrationTimeout,
        observedGeneration);
  }

  /** Names the form without its values: they hold the hooks' tokens and private keys. */
  @Override
  public String toString() {
    return "ApplicationStatusWire[state=" + state + ", values redacted]";
  }
}
