package cloud.krake.hooks.execution;

import java.util.Objects;

/**
 * One occurrence of an application's action that hooks surround.
 *
 * @param action the action
 * @param operation identifies this occurrence, so that a hook that succeeded for it is never run
 *     again while the hooks of a later occurrence (the next update) run afresh; the caller chooses
 *     a value stable across restarts, for example the application's uid for deploy and delete, and
 *     the spec's revision or modification time for update and migrate
 * @param context what the hooks run for; its {@code applicationNamespace} and {@code
 *     applicationName} key the records
 */
public record ActionRun(HookAction action, String operation, ExecutionContext context) {

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if {@code operation} is blank
   */
  public ActionRun {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(context, "context");
    if (operation.isBlank()) {
      throw new IllegalArgumentException("an action run needs an operation id");
    }
  }
}
