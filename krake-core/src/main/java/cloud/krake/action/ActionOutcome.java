package cloud.krake.action;

import cloud.krake.model.Application;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.runtime.ReconcileResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What became of an action at an interceptor or at the end of its chain: it went through, it waits
 * (until an instant, or for an event), or it failed. The one result vocabulary of every gate (the
 * shutdown hook, the execution hooks, the container lifecycle hooks, a host's interceptor), with
 * one mapping to the controller's {@link ReconcileResult} ({@link #toReconcileResult}).
 *
 * <p>Built only by the static factories; immutable and thread-safe.
 */
public final class ActionOutcome {

  /** The kinds of outcome. */
  public enum Kind {
    /** The action went through (at an interceptor: it may go on). */
    PROCEED,
    /** Not now: the application is processed again at {@link #until()}, or earlier on a change. */
    WAIT_UNTIL,
    /**
     * Not now: the application is processed again when it changes or when the work an interceptor
     * started ends (it queues the application then); nothing is polled.
     */
    WAIT_FOR_EVENT,
    /** The action failed: the application becomes FAILED with {@link #reason()}. */
    FAIL
  }

  private static final ActionOutcome PROCEED = new ActionOutcome(Kind.PROCEED, null, null, null);

  private static final ActionOutcome WAIT_FOR_EVENT =
      new ActionOutcome(Kind.WAIT_FOR_EVENT, null, null, null);

  private final Kind kind;
  private final Instant until;
  private final Reason reason;
  private final Application application;

  private ActionOutcome(Kind kind, Instant until, Reason reason, Application application) {
    this.kind = kind;
    this.until = until;
    this.reason = reason;
    this.application = application;
  }

  /** Returns the outcome "went through" (at an interceptor: "go on"). */
  public static ActionOutcome proceed() {
    return PROCEED;
  }

  /**
   * Returns the outcome "went through", with the application as the action left it (as written to
   * the store), for the interceptors it returns through (a Post hook point is dispatched with it).
   *
   * @param application the application after the action
   */
  public static ActionOutcome proceed(Application application) {
    return new ActionOutcome(
        Kind.PROCEED, null, null, Objects.requireNonNull(application, "application"));
  }

  /**
   * Returns the outcome "come back at {@code instant}".
   *
   * @param instant when to process the application again; an instant in the past means at once
   */
  public static ActionOutcome waitUntil(Instant instant) {
    return new ActionOutcome(
        Kind.WAIT_UNTIL, Objects.requireNonNull(instant, "instant"), null, null);
  }

  /**
   * Returns the outcome "come back after {@code delay}", measured on {@code clock}.
   *
   * @param delay the delay; not negative
   * @param clock the controller's clock
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public static ActionOutcome waitFor(Duration delay, Clock clock) {
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative: " + delay);
    }
    return waitUntil(clock.instant().plus(delay));
  }

  /** Returns the outcome "come back when the application changes or started work ends". */
  public static ActionOutcome waitForEvent() {
    return WAIT_FOR_EVENT;
  }

  /**
   * Returns the outcome "the action failed".
   *
   * @param reason the reason the application's status records
   */
  public static ActionOutcome fail(Reason reason) {
    return new ActionOutcome(Kind.FAIL, null, Objects.requireNonNull(reason, "reason"), null);
  }

  /** Returns the kind. */
  public Kind kind() {
    return kind;
  }

  /** Returns whether the action went through (or may go on). */
  public boolean proceeds() {
    return kind == Kind.PROCEED;
  }

  /** Returns when to come back; present only for {@link Kind#WAIT_UNTIL}. */
  public Optional<Instant> until() {
    return Optional.ofNullable(until);
  }

  /** Returns why the action failed; present only for {@link Kind#FAIL}. */
  public Optional<Reason> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * Returns the application as the action left it; present only for a {@link Kind#PROCEED} whose
   * producer passed it ({@link #proceed(Application)}).
   */
  public Optional<Application> application() {
    return Optional.ofNullable(application);
  }

  /**
   * The controller's reconcile result for this outcome, the one mapping: {@link Kind#PROCEED} and
   * {@link Kind#WAIT_FOR_EVENT} are done (the next change queues the application); {@link
   * Kind#WAIT_UNTIL} requeues after the time left until {@link #until()} (zero if past); {@link
   * Kind#FAIL} is done, or a retry with back-off when the reason is {@code KUBERNETES_ERROR} (a
   * failure that may go away by itself). Recording a failure in the status is the caller's.
   *
   * @param clock the controller's clock
   * @return the result
   */
  public ReconcileResult toReconcileResult(Clock clock) {
    return switch (kind) {
      case PROCEED, WAIT_FOR_EVENT -> ReconcileResult.done();
      case WAIT_UNTIL -> {
        Duration wait = Duration.between(clock.instant(), until);
        yield ReconcileResult.requeueAfter(wait.isNegative() ? Duration.ZERO : wait);
      }
      case FAIL ->
          reason.code() == ReasonCode.KUBERNETES_ERROR
              ? ReconcileResult.retryWithBackoff()
              : ReconcileResult.done();
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ActionOutcome other
        && kind == other.kind
        && Objects.equals(until, other.until)
        && Objects.equals(reason, other.reason)
        && Objects.equals(application, other.application);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, until, reason, application);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case PROCEED -> "ActionOutcome[PROCEED]";
      case WAIT_FOR_EVENT -> "ActionOutcome[WAIT_FOR_EVENT]";
      case WAIT_UNTIL -> "ActionOutcome[WAIT_UNTIL " + until + "]";
      case FAIL -> "ActionOutcome[FAIL " + reason.code() + "]";
    };
  }
}
