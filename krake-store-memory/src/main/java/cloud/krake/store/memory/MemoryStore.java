package cloud.krake.store.memory;

import cloud.krake.runtime.Timer;
import cloud.krake.store.CompactedException;
import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory {@link Store} with etcd's semantics: one store-wide revision, per-key create and
 * modification revisions and versions, compare-and-set writes, reads at past revisions, and watches
 * that replay history from any retained revision. The default store of tests and of the quickstart;
 * it keeps nothing across restarts of the JVM.
 *
 * <pre>{@code
 * try (Store store = MemoryStore.create()) {
 *   KeyValue kv = store.create("/kubernetes/applications/default/echo", json);
 *   store.update(kv.key(), newJson, kv.modRevision());
 * }
 * }</pre>
 *
 * <p>History: past versions and watch history are kept for a window of recent revisions, bounded
 * three ways, as etcd's auto-compaction bounds it by revisions or by time: at most {@link
 * Builder#retainedRevisions(int) retainedRevisions} revisions (default {@value
 * #DEFAULT_RETAINED_REVISIONS}), at most {@link Builder#retainedBytes(long) retainedBytes} bytes of
 * written values and keys (default {@value #DEFAULT_RETAINED_BYTES}, 64 MiB) and revisions at most
 * {@link Builder#retainedAge(Duration) retainedAge} old (default {@link #DEFAULT_RETAINED_AGE}, 5
 * minutes, kube-apiserver's compaction interval). Older history is compacted automatically: checked
 * on each write, once the window exceeds twice a bound it is cut back to that bound (so compaction,
 * which visits every key, runs rarely), so memory stays bounded by the live data plus at most twice
 * each bound. A read at, or a watch from, a compacted revision gets a {@link CompactedException},
 * as with etcd. {@link #compact(long)} compacts explicitly.
 *
 * <p>Leases: as etcd's, a lease expires {@link Lease#ttl()} after it was granted or last kept
 * alive, by the store's {@link Builder#clock(Clock) clock}; its keys are then deleted, each with a
 * {@link WatchEvent.Type#DELETED} event at a revision of its own. Expiry is checked by a task on
 * the store's {@link Builder#timer(Timer) timer} due at the lease's deadline (re-scheduled if the
 * lease was kept alive meanwhile), and again by {@link #keepAliveLease(Lease)}; a test with a
 * {@code ManualClock} and {@code ManualTimer} expires leases deterministically by advancing the
 * timer. Lease ids count up from 1. Guarded writes ({@link Guard}) compare the guard's key and the
 * target's under the write lock.
 *
 * <p>Threading: all methods are thread-safe. Reads share a read lock; writes take a write lock, so
 * writes are serialised (a write costs O(log n) plus O(watches)). Each {@link Watch} has its own
 * daemon thread, named {@code krake-memory-watch-N}, which calls its listener; events wait for a
 * slow listener in an unbounded per-watch queue.
 */
public final class MemoryStore implements Store {

  /** The default number of past revisions kept for reads at a revision and for watch replay. */
  public static final int DEFAULT_RETAINED_REVISIONS = 10_000;

  /** The default bound of the history's size: bytes of the values and keys written, 64 MiB. */
  public static final long DEFAULT_RETAINED_BYTES = 64L << 20;

  /** The default bound of the history's age: 5 minutes. */
  public static final Duration DEFAULT_RETAINED_AGE = Duration.ofMinutes(5);

  private static final Logger log = LoggerFactory.getLogger(MemoryStore.class);

  /**
   * Orders keys by code point, which is the order of their UTF-8 bytes, as etcd orders keys. UTF-16
   * order differs from it only where a surrogate (part of a supplementary character, which sorts
   * above every BMP character) meets a BMP character at or above U+E000; elsewhere chars compare as
   * they are.
   */
  private static final Comparator<String> KEY_ORDER =
      (a, b) -> {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
          char ca = a.charAt(i);
          char cb = b.charAt(i);
          if (ca != cb) {
            boolean sa = Character.isSurrogate(ca);
            boolean sb = Character.isSurrogate(cb);
            if (sa != sb) {
              return sa ? 1 : -1;
            }
            return Character.compare(ca, cb);
          }
        }
        return Integer.compare(a.length(), b.length());
      };

  private final int retainedRevisions;
  private final Clock clock;
  private final Timer timer;
  private final ScheduledExecutorService ownedTimerExecutor; // null when the timer is injected
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final AtomicInteger watchIds = new AtomicInteger();

  // All guarded by lock.
  private final TreeMap<String, KeyHistory> keys = new TreeMap<>(KEY_ORDER);
  private final EventLog eventLog;
  private final List<MemoryWatch> watches = new ArrayList<>();
  private long revision = 1;
  private long compactRevision = 0;
  private boolean closed;
  private final MemoryLeases leases;

  private MemoryStore(Builder builder) {
    this.retainedRevisions = builder.retainedRevisions;
    this.eventLog = new EventLog(builder.retainedBytes, builder.retainedAge);
    this.clock = builder.clock;
    if (builder.timer == null) {
      AtomicInteger threads = new AtomicInteger();
      this.ownedTimerExecutor =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "krake-memory-lease-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      this.timer = Timer.system(ownedTimerExecutor);
    } else {
      this.ownedTimerExecutor = null;
      this.timer = builder.timer;
    }
    this.leases = new MemoryLeases(clock, timer, lock, () -> closed, this::deleteLeasedKey);
  }

  /** Returns a store with the defaults. */
  public static MemoryStore create() {
    return builder().build();
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link MemoryStore}. Not thread-safe. */
  public static final class Builder {
    private int retainedRevisions = DEFAULT_RETAINED_REVISIONS;
    private long retainedBytes = DEFAULT_RETAINED_BYTES;
    private Duration retainedAge = DEFAULT_RETAINED_AGE;
    private Clock clock = Clock.systemUTC();
    private Timer timer;

    private Builder() {}

    /**
     * Sets how many past revisions are kept for reads at a revision and for watch replay.
     *
     * @param retainedRevisions at least 1; default {@value #DEFAULT_RETAINED_REVISIONS}
     * @return this builder
     * @throws IllegalArgumentException if {@code retainedRevisions < 1}
     */
    public Builder retainedRevisions(int retainedRevisions) {
      if (retainedRevisions < 1) {
        throw new IllegalArgumentException(
            "retainedRevisions must be at least 1: " + retainedRevisions);
      }
      this.retainedRevisions = retainedRevisions;
      return this;
    }

    /**
     * Sets how many bytes of history are kept: the values and keys written in the retained
     * revisions (a deletion counts its key), compared once per write.
     *
     * @param retainedBytes at least 1; default {@value #DEFAULT_RETAINED_BYTES} (64 MiB)
     * @return this builder
     * @throws IllegalArgumentException if {@code retainedBytes < 1}
     */
    public Builder retainedBytes(long retainedBytes) {
      if (retainedBytes < 1) {
        throw new IllegalArgumentException("retainedBytes must be at least 1: " + retainedBytes);
      }
      this.retainedBytes = retainedBytes;
      return this;
    }

    /**
     * Sets how old the oldest retained revision may be, by the store's clock, compared once per
     * write (a store nobody writes to keeps its history).
     *
     * @param retainedAge positive; default {@link #DEFAULT_RETAINED_AGE} (5 minutes)
     * @return this builder
     * @throws IllegalArgumentException if it is zero or negative
     */
    public Builder retainedAge(Duration retainedAge) {
      Objects.requireNonNull(retainedAge, "retainedAge");
      if (retainedAge.isZero() || retainedAge.isNegative()) {
        throw new IllegalArgumentException("retainedAge must be positive: " + retainedAge);
      }
      this.retainedAge = retainedAge;
      return this;
    }

    /**
     * Sets the clock that dates the revisions for {@link #retainedAge(Duration)} (default the
     * system clock, UTC); tests pass a manual one.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets the timer that runs the lease expiry checks (default: one daemon thread owned by the
     * store, named {@code krake-memory-lease-1}, shut down by {@link MemoryStore#close()}); tests
     * pass a {@code ManualTimer} on the same manual clock as {@link #clock(Clock)}.
     *
     * @param timer the timer; it stays the caller's, never shut down by the store
     * @return this builder
     */
    public Builder timer(Timer timer) {
      this.timer = Objects.requireNonNull(timer, "timer");
      return this;
    }

    /** Returns the store. */
    public MemoryStore build() {
      return new MemoryStore(this);
    }
  }

  @Override
  public Optional<KeyValue> get(String key) {
    Objects.requireNonNull(key, "key");
    lock.readLock().lock();
    try {
      ensureOpen();
      KeyHistory history = keys.get(key);
      return history == null ? Optional.empty() : Optional.ofNullable(history.latest());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Page list(String prefix, PageRequest request) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(request, "request");
    lock.readLock().lock();
    try {
      ensureOpen();
      long at = request.revision() == 0 ? revision : request.revision();
      if (at > revision) {
        throw new IllegalArgumentException(
            "revision " + at + " is in the future; the current revision is " + revision);
      }
      if (at < compactRevision) {
        throw new CompactedException(at, compactRevision);
      }
      String from = KEY_ORDER.compare(request.startKey(), prefix) > 0 ? request.startKey() : prefix;
      List<KeyValue> items = new ArrayList<>();
      boolean more = false;
      for (Map.Entry<String, KeyHistory> entry : keys.tailMap(from, true).entrySet()) {
        if (!entry.getKey().startsWith(prefix)) {
          break;
        }
        KeyValue kv = entry.getValue().at(at);
        if (kv == null) {
          continue;
        }
        if (items.size() == request.limit()) {
          more = true;
          break;
        }
        items.add(kv);
      }
      return new Page(items, at, more, request.limit());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public KeyValue create(String key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    lock.writeLock().lock();
    try {
      ensureOpen();
      KeyHistory history = keys.get(key);
      KeyValue current = history == null ? null : history.latest();
      if (current != null) {
        throw new ConflictException(key, 0, current.modRevision());
      }
      long next = revision + 1;
      KeyValue kv = new KeyValue(key, value, next, next, 1);
      commit(key, kv, new WatchEvent(WatchEvent.Type.ADDED, kv));
      return kv;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    requirePositive(expectedRevision);
    lock.writeLock().lock();
    try {
      ensureOpen();
      KeyValue current = current(key, expectedRevision);
      leases.detach(key);
      long next = revision + 1;
      KeyValue kv = new KeyValue(key, value, current.createRevision(), next, current.version() + 1);
      commit(key, kv, new WatchEvent(WatchEvent.Type.MODIFIED, kv));
      return kv;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public long delete(String key, long expectedRevision) {
    Objects.requireNonNull(key, "key");
    requirePositive(expectedRevision);
    lock.writeLock().lock();
    try {
      ensureOpen();
      KeyValue current = current(key, expectedRevision);
      leases.detach(key);
      long next = revision + 1;
      KeyValue last = new KeyValue(key, current.value(), current.createRevision(), next, 0);
      commit(key, null, new WatchEvent(WatchEvent.Type.DELETED, last));
      return next;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public long revision() {
    lock.readLock().lock();
    try {
      ensureOpen();
      return revision;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(listener, "listener");
    if (fromRevision < 0) {
      throw new IllegalArgumentException("fromRevision must not be negative: " + fromRevision);
    }
    lock.writeLock().lock();
    try {
      ensureOpen();
      MemoryWatch watch =
          new MemoryWatch(prefix, listener, watchIds.incrementAndGet(), this::remove);
      long from = fromRevision == 0 ? revision + 1 : fromRevision;
      if (from < compactRevision) {
        watch.compacted(compactRevision);
      } else {
        for (WatchEvent event : eventLog.from(from)) {
          watch.offer(event);
        }
        watches.add(watch);
      }
      watch.start();
      return watch;
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ------------------------------------------------------------------------------ leases

  /**
   * {@inheritDoc}
   *
   * <p>The lease is granted the TTL asked for, rounded up to whole seconds.
   */
  @Override
  public Lease grantLease(Duration ttl) {
    Duration granted = Duration.ofSeconds(Lease.seconds(ttl)); // checks ttl
    return whileOpen(lock.writeLock(), () -> leases.grant(granted));
  }

  @Override
  public Lease keepAliveLease(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    return whileOpen(lock.writeLock(), () -> leases.keepAlive(lease.id()));
  }

  @Override
  public void revokeLease(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    whileOpen(
        lock.writeLock(),
        () -> {
          leases.revoke(lease.id());
          return null;
        });
  }

  @Override
  public Optional<Duration> leaseTimeToLive(Lease lease) {
    Objects.requireNonNull(lease, "lease");
    return whileOpen(lock.readLock(), () -> leases.timeToLive(lease.id()));
  }

  @Override
  public KeyValue create(String key, byte[] value, Lease lease) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(lease, "lease");
    return whileOpen(
        lock.writeLock(),
        () -> {
          leases.requireLive(lease.id());
          KeyValue kv = create(key, value);
          leases.attach(key, lease.id());
          return kv;
        });
  }

  @Override
  public OptionalLong leaseId(String key) {
    Objects.requireNonNull(key, "key");
    return whileOpen(lock.readLock(), () -> leases.leaseOf(key));
  }

  /** Runs {@code action} holding {@code held}, once the store is checked to be open. */
  private <T> T whileOpen(Lock held, Supplier<T> action) {
    held.lock();
    try {
      ensureOpen();
      return action.get();
    } finally {
      held.unlock();
    }
  }

  // ------------------------------------------------------------------------------ guarded writes

  @Override
  public KeyValue create(String key, byte[] value, Guard guard) {
    Objects.requireNonNull(guard, "guard");
    lock.writeLock().lock();
    try {
      ensureOpen();
      checkGuard(guard);
      return create(key, value);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision, Guard guard) {
    Objects.requireNonNull(guard, "guard");
    requirePositive(expectedRevision);
    lock.writeLock().lock();
    try {
      ensureOpen();
      checkGuard(guard);
      return update(key, value, expectedRevision);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public long delete(String key, long expectedRevision, Guard guard) {
    Objects.requireNonNull(guard, "guard");
    requirePositive(expectedRevision);
    lock.writeLock().lock();
    try {
      ensureOpen();
      checkGuard(guard);
      return delete(key, expectedRevision);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void compact(long revision) {
    lock.writeLock().lock();
    try {
      ensureOpen();
      if (revision > this.revision) {
        throw new IllegalArgumentException(
            "cannot compact at revision "
                + revision
                + ": the current revision is "
                + this.revision);
      }
      compactTo(revision);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    List<MemoryWatch> open;
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      leases.clear();
      open = List.copyOf(watches);
      watches.clear();
      keys.clear();
      eventLog.clear();
    } finally {
      lock.writeLock().unlock();
    }
    if (ownedTimerExecutor != null) {
      ownedTimerExecutor.shutdownNow();
    }
    StoreUnavailableException cause = new StoreUnavailableException("memory store closed", null);
    open.forEach(w -> w.closed(cause));
  }

  // ------------------------------------------------------------------------------ internals

  /** Throws unless the guard's key is at the guard's revision; under the write lock. */
  private void checkGuard(Guard guard) {
    KeyHistory history = keys.get(guard.key());
    KeyValue current = history == null ? null : history.latest();
    long actual = current == null ? 0 : current.modRevision();
    if (actual != guard.modRevision()) {
      throw new ConflictException(guard.key(), guard.modRevision(), actual);
    }
  }

  /** Deletes a key whose lease ended, at a revision of its own. Under the write lock. */
  private void deleteLeasedKey(String key) {
    KeyHistory history = keys.get(key);
    KeyValue current = history == null ? null : history.latest();
    if (current != null) {
      long next = revision + 1;
      KeyValue last = new KeyValue(key, current.value(), current.createRevision(), next, 0);
      commit(key, null, new WatchEvent(WatchEvent.Type.DELETED, last));
    }
  }

  /** Returns the current document if its revision is the expected one; guarded by the lock. */
  private KeyValue current(String key, long expectedRevision) {
    KeyHistory history = keys.get(key);
    KeyValue current = history == null ? null : history.latest();
    if (current == null) {
      throw new ConflictException(key, expectedRevision, 0);
    }
    if (current.modRevision() != expectedRevision) {
      throw new ConflictException(key, expectedRevision, current.modRevision());
    }
    return current;
  }

  /** Records one write at revision + 1; {@code kv} null for a deletion. Under the write lock. */
  private void commit(String key, KeyValue kv, WatchEvent event) {
    revision++;
    keys.computeIfAbsent(key, k -> new KeyHistory()).add(revision, kv);
    Instant now = clock.instant();
    int bytes = key.length() + (kv == null ? 0 : kv.value().length);
    eventLog.append(event, bytes, now);
    for (MemoryWatch watch : watches) {
      watch.offer(event);
    }
    if (revision - compactRevision > 2L * retainedRevisions) {
      compactTo(revision - retainedRevisions);
    }
    eventLog.overBound(now).ifPresent(this::compactTo);
  }

  /** Drops history before {@code to}; a no-op at or below the current compaction. */
  private void compactTo(long to) {
    if (to <= compactRevision) {
      return;
    }
    compactRevision = to;
    Iterator<KeyHistory> it = keys.values().iterator();
    while (it.hasNext()) {
      if (it.next().compact(to)) {
        it.remove();
      }
    }
    eventLog.dropBefore(to);
  }

  private void ensureOpen() {
    if (closed) {
      throw new StoreUnavailableException("memory store is closed", null);
    }
  }

  private static void requirePositive(long expectedRevision) {
    if (expectedRevision <= 0) {
      throw new IllegalArgumentException(
          "expectedRevision must be positive (a revision read from the store): "
              + expectedRevision);
    }
  }

  private void remove(MemoryWatch watch) {
    lock.writeLock().lock();
    try {
      watches.remove(watch);
    } finally {
      lock.writeLock().unlock();
    }
  }
}
