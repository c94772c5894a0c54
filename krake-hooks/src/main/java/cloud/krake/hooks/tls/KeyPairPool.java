package cloud.krake.hooks.tls;

import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.runtime.KrakeExecutors;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ready key pairs of one {@link KeyAlgorithm}, so that issuing a hook certificate does not generate
 * a key on the reconcile worker that asks for it: {@link #take()} hands out a pair made in advance
 * and asks for the pool to be topped up in the background.
 *
 * <h2>Design</h2>
 *
 * A bounded queue of at most {@link #capacity()} key pairs, filled by a refill task that runs on
 * one library-owned daemon thread, {@value #THREAD_NAME}-1 (or on an injected {@link Executor}),
 * and generates pairs until the queue is full. The refill starts on the first {@link #take()}, not
 * at construction: a CA that only checks client certificates (the hook endpoint's) never starts a
 * thread or makes a key. The thread ends one second after a refill finishes and is made again by
 * the next one, so an idle pool holds no thread.
 *
 * <p><b>When the pool is empty</b> (the first take, a burst larger than the pool, or a capacity of
 * 0) the caller generates the pair itself and {@link #inlineGenerations()} counts it. Waiting for
 * the refill thread would block the worker as long and add a hand-over; re-queueing the application
 * would delay its deployment and need a second reconcile. With Conscrypt an EC P-256 pair takes
 * tens of microseconds, with SunEC about half a millisecond, so an occasional inline generation is
 * cheap; a steady count means the pool is too small for the rate of new applications.
 *
 * <p>Thread-safe. {@link #close()} stops the refill and drops the ready pairs; later takes generate
 * inline, so a closed pool still works. The pairs never appear in logs or {@link #toString()}.
 */
final class KeyPairPool implements AutoCloseable {

  /** The name of the refill thread, numbered from 1. */
  static final String THREAD_NAME = "krake-hook-keys";

  private static final Logger log = LoggerFactory.getLogger(KeyPairPool.class);

  private final KeyAlgorithm algorithm;
  private final HookCrypto crypto;
  private final SecureRandom random;
  private final int capacity;
  private final BlockingQueue<KeyPair> ready;
  private final Executor refiller;

  /** The pool's own executor, shut down by {@link #close()}; null when the executor was given. */
  private final ThreadPoolExecutor owned;

  /** Set while a refill task is queued or running: at most one at a time. */
  private final AtomicBoolean refilling = new AtomicBoolean();

  private final AtomicLong inline = new AtomicLong();
  private volatile boolean closed;

  private KeyPairPool(
      KeyAlgorithm algorithm,
      HookCrypto crypto,
      SecureRandom random,
      int capacity,
      Executor refiller,
      ThreadPoolExecutor owned) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    }
    this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.random = Objects.requireNonNull(random, "random");
    this.capacity = capacity;
    this.ready = new ArrayBlockingQueue<>(Math.max(1, capacity));
    this.refiller = refiller;
    this.owned = owned;
  }

  /**
   * Returns a pool refilled on its own daemon thread ({@value #THREAD_NAME}-1, made on demand).
   *
   * @param capacity the most key pairs kept ready; 0 for none (every take generates inline)
   * @throws IllegalArgumentException if {@code capacity} is negative
   */
  static KeyPairPool create(
      KeyAlgorithm algorithm, HookCrypto crypto, SecureRandom random, int capacity) {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            1,
            1,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            KrakeExecutors.daemonThreads(THREAD_NAME + "-"));
    executor.allowCoreThreadTimeOut(true);
    return new KeyPairPool(algorithm, crypto, random, capacity, executor, executor);
  }

  /**
   * Returns a pool refilled on {@code refiller}, which stays the caller's ({@link #close()} does
   * not shut it down).
   *
   * @throws IllegalArgumentException if {@code capacity} is negative
   */
  static KeyPairPool create(
      KeyAlgorithm algorithm,
      HookCrypto crypto,
      SecureRandom random,
      int capacity,
      Executor refiller) {
    return new KeyPairPool(
        algorithm, crypto, random, capacity, Objects.requireNonNull(refiller, "refiller"), null);
  }

  /**
   * Returns a ready key pair, or generates one on the calling thread when none is ready (counted by
   * {@link #inlineGenerations()}); then asks for a refill unless the pool is full, closed or
   * already being refilled. Never blocks on the refill.
   *
   * @throws cloud.krake.KrakeException if the pair must be generated here and the provider fails
   */
  KeyPair take() {
    KeyPair pair = capacity == 0 ? null : ready.poll();
    if (pair == null) {
      inline.incrementAndGet();
      pair = crypto.generateKeyPair(algorithm, random);
    }
    refill();
    return pair;
  }

  /** Returns the provider the pairs are generated with. */
  HookCrypto crypto() {
    return crypto;
  }

  /** Returns the key type of the pairs. */
  KeyAlgorithm algorithm() {
    return algorithm;
  }

  /** Returns the most key pairs kept ready. */
  int capacity() {
    return capacity;
  }

  /** Returns how many key pairs are ready now. */
  int available() {
    return ready.size();
  }

  /** Returns how many key pairs {@link #take()} generated on its caller's thread. */
  long inlineGenerations() {
    return inline.get();
  }

  /** Returns whether the pool's own refill thread has ended after {@link #close()} (tests). */
  boolean refillStopped() {
    return owned == null || owned.isTerminated();
  }

  private void refill() {
    if (capacity == 0 || closed || ready.size() >= capacity) {
      return;
    }
    if (!refilling.compareAndSet(false, true)) {
      return;
    }
    try {
      refiller.execute(this::fill);
    } catch (RejectedExecutionException e) {
      refilling.set(false);
    }
  }

  /** Generates pairs until the pool is full or closed; one task at a time. */
  private void fill() {
    boolean failed = false;
    try {
      while (!closed && ready.size() < capacity) {
        if (!ready.offer(crypto.generateKeyPair(algorithm, random))) {
          break;
        }
      }
    } catch (RuntimeException e) {
      failed = true;
      log.warn("Cannot refill the {} key pair pool; takes generate inline meanwhile", algorithm, e);
    } finally {
      refilling.set(false);
    }
    if (closed) {
      ready.clear();
    } else if (!failed) {
      // A take between the loop's last check and the reset above found a refill running.
      refill();
    }
  }

  /**
   * Stops the refill (interrupting it on the pool's own thread; an injected executor stays the
   * caller's) and drops the ready pairs. Idempotent; later takes generate inline.
   */
  @Override
  public void close() {
    closed = true;
    if (owned != null) {
      owned.shutdownNow();
    }
    ready.clear();
  }

  @Override
  public String toString() {
    return "KeyPairPool[algorithm="
        + algorithm
        + ", capacity="
        + capacity
        + ", available="
        + ready.size()
        + ", inlineGenerations="
        + inline.get()
        + (closed ? ", closed" : "")
        + "]";
  }
}
