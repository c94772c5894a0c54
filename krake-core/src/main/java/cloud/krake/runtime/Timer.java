package cloud.krake.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a task once after a delay: the one source of delays of the controller runtime (requeue
 * after, backoff, re-list retries), injected so that tests drive time by hand ({@code
 * cloud.krake.testing.ManualTimer}) instead of sleeping.
 *
 * <p>Threading: implementations are thread-safe; tasks run on a thread the implementation chooses
 * and must not block for long.
 */
@FunctionalInterface
public interface Timer {

  /**
   * Schedules {@code task} to run once, {@code delay} from now.
   *
   * @param task the task; an exception it throws is the implementation's to log, never rethrown to
   *     the caller of {@code schedule}
   * @param delay how long to wait; zero or negative means as soon as possible
   * @return a handle that cancels the task if it has not started
   * @throws java.util.concurrent.RejectedExecutionException if the scheduler has been shut down
   */
  Handle schedule(Runnable task, Duration delay);

  /**
   * Returns a scheduler on {@code executor}. The executor stays the caller's: it is never shut down
   * by the runtime.
   *
   * @param executor the executor whose threads run the tasks
   */
  static Timer system(ScheduledExecutorService executor) {
    Objects.requireNonNull(executor, "executor");
    return (task, delay) -> {
      Objects.requireNonNull(task, "task");
      Objects.requireNonNull(delay, "delay");
      ScheduledFuture<?> future =
          executor.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    };
  }

  /** A scheduled task. */
  @FunctionalInterface
  interface Handle {

    /**
     * Cancels the task if it has not started yet. Idempotent.
     *
     * @return whether this call prevented the task from running
     */
    boolean cancel();
  }
}
