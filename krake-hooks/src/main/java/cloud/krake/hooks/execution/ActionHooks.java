package cloud.krake.hooks.execution;

import java.util.Objects;
import java.util.Optional;

/**
 * The hooks of one action of an application, as a K10 policy's {@code preHook}, {@code onSuccess}
 * and {@code onFailure}.
 *
 * @param preHook runs before the action
 * @param onSuccess runs after the action succeeded
 * @param onFailure runs after the action failed; its retry policy is {@link RetryPolicy#NONE}
 */
public record ActionHooks(
    Optional<HookRef> preHook, Optional<HookRef> onSuccess, Optional<HookRef> onFailure) {

  /** No hooks. */
  public static final ActionHooks NONE =
      new ActionHooks(Optional.empty(), Optional.empty(), Optional.empty());

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if onFailure has a retry policy of more than one attempt
   */
  public ActionHooks {
    Objects.requireNonNull(preHook, "preHook");
    Objects.requireNonNull(onSuccess, "onSuccess");
    Objects.requireNonNull(onFailure, "onFailure");
    if (onFailure.isPresent() && onFailure.get().retry().attempts() != 1) {
      throw new IllegalArgumentException("onFailure is never retried (Kasten K10)");
    }
  }

  /**
   * Returns one hook.
   *
   * @param kind which hook
   * @return the hook, or empty if the action has none of that kind
   */
  public Optional<HookRef> hook(HookKind kind) {
    return switch (Objects.requireNonNull(kind, "kind")) {
      case PRE_HOOK -> preHook;
      case ON_SUCCESS -> onSuccess;
      case ON_FAILURE -> onFailure;
    };
  }

  /**
   * Returns a copy with a preHook.
   *
   * @param hook the hook
   */
  public ActionHooks withPreHook(HookRef hook) {
    return new ActionHooks(Optional.of(hook), onSuccess, onFailure);
  }

  /**
   * Returns a copy with an onSuccess hook.
   *
   * @param hook the hook
   */
  public ActionHooks withOnSuccess(HookRef hook) {
    return new ActionHooks(preHook, Optional.of(hook), onFailure);
  }

  /**
   * Returns a copy with an onFailure hook; its retry policy becomes {@link RetryPolicy#NONE}.
   *
   * @param hook the hook
   */
  public ActionHooks withOnFailure(HookRef hook) {
    return new ActionHooks(preHook, onSuccess, Optional.of(hook.withRetry(RetryPolicy.NONE)));
  }
}
