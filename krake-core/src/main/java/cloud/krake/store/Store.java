package cloud.krake.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A versioned key-value store, the persistence SPI of Krake for Java. Modelled on etcd v3: one
 * store-wide revision counter increases with every write; each document carries the revision of its
 * creation and of its last modification; writes are compare-and-set on that modification revision;
 * watchers receive every change in revision order from any revision the store still keeps.
 *
 * <p>Keys are strings compared by their UTF-8 bytes. The library keys resources as Krake keys etcd
 * ({@link StoreKeys}). Values are opaque bytes (JSON documents for the typed layer, {@link
 * Resources}).
 *
 * <p>Implementations are thread-safe; every method may be called from any thread. Operations are
 * synchronous and bounded by the implementation's timeouts. Every operation may throw {@code
 * StoreUnavailableException} when the store cannot be reached or has been closed.
 *
 * <p>Leases and guards, for several writers sharing one store: a {@link Lease} (etcd's v3 lease)
 * makes keys live only while their holder keeps the lease alive, and a {@link Guard} makes a write
 * conditional on another key's revision (fencing). The default implementations of these methods
 * throw {@link UnsupportedOperationException}; both shipped stores implement them.
 *
 * <p>Implementations: {@code cloud.krake.store.memory.MemoryStore} (tests, embedded use) and {@code
 * cloud.krake.store.etcd.EtcdStore} (etcd 3.4+ through its JSON gateway). Both pass the shipped
 * contract suite {@code cloud.krake.testing.StoreContract}; third-party implementations should
 * extend it too.
 */
public interface Store extends AutoCloseable {

  /**
   * Reads one document at the latest revision.
   *
   * @param key the key
   * @return the document, or empty if the key does not exist
   */
  Optional<KeyValue> get(String key);

  /**
   * Lists one page of the documents whose keys start with {@code prefix}, in ascending key order.
   *
   * @param prefix the key prefix; the empty string lists every key
   * @param request the page to read; {@link PageRequest#first(int)} for the first
   * @return the page, with the revision it was read at
   * @throws CompactedException if {@code request.revision()} is older than the store keeps
   */
  Page list(String prefix, PageRequest request);

  /**
   * Lists every document under {@code prefix} as one consistent snapshot, page by page ({@value
   * PageRequest#DEFAULT_LIMIT} keys a page) at the revision of the first page.
   *
   * @param prefix the key prefix
   * @return the documents in ascending key order
   * @throws CompactedException if the snapshot revision was compacted while paging; list again
   */
  default List<KeyValue> listAll(String prefix) {
    List<KeyValue> all = new ArrayList<>();
    Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.DEFAULT_LIMIT));
    while (next.isPresent()) {
      Page page = list(prefix, next.get());
      all.addAll(page.items());
      next = page.next();
    }
    return all;
  }

  /**
   * Creates a document that must not exist yet.
   *
   * @param key the key
   * @param value the document's bytes
   * @return the document as stored, with its new revisions
   * @throws ConflictException if the key exists ({@code expectedRevision} 0, {@code actualRevision}
   *     the existing document's)
   */
  KeyValue create(String key, byte[] value);

  /**
   * Replaces a document if, and only if, its modification revision is still {@code
   * expectedRevision} (compare-and-set).
   *
   * @param key the key
   * @param value the new bytes
   * @param expectedRevision the {@link KeyValue#modRevision()} the caller read
   * @return the document as stored, with its new modification revision
   * @throws ConflictException if the document was modified, deleted or never existed ({@code
   *     actualRevision} 0 when absent)
   * @throws IllegalArgumentException if {@code expectedRevision} is not positive
   */
  KeyValue update(String key, byte[] value, long expectedRevision);

  /**
   * Deletes a document if, and only if, its modification revision is still {@code
   * expectedRevision}.
   *
   * @param key the key
   * @param expectedRevision the {@link KeyValue#modRevision()} the caller read
   * @return the store revision of the deletion
   * @throws ConflictException if the document was modified, deleted or never existed
   * @throws IllegalArgumentException if {@code expectedRevision} is not positive
   */
  long delete(String key, long expectedRevision);

  /** Returns the store's current revision: the revision of the latest write. */
  long revision();

  /**
   * Watches every key under {@code prefix}. The listener first receives every change with a
   * revision {@code >= fromRevision} that already happened, then every later change, each exactly
   * once and in revision order. A lost connection to the store is resumed from the revision after
   * the last delivered event, so no event is lost or repeated; if that revision has been compacted
   * meanwhile, {@link WatchListener#onCompacted(long)} is called and the watch ends.
   *
   * <p>The usual pattern: {@link #list} (or {@link #listAll}) at revision {@code r}, then watch
   * from {@code r + 1}.
   *
   * @param prefix the key prefix; the empty string watches every key
   * @param fromRevision the first revision to deliver; {@code 0} delivers only changes after the
   *     current revision
   * @param listener receives the events on a thread owned by the store
   * @return the running watch; close it to stop
   * @throws IllegalArgumentException if {@code fromRevision} is negative
   */
  Watch watch(String prefix, long fromRevision, WatchListener listener);

  /**
   * Discards the history before {@code revision}: afterwards reads and watches at an older revision
   * fail with {@link CompactedException} or {@link WatchListener#onCompacted(long)}. The latest
   * value of every key is kept.
   *
   * @param revision the oldest revision to keep, at most {@link #revision()}
   * @throws IllegalArgumentException if {@code revision} is greater than the current revision
   */
  void compact(long revision);

  // ---------------------------------------------------------------- leases (etcd v3 leases)

  /**
   * Grants a lease, as etcd's {@code LeaseGrant}.
   *
   * @param ttl the time to live asked for; rounded up to whole seconds (etcd's unit), at least 1 s
   * @return the lease, with the TTL granted (which may be longer than asked for)
   * @throws IllegalArgumentException if {@code ttl} is zero or negative
   * @throws UnsupportedOperationException if the store has no leases (not the shipped stores)
   */
  default Lease grantLease(Duration ttl) {
    throw new UnsupportedOperationException(getClass().getName() + " has no leases");
  }

  /**
   * Refreshes a lease once, as one round of etcd's {@code LeaseKeepAlive}: it expires {@link
   * Lease#ttl()} from now. A holder calls this well within the TTL (a third of it, as etcd's
   * clients do).
   *
   * @param lease the lease
   * @return the lease with the TTL it now has
   * @throws LeaseNotFoundException if the lease expired or was revoked
   */
  default Lease keepAliveLease(Lease lease) {
    throw new UnsupportedOperationException(getClass().getName() + " has no leases");
  }

  /**
   * Revokes a lease, as etcd's {@code LeaseRevoke}: every key attached to it is deleted, each with
   * a {@link WatchEvent.Type#DELETED} event, as on expiry (etcd deletes them in one revision,
   * {@code MemoryStore} at one revision each).
   *
   * @param lease the lease
   * @throws LeaseNotFoundException if the lease expired or was revoked already
   */
  default void revokeLease(Lease lease) {
    throw new UnsupportedOperationException(getClass().getName() + " has no leases");
  }

  /**
   * Returns how long a lease has left to live, as etcd's {@code LeaseTimeToLive}: whole seconds,
   * rounded down by etcd.
   *
   * @param lease the lease
   * @return the remaining time, or empty if the lease expired or was revoked
   */
  default Optional<Duration> leaseTimeToLive(Lease lease) {
    throw new UnsupportedOperationException(getClass().getName() + " has no leases");
  }

  /**
   * Creates a document attached to a lease (etcd's put with {@code lease}): it is deleted, with a
   * {@link WatchEvent.Type#DELETED} event, when the lease expires or is revoked. As etcd's put, a
   * later {@link #update} or {@link #update(String, byte[], long, Guard)} of the key detaches it
   * from the lease.
   *
   * @param key the key
   * @param value the document's bytes
   * @param lease the lease
   * @return the document as stored
   * @throws ConflictException if the key exists
   * @throws LeaseNotFoundException if the lease expired or was revoked (nothing is written)
   */
  default KeyValue create(String key, byte[] value, Lease lease) {
    throw new UnsupportedOperationException(getClass().getName() + " has no leases");
  }

  /**
   * Returns the id of the lease a document is attached to ({@code lease} of etcd's {@code
   * mvccpb.KeyValue}).
   *
   * @param key the key
   * @return the lease id, or empty if the key does not exist or has no lease
   */
  default OptionalLong leaseId(String key) {
    throw new UnsupportedOperationException(getClass().getName() + " has no leases");
  }

  // ---------------------------------------------------------------- guarded writes (fencing)

  /**
   * {@link #create(String, byte[])} if, and only if, {@code guard}'s key still has its revision;
   * both conditions are checked atomically with the write (one etcd transaction).
   *
   * @param key the key
   * @param value the document's bytes
   * @param guard the fence
   * @return the document as stored
   * @throws ConflictException if the guard's key was modified or deleted ({@link
   *     ConflictException#key()} is the guard's key, checked first), or else if {@code key} exists
   *     ({@code key()} is {@code key}); nothing is written
   */
  default KeyValue create(String key, byte[] value, Guard guard) {
    throw new UnsupportedOperationException(getClass().getName() + " has no guarded writes");
  }

  /**
   * {@link #update(String, byte[], long)} if, and only if, {@code guard}'s key still has its
   * revision; both comparisons are made atomically with the write (one etcd transaction).
   *
   * @param key the key
   * @param value the new bytes
   * @param expectedRevision the {@link KeyValue#modRevision()} the caller read
   * @param guard the fence
   * @return the document as stored
   * @throws ConflictException if the guard's key was modified or deleted ({@link
   *     ConflictException#key()} is the guard's key, checked first), or else if {@code key} is not
   *     at {@code expectedRevision}; nothing is written
   * @throws IllegalArgumentException if {@code expectedRevision} is not positive
   */
  default KeyValue update(String key, byte[] value, long expectedRevision, Guard guard) {
    throw new UnsupportedOperationException(getClass().getName() + " has no guarded writes");
  }

  /**
   * {@link #delete(String, long)} if, and only if, {@code guard}'s key still has its revision; both
   * comparisons are made atomically with the deletion (one etcd transaction).
   *
   * @param key the key
   * @param expectedRevision the {@link KeyValue#modRevision()} the caller read
   * @param guard the fence
   * @return the store revision of the deletion
   * @throws ConflictException if the guard's key was modified or deleted ({@link
   *     ConflictException#key()} is the guard's key, checked first), or else if {@code key} is not
   *     at {@code expectedRevision}; nothing is deleted
   * @throws IllegalArgumentException if {@code expectedRevision} is not positive
   */
  default long delete(String key, long expectedRevision, Guard guard) {
    throw new UnsupportedOperationException(getClass().getName() + " has no guarded writes");
  }

  /**
   * Closes the store: running watches end with {@link WatchListener#onClosed}, later calls throw
   * {@link StoreUnavailableException}. Idempotent.
   */
  @Override
  void close();
}
