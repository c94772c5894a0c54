package cloud.krake.store;

import java.util.Objects;

/**
 * One change seen by a {@link Watch}.
 *
 * <p>For {@link Type#ADDED} and {@link Type#MODIFIED}, {@code kv} is the document as written. For
 * {@link Type#DELETED}, {@code kv} carries the last value the key had before the deletion, with
 * {@code modRevision} set to the revision of the deletion and {@code version} 0, so that watchers
 * see the final state of what was removed (as Krake's API does for etcd deletes).
 *
 * @param type what happened
 * @param kv the document (see above)
 */
public record WatchEvent(Type type, KeyValue kv) {

  /** What happened to a key. Following Krake, a put that creates the key is {@code ADDED}. */
  public enum Type {
    /** The key was created (its version is 1). */
    ADDED,
    /** An existing key was written. */
    MODIFIED,
    /** The key was deleted. */
    DELETED
  }

  /** Checks the components. */
  public WatchEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(kv, "kv");
  }

  /** Returns the store revision of this change. */
  public long revision() {
    return kv.modRevision();
  }

  /** Returns the key that changed. */
  public String key() {
    return kv.key();
  }
}
