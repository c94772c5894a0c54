package cloud.krake.hooks.execution;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One hook of an application's action: what runs (exactly one handler: a blueprint's action by
 * {@code blueprint} and {@code actionName}, as K10's hook references, or an inline {@code action}),
 * with options, a retry policy and a timeout.
 *
 * <p>JSON form:
 *
 * <pre>{@code
 * {"blueprint": "mysql-hooks", "actionName": "freeze",     // or "action": {"phases": [...]}
 *  "options": {"bucket": "backups"},                         // .Options in templates
 *  "timeout": 600,                                           // seconds, 1 to 86400; default 900
 *  "retry": {"attempts": 3, "backoff": {"initial": 10, "max": 300}}}   // not on onFailure
 * }</pre>
 *
 * <p>{@link #toString()} shows option keys only.
 *
 * @param blueprint the blueprint's name; present exactly when {@code actionName} is
 * @param actionName the action's name in the blueprint
 * @param action an inline action; present exactly when {@code blueprint} is not
 * @param options values for {@code {{ .Options.<key> }}}
 * @param retry the retry policy ({@link RetryPolicy#NONE} for onFailure)
 * @param timeout the budget of one attempt, 1 s to 24 h
 */
public record HookRef(
    Optional<String> blueprint,
    Optional<String> actionName,
    Optional<BlueprintAction> action,
    Map<String, String> options,
    RetryPolicy retry,
    Duration timeout) {

  /** The default timeout of one attempt, as Kanister's default wait for a pod: 15 min. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if there is not exactly one handler, or the timeout is not
   *     between 1 s and 24 h
   */
  public HookRef {
    Objects.requireNonNull(blueprint, "blueprint");
    Objects.requireNonNull(actionName, "actionName");
    Objects.requireNonNull(action, "action");
    options = Map.copyOf(Objects.requireNonNull(options, "options"));
    Objects.requireNonNull(retry, "retry");
    Objects.requireNonNull(timeout, "timeout");
    if (blueprint.isPresent() != actionName.isPresent()) {
      throw new IllegalArgumentException("blueprint and actionName go together");
    }
    if (blueprint.isPresent() == action.isPresent()) {
      throw new IllegalArgumentException(
          "a hook needs exactly one handler: blueprint and actionName, or an inline action");
    }
    if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Args.MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException("a hook timeout must be 1 s to 24 h: " + timeout);
    }
  }

  /**
   * Returns a reference to a blueprint's action with the default retry policy and timeout.
   *
   * @param blueprint the blueprint's name
   * @param actionName the action's name
   */
  public static HookRef blueprint(String blueprint, String actionName) {
    return new HookRef(
        Optional.of(blueprint),
        Optional.of(actionName),
        Optional.empty(),
        Map.of(),
        RetryPolicy.DEFAULT,
        DEFAULT_TIMEOUT);
  }

  /**
   * Returns an inline action with the default retry policy and timeout.
   *
   * @param action the action
   */
  public static HookRef inline(BlueprintAction action) {
    return new HookRef(
        Optional.empty(),
        Optional.empty(),
        Optional.of(action),
        Map.of(),
        RetryPolicy.DEFAULT,
        DEFAULT_TIMEOUT);
  }

  /**
   * Returns a copy with options.
   *
   * @param options the options
   */
  public HookRef withOptions(Map<String, String> options) {
    return new HookRef(blueprint, actionName, action, options, retry, timeout);
  }

  /**
   * Returns a copy with a retry policy.
   *
   * @param retry the policy
   */
  public HookRef withRetry(RetryPolicy retry) {
    return new HookRef(blueprint, actionName, action, options, retry, timeout);
  }

  /**
   * Returns a copy with a timeout.
   *
   * @param timeout 1 s to 24 h
   */
  public HookRef withTimeout(Duration timeout) {
    return new HookRef(blueprint, actionName, action, options, retry, timeout);
  }

  /** Returns a short description of the handler: {@code blueprint/action} or {@code inline}. */
  public String handler() {
    return blueprint.map(b -> b + "/" + actionName.orElseThrow()).orElse("inline");
  }

  @Override
  public String toString() {
    return "HookRef["
        + handler()
        + ", options="
        + new java.util.TreeSet<>(options.keySet())
        + ", retry="
        + retry
        + ", timeout="
        + timeout
        + "]";
  }
}
