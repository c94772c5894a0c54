package cloud.krake.store;

import cloud.krake.KrakeException;
import cloud.krake.model.Resource;

/**
 * Receives the changes of a typed watch ({@link Resources#watch}). Same threading and ordering
 * rules as {@link WatchListener}: one call at a time, in revision order, on a store-owned thread.
 *
 * @param <T> the resource type
 */
@FunctionalInterface
public interface ResourceListener<T extends Resource<T>> {

  /**
   * Called for every change, in revision order.
   *
   * @param event the change
   */
  void onEvent(ResourceEvent<T> event);

  /**
   * Called when events were lost to a compaction; re-list and watch again. The watch has ended.
   *
   * @param compactRevision the oldest revision the store still serves
   */
  default void onCompacted(long compactRevision) {}

  /**
   * Called when the watch ended for good (store closed). The default does nothing.
   *
   * @param cause why it ended
   */
  default void onClosed(KrakeException cause) {}

  /**
   * Called for a document that could not be decoded; the watch goes on with the next event. The
   * default does nothing (the store's typed layer has already logged the key).
   *
   * @param error the error, naming the key
   */
  default void onCorruptDocument(CorruptDocumentException error) {}
}
