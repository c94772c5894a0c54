package cloud.krake.testing.junit;

import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Finds the threads that a piece of code started and left running: a snapshot of the live threads
 * is taken before, and afterwards every live thread that is not in it (and not ignored) is a leak,
 * once a grace period for threads that are still ending has passed.
 *
 * <p>Threading: the snapshot is immutable; {@link #awaitLeaks} may be called from any thread and
 * blocks it for at most the grace period.
 */
final class ThreadLeakCheck {

  /** The frames of each leaked thread's stack shown in a report. */
  static final int REPORTED_FRAMES = 8;

  private final Set<Thread> before;
  private final Predicate<Thread> ignored;

  private ThreadLeakCheck(Set<Thread> before, Predicate<Thread> ignored) {
    this.before = before;
    this.ignored = ignored;
  }

  /**
   * Takes the snapshot of the threads alive now.
   *
   * @param ignored threads never reported (shared JVM pools that outlive their users)
   */
  static ThreadLeakCheck snapshot(Predicate<Thread> ignored) {
    return new ThreadLeakCheck(
        Set.copyOf(Thread.getAllStackTraces().keySet()), Objects.requireNonNull(ignored));
  }

  /** The threads alive now that were not alive at the snapshot, except ignored ones, by name. */
  List<Thread> leaked() {
    Thread current = Thread.currentThread();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> t != current && !before.contains(t) && !ignored.test(t))
        .sorted(Comparator.comparing(Thread::getName))
        .toList();
  }

  /**
   * Waits up to {@code grace} for the threads started since the snapshot to end (joining them, so
   * that it returns as soon as the last one ended), and returns those still alive then.
   *
   * @param grace the longest wall-clock wait
   * @return the leaked threads; empty if there are none
   */
  List<Thread> awaitLeaks(Duration grace) {
    long deadline = System.nanoTime() + grace.toNanos();
    while (true) {
      List<Thread> leaked = leaked();
      long left = deadline - System.nanoTime();
      if (leaked.isEmpty() || left <= 0) {
        return leaked;
      }
      try {
        TimeUnit.NANOSECONDS.timedJoin(leaked.get(0), left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return leaked();
      }
    }
  }

  /** A report of leaked threads: name, state, daemon flag and the top of each stack. */
  static String describe(List<Thread> threads) {
    return threads.stream()
        .map(
            t ->
                "  "
                    + t.getName()
                    + " ("
                    + t.getState()
                    + (t.isDaemon() ? ", daemon" : "")
                    + ")"
                    + Arrays.stream(t.getStackTrace())
                        .limit(REPORTED_FRAMES)
                        .map(f -> "\n      at " + f)
                        .collect(Collectors.joining()))
        .collect(Collectors.joining("\n"));
  }
}
