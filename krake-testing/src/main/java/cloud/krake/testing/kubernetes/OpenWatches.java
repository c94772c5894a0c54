package cloud.krake.testing.kubernetes;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The watches open on an {@link ObjectStore}, in the order they were opened, so that they can be
 * counted, dropped or ended together, and waited for when the store closes.
 *
 * <p>Not thread-safe: every method is called holding the store's lock, which {@link #remove}
 * notifies and {@link #awaitNone} waits on.
 */
final class OpenWatches {
  private final Object lock;
  private final Set<WatchStream> open = new LinkedHashSet<>();

  OpenWatches(Object lock) {
    this.lock = lock;
  }

  void add(WatchStream watch) {
    open.add(watch);
  }

  /** Forgets a watch whose stream finished, and wakes {@link #awaitNone}. */
  void remove(WatchStream watch) {
    open.remove(watch);
    lock.notifyAll();
  }

  int count() {
    return open.size();
  }

  /** Drops every watch's connection without a normal end. */
  void dropAll() {
    for (WatchStream watch : open) {
      watch.drop();
    }
  }

  /** Ends every watch normally. */
  void endAll() {
    for (WatchStream watch : open) {
      watch.end();
    }
  }

  /**
   * Waits, releasing the lock meanwhile, until every stream has finished or {@code timeout} has
   * passed; returns early, with the interrupt flag set, if interrupted.
   */
  void awaitNone(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!open.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
