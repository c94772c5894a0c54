package cloud.krake.testing.kubernetes;

/**
 * The switch behind {@link FakeKubernetesApiServer#holdWatchEvents()}: while held, every watch
 * stream's writer waits before it writes its next line, so nothing more is written (no events, no
 * bookmarks; a line a writer had already taken when the hold began may still go out) and the queued
 * events are written, in order, once released. A client that went away, or {@code dropWatches()},
 * is noticed only after the release. Thread-safe.
 */
final class WatchHold {
  private boolean held;
  private boolean closed;

  /** Holds the writers; does nothing once {@link #close()}d. */
  synchronized void hold() {
    held = !closed;
  }

  synchronized void release() {
    held = false;
    notifyAll();
  }

  /** Releases the writers for good: the server is closing. */
  synchronized void close() {
    closed = true;
    release();
  }

  /** Returns at once unless held; else when released. */
  synchronized void awaitReleased() throws InterruptedException {
    while (held) {
      wait();
    }
  }
}
