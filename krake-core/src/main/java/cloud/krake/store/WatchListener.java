package cloud.krake.store;

import cloud.krake.KrakeException;

/**
 * Receives the changes of a {@link Watch}.
 *
 * <p>Threading: a store calls the methods of one listener from one thread at a time, in revision
 * order, never concurrently. A listener that blocks holds up its own watch only. An exception
 * thrown by a listener is logged by the store and does not end the watch.
 */
@FunctionalInterface
public interface WatchListener {

  /**
   * Called once for every change under the watched prefix, in revision order, with no revision
   * skipped. Several events may share one revision (a transaction touching several keys).
   *
   * @param event the change
   */
  void onEvent(WatchEvent event);

  /**
   * Called when the watch's start revision, or the revision it had to resume from after a lost
   * connection, has been compacted away: events were lost, so the watcher must re-list and watch
   * again from the listing's revision + 1. The watch has ended when this is called; no further
   * method is called. The default does nothing.
   *
   * @param compactRevision the oldest revision the store still serves
   */
  default void onCompacted(long compactRevision) {}

  /**
   * Called when the watch ended for good without a compaction: the store was closed, or it failed
   * in a way it does not retry. No further method is called. The default does nothing.
   *
   * @param cause why the watch ended
   */
  default void onClosed(KrakeException cause) {}
}
