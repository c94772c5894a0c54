package cloud.krake.testing.kubernetes;

/**
 * The switch behind {@link FakeKubernetesApiServer#holdWatchEvents()}: while held, every watch
 * stream's writer waits before it writes its next line, so nothing is written (no events, no
 * bookmarks) and the queued events are written, in order, once released. Thread-safe.
 */
final class WatchHold {
  private boolean held;

  synchronized void hold() {
    held = true;
  }

  synchronized void release() {
    held = false;
    notifyAll();
  }

  /** Returns at once unless held; else when released. */
  synchronized void awaitReleased() throws InterruptedException {
    while (held) {
      wait();
    }
  }
}
