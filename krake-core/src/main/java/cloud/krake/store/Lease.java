package cloud.krake.store;

import java.time.Duration;
import java.util.Objects;

/**
 * A lease granted by a {@link Store}, as etcd's v3 lease ({@code LeaseGrant}): keys written with it
 * ({@link Store#create(String, byte[], Lease)}) are deleted, each with a {@link
 * WatchEvent.Type#DELETED} event, when it expires or is revoked. It expires once {@link #ttl()} has
 * passed since it was granted or last kept alive ({@link Store#keepAliveLease(Lease)}).
 *
 * @param id the store's identifier of the lease (&gt; 0), unique while the lease lives
 * @param ttl the time to live the store granted, in whole seconds (at least 1 s); a store may grant
 *     more than was asked for (etcd grants at least its minimum TTL, about 2 s with its default
 *     election timeout)
 */
public record Lease(long id, Duration ttl) {

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if {@code id} is not positive, or {@code ttl} is shorter than
   *     1 s or not a whole number of seconds
   */
  public Lease {
    Objects.requireNonNull(ttl, "ttl");
    if (id <= 0) {
      throw new IllegalArgumentException("lease id must be positive: " + id);
    }
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.getNano() != 0) {
      throw new IllegalArgumentException("lease ttl must be whole seconds, at least 1 s: " + ttl);
    }
  }

  /** Returns the time to live in seconds, the unit of etcd's {@code TTL} fields. */
  public long ttlSeconds() {
    return ttl.getSeconds();
  }

  /**
   * Returns {@code ttl} as etcd's TTL field: whole seconds, a fraction rounded up, at least 1.
   *
   * @param ttl a positive duration
   * @return the seconds to ask for
   * @throws IllegalArgumentException if {@code ttl} is zero or negative
   */
  public static long seconds(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isZero() || ttl.isNegative()) {
      throw new IllegalArgumentException("lease ttl must be positive: " + ttl);
    }
    return ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
  }
}
