package cloud.krake.action;

/**
 * Behaviour around one of Krake's actions, as OkHttp's {@code Interceptor} is around a call: it
 * observes, vetoes, delays or wraps the rest of the chain.
 *
 * <p>An interceptor either calls {@link ActionChain#proceed} exactly once and returns its outcome
 * (possibly after acting on it: an onSuccess after a {@link ActionOutcome.Kind#PROCEED}), or does
 * not call it and returns its own outcome: {@link ActionOutcome#waitUntil} to come back at an
 * instant, {@link ActionOutcome#waitForEvent} to come back when the application changes or a hook
 * it started ends, {@link ActionOutcome#fail} to make the application FAILED with a reason. An
 * exception thrown by the rest of the chain (a {@code KubernetesException}, an {@code
 * InvalidResourceException}, a {@code HookException}) passes through; an interceptor may catch it
 * to act and must then rethrow it.
 *
 * <pre>{@code
 * ActionInterceptor maintenanceWindow = chain ->
 *     chain.action() == KrakeAction.DEPLOY && inFreeze(clock.instant())
 *         ? ActionOutcome.waitUntil(freezeEnd)
 *         : chain.proceed();
 * }</pre>
 *
 * <p>Threading: called on the controller's worker that processes the application, one action of an
 * application at a time; an interceptor shared by applications must be thread-safe. It must not
 * block for long (start long work elsewhere and return {@link ActionOutcome#waitForEvent}).
 *
 * <p>Durability: the chain runs again on every pass of the application until it completes; what an
 * interceptor must remember between passes lives in the store (the application's status, a record
 * of its own), never in its fields, so that a restart at any point resumes.
 */
@FunctionalInterface
public interface ActionInterceptor {

  /**
   * Runs around the rest of the chain.
   *
   * @param chain the action and the rest of the chain
   * @return the outcome; never {@code null}
   */
  ActionOutcome intercept(ActionChain chain);
}
