/**
 * The controller runtime every Krake control loop runs on (the scheduler, the Kubernetes
 * application and cluster controllers): a keyed work queue ({@link
 * cloud.krake.runtime.KeyedWorkQueue}) with one worker per key, latest value wins and per-key
 * exponential backoff, as kubernetes-client/java's {@code DefaultRateLimitingQueue}; a {@link
 * cloud.krake.runtime.Controller} running a {@link cloud.krake.runtime.Reconciler} on named,
 * bounded, library-owned worker threads or step by step on the host's thread; and a {@link
 * cloud.krake.runtime.Reflector} that lists and watches a store collection, re-listing after a
 * compaction, as Krake's {@code Reflector} (which re-lists on every reconnect).
 *
 * <p>Delays go through an injected {@link cloud.krake.runtime.Timer} so that tests advance time
 * instead of sleeping. Nothing in this package accepts or returns {@code null}.
 */
package cloud.krake.runtime;
