package cloud.krake.store;

import java.util.Objects;

/**
 * A fence for a write: the write happens only if {@link #key()} still has the modification revision
 * {@link #modRevision()}, checked atomically with the write's own compare-and-set (one etcd
 * transaction comparing both keys' {@code mod_revision}).
 *
 * <p>Use: a writer that owns something through a key (a shard owner key, a leader key) reads that
 * key once, then guards each write with it. If another writer took the key over meanwhile (the key
 * was rewritten, or deleted when its lease expired), the write fails with a {@link
 * ConflictException} whose {@link ConflictException#key()} is the guard's key, and nothing is
 * written: a deposed writer gets a conflict, never a silent overwrite.
 *
 * @param key the key whose revision fences the write
 * @param modRevision the {@link KeyValue#modRevision()} the key must still have (&gt; 0)
 */
public record Guard(String key, long modRevision) {

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if {@code modRevision} is not positive
   */
  public Guard {
    Objects.requireNonNull(key, "key");
    if (modRevision <= 0) {
      throw new IllegalArgumentException(
          "guard modRevision must be positive (a revision read from the store): " + modRevision);
    }
  }

  /**
   * Returns the guard "{@code kv} is unchanged".
   *
   * @param kv the guarding document as read
   */
  public static Guard of(KeyValue kv) {
    return new Guard(kv.key(), kv.modRevision());
  }
}
