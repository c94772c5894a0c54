package cloud.krake.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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

  /**
   * Closes the store: running watches end with {@link WatchListener#onClosed}, later calls throw
   * {@link StoreUnavailableException}. Idempotent.
   */
  @Override
  void close();
}
