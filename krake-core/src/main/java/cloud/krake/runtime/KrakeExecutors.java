package cloud.krake.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the thread pools and shared clients of a Krake instance, as java-operator-sdk's
 * {@code ExecutorServiceManager}: a component asks it for a pool by name instead of creating one,
 * the pool is created on first use, and every pool it created is shut down in one place, by {@link
 * #close()} (which {@code Krake.close()} calls). A host that wants its own pools (sized, monitored,
 * virtual threads) puts them in by name with {@link Builder#executor}; those stay the host's and
 * are never shut down here.
 *
 * <pre>{@code
 * KrakeExecutors executors = KrakeExecutors.builder()
 *     .executor(KrakeExecutors.TIMER, hostScheduler) // the host's; Krake never shuts it down
 *     .build();
 * Krake krake = Krake.builder().store(store).executors(executors).build();
 * }</pre>
 *
 * <p>Besides pools it holds shared objects that own threads of their own, such as the one OkHttp
 * client of the hooks ({@code cloud.krake.hooks.SharedHttpClient}): created once by name, released
 * by {@link #close()}. This class knows nothing of HTTP: core stays free of okhttp.
 *
 * <p>Names of the threads stay those each pool's creator gives them (e.g. {@code krake-timer-1});
 * {@link #daemonThreads(String)} and {@link #namedThreads(String, boolean, boolean)} make them.
 *
 * <p>Threading: thread-safe. A factory passed to {@link #executor} or {@link #shared} runs at most
 * once per name, under this object's lock: it must not call back into this object.
 */
public final class KrakeExecutors implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KrakeExecutors.class);

  /**
   * The name of the pool behind Krake's default {@link Timer}: one daemon thread {@code
   * krake-timer-1}, used when the host sets no timer of its own.
   */
  public static final String TIMER = "timer";

  private final Map<String, ExecutorService> hostOwned;

  /** What this object created, in order of creation, by name. Guarded by this. */
  private final Map<String, Owned> created = new LinkedHashMap<>();

  /** Guarded by this. */
  private boolean closed;

  private KrakeExecutors(Builder builder) {
    this.hostOwned = Map.copyOf(builder.hostOwned);
  }

  /** Returns an owner that creates every pool itself. */
  public static KrakeExecutors create() {
    return builder().build();
  }

  /** Returns a builder, for putting in pools of the host's. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the pool of that name: the host's if it put one in under that name, else the one this
   * object created with {@code factory} on the first call for the name (later calls return it and
   * do not call {@code factory}).
   *
   * @param name the pool's name, e.g. {@link #TIMER}
   * @param type what the caller needs, e.g. {@code ScheduledExecutorService.class}
   * @param factory makes the pool, with the thread names its caller has always used
   * @param <E> the pool's type
   * @return the pool; one this object created is shut down by {@link #close()}
   * @throws IllegalArgumentException if the pool of that name is not of {@code type}
   * @throws IllegalStateException if this object was closed
   */
  public synchronized <E extends ExecutorService> E executor(
      String name, Class<E> type, Supplier<? extends E> factory) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(factory, "factory");
    ExecutorService host = hostOwned.get(name);
    if (host != null) {
      return cast(name, type, host, "the host's pool");
    }
    Object pool =
        obtain(
            name,
            () -> {
              ExecutorService made = Objects.requireNonNull(factory.get(), "factory returned null");
              return new Owned(made, () -> made.shutdownNow());
            });
    return cast(name, type, pool, "the pool");
  }

  /**
   * Returns the scheduled pool behind Krake's default {@link Timer}: the host's under {@link
   * #TIMER}, else one daemon thread {@code krake-timer-1} (a cancelled task is removed from its
   * queue at once).
   *
   * @throws IllegalStateException if this object was closed
   */
  public ScheduledExecutorService timer() {
    return executor(
        TIMER,
        ScheduledExecutorService.class,
        () -> {
          ScheduledThreadPoolExecutor executor =
              new ScheduledThreadPoolExecutor(1, daemonThreads("krake-timer-"));
          executor.setRemoveOnCancelPolicy(true);
          return executor;
        });
  }

  /**
   * Returns the shared object of that name, made by {@code factory} on the first call for the name
   * and released by {@code release} on {@link #close()}: for a client that owns threads and
   * connections of its own and is meant to be shared, such as an OkHttp client.
   *
   * @param name the object's name, unique among pools and shared objects
   * @param type its type
   * @param factory makes it
   * @param release frees what it holds; runs once, on {@link #close()}
   * @param <T> its type
   * @return the shared object
   * @throws IllegalArgumentException if the object of that name is not of {@code type}
   * @throws IllegalStateException if this object was closed
   */
  public synchronized <T> T shared(
      String name, Class<T> type, Supplier<? extends T> factory, Consumer<? super T> release) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(release, "release");
    Object value =
        obtain(
            name,
            () -> {
              T made = Objects.requireNonNull(factory.get(), "factory returned null");
              return new Owned(made, () -> release.accept(made));
            });
    return cast(name, type, value, "the shared object");
  }

  /** Returns the names of what this object created so far, in order of creation. */
  public synchronized List<String> created() {
    return List.copyOf(created.keySet());
  }

  /**
   * Shuts down every pool this object created ({@link ExecutorService#shutdownNow()}, without
   * waiting) and releases every shared object, in reverse order of creation; the host's pools are
   * left alone. A failure to release one is logged and the others are still released. Idempotent.
   */
  @Override
  public void close() {
    List<Map.Entry<String, Owned>> release;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      release = new ArrayList<>(created.entrySet());
    }
    for (int i = release.size() - 1; i >= 0; i--) {
      try {
        release.get(i).getValue().release().run();
      } catch (RuntimeException e) {
        log.warn("Releasing {} failed", release.get(i).getKey(), e);
      }
    }
  }

  /**
   * Returns a thread factory of daemon threads named {@code prefix} and a count from 1, e.g. {@code
   * krake-timer-1} for the prefix {@code krake-timer-}.
   *
   * @param prefix the name's beginning, ending with its separator
   */
  public static ThreadFactory daemonThreads(String prefix) {
    return namedThreads(prefix, true, true);
  }

  /**
   * Returns a thread factory of threads named {@code name}, followed by a count from 1 if {@code
   * numbered}.
   *
   * @param name the name, or its beginning if numbered
   * @param numbered whether to append the count
   * @param daemon whether the threads are daemon threads (they do not keep the JVM alive)
   */
  public static ThreadFactory namedThreads(String name, boolean numbered, boolean daemon) {
    Objects.requireNonNull(name, "name");
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, numbered ? name + count.incrementAndGet() : name);
      thread.setDaemon(daemon);
      return thread;
    };
  }

  private Object obtain(String name, Supplier<Owned> make) {
    Owned existing = created.get(name);
    if (existing != null) {
      return existing.value();
    }
    if (closed) {
      throw new IllegalStateException("the executors are closed; cannot create " + name);
    }
    Owned made = make.get();
    created.put(name, made);
    return made.value();
  }

  private static <T> T cast(String name, Class<T> type, Object value, String what) {
    if (!type.isInstance(value)) {
      throw new IllegalArgumentException(
          what + " named " + name + " is a " + value.getClass().getName() + ", not a " + type);
    }
    return type.cast(value);
  }

  private record Owned(Object value, Runnable release) {}

  /** Builds a {@link KrakeExecutors}; not thread-safe. */
  public static final class Builder {
    private final Map<String, ExecutorService> hostOwned = new HashMap<>();

    private Builder() {}

    /**
     * Puts in a pool of the host's under a name: it is returned instead of a library-made one, and
     * never shut down by {@link KrakeExecutors#close()}.
     *
     * @param name the pool's name, e.g. {@link KrakeExecutors#TIMER}
     * @param executor the host's pool
     * @return this builder
     */
    public Builder executor(String name, ExecutorService executor) {
      hostOwned.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /** Returns the owner. */
    public KrakeExecutors build() {
      return new KrakeExecutors(this);
    }
  }
}
