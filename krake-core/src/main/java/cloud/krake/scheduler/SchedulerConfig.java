package cloud.krake.scheduler;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.FieldError;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The scheduler's placement settings, with Krake's {@code scheduler.yaml} keys and defaults.
 *
 * @param stickiness {@code stickiness}: the weight of the bonus (value 1.0) the currently bound
 *     cluster gets in ranking, default {@value #DEFAULT_STICKINESS}; finite and {@code >= 0}
 * @param rescheduleAfter {@code reschedule_after}: how long after {@code status.scheduled} a bound
 *     application keeps a still-matching cluster without ranking, and the period of re-evaluation,
 *     default 60 s; not negative
 */
public record SchedulerConfig(double stickiness, Duration rescheduleAfter) {
  /** Krake's default {@code stickiness}. */
  public static final double DEFAULT_STICKINESS = 0.1;

  /** Krake's default {@code reschedule_after}. */
  public static final Duration DEFAULT_RESCHEDULE_AFTER = Duration.ofSeconds(60);

  /** Krake's defaults. */
  public static final SchedulerConfig DEFAULTS =
      new SchedulerConfig(DEFAULT_STICKINESS, DEFAULT_RESCHEDULE_AFTER);

  /**
   * Validates.
   *
   * @throws InvalidConfigurationException when {@code stickiness} is negative or not finite, or
   *     {@code rescheduleAfter} is negative
   */
  public SchedulerConfig {
    Objects.requireNonNull(rescheduleAfter, "rescheduleAfter");
    if (!Double.isFinite(stickiness) || stickiness < 0) {
      throw new InvalidConfigurationException(
          List.of(
              new FieldError(
                  "scheduler.stickiness", "must be a finite number >= 0, was " + stickiness)));
    }
    if (rescheduleAfter.isNegative()) {
      throw new InvalidConfigurationException(
          List.of(
              new FieldError(
                  "scheduler.reschedule_after", "must not be negative, was " + rescheduleAfter)));
    }
  }

  /**
   * A copy with another stickiness.
   *
   * @param stickiness the new {@code stickiness}
   * @return a new config
   */
  public SchedulerConfig withStickiness(double stickiness) {
    return new SchedulerConfig(stickiness, rescheduleAfter);
  }

  /**
   * A copy with another re-scheduling period.
   *
   * @param rescheduleAfter the new {@code reschedule_after}
   * @return a new config
   */
  public SchedulerConfig withRescheduleAfter(Duration rescheduleAfter) {
    return new SchedulerConfig(stickiness, rescheduleAfter);
  }
}
