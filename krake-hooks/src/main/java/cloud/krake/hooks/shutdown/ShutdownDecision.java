package cloud.krake.hooks.shutdown;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the caller of {@link ShutdownProtocol#step} does next, as a value: go on with the deletion
 * or migration, come back at a deadline, stop because the shutdown gave up, or nothing because the
 * protocol does not apply in the application's current state.
 *
 * <p>Built only by the static factories; immutable and thread-safe. {@link #reason()} is a short
 * human-readable explanation for logs; it never holds a secret.
 */
public final class ShutdownDecision {

  /** The kinds of decision. */
  public enum Kind {
    /**
     * Go on with the deletion or migration now; {@link #acknowledged()} tells whether the
     * application acknowledged its shutdown.
     */
    PROCEED,
    /** Step again at {@link #deadline()}, or earlier when the application changes. */
    WAIT,
    /**
     * The shutdown failed with the {@code give_up} strategy: the application is DEGRADED and keeps
     * its resources (a migration leaves it on the old cluster).
     */
    GAVE_UP,
    /** The protocol does nothing in the application's current state; see {@link #reason()}. */
    NOT_APPLICABLE
  }

  private final Kind kind;
  private final boolean acknowledged;
  private final Instant deadline;
  private final String reason;

  private ShutdownDecision(Kind kind, boolean acknowledged, Instant deadline, String reason) {
    this.kind = kind;
    this.acknowledged = acknowledged;
    this.deadline = deadline;
    this.reason = reason;
  }

  /**
   * Go on with the deletion or migration.
   *
   * @param acknowledged {@code true} when the application acknowledged its shutdown
   *     (READY_FOR_ACTION); {@code false} when there was nothing to wait for (no shutdown hook)
   * @return the decision
   */
  public static ShutdownDecision proceed(boolean acknowledged) {
    return new ShutdownDecision(
        Kind.PROCEED,
        acknowledged,
        null,
        acknowledged ? "the application acknowledged its shutdown" : "no shutdown hook");
  }

  /**
   * Go on without the application's acknowledgement: the {@code delete} failure strategy, after
   * every attempt failed (a deletion deletes the resources, a migration moves the application).
   *
   * @return the decision
   */
  public static ShutdownDecision proceedWithoutAcknowledgement() {
    return new ShutdownDecision(
        Kind.PROCEED,
        false,
        null,
        "no acknowledgement after every attempt: failure strategy delete");
  }

  /**
   * Come back at {@code deadline}: an attempt is in progress and its grace time ends then.
   *
   * @param deadline when the current attempt ends; may be in the past (an attempt that failed
   *     early), in which case the caller steps again at once
   * @return the decision
   */
  public static ShutdownDecision waitUntil(Instant deadline) {
    Objects.requireNonNull(deadline, "deadline");
    return new ShutdownDecision(
        Kind.WAIT, false, deadline, "waiting for the acknowledgement until " + deadline);
  }

  /**
   * The shutdown failed with the {@code give_up} strategy: the application is now DEGRADED.
   *
   * @return the decision
   */
  public static ShutdownDecision gaveUp() {
    return new ShutdownDecision(
        Kind.GAVE_UP,
        false,
        null,
        "no acknowledgement after every attempt: failure strategy give_up, DEGRADED");
  }

  /**
   * The protocol does nothing in the application's current state.
   *
   * @param reason why, for logs; not blank
   * @return the decision
   * @throws IllegalArgumentException if {@code reason} is blank
   */
  public static ShutdownDecision notApplicable(String reason) {
    Objects.requireNonNull(reason, "reason");
    if (reason.isBlank()) {
      throw new IllegalArgumentException("a not-applicable decision needs a reason");
    }
    return new ShutdownDecision(Kind.NOT_APPLICABLE, false, null, reason);
  }

  /** Returns the kind of decision. */
  public Kind kind() {
    return kind;
  }

  /**
   * Returns whether the application acknowledged its shutdown; only ever {@code true} for {@link
   * Kind#PROCEED}.
   */
  public boolean acknowledged() {
    return acknowledged;
  }

  /** Returns when to step again; present only for {@link Kind#WAIT}. */
  public Optional<Instant> deadline() {
    return Optional.ofNullable(deadline);
  }

  /** Returns a short explanation for logs. */
  public String reason() {
    return reason;
  }

  /** Returns whether the caller goes on with the deletion or migration now. */
  public boolean isProceed() {
    return kind == Kind.PROCEED;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShutdownDecision other
        && kind == other.kind
        && acknowledged == other.acknowledged
        && Objects.equals(deadline, other.deadline)
        && reason.equals(other.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, acknowledged, deadline, reason);
  }

  @Override
  public String toString() {
    return "ShutdownDecision["
        + kind
        + (kind == Kind.PROCEED ? ", acknowledged=" + acknowledged : "")
        + ", "
        + reason
        + "]";
  }
}
