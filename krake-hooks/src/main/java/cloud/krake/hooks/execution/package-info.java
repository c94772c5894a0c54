/**
 * Execution hooks in the style of Kanister and Kasten K10: blueprints of named actions, each an
 * ordered list of phases (a function, a name and arguments) with an optional {@code deferPhase}
 * that always runs, and the {@code preHook} / {@code onSuccess} / {@code onFailure} references an
 * application carries for its deploy, update, migrate and delete actions.
 *
 * <ul>
 *   <li>{@link cloud.krake.hooks.execution.Blueprint} and {@link
 *       cloud.krake.hooks.execution.ExecutionHooks} are the model, parsed from Kanister's and K10's
 *       JSON or YAML with every error naming its field;
 *   <li>{@link cloud.krake.hooks.execution.ExecutionEngine} runs one action: phases in order,
 *       stopping at the first failure, the deferPhase always, outputs between phases, output
 *       artifacts at the end;
 *   <li>{@link cloud.krake.hooks.execution.HookRunner} applies K10's rules around an application's
 *       action (a preHook before it, onSuccess or onFailure after it, retries with exponential
 *       back-off for preHook and onSuccess, none for onFailure, a succeeded hook never again) and
 *       persists every attempt in the store ({@link cloud.krake.hooks.execution.HookRecords}) so a
 *       restarted host resumes;
 *   <li>{@link cloud.krake.hooks.execution.HookFunction} is the SPI of phase functions; the
 *       built-ins are {@code HttpCall}, {@code Wait} (over an {@link
 *       cloud.krake.hooks.execution.ObjectReader}), {@code KubeTask} and {@code KubeExec} (over a
 *       {@link cloud.krake.hooks.execution.PodRunner}); the Kubernetes module provides the readers
 *       and runners.
 * </ul>
 *
 * <p>Nothing in this package accepts or returns {@code null}: maybe-absent values are {@link
 * java.util.Optional}, "nothing" is an empty collection or a documented constant ({@link
 * cloud.krake.hooks.execution.PodRunner#NONE}, {@link
 * cloud.krake.hooks.execution.ObjectReader#NONE}). Errors are {@link
 * cloud.krake.model.InvalidResourceException} (bad input, naming the field), a {@link
 * cloud.krake.hooks.execution.TemplateException} (a template naming the missing key), or a {@link
 * cloud.krake.dispatcher.HookException} (a phase that failed); a failed action is a value ({@link
 * cloud.krake.hooks.execution.ActionResult}), not an exception. Phase outputs and artifacts may
 * hold values the blueprint author considers sensitive: they are never logged and {@code
 * toString()} shows their keys only.
 */
package cloud.krake.hooks.execution;
