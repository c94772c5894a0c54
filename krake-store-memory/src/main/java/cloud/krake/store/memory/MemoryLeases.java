package cloud.krake.store.memory;

import cloud.krake.runtime.Timer;
import cloud.krake.store.Lease;
import cloud.krake.store.LeaseNotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leases of a {@link MemoryStore}: which are live, their deadlines on the store's clock, which
 * keys each holds, and the timer tasks that expire them. Every method except the timer task runs
 * under the store's lock, as its Javadoc says; the timer task takes the write lock itself.
 */
final class MemoryLeases {

  private static final Logger log = LoggerFactory.getLogger(MemoryStore.class);

  private final Clock clock;
  private final Timer timer;
  private final ReentrantReadWriteLock lock;
  private final BooleanSupplier closed;
  private final Consumer<String> deleteKey;
  private final Map<Long, MemoryLease> leases = new HashMap<>();
  private final Map<String, Long> keyLeases = new HashMap<>(); // live key -> its lease id
  private long lastLeaseId;

  /**
   * @param deleteKey deletes a key that a lease held, at a revision of its own; called under the
   *     write lock
   */
  MemoryLeases(
      Clock clock,
      Timer timer,
      ReentrantReadWriteLock lock,
      BooleanSupplier closed,
      Consumer<String> deleteKey) {
    this.clock = clock;
    this.timer = timer;
    this.lock = lock;
    this.closed = closed;
    this.deleteKey = deleteKey;
  }

  /** Grants a lease of {@code ttl} (whole seconds); under the write lock. */
  Lease grant(Duration ttl) {
    Lease lease = new Lease(++lastLeaseId, ttl);
    MemoryLease held = new MemoryLease(lease, clock.instant().plus(lease.ttl()));
    leases.put(lease.id(), held);
    scheduleExpiryCheck(held, lease.ttl());
    return lease;
  }

  /** Restarts a live lease's TTL; under the write lock. */
  Lease keepAlive(long id) {
    MemoryLease held = live(id);
    held.deadline = clock.instant().plus(held.lease.ttl());
    return held.lease;
  }

  /** Ends a live lease, deleting its keys; under the write lock. */
  void revoke(long id) {
    expire(live(id));
  }

  /** The whole seconds a lease has left, empty if it ended; under the read lock. */
  Optional<Duration> timeToLive(long id) {
    MemoryLease held = leases.get(id);
    Instant now = clock.instant();
    if (held == null || !now.isBefore(held.deadline)) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofSeconds(Duration.between(now, held.deadline).getSeconds()));
  }

  /**
   * Throws unless the lease is live (expiring it if its deadline passed); under the write lock.
   *
   * @throws LeaseNotFoundException if it expired or was revoked
   */
  void requireLive(long id) {
    live(id);
  }

  /** Attaches a key to a live lease; under the write lock. */
  void attach(String key, long id) {
    MemoryLease held = live(id);
    held.keys.add(key);
    keyLeases.put(key, held.lease.id());
  }

  /** Detaches a key from its lease, as etcd's put without a lease does; under the write lock. */
  void detach(String key) {
    Long id = keyLeases.remove(key);
    if (id != null) {
      MemoryLease held = leases.get(id);
      if (held != null) {
        held.keys.remove(key);
      }
    }
  }

  /** The lease a key is attached to; under the read lock. */
  OptionalLong leaseOf(String key) {
    Long id = keyLeases.get(key);
    return id == null ? OptionalLong.empty() : OptionalLong.of(id);
  }

  /** Cancels every expiry check and forgets every lease; under the write lock. */
  void clear() {
    leases.values().forEach(l -> l.check.cancel());
    leases.clear();
    keyLeases.clear();
  }

  private MemoryLease live(long id) {
    MemoryLease held = leases.get(id);
    if (held != null && !clock.instant().isBefore(held.deadline)) {
      expire(held);
      held = null;
    }
    if (held == null) {
      throw new LeaseNotFoundException(id);
    }
    return held;
  }

  /** Removes a lease and deletes its keys, each at a revision of its own. Under the write lock. */
  private void expire(MemoryLease held) {
    leases.remove(held.lease.id());
    held.check.cancel();
    for (String key : held.keys) {
      keyLeases.remove(key);
      deleteKey.accept(key);
    }
    log.debug("lease {} ended; {} keys deleted", held.lease.id(), held.keys.size());
  }

  private void scheduleExpiryCheck(MemoryLease held, Duration delay) {
    held.check = timer.schedule(() -> checkExpiry(held), delay);
  }

  /** The timer task: expires the lease if due, else checks again at its (later) deadline. */
  private void checkExpiry(MemoryLease held) {
    lock.writeLock().lock();
    try {
      if (closed.getAsBoolean() || leases.get(held.lease.id()) != held) {
        return;
      }
      Instant now = clock.instant();
      if (now.isBefore(held.deadline)) {
        scheduleExpiryCheck(held, Duration.between(now, held.deadline));
      } else {
        expire(held);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A granted lease: its deadline, keys and pending expiry check, all guarded by the lock. */
  private static final class MemoryLease {
    final Lease lease;
    final Set<String> keys = new LinkedHashSet<>();
    Instant deadline;
    Timer.Handle check = () -> false;

    MemoryLease(Lease lease, Instant deadline) {
      this.lease = lease;
      this.deadline = deadline;
    }
  }
}
