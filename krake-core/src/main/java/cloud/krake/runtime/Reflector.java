package cloud.krake.runtime;

import cloud.krake.KrakeException;
import cloud.krake.model.Metadata;
import cloud.krake.model.Resource;
import cloud.krake.store.ResourceEvent;
import cloud.krake.store.ResourceList;
import cloud.krake.store.ResourceListener;
import cloud.krake.store.Resources;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists a store collection (every namespace), then watches it from the listing's revision + 1,
 * passing the {@link ResourceKey} of every listed and changed resource to a sink (usually {@code
 * controller.queue()::add}), as Krake's {@code Reflector}. Unlike Krake, it re-lists only when the
 * watch lost events to a compaction, or when the store ended the watch for good (it refused or
 * cancelled it), not on every reconnect; a re-list also reports the keys of resources that
 * disappeared meanwhile.
 *
 * <p>It keeps a cache of the latest {@link Metadata} per key (name, namespace, labels, owners,
 * finalizers, deletion), as last listed or seen in an event; readers may use it to avoid a store
 * read, knowing it may lag the store. It keeps the metadata only, not the whole resource: a
 * reflector over 10,000 applications holds their metadata, not their manifests and status (about 23
 * KiB of JSON each, several times that decoded); read the resource from the store (its typed layer
 * shares one decoding per revision) when more is needed.
 *
 * <p>If a (re-)list fails, it is retried on the {@link Timer} after {@value #RETRY_BASE_MILLIS} ms,
 * doubling up to {@value #RETRY_MAX_SECONDS} s (Krake's reflector caps its reconnect delay at 60 s
 * too).
 *
 * <p>Threading: thread-safe. The sink and the cache updates run on the store's watch thread (one
 * event at a time, in revision order) or, for listings, on the thread of {@link #start()} or of the
 * scheduler; the sink must not block.
 *
 * @param <T> the resource type
 */
public final class Reflector<T extends Resource<T>> implements AutoCloseable {

  /** The first delay before retrying a failed listing, in milliseconds. */
  public static final long RETRY_BASE_MILLIS = 500;

  /** The longest delay before retrying a failed listing, in seconds. */
  public static final long RETRY_MAX_SECONDS = 60;

  private static final Logger log = LoggerFactory.getLogger(Reflector.class);

  private final String name;
  private final Resources<T> resources;
  private final Consumer<ResourceKey> sink;
  private final Timer scheduler;
  private final Map<ResourceKey, Metadata> cache = new ConcurrentHashMap<>();

  /** The running watch, if any. Guarded by this. */
  private Optional<Watch> watch = Optional.empty();

  /** A pending list retry, if any. Guarded by this. */
  private Optional<Timer.Handle> retry = Optional.empty();

  /** Failed listings in a row. Guarded by this. */
  private int failures;

  /** Guarded by this. */
  private boolean started;

  /** Guarded by this. */
  private boolean closed;

  /** Whether a listing has succeeded. */
  private volatile boolean synced;

  /** The listener of the current watch. Guarded by this. */
  private Listener listener;

  /**
   * Creates a reflector, not started.
   *
   * @param name a name for logs
   * @param resources the collection to list and watch
   * @param sink receives the key of every listed and changed resource
   * @param scheduler runs list retries
   */
  public Reflector(
      String name, Resources<T> resources, Consumer<ResourceKey> sink, Timer scheduler) {
    this.name = Objects.requireNonNull(name, "name");
    this.resources = Objects.requireNonNull(resources, "resources");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
  }

  /**
   * Lists the collection on the calling thread, reports every key and starts watching. If the
   * listing fails it is logged and retried on the scheduler.
   *
   * @throws IllegalStateException if already started or closed
   */
  public void start() {
    synchronized (this) {
      if (closed || started) {
        throw new IllegalStateException("reflector " + name + " is already started or closed");
      }
      started = true;
    }
    relist();
  }

  /** Returns the reflector's name. */
  public String name() {
    return name;
  }

  /**
   * Returns whether the reflector is watching: started, not closed, listed, and its watch open. It
   * is not while it waits to retry a failed listing, nor once the store ended its watch for good
   * (refused, cancelled, store closed) until the listing that follows ({@link #RETRY_BASE_MILLIS}
   * later, then backing off while it fails) has started a new watch.
   */
  public synchronized boolean watching() {
    return started && !closed && watch.isPresent() && listener != null && !listener.ended;
  }

  /** Returns whether a listing has succeeded, so that the cache holds the whole collection. */
  public boolean hasSynced() {
    return synced;
  }

  /**
   * Returns the cached metadata of a key.
   *
   * @param key the key
   * @return the metadata of the latest resource seen, or empty if none (or deleted)
   */
  public Optional<Metadata> cachedMetadata(ResourceKey key) {
    return Optional.ofNullable(cache.get(Objects.requireNonNull(key, "key")));
  }

  /** Returns a snapshot of the cached keys, in no particular order. */
  public Set<ResourceKey> cachedKeys() {
    return Set.copyOf(cache.keySet());
  }

  private synchronized void relist() {
    if (closed) {
      return;
    }
    retry = Optional.empty();
    watch.ifPresent(Watch::close);
    watch = Optional.empty();
    ResourceList<T> list;
    try {
      list = resources.list();
    } catch (KrakeException e) {
      failures++;
      long millis =
          Math.min(RETRY_BASE_MILLIS << Math.min(failures - 1, 16), RETRY_MAX_SECONDS * 1000);
      if (failures == 1 && !(e instanceof StoreUnavailableException)) {
        // Once per outage; an unavailable store says so itself (once), not each reflector.
        log.warn(
            "reflector {} failed to list, retrying in {} ms: {}", name, millis, e.getMessage());
      } else {
        log.debug(
            "reflector {} failed to list (attempt {}), retrying in {} ms",
            name,
            failures,
            millis,
            e);
      }
      retry = Optional.of(scheduler.schedule(this::relist, Duration.ofMillis(millis)));
      return;
    }
    failures = 0;
    Set<ResourceKey> gone = new HashSet<>(cache.keySet());
    for (T item : list.items()) {
      ResourceKey key = ResourceKey.of(item);
      gone.remove(key);
      cache.put(key, item.metadata());
    }
    gone.forEach(cache::remove);
    synced = true;
    log.debug(
        "reflector {} listed {} resources at revision {}",
        name,
        list.items().size(),
        list.revision());
    list.items().forEach(item -> sink.accept(ResourceKey.of(item)));
    gone.forEach(sink);
    listener = new Listener();
    watch = Optional.of(resources.watch(list.revision() + 1, listener));
  }

  private final class Listener implements ResourceListener<T> {

    /** Set when the store ended this watch for good; volatile, the store's thread sets it. */
    volatile boolean ended;

    @Override
    public void onEvent(ResourceEvent<T> event) {
      ResourceKey key = ResourceKey.of(event.resource());
      if (event.type() == WatchEvent.Type.DELETED) {
        cache.remove(key);
      } else {
        cache.put(key, event.resource().metadata());
      }
      sink.accept(key);
    }

    @Override
    public void onCompacted(long compactRevision) {
      log.info(
          "reflector {} lost events to a compaction at revision {}, re-listing",
          name,
          compactRevision);
      relist();
    }

    @Override
    public void onClosed(KrakeException cause) {
      ended = true;
      // The store ended the watch for good (refused, cancelled, or the store closed): without a new
      // listing the cache and the controllers would stop seeing changes. Re-list from the
      // scheduler, not here: this is the watch's thread, and relist() closes the watch under the
      // lock. A store that stays unusable makes the listing fail and back off as any failed one.
      log.info(
          "reflector {}: the store ended its watch ({}), re-listing in {} ms",
          name,
          String.valueOf(cause),
          RETRY_BASE_MILLIS);
      scheduler.schedule(Reflector.this::relist, Duration.ofMillis(RETRY_BASE_MILLIS));
    }
  }

  /** Stops watching and cancels a pending list retry. Idempotent; never throws. */
  @Override
  public void close() {
    Optional<Watch> w;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      retry.ifPresent(Timer.Handle::cancel);
      w = watch;
      watch = Optional.empty();
    }
    w.ifPresent(Watch::close);
  }
}
