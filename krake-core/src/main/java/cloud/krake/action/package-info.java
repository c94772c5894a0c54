/**
 * Krake's actions as a chain: the one extension shape for what happens around a deploy, an update,
 * a migration or a deletion of an application (Krake's four actions, {@link
 * cloud.krake.action.KrakeAction}), as OkHttp's {@code Interceptor} and {@code Chain} are for a
 * call.
 *
 * <p>An {@link cloud.krake.action.ActionInterceptor} receives an {@link
 * cloud.krake.action.ActionChain} and either proceeds (the rest of the chain runs and its outcome
 * is returned, possibly wrapped), waits (until an instant, or for an event that queues the
 * application again) or fails, all through one {@link cloud.krake.action.ActionOutcome}; the
 * controller maps that outcome to its reconcile result in one place ({@link
 * cloud.krake.action.ActionOutcome#toReconcileResult}). Krake's own gates (the shutdown hook, the
 * execution hooks, the container lifecycle hooks, the dispatcher's application hook points) are
 * interceptors too; the end of the chain carries the action out.
 *
 * <p>Nothing here accepts or returns {@code null}.
 */
package cloud.krake.action;
