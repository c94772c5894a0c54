package cloud.krake.store;

import cloud.krake.KrakeException;
import cloud.krake.model.Resource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decode cache of one typed layer ({@link Resources}): the latest decoded revision per key, for
 * keys under an open watch of the layer, at most {@link Resources#DECODE_CACHE_LIMIT} keys in
 * access order; and the watches' adapter from stored documents to decoded resources, which keeps
 * the cache in step with deletions and compactions. See {@link Resources#decode} for the contract.
 * Thread-safe.
 *
 * @param <T> the resource type
 */
final class DecodeCache<T extends Resource<T>> {

  private static final Logger log = LoggerFactory.getLogger(Resources.class);

  private final ResourceType<T> type;

  /** Guarded by itself. */
  private final LinkedHashMap<String, T> decoded =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, T> eldest) {
          return size() > Resources.DECODE_CACHE_LIMIT;
        }
      };

  /**
   * The writes of this layer in progress, by key ({@link #writing}); guarded by {@link #decoded}.
   */
  private final Map<String, Pending<T>> pending = new HashMap<>();

  /**
   * The decodings of recent deletions (DELETED events), by key, until every watch of the layer that
   * covers the key has delivered the event, and then the mark that they did (the revision alone);
   * at most {@link #REMOVALS_LIMIT} keys, the oldest dropped first; guarded by {@link #decoded}.
   * See {@link #decodeDeleted}.
   */
  private final LinkedHashMap<String, Removal<T>> removals =
      new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Removal<T>> eldest) {
          return size() > REMOVALS_LIMIT;
        }
      };

  /**
   * How many deletions {@link #removals} keeps at most: a decoding is dropped once every watch has
   * delivered it (its mark stays), so only a watch that ends or lags far behind leaves one there.
   */
  static final int REMOVALS_LIMIT = 32;

  /** The prefixes of the layer's open watches, once per watch. */
  private final List<String> watchedPrefixes = new CopyOnWriteArrayList<>();

  DecodeCache(ResourceType<T> type) {
    this.type = type;
  }

  /** Decodes a stored document, or returns the same revision's earlier decoding. */
  T decode(KeyValue kv) {
    T cached;
    Pending<T> write;
    synchronized (decoded) {
      cached = decoded.get(kv.key());
      write = pending.get(kv.key());
    }
    if (cached != null && cached.metadata().revision() == kv.modRevision()) {
      return cached;
    }
    T fresh =
        write != null && Arrays.equals(write.document(), kv.value())
            ? write
                .resource()
                .withMetadata(write.resource().metadata().withRevision(kv.modRevision()))
            : type.decode(kv);
    if (!watched(kv.key())) {
      // No watch would tell this layer of the key's deletion: caching it could keep it for ever.
      return fresh;
    }
    synchronized (decoded) {
      // Another thread (another watch of the same revision) may have decoded it meanwhile: share
      // the first decoding, so that every reader of one revision holds the same object.
      T raced = decoded.get(kv.key());
      if (raced != null && raced.metadata().revision() == kv.modRevision()) {
        return raced;
      }
      // a watch that lags behind the layer's own writes must not replace a later revision
      if (raced == null || raced.metadata().revision() < kv.modRevision()) {
        decoded.put(kv.key(), fresh);
      }
    }
    return fresh;
  }

  /**
   * The decoding this cache holds of exactly {@code revision} of {@code key}, without reading the
   * store: a (key, mod revision) pair names one document, so it is that revision's resource, though
   * the store may hold a later one by now.
   *
   * @return the decoded resource, or {@code null} if the cache holds another revision or none
   */
  T cachedAt(String key, long revision) {
    synchronized (decoded) {
      T cached = decoded.get(key);
      return cached != null && cached.metadata().revision() == revision ? cached : null;
    }
  }

  /**
   * Announces a write of this layer: until {@link #done} the document being written and the
   * resource it encodes are kept for the key, so that a watch delivering the write before the
   * writer returns ({@link #decode}) takes the resource instead of decoding the document. Only for
   * a watched key; the document is compared byte for byte, so nothing else is ever taken for it.
   *
   * @return the announcement, for {@link #done}; {@code null} if the key is not watched
   */
  Pending<T> writing(String key, T resource, byte[] document) {
    if (!watched(key)) {
      return null;
    }
    Pending<T> p = new Pending<>(key, resource, document);
    synchronized (decoded) {
      pending.put(key, p);
    }
    return p;
  }

  /** Ends an announcement of {@link #writing}, whether the write succeeded or not. */
  void done(Pending<T> p) {
    if (p == null) {
      return;
    }
    synchronized (decoded) {
      pending.remove(p.key(), p);
    }
  }

  /**
   * Records a resource this layer has just written (stamped with the revision of the write) as the
   * decoding of that revision, so that the watch events and reads of the write share it instead of
   * decoding the document the layer has just encoded. Kept only for a watched key, and only if the
   * cache holds no later revision of it (a watch may have delivered a later write already).
   *
   * @return the resource the cache holds for that revision: {@code resource}, or the equal one a
   *     watch took from the announcement first
   */
  T written(String key, T resource) {
    if (!watched(key)) {
      return resource;
    }
    long revision = resource.metadata().revision();
    synchronized (decoded) {
      T cached = decoded.get(key);
      if (cached != null && cached.metadata().revision() == revision) {
        return cached;
      }
      if (cached == null || cached.metadata().revision() < revision) {
        decoded.put(key, resource);
      }
    }
    return resource;
  }

  /** A write in progress: the resource, and its document as sent to the store. */
  record Pending<T>(String key, T resource, byte[] document) {}

  /**
   * Decodes the last value of a deleted key (a DELETED event) and drops the key; the watches of the
   * layer share one decoding of each deletion. A DELETED event's (key, mod revision) names one
   * deletion of one store, and so the one value it removed: the first watch to deliver it decodes
   * it (unless the layer's own removal recorded it, {@link #removed}) and keeps the decoding until
   * every other watch covering the key has taken it.
   */
  T decodeDeleted(KeyValue kv) {
    String key = kv.key();
    long revision = kv.modRevision();
    synchronized (decoded) {
      decoded.remove(key);
      T shared = takeRemoval(key, revision);
      if (shared != null) {
        return shared;
      }
    }
    T fresh = type.decode(kv);
    int others = watches(key) - 1;
    synchronized (decoded) {
      // another watch may have decoded the same deletion meanwhile: share the first decoding
      T raced = takeRemoval(key, revision);
      if (raced != null) {
        return raced;
      }
      Removal<T> known = removals.get(key);
      if (known == null || known.revision < revision) {
        // with no other watch to deliver it, only the fact that it was delivered is kept
        removals.put(key, new Removal<>(revision, others > 0 ? fresh : null, others));
      }
    }
    return fresh;
  }

  /**
   * Records the layer's own removal of {@code key}: {@code current} is the resource at the revision
   * the store's compare-and-set removed (so the deleted value is its encoding), {@code removedAt}
   * the revision of the deletion. The watches of the layer then deliver the DELETED event with
   * {@code current} stamped with {@code removedAt} instead of decoding the deleted document, as a
   * decoding of it would be stamped. Nothing is recorded when no watch of the layer covers the key,
   * or when a watch has delivered the deletion already (it recorded its own).
   */
  void removed(String key, T current, long removedAt) {
    int watches = watches(key);
    if (watches == 0) {
      return;
    }
    T resource = current.withMetadata(current.metadata().withRevision(removedAt));
    synchronized (decoded) {
      // a watch that delivered the deletion first left its own record (or, once every watch has
      // delivered it, the mark of that): nothing is waiting for this one
      Removal<T> known = removals.get(key);
      if (known == null || known.revision < removedAt) {
        removals.put(key, new Removal<>(removedAt, resource, watches));
      }
    }
  }

  /** Takes one watch's share of a recorded deletion; guarded by {@link #decoded}. */
  private T takeRemoval(String key, long revision) {
    Removal<T> removal = removals.get(key);
    if (removal == null || removal.revision != revision || removal.resource == null) {
      return null;
    }
    T resource = removal.resource;
    if (--removal.remaining <= 0) {
      // every watch has it: keep only the mark that it was delivered, so that the layer's own
      // record of the removal, if it comes later, is not kept for watches that will never ask
      removal.resource = null;
    }
    return resource;
  }

  /**
   * Returns how many deletions' decodings are kept for watches still to deliver them (not the marks
   * of deletions every watch has delivered); for tests.
   */
  int removalsSize() {
    synchronized (decoded) {
      int n = 0;
      for (Removal<T> removal : removals.values()) {
        n += removal.resource == null ? 0 : 1;
      }
      return n;
    }
  }

  /**
   * A deletion's decoding and how many watches are still to deliver it; the decoding is {@code
   * null} once every watch has delivered it.
   */
  private static final class Removal<T> {
    final long revision;
    T resource;
    int remaining;

    Removal(long revision, T resource, int remaining) {
      this.revision = revision;
      this.resource = resource;
      this.remaining = remaining;
    }
  }

  /** Drops a deleted key. */
  void forget(String key) {
    synchronized (decoded) {
      decoded.remove(key);
    }
  }

  /** Returns how many keys the cache holds. */
  int size() {
    synchronized (decoded) {
      return decoded.size();
    }
  }

  /**
   * Watches a prefix of the store for the layer: registers the prefix before the watch starts (so
   * that no deletion after a cached read goes unseen), decodes each event through the cache, and
   * drops what no other watch covers once the watch ends.
   */
  Watch watch(Store store, String prefix, long fromRevision, ResourceListener<T> listener) {
    watchedPrefixes.add(prefix);
    AtomicBoolean ended = new AtomicBoolean();
    Runnable unwatch =
        () -> {
          if (ended.compareAndSet(false, true)) {
            watchedPrefixes.remove(prefix);
            // Deletions from now on would go unseen: drop what no other watch covers.
            synchronized (decoded) {
              decoded.keySet().removeIf(key -> key.startsWith(prefix) && !watched(key));
              // a deletion this watch was still to deliver is no longer waited for
              removals.keySet().removeIf(key -> key.startsWith(prefix));
            }
          }
        };
    Watch watch;
    try {
      watch = store.watch(prefix, fromRevision, new Decoding(prefix, listener, unwatch));
    } catch (RuntimeException e) {
      unwatch.run();
      throw e;
    }
    return () -> {
      try {
        watch.close();
      } finally {
        unwatch.run();
      }
    };
  }

  /** How many open watches of the layer cover the key. */
  private int watches(String key) {
    int n = 0;
    for (String prefix : watchedPrefixes) {
      if (key.startsWith(prefix)) {
        n++;
      }
    }
    return n;
  }

  /** Whether an open watch of the layer covers the key, so that its deletion will be seen. */
  private boolean watched(String key) {
    for (String prefix : watchedPrefixes) {
      if (key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** A store watch's listener that decodes through the cache for a typed listener. */
  private final class Decoding implements WatchListener {
    private final String prefix;
    private final ResourceListener<T> listener;
    private final Runnable unwatch;

    Decoding(String prefix, ResourceListener<T> listener, Runnable unwatch) {
      this.prefix = prefix;
      this.listener = listener;
      this.unwatch = unwatch;
    }

    @Override
    public void onEvent(WatchEvent event) {
      T resource;
      try {
        resource =
            event.type() == WatchEvent.Type.DELETED
                ? decodeDeleted(event.kv())
                : decode(event.kv());
      } catch (CorruptDocumentException e) {
        log.error("skipping a corrupt document in a watch: {}", e.getMessage());
        listener.onCorruptDocument(e);
        return;
      }
      listener.onEvent(new ResourceEvent<>(event.type(), resource));
    }

    @Override
    public void onCompacted(long compactRevision) {
      // Deletions in the lost history were never seen: drop what was decoded under the prefix;
      // the listener's re-list decodes the live resources again.
      synchronized (decoded) {
        decoded.keySet().removeIf(key -> key.startsWith(prefix));
        removals.keySet().removeIf(key -> key.startsWith(prefix));
      }
      listener.onCompacted(compactRevision);
    }

    @Override
    public void onClosed(KrakeException cause) {
      unwatch.run();
      listener.onClosed(cause);
    }
  }
}
