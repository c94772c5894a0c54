package cloud.krake.hooks.execution;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one action run by the {@link ExecutionEngine}, as Kanister's ActionSet status: the
 * phases in order (run, failed, skipped), the deferPhase if any, the output artifacts (only when
 * everything succeeded), and the error that failed the action.
 *
 * <p>Built by the static factories; immutable and thread-safe. {@link #toString()} shows keys, not
 * values.
 */
public final class ActionResult {

  private final List<PhaseResult> phases;
  private final Optional<PhaseResult> deferPhase;
  private final Map<String, Artifact> artifacts;
  private final Optional<String> error;

  private ActionResult(
      List<PhaseResult> phases,
      Optional<PhaseResult> deferPhase,
      Map<String, Artifact> artifacts,
      Optional<String> error) {
    this.phases = List.copyOf(phases);
    this.deferPhase = deferPhase;
    this.artifacts = Map.copyOf(artifacts);
    this.error = error;
  }

  /**
   * A successful run.
   *
   * @param phases every phase, each succeeded
   * @param deferPhase the deferPhase, succeeded, if the action has one
   * @param artifacts the rendered output artifacts
   * @return the result
   * @throws IllegalArgumentException if a phase or the deferPhase did not succeed
   */
  public static ActionResult succeeded(
      List<PhaseResult> phases, Optional<PhaseResult> deferPhase, Map<String, Artifact> artifacts) {
    Objects.requireNonNull(deferPhase, "deferPhase");
    if (!phases.stream().allMatch(PhaseResult::succeeded)
        || !deferPhase.map(PhaseResult::succeeded).orElse(true)) {
      throw new IllegalArgumentException("a successful run has only successful phases");
    }
    return new ActionResult(phases, deferPhase, artifacts, Optional.empty());
  }

  /**
   * A failed run.
   *
   * @param phases the phases as far as they got (failed and skipped ones included)
   * @param deferPhase the deferPhase, if the action has one
   * @param error why the action failed; names the phase
   * @return the result
   */
  public static ActionResult failed(
      List<PhaseResult> phases, Optional<PhaseResult> deferPhase, String error) {
    Objects.requireNonNull(deferPhase, "deferPhase");
    Objects.requireNonNull(error, "error");
    return new ActionResult(phases, deferPhase, Map.of(), Optional.of(error));
  }

  /** Returns whether every phase and the deferPhase succeeded and the artifacts rendered. */
  public boolean succeeded() {
    return error.isEmpty();
  }

  /** Returns the phases in order. */
  public List<PhaseResult> phases() {
    return phases;
  }

  /** Returns the deferPhase's result, if the action has one. */
  public Optional<PhaseResult> deferPhase() {
    return deferPhase;
  }

  /** Returns the output artifacts; empty unless the run succeeded. */
  public Map<String, Artifact> artifacts() {
    return artifacts;
  }

  /** Returns why the run failed; empty if it succeeded. */
  public Optional<String> error() {
    return error;
  }

  /**
   * Returns the outputs of every succeeded phase (and of the deferPhase), by phase name, as they
   * are persisted in a {@link HookRecord}.
   */
  public Map<String, Map<String, String>> outputs() {
    Map<String, Map<String, String>> outputs = new LinkedHashMap<>();
    phases.stream()
        .filter(PhaseResult::succeeded)
        .forEach(phase -> outputs.put(phase.name(), phase.outputs()));
    deferPhase
        .filter(PhaseResult::succeeded)
        .ifPresent(phase -> outputs.put(phase.name(), phase.outputs()));
    return outputs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ActionResult other
        && phases.equals(other.phases)
        && deferPhase.equals(other.deferPhase)
        && artifacts.equals(other.artifacts)
        && error.equals(other.error);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phases, deferPhase, artifacts, error);
  }

  @Override
  public String toString() {
    return "ActionResult["
        + (succeeded() ? "SUCCEEDED" : "FAILED: " + error.orElseThrow())
        + ", phases="
        + phases
        + deferPhase.map(d -> ", deferPhase=" + d).orElse("")
        + (artifacts.isEmpty() ? "" : ", artifacts=" + new java.util.TreeSet<>(artifacts.keySet()))
        + "]";
  }
}
