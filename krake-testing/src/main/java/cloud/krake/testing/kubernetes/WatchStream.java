package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import mockwebserver3.MockResponseBody;
import okio.BufferedSink;

/**
 * One open watch: a queue of event lines filled by the store (under its lock, in resourceVersion
 * order) and drained by the web server's connection thread, which writes each line as one HTTP/1.1
 * chunk (hand-written framing, as MockWebServer does not frame a body of unknown length).
 *
 * <p>The stream ends normally (last chunk) at its deadline, on {@link #end()} or when the server
 * closes; it ends abruptly (no last chunk, the socket is closed) on {@link #drop()}. A client that
 * goes away is noticed at the next write. While the server holds its watches ({@link WatchHold}),
 * the writer waits before it writes the next line.
 */
final class WatchStream implements MockResponseBody {
  private static final Object END = new Object();
  private static final Object DROP = new Object();
  private static final long BOOKMARK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  final ApiResource type;
  private final String namespace;
  private final Selectors selectors;
  private final long deadlineNanos;
  private final boolean bookmarks;
  private final LongSupplier currentResourceVersion;
  private final Consumer<WatchStream> onFinish;
  private final WatchHold hold;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicBoolean finished = new AtomicBoolean();

  WatchStream(
      ApiResource type,
      String namespace,
      Selectors selectors,
      long deadlineNanos,
      boolean bookmarks,
      LongSupplier currentResourceVersion,
      Consumer<WatchStream> onFinish,
      WatchHold hold) {
    this.type = type;
    this.namespace = namespace;
    this.selectors = selectors;
    this.deadlineNanos = deadlineNanos;
    this.bookmarks = bookmarks;
    this.currentResourceVersion = currentResourceVersion;
    this.onFinish = onFinish;
    this.hold = hold;
  }

  /** Queues the event as this watch sees it; called under the store's lock. */
  void deliver(Event event) {
    if (!event.groupKind.equals(type.groupKind())
        || (namespace != null && !namespace.equals(event.namespace))) {
      return;
    }
    if (selectors.selectsEverything()) {
      queue.add(event); // serialised by the writer, outside the store's lock
      return;
    }
    boolean now = selectors.matches(event.object);
    boolean before = event.previous != null && selectors.matches(event.previous);
    if (event.type.equals("MODIFIED")) {
      if (now && before) {
        queue.add(event);
      } else if (now) {
        queue.add(new Pending("ADDED", event.object));
      } else if (before) {
        // the object left the selection: the last state that matched, at the new version
        ObjectNode gone = event.previous.deepCopy();
        ((ObjectNode) gone.get("metadata"))
            .put("resourceVersion", Long.toString(event.resourceVersion));
        queue.add(new Pending("DELETED", gone));
      }
    } else if (now) {
      queue.add(event);
    }
  }

  /** Queues a synthetic ADDED for an object that exists when the watch starts. */
  void added(ObjectNode object) {
    if (selectors.matches(object)) {
      queue.add(new Pending("ADDED", object));
    }
  }

  /** Queues an ERROR event carrying a Status. */
  void error(ObjectNode status) {
    queue.add(new Pending("ERROR", status));
  }

  /** Ends the stream normally once the queued events are written. */
  void end() {
    queue.add(END);
  }

  /** Ends the stream abruptly once the queued events are written. */
  void drop() {
    queue.add(DROP);
  }

  /** An event to serialise when written; {@code object} is never changed. */
  private record Pending(String type, ObjectNode object) {
    byte[] line() {
      return Event.line(type, object);
    }
  }

  @Override
  public long getContentLength() {
    return -1;
  }

  @Override
  public void writeTo(BufferedSink sink) throws IOException {
    try {
      long lastWrite = System.nanoTime();
      while (true) {
        long now = System.nanoTime();
        long wait = deadlineNanos - now;
        if (bookmarks) {
          wait = Math.min(wait, lastWrite + BOOKMARK_INTERVAL_NANOS - now);
        }
        Object next = queue.poll(Math.max(wait, 0), TimeUnit.NANOSECONDS);
        if (next == null) {
          if (System.nanoTime() - deadlineNanos >= 0) {
            next = END;
          } else {
            next = new Pending("BOOKMARK", bookmark());
          }
        }
        hold.awaitReleased();
        if (next == END) {
          // the whole last chunk, with the empty trailer section: the response is complete before
          // close() may shut the socket (MockWebServer's own trailer CRLF then goes nowhere,
          // as the connection is not reused)
          sink.writeUtf8("0\r\n\r\n").flush();
          return;
        }
        if (next == DROP) {
          // no last chunk; the response's end effect closes the socket
          sink.flush();
          return;
        }
        byte[] line = next instanceof Event event ? event.line() : ((Pending) next).line();
        sink.writeUtf8(Integer.toHexString(line.length)).writeUtf8("\r\n");
        sink.write(line).writeUtf8("\r\n").flush();
        lastWrite = System.nanoTime();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("watch interrupted", e);
    } finally {
      if (finished.compareAndSet(false, true)) {
        onFinish.accept(this);
      }
    }
  }

  private ObjectNode bookmark() {
    ObjectNode object = JsonNodeFactory.instance.objectNode();
    object.put("kind", type.kind());
    object.put("apiVersion", type.apiVersion());
    object
        .putObject("metadata")
        .put("resourceVersion", Long.toString(currentResourceVersion.getAsLong()));
    return object;
  }
}
