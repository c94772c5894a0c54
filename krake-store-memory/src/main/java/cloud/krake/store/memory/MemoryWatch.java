package cloud.krake.store.memory;

import cloud.krake.KrakeException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchListener;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch of a {@link MemoryStore}: a queue filled under the store's lock and drained by the
 * watch's own thread, in revision order.
 */
final class MemoryWatch implements Watch {

  /** How long closing a watch waits for a listener call in progress. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(MemoryStore.class);

  private record Compacted(long compactRevision) {}

  private record Closed(KrakeException cause) {}

  private static final Object STOP = new Object();

  private final String prefix;
  private final WatchListener listener;
  private final Consumer<MemoryWatch> onClose;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean stopped;

  /**
   * @param onClose removes the watch from its store; called by {@link #close()}
   */
  MemoryWatch(String prefix, WatchListener listener, int id, Consumer<MemoryWatch> onClose) {
    this.prefix = prefix;
    this.listener = listener;
    this.onClose = onClose;
    this.thread = new Thread(this::run, "krake-memory-watch-" + id);
    thread.setDaemon(true);
  }

  /** Starts delivering on the watch's thread. */
  void start() {
    thread.start();
  }

  /** Queues an event of a key under the watch's prefix (others are ignored). */
  void offer(WatchEvent event) {
    if (event.key().startsWith(prefix)) {
      queue.add(event);
    }
  }

  /** Queues the end of the watch: its start revision was compacted. */
  void compacted(long compactRevision) {
    queue.add(new Compacted(compactRevision));
  }

  /** Queues the end of the watch: the store closed. */
  void closed(KrakeException cause) {
    queue.add(new Closed(cause));
  }

  private void run() {
    try {
      while (!stopped) {
        Object item = queue.take();
        if (stopped || item == STOP) {
          return;
        }
        if (item instanceof Compacted c) {
          listener.onCompacted(c.compactRevision());
          return;
        }
        if (item instanceof Closed c) {
          listener.onClosed(c.cause());
          return;
        }
        try {
          listener.onEvent((WatchEvent) item);
        } catch (RuntimeException e) {
          log.warn("watch listener failed on revision {}", ((WatchEvent) item).revision(), e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Stops delivery; a listener call in progress finishes first (waited for up to {@link
   * #CLOSE_WAIT}, except when called from the listener itself).
   */
  @Override
  public void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    onClose.accept(this);
    queue.add(STOP);
    if (Thread.currentThread() != thread) {
      try {
        thread.join(CLOSE_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
