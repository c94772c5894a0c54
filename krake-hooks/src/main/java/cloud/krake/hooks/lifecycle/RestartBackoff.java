package cloud.krake.hooks.lifecycle;

import java.time.Duration;
import java.util.Objects;

/**
 * The delay before restarting a workload whose postStart failed, as the kubelet's CrashLoopBackOff:
 * 10 s after the first failure, doubling with each further consecutive failure, capped at 5 minutes
 * ({@code initialContainerBackOff}, {@code MaxContainerBackOff}); the count starts over once the
 * workload ran for {@link #resetAfter()} without failing (client-go's back-off forgets an entry
 * after twice its maximum).
 *
 * <pre>{@code
 * Duration wait = RestartBackoff.DEFAULT.delay(failures);   // 10 s, 20 s, 40 s, ... 300 s
 * }</pre>
 *
 * @param initial the delay after the first failure
 * @param max the largest delay
 */
public record RestartBackoff(Duration initial, Duration max) {

  /** 10 s doubling to 5 min, the kubelet's. */
  public static final RestartBackoff DEFAULT =
      new RestartBackoff(Duration.ofSeconds(10), Duration.ofMinutes(5));

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if {@code initial} is not positive or exceeds {@code max}
   */
  public RestartBackoff {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(max, "max");
    if (initial.isNegative() || initial.isZero() || initial.compareTo(max) > 0) {
      throw new IllegalArgumentException("0 < initial <= max is required");
    }
  }

  /**
   * Returns the delay before the next restart.
   *
   * @param consecutiveFailures how many times in a row the hook failed, from 1
   * @return {@code initial × 2^(consecutiveFailures − 1)}, at most {@code max}
   * @throws IllegalArgumentException if {@code consecutiveFailures} is below 1
   */
  public Duration delay(int consecutiveFailures) {
    if (consecutiveFailures < 1) {
      throw new IllegalArgumentException("failures count from 1");
    }
    Duration delay = initial;
    for (int i = 1; i < consecutiveFailures; i++) {
      delay = delay.multipliedBy(2);
      if (delay.compareTo(max) >= 0) {
        return max;
      }
    }
    return delay;
  }

  /** Returns how long a workload must run without failing for the count to start over: 2 × max. */
  public Duration resetAfter() {
    return max.multipliedBy(2);
  }
}
