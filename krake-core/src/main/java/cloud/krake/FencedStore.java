package cloud.krake;

import cloud.krake.membership.KrakeMembership;
import cloud.krake.membership.ShardNotHeldException;
import cloud.krake.runtime.internal.ForwardingStoreBase;
import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Store;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The store as the components of a group member see it: each plain write ({@code create}, {@code
 * update}, {@code delete}) whose key belongs to a shard is made with the guard of this instance's
 * claim of the shard ({@link KrakeMembership#guard(int)}), and refused at once with {@link
 * ShardNotHeldException} if the shard is not held; a guarded write the store refuses on the shard
 * key (the claim changed: another instance holds the shard) throws {@link ShardNotHeldException}
 * with the store's {@link ConflictException} as cause; other writes, reads, watches, leases and
 * writes already guarded pass through unchanged.
 *
 * <p>Thread-safe as the store it wraps.
 */
final class FencedStore extends ForwardingStoreBase {

  private final KrakeMembership membership;
  private final Function<String, OptionalInt> shardOfKey;

  /**
   * Wraps a store.
   *
   * @param delegate the store
   * @param membership gives the guards
   * @param shardOfKey the shard a written key belongs to, empty for a write to leave unguarded
   */
  FencedStore(
      Store delegate, KrakeMembership membership, Function<String, OptionalInt> shardOfKey) {
    super(delegate);
    this.membership = Objects.requireNonNull(membership, "membership");
    this.shardOfKey = Objects.requireNonNull(shardOfKey, "shardOfKey");
  }

  private Optional<Guard> guard(String key) {
    OptionalInt shard = shardOfKey.apply(Objects.requireNonNull(key, "key"));
    return shard.isPresent() ? membership.guard(shard.getAsInt()) : Optional.empty();
  }

  @Override
  public KeyValue create(String key, byte[] value) {
    Optional<Guard> guard = guard(key);
    if (guard.isEmpty()) {
      return delegate.create(key, value);
    }
    try {
      return delegate.create(key, value, guard.get());
    } catch (ConflictException e) {
      throw fenced(guard.get(), e);
    }
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision) {
    Optional<Guard> guard = guard(key);
    if (guard.isEmpty()) {
      return delegate.update(key, value, expectedRevision);
    }
    try {
      return delegate.update(key, value, expectedRevision, guard.get());
    } catch (ConflictException e) {
      throw fenced(guard.get(), e);
    }
  }

  @Override
  public long delete(String key, long expectedRevision) {
    Optional<Guard> guard = guard(key);
    if (guard.isEmpty()) {
      return delegate.delete(key, expectedRevision);
    }
    try {
      return delegate.delete(key, expectedRevision, guard.get());
    } catch (ConflictException e) {
      throw fenced(guard.get(), e);
    }
  }

  /** The conflict as thrown: the fence's if the shard key failed the comparison, else as is. */
  private RuntimeException fenced(Guard guard, ConflictException e) {
    if (!e.key().equals(guard.key())) {
      return e;
    }
    int shard = Integer.parseInt(guard.key().substring(KrakeMembership.SHARDS_PREFIX.length()));
    return new ShardNotHeldException(membership.instanceId(), guard.key(), shard, Optional.of(e));
  }

  /** Does nothing: the store is the host's, as {@link Krake}'s. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "FencedStore[" + delegate + "]";
  }
}
