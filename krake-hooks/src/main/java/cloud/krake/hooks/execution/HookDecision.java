package cloud.krake.hooks.execution;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the caller of {@link HookRunner} does next, as a value: go on, come back at a time, or treat
 * the hook as failed for good.
 *
 * <p>Built only by the static factories; immutable and thread-safe. {@link #reason()} is a short
 * explanation for logs and events; it never holds an output value.
 */
public final class HookDecision {

  /** The kinds of decision. */
  public enum Kind {
    /**
     * Go on: there is no such hook, or it succeeded (now or earlier; it is not run again). After a
     * preHook, run the action; after onSuccess or onFailure, the action is done.
     */
    PROCEED,
    /**
     * Step again at {@link #retryAt()}: an attempt failed and the next is due then, or an attempt
     * is in progress (on this or another host) until then.
     */
    RETRY_AT,
    /**
     * The hook failed and will not be tried again. A preHook's failure fails the action: the caller
     * treats the action as failed and calls {@link HookRunner#after} with {@code false}, which runs
     * onFailure. An onSuccess's or onFailure's failure is reported; nothing else runs.
     */
    FAILED
  }

  private final Kind kind;
  private final Optional<HookRecord> record;
  private final Optional<Instant> retryAt;
  private final String reason;

  private HookDecision(
      Kind kind, Optional<HookRecord> record, Optional<Instant> retryAt, String reason) {
    this.kind = kind;
    this.record = record;
    this.retryAt = retryAt;
    this.reason = reason;
  }

  /**
   * Go on.
   *
   * @param record the hook's record; empty when the action has no such hook
   * @param reason why, for logs
   * @return the decision
   */
  public static HookDecision proceed(Optional<HookRecord> record, String reason) {
    return new HookDecision(
        Kind.PROCEED,
        Objects.requireNonNull(record, "record"),
        Optional.empty(),
        Objects.requireNonNull(reason, "reason"));
  }

  /**
   * Step again at a time.
   *
   * @param at when
   * @param record the hook's record
   * @param reason why, for logs
   * @return the decision
   */
  public static HookDecision retryAt(Instant at, HookRecord record, String reason) {
    return new HookDecision(
        Kind.RETRY_AT,
        Optional.of(Objects.requireNonNull(record, "record")),
        Optional.of(Objects.requireNonNull(at, "at")),
        Objects.requireNonNull(reason, "reason"));
  }

  /**
   * Failed for good.
   *
   * @param record the hook's record, with its error
   * @param reason why, for logs
   * @return the decision
   */
  public static HookDecision failed(HookRecord record, String reason) {
    return new HookDecision(
        Kind.FAILED,
        Optional.of(Objects.requireNonNull(record, "record")),
        Optional.empty(),
        Objects.requireNonNull(reason, "reason"));
  }

  /** Returns the kind of decision. */
  public Kind kind() {
    return kind;
  }

  /** Returns the hook's record; empty for {@link Kind#PROCEED} when there is no such hook. */
  public Optional<HookRecord> record() {
    return record;
  }

  /** Returns when to step again; present only for {@link Kind#RETRY_AT}. */
  public Optional<Instant> retryAt() {
    return retryAt;
  }

  /** Returns a short explanation. */
  public String reason() {
    return reason;
  }

  /** Returns whether the caller goes on. */
  public boolean isProceed() {
    return kind == Kind.PROCEED;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HookDecision other
        && kind == other.kind
        && record.equals(other.record)
        && retryAt.equals(other.retryAt)
        && reason.equals(other.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, record, retryAt, reason);
  }

  @Override
  public String toString() {
    return "HookDecision[" + kind + retryAt.map(t -> " at " + t).orElse("") + ", " + reason + "]";
  }
}
