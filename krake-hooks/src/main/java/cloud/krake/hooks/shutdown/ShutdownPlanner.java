package cloud.krake.hooks.shutdown;

import cloud.krake.hooks.FailureStrategy;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.store.Applications;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;
import okhttp3.HttpUrl;

/**
 * The decisions of {@link ShutdownProtocol#step}: from the application as read, the purpose and the
 * time, what the step writes, calls and returns (see the class documentation of {@link
 * ShutdownProtocol} for the protocol and the gating table). Pure: no side effects, so a step may
 * plan several times (after a lost write race).
 *
 * <p>Thread-safe (immutable).
 */
final class ShutdownPlanner {

  private final ShutdownHookConfig config;
  private final boolean https;

  /**
   * Makes the planner of one protocol.
   *
   * @param config {@code hooks.shutdown}, whose values an application's spec overrides
   * @param https whether the service is called over https
   */
  ShutdownPlanner(ShutdownHookConfig config, boolean https) {
    this.config = config;
    this.https = https;
  }

  /**
   * Plans one step for {@code app} as read at {@code now}.
   *
   * @param calling whether the protocol making this step has the call of an attempt (by its id,
   *     {@link ShutdownCall#attemptId}) in flight: its own memory, not the store's
   */
  Plan plan(Application app, ShutdownPurpose purpose, Instant now, Predicate<String> calling) {
    if (!app.spec().hooks().contains(Applications.SHUTDOWN_HOOK)) {
      return Plan.of(ShutdownDecision.proceed(false));
    }
    boolean deleted = app.metadata().isDeleted();
    if (purpose == ShutdownPurpose.DELETION && !deleted) {
      return Plan.of(
          ShutdownDecision.notApplicable(
              "not marked deleted; Applications.delete starts the deletion"));
    }
    if (purpose == ShutdownPurpose.MIGRATION && deleted) {
      return Plan.of(
          ShutdownDecision.notApplicable("marked deleted; its shutdown runs for the deletion"));
    }
    ApplicationState state = app.status().state();
    switch (state) {
      case READY_FOR_ACTION:
        return Plan.of(ShutdownDecision.proceed(true));
      case FAILED:
        return mayBeRunning(app) ? attempt(app, 1, now) : failureStrategy(app);
      case DEGRADED:
        return Plan.of(
            ShutdownDecision.notApplicable(
                "DEGRADED: waiting for a late acknowledgement or Applications.retryShutdown"));
      case RUNNING:
      case RECONCILING:
        return attempt(app, 1, now);
      case WAITING_FOR_CLEANING:
        return waiting(app, now, calling);
      default:
        return Plan.of(
            ShutdownDecision.notApplicable(state + ": no shutdown in this state, as in Krake"));
    }
  }

  /**
   * Whether the workload of a FAILED application may be running: an apply completed on a cluster
   * ({@code running_on}) and its resources have not been deleted, or a shutdown service was
   * recorded. A transient API error (a 503 during an apply) makes an application FAILED with its
   * workload running; only one whose workload never ran skips the call (Krake's #562 guard).
   */
  private static boolean mayBeRunning(Application app) {
    return app.status().runningOn().isPresent()
        || app.status().services().containsKey(ShutdownProtocol.SHUTDOWN_SERVICE);
  }

  private Plan waiting(Application app, Instant now, Predicate<String> calling) {
    ApplicationStatus status = app.status();
    Optional<Instant> deadline = status.shutdownGracePeriod();
    if (deadline.isEmpty()) {
      return attempt(app, 1, now);
    }
    if (!callMade(app, deadline.get(), calling)) {
      // Recorded, but its call may never have been made: its caller stopped (killed, restarted,
      // deposed) between the write and the call. Call now, under a new id (a new deadline), with
      // the same number: the retry count is not spent on a call that may not have happened.
      return attempt(app, status.shutdownAttempts(), now);
    }
    if (now.isBefore(deadline.get())) {
      return Plan.of(ShutdownDecision.waitUntil(deadline.get()));
    }
    // A deadline without a count was written by Krake, whose round made one attempt at least.
    int made = Math.max(1, status.shutdownAttempts());
    if (made < 1 + retryCount(app.spec())) {
      return attempt(app, made + 1, now);
    }
    return failureStrategy(app);
  }

  /**
   * Whether the current attempt's call is known to have been made, or is being made here: its
   * completion is recorded, this protocol has it in flight, or the deadline was written by Krake
   * (no {@code shutdown_attempts}: Krake calls before it records nothing more). Otherwise its
   * caller may have stopped between recording the attempt and calling: nobody knows whether the
   * service got it.
   */
  private static boolean callMade(Application app, Instant deadline, Predicate<String> calling) {
    ApplicationStatus status = app.status();
    return status.shutdownAttempts() == 0
        || status.shutdownCallCompleted().isPresent()
        || calling.test(
            ShutdownCall.attemptId(
                app.metadata().namespace().orElse(""),
                app.metadata().name(),
                status.shutdownAttempts(),
                deadline));
  }

  private Plan attempt(Application app, int attempt, Instant now) {
    Instant deadline = now.plus(graceTime(app.spec()));
    ApplicationStatus started =
        app.status().toBuilder()
            .state(ApplicationState.WAITING_FOR_CLEANING)
            .shutdownAttempts(attempt)
            .shutdownGracePeriod(Optional.of(deadline))
            .shutdownCallCompleted(Optional.empty())
            .build();
    String endpoint = app.status().services().get(ShutdownProtocol.SHUTDOWN_SERVICE);
    Optional<HttpUrl> url = serviceUrl(endpoint);
    if (url.isEmpty()) {
      String why =
          endpoint == null
              ? "no services[\"shutdown\"] entry (the manifest needs a Service named shutdown)"
              : "services[\"shutdown\"] is not a host:port";
      return new Plan(
          ShutdownDecision.waitUntil(now),
          Optional.of(
              started.toBuilder()
                  .shutdownGracePeriod(Optional.of(now))
                  .shutdownCallCompleted(Optional.of(now))
                  .build()),
          Optional.empty(),
          Optional.of(why),
          attempt,
          now);
    }
    return new Plan(
        ShutdownDecision.waitUntil(deadline),
        Optional.of(started),
        url,
        Optional.empty(),
        attempt,
        deadline);
  }

  private Plan failureStrategy(Application app) {
    if (strategy(app.spec()) == FailureStrategy.DELETE) {
      return Plan.of(ShutdownDecision.proceedWithoutAcknowledgement());
    }
    ApplicationStatus degraded =
        app.status().withState(ApplicationState.DEGRADED).withShutdownGracePeriod(Optional.empty());
    return new Plan(
        ShutdownDecision.gaveUp(),
        Optional.of(degraded),
        Optional.empty(),
        Optional.empty(),
        0,
        Instant.EPOCH);
  }

  private Optional<HttpUrl> serviceUrl(String endpoint) {
    if (endpoint == null || endpoint.isBlank() || endpoint.matches(".*[/?#@\\\\\\s].*")) {
      return Optional.empty();
    }
    return Optional.ofNullable(
        HttpUrl.parse((https ? "https://" : "http://") + endpoint + "/shutdown"));
  }

  private Duration graceTime(ApplicationSpec spec) {
    return spec.shutdownGraceTime()
        .filter(seconds -> seconds > 0)
        .map(seconds -> Duration.ofSeconds(seconds))
        .orElse(config.timeout());
  }

  private int retryCount(ApplicationSpec spec) {
    return spec.shutdownRetryCount()
        .filter(count -> count >= 0)
        .orElse(Math.max(0, config.failureRetryCount()));
  }

  private FailureStrategy strategy(ApplicationSpec spec) {
    return spec.shutdownFailureStrategy()
        .map(value -> FailureStrategy.fromConfigValue(value).orElse(FailureStrategy.GIVE_UP))
        .orElse(config.failureStrategy());
  }

  /**
   * One step's outcome: the decision, the status to write first, the call to start after the write,
   * an immediate failure to log, and the attempt with its deadline.
   */
  record Plan(
      ShutdownDecision decision,
      Optional<ApplicationStatus> status,
      Optional<HttpUrl> call,
      Optional<String> failure,
      int attempt,
      Instant deadline) {

    static Plan of(ShutdownDecision decision) {
      return new Plan(
          decision, Optional.empty(), Optional.empty(), Optional.empty(), 0, Instant.EPOCH);
    }
  }
}
