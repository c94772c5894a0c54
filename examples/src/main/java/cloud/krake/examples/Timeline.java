package cloud.krake.examples;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The quickstart's timeline: one line per fact, with the time since start, the application, its
 * state (or what reported the fact) and what happened. Thread-safe: lines from the store's watch,
 * the pod observers and the scenarios never interleave.
 */
final class Timeline {

  private final PrintStream out;
  private final Clock clock;
  private final Instant start;

  Timeline(PrintStream out, Clock clock) {
    this.out = out;
    this.clock = clock;
    this.start = clock.instant();
  }

  /** The instant the timeline started. */
  Instant start() {
    return start;
  }

  /** Prints the column headers. */
  synchronized void header() {
    out.printf("%8s  %-15s %-21s %s%n", "TIME", "APPLICATION", "STATE", "WHAT HAPPENED");
  }

  /**
   * Prints one fact.
   *
   * @param app the application, or {@code -} for the whole quickstart
   * @param state its state, or the source of the fact in brackets ({@code [pod]}, {@code [client]})
   * @param what what happened
   */
  synchronized void say(String app, String state, String what) {
    out.printf("%8s  %-15s %-21s %s%n", "+" + seconds(clock.instant()), app, state, what);
  }

  /** Prints a line as it is (tables, notes). */
  synchronized void print(String line) {
    out.println(line);
  }

  /** Seconds since start, e.g. {@code 3.25s}. */
  String seconds(Instant t) {
    return String.format("%.2fs", Duration.between(start, t).toMillis() / 1000.0);
  }
}
