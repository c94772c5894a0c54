package cloud.krake.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Reconciler} asks of the runtime once a key is reconciled: nothing more ({@link
 * #done()}) or another reconcile after a delay ({@link #requeueAfter(Duration)}), for state that
 * must be polled (a shutdown deadline, a cluster that is not ready yet). Either way the key's
 * failure count is reset. A failure is reported by throwing, not by a result.
 */
public final class ReconcileResult {

  private static final ReconcileResult DONE = new ReconcileResult(Optional.empty());

  private final Optional<Duration> requeueDelay;

  private ReconcileResult(Optional<Duration> requeueDelay) {
    this.requeueDelay = requeueDelay;
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
    return new ReconcileResult(Optional.of(delay));
  }

  /** Returns the delay before the next reconcile, or empty for {@link #done()}. */
  public Optional<Duration> requeueDelay() {
    return requeueDelay;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ReconcileResult r && r.requeueDelay.equals(requeueDelay);
  }

  @Override
  public int hashCode() {
    return requeueDelay.hashCode();
  }

  @Override
  public String toString() {
    return requeueDelay
        .map(d -> "ReconcileResult[requeueAfter=" + d + "]")
        .orElse("ReconcileResult[done]");
  }
}
