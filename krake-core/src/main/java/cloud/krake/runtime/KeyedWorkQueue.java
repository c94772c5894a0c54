package cloud.krake.runtime;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A queue of keys to reconcile, with the semantics of kubernetes-client/java's {@code
 * DefaultRateLimitingQueue} (and the guarantees of Krake's {@code WorkQueue}, minus its values):
 *
 * <ul>
 *   <li>A key is handed to at most one worker at a time: from {@link #take()} or {@link #poll()}
 *       until {@link #done(Object)}.
 *   <li>Adding a key that is already queued does nothing: workers re-read the object, so the latest
 *       value wins and intermediate changes are coalesced.
 *   <li>Adding a key while it is being processed queues it once more, when {@link #done(Object)} is
 *       called.
 *   <li>{@link #addAfter(Object, Duration)} adds the key after a delay; of several pending delays
 *       of one key the earliest wins.
 *   <li>{@link #requeueWithBackoff(Object)} adds the key after {@code base * 2^(failures - 1)},
 *       capped at {@code max}, counting failures per key until {@link #forget(Object)}.
 *   <li>{@link #shutdown()} stops handing out keys: {@link #take()} returns empty at once, queued
 *       and delayed keys are dropped and later adds are ignored. Nothing is lost for good: the
 *       state lives in the store and a restarted controller re-lists it.
 * </ul>
 *
 * <p>Threading: thread-safe; all state is guarded by one lock. Delayed adds run on the injected
 * {@link Timer}'s thread. Time for due instants comes from the injected {@link Clock}.
 *
 * @param <K> the key type; a record with value equality, such as {@link ResourceKey}
 */
public final class KeyedWorkQueue<K> {

  /**
   * The first backoff delay after a failure: 1 s, then 2 s, 4 s, … up to {@link
   * #DEFAULT_MAX_DELAY}. (client-java's rate limiter starts at 5 ms, which retried an unreachable
   * dependency 13 times in its first 30 s.)
   */
  public static final Duration DEFAULT_BASE_DELAY = Duration.ofSeconds(1);

  /** The longest backoff delay: 5 minutes, reached at the tenth consecutive failure. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofMinutes(5);

  private final Clock clock;
  private final Timer scheduler;
  private final Duration baseDelay;
  private final Duration maxDelay;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition ready = lock.newCondition();

  /** Keys ready to be handed out, in order; each also in {@link #dirty}. Guarded by lock. */
  private final ArrayDeque<K> queue = new ArrayDeque<>();

  /** Keys that need processing (queued, or re-added while processing). Guarded by lock. */
  private final Set<K> dirty = new HashSet<>();

  /** Keys handed out and not yet done. Guarded by lock. */
  private final Set<K> processing = new HashSet<>();

  /** Pending delayed adds, per key. Guarded by lock. */
  private final Map<K, Delayed> delayed = new HashMap<>();

  /** Consecutive failures per key. Guarded by lock. */
  private final Map<K, Integer> failures = new HashMap<>();

  /** Which keys {@link #add} takes; every key unless {@link #admitOnly} was called. */
  private volatile Predicate<? super K> admits = key -> true;

  /** Set once by {@link #shutdown()}. Guarded by lock. */
  private boolean shutdown;

  private record Delayed(Instant due, Timer.Handle handle) {}

  /**
   * Creates a queue with the default backoff ({@link #DEFAULT_BASE_DELAY} to {@link
   * #DEFAULT_MAX_DELAY}).
   *
   * @param clock the source of due instants
   * @param scheduler runs delayed adds
   */
  public KeyedWorkQueue(Clock clock, Timer scheduler) {
    this(clock, scheduler, DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY);
  }

  /**
   * Creates a queue.
   *
   * @param clock the source of due instants
   * @param scheduler runs delayed adds
   * @param baseDelay the backoff after the first failure; positive
   * @param maxDelay the longest backoff; at least {@code baseDelay}
   * @throws IllegalArgumentException if the delays are out of range
   */
  public KeyedWorkQueue(Clock clock, Timer scheduler, Duration baseDelay, Duration maxDelay) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.baseDelay = Objects.requireNonNull(baseDelay, "baseDelay");
    this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
    if (baseDelay.isZero() || baseDelay.isNegative()) {
      throw new IllegalArgumentException("baseDelay must be positive: " + baseDelay);
    }
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay " + maxDelay + " must be at least baseDelay " + baseDelay);
    }
  }

  /**
   * Makes {@link #add} (and a delayed add, when due) ignore the keys {@code filter} rejects, e.g.
   * the keys of shards another instance owns. Keys already queued stay queued.
   *
   * @param filter called on the adding thread for each key; must be fast and thread-safe
   */
  public void admitOnly(Predicate<? super K> filter) {
    this.admits = Objects.requireNonNull(filter, "filter");
  }

  /**
   * Queues {@code key} unless it is already queued; if it is being processed it is queued again
   * when done. Ignored after {@link #shutdown()}.
   *
   * @param key the key
   */
  public void add(K key) {
    Objects.requireNonNull(key, "key");
    if (!admits.test(key)) {
      return;
    }
    lock.lock();
    try {
      if (shutdown || !dirty.add(key)) {
        return;
      }
      if (!processing.contains(key)) {
        queue.addLast(key);
        ready.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Adds {@code key} after {@code delay}; at once if the delay is zero or negative. If the key
   * already has a pending delayed add that is due earlier, this call does nothing; if later, it is
   * replaced.
   *
   * @param key the key
   * @param delay the delay
   */
  public void addAfter(K key, Duration delay) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(delay, "delay");
    if (delay.isZero() || delay.isNegative()) {
      add(key);
      return;
    }
    lock.lock();
    try {
      if (shutdown) {
        return;
      }
      Instant due = clock.instant().plus(delay);
      Delayed pending = delayed.get(key);
      if (pending != null) {
        if (!pending.due().isAfter(due)) {
          return;
        }
        pending.handle().cancel();
      }
      Timer.Handle handle;
      try {
        handle = scheduler.schedule(() -> fire(key, due), delay);
      } catch (RejectedExecutionException e) {
        return; // the scheduler is shut down: so is the controller
      }
      delayed.put(key, new Delayed(due, handle));
    } finally {
      lock.unlock();
    }
  }

  private void fire(K key, Instant due) {
    lock.lock();
    try {
      Delayed pending = delayed.get(key);
      if (pending != null && pending.due().equals(due)) {
        delayed.remove(key);
      }
    } finally {
      lock.unlock();
    }
    add(key);
  }

  /**
   * Counts a failure of {@code key} and adds it after its backoff: {@code base * 2^(failures - 1)},
   * capped at the maximum delay.
   *
   * @param key the key
   * @return the backoff chosen
   */
  public Duration requeueWithBackoff(K key) {
    Objects.requireNonNull(key, "key");
    Duration backoff;
    lock.lock();
    try {
      int n = failures.merge(key, 1, Integer::sum);
      backoff = backoff(n);
    } finally {
      lock.unlock();
    }
    addAfter(key, backoff);
    return backoff;
  }

  private Duration backoff(int failures) {
    int shift = Math.min(failures - 1, 62);
    long nanos = baseDelay.toNanos();
    if (shift >= Long.numberOfLeadingZeros(nanos) - 1) {
      return maxDelay;
    }
    Duration d = Duration.ofNanos(nanos << shift);
    return d.compareTo(maxDelay) > 0 ? maxDelay : d;
  }

  /**
   * Resets the failure count of {@code key}, so that its next backoff is the base delay. Does not
   * cancel a pending delayed add.
   *
   * @param key the key
   */
  public void forget(K key) {
    Objects.requireNonNull(key, "key");
    lock.lock();
    try {
      failures.remove(key);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the consecutive failures counted for {@code key} since it was last forgotten.
   *
   * @param key the key
   */
  public int failures(K key) {
    lock.lock();
    try {
      return failures.getOrDefault(key, 0);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands out the next ready key, waiting until there is one. The caller must call {@link
   * #done(Object)} with it, in a {@code finally} block.
   *
   * @return the key, or empty once the queue is shut down
   * @throws InterruptedException if the calling thread is interrupted while waiting
   */
  public Optional<K> take() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty() && !shutdown) {
        ready.await();
      }
      return shutdown ? Optional.empty() : Optional.of(handOut());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Hands out the next ready key without waiting; as {@link #take()} otherwise.
   *
   * @return the key, or empty if none is ready or the queue is shut down
   */
  public Optional<K> poll() {
    lock.lock();
    try {
      return shutdown || queue.isEmpty() ? Optional.empty() : Optional.of(handOut());
    } finally {
      lock.unlock();
    }
  }

  private K handOut() {
    K key = queue.removeFirst();
    dirty.remove(key);
    processing.add(key);
    return key;
  }

  /**
   * Marks {@code key} as processed; if it was added meanwhile, queues it again.
   *
   * @param key a key handed out by {@link #take()} or {@link #poll()}
   */
  public void done(K key) {
    Objects.requireNonNull(key, "key");
    lock.lock();
    try {
      if (processing.remove(key) && dirty.contains(key) && !shutdown) {
        queue.addLast(key);
        ready.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Returns the number of keys ready to be handed out (not the delayed ones). */
  public int size() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the queue: waiting {@link #take()} calls return empty, pending delayed adds are
   * cancelled, queued keys are dropped and later adds are ignored. Idempotent. Keys being processed
   * may still be passed to {@link #done(Object)}.
   */
  public void shutdown() {
    lock.lock();
    try {
      if (shutdown) {
        return;
      }
      shutdown = true;
      delayed.values().forEach(d -> d.handle().cancel());
      delayed.clear();
      queue.clear();
      dirty.clear();
      ready.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Returns whether {@link #shutdown()} was called. */
  public boolean isShutdown() {
    lock.lock();
    try {
      return shutdown;
    } finally {
      lock.unlock();
    }
  }
}
