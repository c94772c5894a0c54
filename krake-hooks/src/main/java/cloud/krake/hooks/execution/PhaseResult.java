package cloud.krake.hooks.execution;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened to one phase of a run, as a phase of Kanister's ActionSet status.
 *
 * <p>{@link #toString()} shows output keys only.
 *
 * @param name the phase's name
 * @param func the function's name
 * @param state whether it succeeded, failed or was skipped after an earlier failure
 * @param outputs its outputs; empty unless it succeeded
 * @param error why it failed; present only for {@link State#FAILED}
 * @param startedAt when it started; for a skipped phase, when it was skipped
 * @param finishedAt when it finished
 */
public record PhaseResult(
    String name,
    String func,
    State state,
    Map<String, String> outputs,
    Optional<String> error,
    Instant startedAt,
    Instant finishedAt) {

  /** The outcome of a phase. */
  public enum State {
    /** The function returned before the deadline. */
    SUCCEEDED,
    /** Rendering, validation or the function failed, or the deadline passed. */
    FAILED,
    /** Not run, because an earlier phase failed or the run was cancelled. */
    SKIPPED
  }

  /** Checks and copies the components. */
  public PhaseResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(func, "func");
    Objects.requireNonNull(state, "state");
    outputs = Map.copyOf(Objects.requireNonNull(outputs, "outputs"));
    Objects.requireNonNull(error, "error");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    if ((state == State.FAILED) != error.isPresent()) {
      throw new IllegalArgumentException("an error is present exactly for a failed phase");
    }
  }

  /** Returns whether the phase succeeded. */
  public boolean succeeded() {
    return state == State.SUCCEEDED;
  }

  @Override
  public String toString() {
    return "PhaseResult["
        + name
        + " ("
        + func
        + ") "
        + state
        + (outputs.isEmpty() ? "" : ", outputs=" + new java.util.TreeSet<>(outputs.keySet()))
        + error.map(e -> ", error=" + e).orElse("")
        + "]";
  }
}
