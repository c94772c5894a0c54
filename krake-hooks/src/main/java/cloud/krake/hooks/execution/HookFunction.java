package cloud.krake.hooks.execution;

import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A function a phase runs, as Kanister's {@code Func}: registered by name with the {@link
 * ExecutionEngine}, which validates a phase's arguments with {@link #validate} when a blueprint or
 * an application's hooks are checked, renders their templates, and calls {@link #execute}.
 *
 * <p>Built-ins: {@link HttpCallFunction HttpCall}, {@link WaitFunction Wait}, {@link
 * KubeTaskFunction KubeTask} and {@link KubeExecFunction KubeExec}. A host adds its own:
 *
 * <pre>{@code
 * HookFunction flush = new HookFunction() {
 *   public String name() { return "FlushCache"; }
 *   public PhaseOutput execute(FunctionContext c) { cache.flush(c.args().path("region").asText());
 *     return PhaseOutput.none(); }
 * };
 * ExecutionEngine engine = ExecutionEngine.builder().function(flush).build();
 * }</pre>
 *
 * <p>Threading: {@link #execute} runs on the thread that runs the action, one phase at a time; an
 * instance may be called concurrently for different actions and must be thread-safe. It must honour
 * {@link FunctionContext#deadline()} and {@link FunctionContext#cancelled()}: the engine cannot
 * stop it, and discards a result that arrives after the deadline.
 */
public interface HookFunction {

  /** Returns the name phases use in {@code func}, for example {@code KubeTask}. */
  String name();

  /**
   * Checks a phase's arguments before anything runs. Called with the arguments as written, whose
   * strings may still be templates (skip value checks of a string that contains <code>{{</code>),
   * and again with the rendered arguments just before {@link #execute}.
   *
   * @param args the arguments
   * @return every problem, each naming its argument relative to {@code args} (for example {@code
   *     command[0]} or {@code image}); empty if they are fine
   */
  default List<FieldError> validate(ObjectNode args) {
    return List.of();
  }

  /**
   * Runs the phase.
   *
   * @param context the rendered arguments, templates, deadline and cancellation flag
   * @return the phase's outputs, available to later phases as {@code {{
   *     .Phases.<phase>.Output.<key> }}}
   * @throws InterruptedException if the thread is interrupted; the engine restores the flag
   * @throws Exception any failure fails the phase and stops the action; a {@link
   *     cloud.krake.dispatcher.HookException} message is recorded as is, other exceptions with
   *     their type
   */
  PhaseOutput execute(FunctionContext context) throws Exception;
}
