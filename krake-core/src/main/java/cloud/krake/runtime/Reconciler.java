package cloud.krake.runtime;

/**
 * Brings the world in line with the stored state of one key, as the body of a Krake controller's
 * worker ({@code resource_received}). Called by a {@link Controller} with at most one call per key
 * at a time; calls for different keys run concurrently on the controller's workers.
 *
 * <p>The key carries no value: the reconciler re-reads the resource from the store, so the latest
 * value always wins and a key queued several times is reconciled once. A reconciler must be
 * idempotent: it may be called again for a state it has already handled.
 *
 * @param <K> the key type, a record such as {@link ResourceKey}
 */
@FunctionalInterface
public interface Reconciler<K> {

  /**
   * Reconciles one key.
   *
   * @param key the key
   * @return what to do next
   * @throws RuntimeException on any failure: the controller logs it and queues the key again with
   *     per-key exponential backoff ({@link KeyedWorkQueue#requeueWithBackoff})
   */
  ReconcileResult reconcile(K key);
}
