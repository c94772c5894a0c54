package cloud.krake.store;

/**
 * A running watch started by {@link Store#watch(String, long, WatchListener)}. Closing it stops the
 * delivery of events; a listener call already in progress finishes first. {@link #close()} is
 * idempotent and does not call {@link WatchListener#onClosed}.
 */
public interface Watch extends AutoCloseable {

  /** Stops the watch. Idempotent; never throws. */
  @Override
  void close();
}
