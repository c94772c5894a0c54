/**
 * Krake's hook dispatcher: the points of an application's and a cluster's lifecycle at which
 * handlers run ({@link cloud.krake.dispatcher.DispatcherHookPoint}), in registration order, with a
 * stated change and failure policy per point. Nothing here accepts or returns {@code null}.
 */
package cloud.krake.dispatcher;
