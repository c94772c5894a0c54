package cloud.krake.runtime;

import cloud.krake.membership.ShardNotHeldException;
import cloud.krake.store.ConflictException;
import cloud.krake.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A control loop: a {@link KeyedWorkQueue} drained by workers that call a {@link Reconciler}, as a
 * Krake controller's workers ({@code ctrl_base.py}), with per-key backoff on failure, which Krake
 * lacks.
 *
 * <p>For each key handed out: {@link ReconcileResult#done()} forgets its failures; {@link
 * ReconcileResult#requeueAfter(Duration)} forgets them and adds the key after the delay; an
 * exception queues the key again with {@link KeyedWorkQueue#requeueWithBackoff} (from {@link
 * KeyedWorkQueue#DEFAULT_BASE_DELAY}, doubling up to {@link KeyedWorkQueue#DEFAULT_MAX_DELAY}). A
 * {@link ConflictException} (a lost compare-and-set) is expected operation: logged at DEBUG, not
 * counted as a failure, and the key is read again at once. A {@link ShardNotHeldException} (the
 * instance lost the key's shard to another instance of its group) drops the key, logged at DEBUG.
 *
 * <p>Logging, one line per change of a key's state: the first failure of a key is logged at WARN
 * with the exception's message only; every failure is logged at DEBUG with its stack trace; the
 * first success after failures at INFO. A {@link StoreUnavailableException} is not logged at WARN
 * here: the store says once that it is away and once that it is back (as {@code EtcdStore} does),
 * instead of each key of each controller saying it again. While a key is processed the MDC holds
 * {@value #MDC_CONTROLLER} and {@value #MDC_KEY}, and for a {@link ResourceKey} also {@value
 * #MDC_NAMESPACE} and {@value #MDC_NAME}.
 *
 * <p>The host drives it one of two ways: {@link #start()} runs {@code workerCount} threads named
 * {@code krake-<name>-<n>} until {@link #close()}; or, without {@code start()}, {@link #runOnce()}
 * and {@link #drain()} process ready keys on the calling thread (tests, hosts with their own
 * scheduler).
 *
 * <pre>{@code
 * Controller<ResourceKey> controller =
 *     Controller.builder("scheduler", key -> schedule(key)).workerCount(4).build();
 * Reflector<Application> apps = new Reflector<>("apps", applications, controller.queue()::add);
 * controller.start();
 * apps.start();
 * // ...
 * apps.close();
 * controller.close();
 * }</pre>
 *
 * <p>Threading: thread-safe. {@link #start()} and {@link #close()} may be called from any thread.
 *
 * @param <K> the key type, a record such as {@link ResourceKey}
 */
public final class Controller<K> implements AutoCloseable {

  /** The MDC entry holding the controller's name while a key is processed. */
  public static final String MDC_CONTROLLER = "krake.controller";

  /** The MDC entry holding the key while it is processed. */
  public static final String MDC_KEY = "krake.key";

  /** The MDC entry holding a {@link ResourceKey}'s namespace while it is processed. */
  public static final String MDC_NAMESPACE = "krake.namespace";

  /** The MDC entry holding a {@link ResourceKey}'s name while it is processed. */
  public static final String MDC_NAME = "krake.name";

  /** The default number of worker threads. */
  public static final int DEFAULT_WORKER_COUNT = 2;

  /** The default time {@link #close()} waits for reconciles in progress. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(Controller.class);

  private final String name;
  private final Reconciler<K> reconciler;
  private final int workerCount;
  private final Duration closeTimeout;
  private final KeyedWorkQueue<K> queue;

  /** The scheduler's executor if the controller created it, else empty. */
  private final Optional<ScheduledExecutorService> ownedExecutor;

  /** Worker threads; empty until started. Guarded by this. */
  private final List<Thread> workers = new ArrayList<>();

  /** Guarded by this. */
  private boolean started;

  /** Guarded by this. */
  private boolean closed;

  private Controller(Builder<K> b) {
    this.name = b.name;
    this.reconciler = b.reconciler;
    this.workerCount = b.workerCount;
    this.closeTimeout = b.closeTimeout;
    Timer scheduler;
    if (b.scheduler.isPresent()) {
      scheduler = b.scheduler.get();
      this.ownedExecutor = Optional.empty();
    } else {
      ScheduledExecutorService executor =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "krake-" + b.name + "-delay");
                t.setDaemon(true);
                return t;
              });
      scheduler = Timer.system(executor);
      this.ownedExecutor = Optional.of(executor);
    }
    this.queue = new KeyedWorkQueue<>(b.clock, scheduler, b.baseDelay, b.maxDelay);
  }

  /**
   * Starts building a controller.
   *
   * @param name the controller's name, used in thread names and logs ({@code [a-z0-9-]+})
   * @param reconciler the reconciler
   * @param <K> the key type
   * @throws IllegalArgumentException if the name is not of lowercase letters, digits and dashes
   */
  public static <K> Builder<K> builder(String name, Reconciler<K> reconciler) {
    return new Builder<>(name, reconciler);
  }

  /** Returns the controller's name. */
  public String name() {
    return name;
  }

  /** Returns the queue: feed it keys (from a {@link Reflector} or directly). */
  public KeyedWorkQueue<K> queue() {
    return queue;
  }

  /**
   * Starts the worker threads, which process keys until {@link #close()}.
   *
   * @throws IllegalStateException if already started or closed
   */
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException("controller " + name + " is closed");
    }
    if (started) {
      throw new IllegalStateException("controller " + name + " is already started");
    }
    started = true;
    for (int i = 1; i <= workerCount; i++) {
      Thread t = new Thread(this::work, "krake-" + name + "-" + i);
      t.setDaemon(true);
      workers.add(t);
    }
    workers.forEach(Thread::start);
    log.info("controller {} started with {} workers", name, workerCount);
  }

  private void work() {
    try {
      while (true) {
        Optional<K> key = queue.take();
        if (key.isEmpty()) {
          return;
        }
        process(key.get());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Processes one ready key on the calling thread, if there is one.
   *
   * @return whether a key was processed
   * @throws IllegalStateException if the controller was started (its workers own the queue)
   */
  public boolean runOnce() {
    synchronized (this) {
      if (started) {
        throw new IllegalStateException("controller " + name + " runs its own workers");
      }
    }
    Optional<K> key = queue.poll();
    key.ifPresent(this::process);
    return key.isPresent();
  }

  /**
   * Processes ready keys on the calling thread until none is ready. Keys added with a delay are not
   * waited for. Does not return while the reconciler keeps adding keys without delay.
   *
   * @return the number of keys processed
   * @throws IllegalStateException if the controller was started
   */
  public int drain() {
    int n = 0;
    while (runOnce()) {
      n++;
    }
    return n;
  }

  private void process(K key) {
    MDC.put(MDC_CONTROLLER, name);
    MDC.put(MDC_KEY, key.toString());
    if (key instanceof ResourceKey rk) {
      MDC.put(MDC_NAMESPACE, rk.namespace());
      MDC.put(MDC_NAME, rk.name());
    }
    try {
      ReconcileResult result =
          Objects.requireNonNull(reconciler.reconcile(key), "the reconciler returned null");
      if (result.isBackoff()) {
        Duration backoff = queue.requeueWithBackoff(key);
        log.debug("reconciled {}: failed, retrying in {}", key, backoff);
      } else {
        int failed = queue.failures(key);
        queue.forget(key);
        if (failed > 0) {
          log.info("controller {} reconciled {} after {} failed attempts", name, key, failed);
        }
        result.requeueDelay().ifPresent(delay -> queue.addAfter(key, delay));
        log.debug("reconciled {}: {}", key, result);
      }
    } catch (ConflictException e) {
      // Expected operation: another writer won the compare-and-set, so the key is simply read
      // again (its watch event queues it as well). Not counted as a failure.
      queue.add(key);
      log.debug(
          "controller {} lost a compare-and-set on {}, re-reading: {}", name, key, e.getMessage());
    } catch (ShardNotHeldException e) {
      // Fenced: this instance lost the key's shard while reconciling it; the owner does the work.
      queue.forget(key);
      log.debug("controller {} dropped {}: {}", name, key, e.getMessage());
    } catch (RuntimeException e) {
      int attempt = queue.failures(key) + 1;
      Duration backoff = queue.requeueWithBackoff(key);
      if (attempt == 1 && !(e instanceof StoreUnavailableException)) {
        log.warn(
            "controller {} failed to reconcile {}, retrying in {}: {}",
            name,
            key,
            backoff,
            String.valueOf(e.getMessage()));
      }
      log.debug(
          "controller {} failed to reconcile {} (attempt {}), retrying in {}",
          name,
          key,
          attempt,
          backoff,
          e);
    } finally {
      queue.done(key);
      MDC.remove(MDC_CONTROLLER);
      MDC.remove(MDC_KEY);
      MDC.remove(MDC_NAMESPACE);
      MDC.remove(MDC_NAME);
    }
  }

  /**
   * Stops the controller, in this order: shuts the queue down (no key is handed out any more,
   * pending delays are cancelled), waits up to the close timeout in total for reconciles in
   * progress to finish, interrupts the workers still running, and shuts down the delay thread if
   * the controller created it. Close the reflectors feeding it first. Idempotent; never throws. If
   * the calling thread is interrupted while waiting, it stops waiting and keeps its interrupt flag.
   */
  @Override
  public void close() {
    List<Thread> running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = List.copyOf(workers);
    }
    queue.shutdown();
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    try {
      for (Thread t : running) {
        long left = deadline - System.nanoTime();
        if (left > 0 && t != Thread.currentThread()) {
          TimeUnit.NANOSECONDS.timedJoin(t, left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Thread t : running) {
      if (t.isAlive() && t != Thread.currentThread()) {
        log.warn(
            "controller {}: worker {} still running after {}, interrupting",
            name,
            t.getName(),
            closeTimeout);
        t.interrupt();
      }
    }
    ownedExecutor.ifPresent(ScheduledExecutorService::shutdownNow);
    log.info("controller {} closed", name);
  }

  /**
   * Builds a {@link Controller}. Defaults: {@value #DEFAULT_WORKER_COUNT} workers, the system UTC
   * clock, a scheduler on one daemon thread {@code krake-<name>-delay} owned by the controller,
   * backoff from {@link KeyedWorkQueue#DEFAULT_BASE_DELAY} to {@link
   * KeyedWorkQueue#DEFAULT_MAX_DELAY}, {@link #DEFAULT_CLOSE_TIMEOUT}. Not thread-safe.
   *
   * @param <K> the key type
   */
  public static final class Builder<K> {
    private final String name;
    private final Reconciler<K> reconciler;
    private int workerCount = DEFAULT_WORKER_COUNT;
    private Clock clock = Clock.systemUTC();
    private Optional<Timer> scheduler = Optional.empty();
    private Duration baseDelay = KeyedWorkQueue.DEFAULT_BASE_DELAY;
    private Duration maxDelay = KeyedWorkQueue.DEFAULT_MAX_DELAY;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    private Builder(String name, Reconciler<K> reconciler) {
      Objects.requireNonNull(name, "name");
      if (!name.matches("[a-z0-9-]+")) {
        throw new IllegalArgumentException(
            "controller name must be lowercase letters, digits and dashes: " + name);
      }
      this.name = name;
      this.reconciler = Objects.requireNonNull(reconciler, "reconciler");
    }

    /**
     * Sets the number of worker threads started by {@link Controller#start()}.
     *
     * @param workerCount at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder<K> workerCount(int workerCount) {
      if (workerCount < 1) {
        throw new IllegalArgumentException("workerCount must be at least 1: " + workerCount);
      }
      this.workerCount = workerCount;
      return this;
    }

    /**
     * Sets the clock giving due instants of delayed keys; pass the scheduler's clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder<K> clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the scheduler of delayed keys; the controller does not shut a given scheduler down.
     *
     * @param timer the scheduler
     * @return this builder
     */
    public Builder<K> timer(Timer timer) {
      this.scheduler = Optional.of(Objects.requireNonNull(timer, "timer"));
      return this;
    }

    /**
     * Sets the per-key backoff after failures.
     *
     * @param baseDelay the delay after the first failure; positive
     * @param maxDelay the longest delay; at least {@code baseDelay}
     * @return this builder
     * @throws IllegalArgumentException if the delays are out of range
     */
    public Builder<K> backoff(Duration baseDelay, Duration maxDelay) {
      Objects.requireNonNull(baseDelay, "baseDelay");
      Objects.requireNonNull(maxDelay, "maxDelay");
      if (baseDelay.isZero() || baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
        throw new IllegalArgumentException(
            "backoff needs 0 < baseDelay <= maxDelay: " + baseDelay + ", " + maxDelay);
      }
      this.baseDelay = baseDelay;
      this.maxDelay = maxDelay;
      return this;
    }

    /**
     * Sets how long {@link Controller#close()} waits for reconciles in progress.
     *
     * @param closeTimeout not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder<K> closeTimeout(Duration closeTimeout) {
      Objects.requireNonNull(closeTimeout, "closeTimeout");
      if (closeTimeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout must not be negative: " + closeTimeout);
      }
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** Returns the controller, not started. */
    public Controller<K> build() {
      return new Controller<>(this);
    }
  }
}
