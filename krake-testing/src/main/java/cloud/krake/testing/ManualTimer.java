package cloud.krake.testing;

import cloud.krake.runtime.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;

/**
 * A {@link Timer} whose tasks run only when the test moves its {@link ManualClock}, through {@link
 * #advance(Duration)} or {@link #runDueTasks()}, for deterministic tests of delays and backoff
 * without sleeping.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
 * ManualTimer scheduler = new ManualTimer(clock);
 * Controller<ResourceKey> c = Controller.builder("test", r).clock(clock).timer(scheduler).build();
 * scheduler.advance(Duration.ofSeconds(1));   // the first backoff runs
 * }</pre>
 *
 * <p>Threading: thread-safe; {@link #schedule} may be called from any thread. Tasks run on the
 * thread calling {@link #advance(Duration)} or {@link #runDueTasks()}, one at a time, outside the
 * scheduler's lock, so a task may schedule further tasks. An exception thrown by a task propagates
 * to that caller, failing the test.
 */
public final class ManualTimer implements Timer {

  private final ManualClock clock;

  /** Pending tasks by due instant, then order of scheduling. Guarded by this. */
  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(Comparator.comparing(Task::due).thenComparingLong(Task::sequence));

  /** Guarded by this. */
  private long sequence;

  private static final class Task implements Timer.Handle {
    private final Instant due;
    private final long sequence;
    private final Runnable runnable;
    private final ManualTimer owner;

    Task(Instant due, long sequence, Runnable runnable, ManualTimer owner) {
      this.due = due;
      this.sequence = sequence;
      this.runnable = runnable;
      this.owner = owner;
    }

    Instant due() {
      return due;
    }

    long sequence() {
      return sequence;
    }

    @Override
    public boolean cancel() {
      synchronized (owner) {
        return owner.tasks.remove(this);
      }
    }
  }

  /**
   * Creates a scheduler that reads and moves {@code clock}.
   *
   * @param clock the clock; pass the same one to the code under test
   */
  public ManualTimer(ManualClock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Returns the clock this scheduler moves. */
  public ManualClock clock() {
    return clock;
  }

  @Override
  public synchronized Handle schedule(Runnable task, Duration delay) {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(delay, "delay");
    Instant now = clock.instant();
    Instant due = delay.isNegative() ? now : now.plus(delay);
    Task t = new Task(due, sequence++, task, this);
    tasks.add(t);
    return t;
  }

  /**
   * Moves the clock forward by {@code duration}, running every task that comes due, in due order
   * (ties in scheduling order), with the clock set to each task's due instant while it runs; tasks
   * scheduled by those tasks run too if they come due within the window. The clock ends at the
   * start instant plus {@code duration}.
   *
   * @param duration how far; not negative
   * @return the number of tasks run
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public int advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time advances by a non-negative duration");
    }
    Instant target = clock.instant().plus(duration);
    int ran = 0;
    while (true) {
      Task next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.due().isAfter(target)) {
          break;
        }
        tasks.poll();
      }
      if (next.due().isAfter(clock.instant())) {
        clock.set(next.due());
      }
      next.runnable.run();
      ran++;
    }
    clock.set(target);
    return ran;
  }

  /**
   * Runs the tasks due now, without moving the clock.
   *
   * @return the number of tasks run
   */
  public int runDueTasks() {
    return advance(Duration.ZERO);
  }

  /** Returns the due instants of the pending tasks, earliest first. */
  public synchronized List<Instant> pendingDueTimes() {
    return tasks.stream().map(Task::due).sorted().toList();
  }

  /** Returns the due instant of the earliest pending task, or empty if none is pending. */
  public synchronized Optional<Instant> nextDue() {
    return Optional.ofNullable(tasks.peek()).map(Task::due);
  }
}
