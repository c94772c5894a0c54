package cloud.krake.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that only moves when the test moves it, for deterministic tests of deadlines,
 * timestamps and back-off: pass it wherever the library takes a {@code Clock} ({@code
 * Krake.builder().clock(...)}, {@code ShutdownProtocol}, the typed store layer). Always UTC.
 * Thread-safe: the library's threads read it while the test thread sets it.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
 * clock.advance(Duration.ofSeconds(30));   // a shutdown deadline passes
 * }</pre>
 */
public final class ManualClock extends Clock {

  private final AtomicReference<Instant> now;

  /**
   * Creates a clock standing at {@code start}.
   *
   * @param start the initial instant
   */
  public ManualClock(Instant start) {
    this.now = new AtomicReference<>(Objects.requireNonNull(start, "start"));
  }

  /**
   * Sets the time; it may also go backwards, to test clock skew.
   *
   * @param instant the new current instant
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  /**
   * Moves the time forward.
   *
   * @param duration how far; not negative
   * @return the new current instant
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("a clock advances by a non-negative duration");
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** Returns this clock: it is always UTC. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public String toString() {
    return "ManualClock[" + now.get() + "]";
  }
}
