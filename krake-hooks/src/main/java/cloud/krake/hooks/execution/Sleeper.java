package cloud.krake.hooks.execution;

import java.time.Duration;

/**
 * How a function waits between two polls ({@code Wait}): injected into the {@link ExecutionEngine}
 * so that tests move a manual clock instead of sleeping, as the runtime's {@code Timer}.
 */
@FunctionalInterface
public interface Sleeper {

  /** Sleeps on the calling thread for real time. */
  Sleeper SYSTEM =
      duration -> {
        long millis = duration.toMillis();
        if (millis > 0) {
          Thread.sleep(millis);
        }
      };

  /**
   * Blocks the calling thread for {@code duration}.
   *
   * @param duration how long; zero or negative returns at once
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;
}
