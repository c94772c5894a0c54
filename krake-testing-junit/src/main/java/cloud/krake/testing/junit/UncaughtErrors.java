package cloud.krake.testing.junit;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records the exceptions that end threads: installed as the JVM's default uncaught-exception
 * handler, it keeps what reaches it (threads without a handler of their own, in the JDK's default
 * thread group chain) and passes it on to the handler it replaced, or prints it as the JDK would.
 *
 * <p>Threading: thread-safe. The default handler is JVM-wide: {@link #close()} puts the previous
 * handler back only if this one is still installed; closed out of order, it stops recording but
 * keeps passing exceptions on.
 */
final class UncaughtErrors implements Thread.UncaughtExceptionHandler, AutoCloseable {

  /** An exception that ended a thread. */
  record Recorded(String thread, Throwable error) {
    Recorded {
      Objects.requireNonNull(thread, "thread");
      Objects.requireNonNull(error, "error");
    }
  }

  // The JDK's default is null ("none"): it stays internal to this class.
  private final Thread.UncaughtExceptionHandler previous;
  private final List<Recorded> recorded = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private UncaughtErrors(Thread.UncaughtExceptionHandler previous) {
    this.previous = previous;
  }

  /** Installs a recorder as the default uncaught-exception handler. */
  static UncaughtErrors install() {
    UncaughtErrors errors = new UncaughtErrors(Thread.getDefaultUncaughtExceptionHandler());
    Thread.setDefaultUncaughtExceptionHandler(errors);
    return errors;
  }

  @Override
  public void uncaughtException(Thread thread, Throwable error) {
    if (!closed) {
      recorded.add(new Recorded(thread.getName(), error));
    }
    if (previous != null) {
      previous.uncaughtException(thread, error);
    } else {
      System.err.print("Exception in thread \"" + thread.getName() + "\" ");
      error.printStackTrace(System.err);
    }
  }

  /** Records an error reported by the test or the host's code rather than by a dying thread. */
  void record(String source, Throwable error) {
    recorded.add(new Recorded(source, error));
  }

  /** Returns and forgets what was recorded so far, oldest first. */
  synchronized List<Recorded> drain() {
    List<Recorded> out = List.copyOf(recorded);
    recorded.removeAll(out);
    return out;
  }

  /** Returns what was recorded so far, oldest first, without forgetting it. */
  List<Recorded> recorded() {
    return List.copyOf(recorded);
  }

  @Override
  public void close() {
    closed = true;
    if (Thread.getDefaultUncaughtExceptionHandler() == this) {
      Thread.setDefaultUncaughtExceptionHandler(previous);
    }
  }
}
