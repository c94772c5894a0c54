package cloud.krake.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Reconciler} asks of the runtime once a key is reconciled: nothing more ({@link
 * #done()}) or another reconcile after a delay ({@link #requeueAfter(Duration)}), for state that
 * must be polled (a shutdown deadline, a cluster that is not ready yet); either way the key's
 * failure count is reset. Or {@link #retryWithBackoff()}: a failure the reconciler has already
 * handled and recorded (a FAILED status), to be tried again with the key's exponential back-off. An
 * unexpected failure is reported by throwing.
 */
public final class ReconcileResult {

  private static final ReconcileResult DONE = new ReconcileResult(Optional.empty(), false);

  private static final ReconcileResult BACKOFF = new ReconcileResult(Optional.empty(), true);

  private final Optional<Duration> requeueDelay;
  private final boolean backoff;

  private ReconcileResult(Optional<Duration> requeueDelay, boolean backoff) {
    this.requeueDelay = requeueDelay;
    this.backoff = backoff;
  }

  /**
   * Returns the result "failed, already handled; try again with the key's exponential back-off"
   * (the key's failure count grows, as after a thrown exception, but nothing is logged as an
   * unexpected failure).
   */
  public static ReconcileResult retryWithBackoff() {
    return BACKOFF;
  }

  /** Returns whether this is {@link #retryWithBackoff()}. */
  public boolean isBackoff() {
    return backoff;
  }

  /** Returns the result "reconciled; wait for the next change". */
  public static ReconcileResult done() {
    return DONE;
  }

  /**
   * Returns the result "reconcile this key again after {@code delay}", unless a change queues it
   * earlier.
   *
   * @param delay the delay; not negative
   * @throws IllegalArgumentException if {@code delay} is negative
   */
  public static ReconcileResult requeueAfter(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("requeue delay must not be negative: " + delay);
    }
    return new ReconcileResult(Optional.of(delay), false);
  }

  /** Returns the delay before the next reconcile, or empty for {@link #done()}. */
  public Optional<Duration> requeueDelay() {
    return requeueDelay;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReconcileResult r
        && r.requeueDelay.equals(requeueDelay)
        && r.backoff == backoff;
  }

  @Override
  public int hashCode() {
    return requeueDelay.hashCode() * 31 + Boolean.hashCode(backoff);
  }

  @Override
  public String toString() {
    if (backoff) {
      return "ReconcileResult[retryWithBackoff]";
    }
    return requeueDelay
        .map(d -> "ReconcileResult[requeueAfter=" + d + "]")
        .orElse("ReconcileResult[done]");
  }
}
