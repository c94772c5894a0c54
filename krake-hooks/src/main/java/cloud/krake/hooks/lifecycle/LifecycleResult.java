package cloud.krake.hooks.lifecycle;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a lifecycle hook, as {@link LifecycleRunner} returns it: succeeded, failed (with
 * the reason and the failure event, {@code FailedPostStartHook} or {@code FailedPreStopHook}), or
 * skipped (no hook declared, or a preStop at a grace period of 0). A preStop result also carries
 * the grace period left for stopping the workload.
 *
 * <p>Immutable. {@link #toString()} never shows the output tail.
 */
public final class LifecycleResult {

  /** What happened. */
  public enum Outcome {
    /** The handler succeeded. */
    SUCCEEDED,
    /** The handler failed or ran out of time. */
    FAILED,
    /** Nothing ran. */
    SKIPPED
  }

  private final Outcome outcome;
  private final Optional<String> error;
  private final List<LifecycleEvent> events;
  private final String outputTail;
  private final Duration elapsed;
  private final Optional<Duration> remainingGrace;

  private LifecycleResult(
      Outcome outcome,
      Optional<String> error,
      List<LifecycleEvent> events,
      String outputTail,
      Duration elapsed,
      Optional<Duration> remainingGrace) {
    this.outcome = outcome;
    this.error = error;
    this.events = List.copyOf(events);
    this.outputTail = outputTail;
    this.elapsed = elapsed;
    this.remainingGrace = remainingGrace;
    if ((outcome == Outcome.FAILED) != error.isPresent()) {
      throw new IllegalArgumentException("an error is present exactly for a failure");
    }
  }

  /**
   * A success.
   *
   * @param events the run's events (warnings such as a non-2xx answer in the default mode)
   * @param outputTail the redacted output tail, empty if none
   * @param elapsed how long the handler took
   */
  public static LifecycleResult succeeded(
      List<LifecycleEvent> events, String outputTail, Duration elapsed) {
    return new LifecycleResult(
        Outcome.SUCCEEDED,
        Optional.empty(),
        Objects.requireNonNull(events, "events"),
        Objects.requireNonNull(outputTail, "outputTail"),
        Objects.requireNonNull(elapsed, "elapsed"),
        Optional.empty());
  }

  /**
   * A failure.
   *
   * @param error why, redacted
   * @param events the run's events, including the failure event
   * @param outputTail the redacted output tail, empty if none
   * @param elapsed how long the handler took, or until it was abandoned
   */
  public static LifecycleResult failed(
      String error, List<LifecycleEvent> events, String outputTail, Duration elapsed) {
    return new LifecycleResult(
        Outcome.FAILED,
        Optional.of(Objects.requireNonNull(error, "error")),
        Objects.requireNonNull(events, "events"),
        Objects.requireNonNull(outputTail, "outputTail"),
        Objects.requireNonNull(elapsed, "elapsed"),
        Optional.empty());
  }

  /** Nothing ran. */
  public static LifecycleResult skipped() {
    return new LifecycleResult(
        Outcome.SKIPPED, Optional.empty(), List.of(), "", Duration.ZERO, Optional.empty());
  }

  /** Returns a copy carrying the grace period left after a preStop. */
  LifecycleResult withRemainingGrace(Duration remaining) {
    return new LifecycleResult(outcome, error, events, outputTail, elapsed, Optional.of(remaining));
  }

  /** Returns what happened. */
  public Outcome outcome() {
    return outcome;
  }

  /** Returns whether the workload may proceed: the hook succeeded or nothing ran. */
  public boolean succeeded() {
    return outcome != Outcome.FAILED;
  }

  /** Returns why the hook failed; present exactly for {@link Outcome#FAILED}. */
  public Optional<String> error() {
    return error;
  }

  /** Returns the run's events in order; empty for a skipped hook. */
  public List<LifecycleEvent> events() {
    return events;
  }

  /** Returns the redacted tail (10 KiB) of an exec's stdout and stderr; empty otherwise. */
  public String outputTail() {
    return outputTail;
  }

  /** Returns how long the handler ran (until abandoned, for one that overran). */
  public Duration elapsed() {
    return elapsed;
  }

  /**
   * Returns, for a preStop, the grace period left for stopping the workload after the hook: the
   * grace period minus the whole seconds the hook took, at least 2 s (the kubelet's {@code
   * minimumGracePeriodInSeconds}); empty for a postStart.
   */
  public Optional<Duration> remainingGrace() {
    return remainingGrace;
  }

  @Override
  public String toString() {
    return "LifecycleResult["
        + outcome
        + error.map(e -> " error=" + e).orElse("")
        + " events="
        + events.stream().map(LifecycleEvent::reason).toList()
        + " elapsed="
        + elapsed
        + remainingGrace.map(g -> " remainingGrace=" + g).orElse("")
        + " output=<"
        + outputTail.length()
        + " chars>]";
  }
}
