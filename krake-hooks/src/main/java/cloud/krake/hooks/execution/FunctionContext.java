package cloud.krake.hooks.execution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link HookFunction} gets for one phase: the rendered arguments, the template context as
 * it is at this phase (earlier phases' outputs included), the execution context, the deadline and
 * the cancellation flag, and a way to wait between polls that tests can drive.
 *
 * <p>Immutable; may be used from the thread running the phase only (the {@link Sleeper} and the
 * clock are shared and thread-safe).
 */
public final class FunctionContext {

  private final String phase;
  private final ObjectNode args;
  private final TemplateContext templates;
  private final ExecutionContext execution;
  private final Instant deadline;
  private final Clock clock;
  private final Cancellation cancellation;
  private final Sleeper sleeper;

  /**
   * Creates a context; the engine does, and so may tests of functions.
   *
   * @param phase the phase's name
   * @param args the rendered arguments; copied
   * @param templates the template context at this phase
   * @param execution what the action runs for
   * @param deadline when the phase must have finished
   * @param clock the clock {@link #deadline()} is measured on
   * @param cancellation the run's cancellation flag
   * @param sleeper how {@link #pause(Duration)} waits
   */
  public FunctionContext(
      String phase,
      ObjectNode args,
      TemplateContext templates,
      ExecutionContext execution,
      Instant deadline,
      Clock clock,
      Cancellation cancellation,
      Sleeper sleeper) {
    this.phase = Objects.requireNonNull(phase, "phase");
    this.args = Objects.requireNonNull(args, "args").deepCopy();
    this.templates = Objects.requireNonNull(templates, "templates");
    this.execution = Objects.requireNonNull(execution, "execution");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cancellation = Objects.requireNonNull(cancellation, "cancellation");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
  }

  /** Returns the phase's name. */
  public String phase() {
    return phase;
  }

  /** Returns a copy of the rendered arguments. */
  public ObjectNode args() {
    return args.deepCopy();
  }

  /** Returns the template context at this phase. */
  public TemplateContext templates() {
    return templates;
  }

  /** Returns what the action runs for (application, cluster, namespace, subject). */
  public ExecutionContext execution() {
    return execution;
  }

  /** Returns when the phase must have finished, on {@link #clock()}. */
  public Instant deadline() {
    return deadline;
  }

  /** Returns the clock of the engine. */
  public Clock clock() {
    return clock;
  }

  /** Returns the run's cancellation flag, to hand on to SPIs such as {@link PodRunner}. */
  public Cancellation cancellation() {
    return cancellation;
  }

  /** Returns the time left until the deadline; zero once it passed. */
  public Duration remaining() {
    Duration left = Duration.between(clock.instant(), deadline);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /** Returns whether the run was cancelled or the deadline has passed: stop as soon as possible. */
  public boolean cancelled() {
    return cancellation.isCancelled() || !clock.instant().isBefore(deadline);
  }

  /**
   * Waits for {@code duration}, or less if the deadline comes first.
   *
   * @param duration how long to wait
   * @return {@code true} if the function may go on, {@code false} once {@link #cancelled()}
   * @throws InterruptedException if the thread is interrupted while waiting
   */
  public boolean pause(Duration duration) throws InterruptedException {
    Objects.requireNonNull(duration, "duration");
    Duration wait = duration.compareTo(remaining()) < 0 ? duration : remaining();
    if (!cancelled() && !wait.isZero()) {
      sleeper.sleep(wait);
    }
    return !cancelled();
  }

  @Override
  public String toString() {
    return "FunctionContext[phase=" + phase + ", deadline=" + deadline + "]";
  }
}
