package cloud.krake.hooks.execution;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a failed preHook or onSuccess is tried, with exponential back-off between attempts (K10
 * may retry these two; onFailure is never retried). JSON form, seconds: {@code {"attempts": 3,
 * "backoff": {"initial": 10, "max": 300}}}.
 *
 * @param attempts the number of attempts in total, the first included; 1 to {@value #MAX_ATTEMPTS}
 * @param initialBackoff the wait after the first failed attempt; doubled after each further one
 * @param maxBackoff the longest wait, at least {@code initialBackoff}
 */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff) {

  /** The most attempts a policy may ask for. */
  public static final int MAX_ATTEMPTS = 100;

  /** One attempt, no retry: onFailure's policy. */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1));

  /** The default of preHook and onSuccess: 3 attempts, 10 s then 20 s apart, at most 5 min. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMinutes(5));

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if a value is out of range
   */
  public RetryPolicy {
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (attempts < 1 || attempts > MAX_ATTEMPTS) {
      throw new IllegalArgumentException("attempts must be 1 to " + MAX_ATTEMPTS);
    }
    if (initialBackoff.isNegative()
        || initialBackoff.isZero()
        || maxBackoff.compareTo(initialBackoff) < 0
        || maxBackoff.compareTo(Args.MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "backoff must be positive, max >= initial, and max at most 24 h");
    }
  }

  /**
   * Returns the wait after the {@code failedAttempt}-th attempt failed: {@code initial * 2^(n-1)},
   * at most {@code max}.
   *
   * @param failedAttempt the attempt that failed, from 1
   */
  public Duration backoff(int failedAttempt) {
    if (failedAttempt < 1) {
      throw new IllegalArgumentException("attempts count from 1");
    }
    Duration wait = initialBackoff;
    for (int i = 1; i < failedAttempt && wait.compareTo(maxBackoff) < 0; i++) {
      wait = wait.multipliedBy(2);
    }
    return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
  }
}
