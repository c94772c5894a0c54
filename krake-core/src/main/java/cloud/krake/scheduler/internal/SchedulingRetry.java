package cloud.krake.scheduler.internal;

import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What follows when no cluster fits, as Krake's scheduler on {@code NoClusterFound}: while retries
 * remain (or {@code backoff_limit} is -1, unlimited) the application goes {@code DEGRADED} with the
 * next attempt at {@code now + backoff_delay * backoff} seconds; when they are exhausted it goes
 * {@code FAILED}. Either way the reason is {@link ReasonCode#NO_SUITABLE_RESOURCE}.
 *
 * <p>{@code status.retries} counts the retries left: absent, it starts at {@code backoff_limit}
 * (and stays absent when unlimited); each DEGRADED outcome uses one. So {@code backoff_limit = 1}
 * gives DEGRADED once, then FAILED, and {@code backoff_limit = 0} FAILED at once. A stored count
 * above a since-lowered limit is capped at the limit. Unlike Krake, the next attempt is meant for a
 * real timer ({@link #nextRetry()}). Immutable.
 */
public final class SchedulingRetry {
  private final ApplicationState state;
  private final Reason reason;
  private final Optional<Instant> nextRetry;
  private final Optional<Integer> remainingRetries;

  private SchedulingRetry(
      ApplicationState state,
      Reason reason,
      Optional<Instant> nextRetry,
      Optional<Integer> remainingRetries) {
    this.state = state;
    this.reason = reason;
    this.nextRetry = nextRetry;
    this.remainingRetries = remainingRetries;
  }

  /**
   * Retry later: {@code DEGRADED}.
   *
   * @param reason the reason to record
   * @param nextRetry when to try again
   * @param remainingRetries retries left after this one; empty when unlimited
   * @return the value
   * @throws IllegalArgumentException when {@code remainingRetries} is negative
   */
  public static SchedulingRetry degraded(
      Reason reason, Instant nextRetry, Optional<Integer> remainingRetries) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(nextRetry, "nextRetry");
    Objects.requireNonNull(remainingRetries, "remainingRetries");
    if (remainingRetries.isPresent() && remainingRetries.get() < 0) {
      throw new IllegalArgumentException("remainingRetries must not be negative");
    }
    return new SchedulingRetry(
        ApplicationState.DEGRADED, reason, Optional.of(nextRetry), remainingRetries);
  }

  /**
   * Retries exhausted: {@code FAILED}.
   *
   * @param reason the reason to record
   * @return the value
   */
  public static SchedulingRetry failed(Reason reason) {
    Objects.requireNonNull(reason, "reason");
    return new SchedulingRetry(ApplicationState.FAILED, reason, Optional.empty(), Optional.of(0));
  }

  /**
   * The outcome of a scheduling pass in which no cluster fitted.
   *
   * @param spec the application's spec ({@code backoff}, {@code backoff_delay} in seconds, {@code
   *     backoff_limit})
   * @param status the application's status ({@code retries})
   * @param reason the reason to record, usually {@link PlacementDecision#reason()}
   * @param now the current time
   * @return {@code DEGRADED} with the next attempt, or {@code FAILED}
   */
  public static SchedulingRetry afterNoFit(
      ApplicationSpec spec, ApplicationStatus status, Reason reason, Instant now) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(now, "now");
    int limit = spec.backoffLimit();
    Instant next = now.plus(Duration.ofSeconds((long) spec.backoffDelay() * spec.backoff()));
    if (limit < 0) {
      return degraded(reason, next, Optional.empty());
    }
    int left = Math.min(status.retries().filter(r -> r >= 0).orElse(limit), limit);
    if (left > 0) {
      return degraded(reason, next, Optional.of(left - 1));
    }
    return failed(reason);
  }

  /**
   * The same with Krake's reason {@code NO_SUITABLE_RESOURCE} "No matching Kubernetes cluster
   * found".
   *
   * @param spec the application's spec
   * @param status the application's status
   * @param now the current time
   * @return {@code DEGRADED} with the next attempt, or {@code FAILED}
   */
  public static SchedulingRetry afterNoFit(
      ApplicationSpec spec, ApplicationStatus status, Instant now) {
    return afterNoFit(
        spec,
        status,
        Reason.of(ReasonCode.NO_SUITABLE_RESOURCE, PlacementDecision.NO_MATCHING_CLUSTER),
        now);
  }

  /**
   * Clears the retry bookkeeping ({@code retries}, {@code scheduled_retry}) after a successful
   * scheduling pass, as Krake resets its in-memory counter; the state and reason are left to the
   * caller.
   *
   * @param status the application's status
   * @return the status without {@code retries} and {@code scheduled_retry}
   */
  public static ApplicationStatus cleared(ApplicationStatus status) {
    Objects.requireNonNull(status, "status");
    if (status.retries().isEmpty() && status.scheduledRetry().isEmpty()) {
      return status;
    }
    return status.withRetries(Optional.empty()).withScheduledRetry(Optional.empty());
  }

  /**
   * {@code DEGRADED} or {@code FAILED}.
   *
   * @return the state to set
   */
  public ApplicationState state() {
    return state;
  }

  /**
   * The reason to set.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * When to try again ({@code status.scheduled_retry}); empty when {@code FAILED}.
   *
   * @return the instant
   */
  public Optional<Instant> nextRetry() {
    return nextRetry;
  }

  /**
   * Retries left after this outcome ({@code status.retries}); empty when unlimited, 0 when {@code
   * FAILED}.
   *
   * @return the count
   */
  public Optional<Integer> remainingRetries() {
    return remainingRetries;
  }

  /**
   * Whether the retries are exhausted.
   *
   * @return {@code true} for {@code FAILED}
   */
  public boolean exhausted() {
    return state == ApplicationState.FAILED;
  }

  /**
   * Applies this outcome to a status: state, reason, {@code retries}, {@code scheduled_retry}.
   *
   * @param status the application's status
   * @return the new status
   */
  public ApplicationStatus applyTo(ApplicationStatus status) {
    Objects.requireNonNull(status, "status");
    return status
        .withState(state)
        .withReason(Optional.of(reason))
        .withRetries(remainingRetries)
        .withScheduledRetry(nextRetry);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SchedulingRetry other
        && state == other.state
        && reason.equals(other.reason)
        && nextRetry.equals(other.nextRetry)
        && remainingRetries.equals(other.remainingRetries);
  }

  @Override
  public int hashCode() {
    return Objects.hash(state, reason, nextRetry, remainingRetries);
  }

  @Override
  public String toString() {
    return "SchedulingRetry["
        + state
        + nextRetry.map(t -> " at " + t).orElse("")
        + remainingRetries.map(r -> ", " + r + " left").orElse(", unlimited")
        + "]";
  }
}
