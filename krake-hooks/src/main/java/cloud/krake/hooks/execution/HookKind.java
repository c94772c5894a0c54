package cloud.krake.hooks.execution;

import java.util.Optional;

/** The three hooks of Kasten K10's policy hooks, with their JSON names. */
public enum HookKind {
  /** Runs before the action; retried per its policy; a final failure fails the action. */
  PRE_HOOK("preHook", true),
  /** Runs after the action succeeded; retried per its policy. */
  ON_SUCCESS("onSuccess", true),
  /** Runs after the action failed (once the caller's retries are exhausted); never retried. */
  ON_FAILURE("onFailure", false);

  private final String jsonName;
  private final boolean retryable;

  HookKind(String jsonName, boolean retryable) {
    this.jsonName = jsonName;
    this.retryable = retryable;
  }

  /** Returns the name used in JSON and in store keys, for example {@code preHook}. */
  public String jsonName() {
    return jsonName;
  }

  /** Returns whether a failed run may be retried (K10: every hook but onFailure). */
  public boolean retryable() {
    return retryable;
  }

  /**
   * Returns the hook with a JSON name.
   *
   * @param jsonName for example {@code onSuccess}
   * @return the hook, or empty if no hook has that name
   */
  public static Optional<HookKind> fromJsonName(String jsonName) {
    for (HookKind kind : values()) {
      if (kind.jsonName.equals(jsonName)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }
}
