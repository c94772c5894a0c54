package cloud.krake.store;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.Metadata;
import cloud.krake.model.Resource;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed layer over a {@link Store} for one kind of resource, with the semantics of Krake's API
 * server (Krake's {@code krake/api/kubernetes.py} and {@code krake/api/core.py} handlers):
 *
 * <ul>
 *   <li>{@link #create}: validates, sets {@code uid}, {@code created} and {@code modified}, resets
 *       the status to its default (PENDING), sets {@code generation} to 1, and fails with {@link
 *       ConflictException} if the name is taken.
 *   <li>{@link #update}: the main update ("PUT"): spec and metadata only; the status, {@code uid},
 *       {@code created} and {@code deleted} keep their stored values; {@code name} and {@code
 *       namespace} are immutable; {@code modified} is bumped, and {@code generation} too when the
 *       spec changes (as Kubernetes' {@code metadata.generation}; a write of labels, finalizers or
 *       owners only keeps it, and so do status writes and {@link #delete}). A finalizer cannot be
 *       added to a resource in deletion. Once a deleted resource has no finalizer left it is
 *       removed from the store.
 *   <li>{@link #delete}: sets {@code deleted} and appends the {@value #CASCADE_DELETION} finalizer,
 *       for the garbage collector; deleting again changes nothing. {@link #forceDelete} removes the
 *       document at once, ignoring finalizers.
 * </ul>
 *
 * <p>Unlike Krake, every write is a compare-and-set: {@link #update} writes only if the store still
 * holds the revision the caller read ({@link Metadata#revision()}), else it throws {@link
 * ConflictException} and the caller re-reads. {@link #modify} does that loop for the caller. An
 * update that changes nothing writes nothing (Krake answers 400 there) and returns the stored
 * resource.
 *
 * <p>Threading: thread-safe; each method is one or a few synchronous store calls. Timestamps are
 * UTC instants from the injected {@link Clock}, truncated to microseconds as Krake's.
 *
 * <p>Namespaces: for global resource types (global metrics and providers), pass {@code ""} as the
 * namespace.
 *
 * @param <T> the resource type
 */
public class Resources<T extends Resource<T>> {

  /** The finalizer appended on deletion; Krake's garbage collector removes it. */
  public static final String CASCADE_DELETION = "cascade_deletion";

  /**
   * How often {@link #modify}, {@link #delete} and {@link #forceDelete} re-read after a lost CAS.
   */
  public static final int MAX_CONFLICT_RETRIES = 64;

  private static final Logger log = LoggerFactory.getLogger(Resources.class);

  /** The store underneath. */
  protected final Store store;

  /**
   * The most keys whose latest decoded revision {@link #decode} keeps; beyond it the least recently
   * used key is dropped. Sized for the keys in flight (the watches and the reconcile workers read a
   * revision within moments of its write), not for every live resource: a decoded application is
   * tens of KiB, and the stored bytes are kept by the store anyway.
   */
  public static final int DECODE_CACHE_LIMIT = 256;

  /** The latest decoded revision per key, and the watches that keep it in step. */
  private final DecodeCache<T> decoded;

  /** The resource type. */
  protected final ResourceType<T> type;

  /** The source of timestamps. */
  protected final Clock clock;

  /**
   * Creates the typed layer.
   *
   * @param store the store
   * @param type the resource type
   * @param clock the source of {@code created}, {@code modified} and {@code deleted}
   */
  public Resources(Store store, ResourceType<T> type, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.type = Objects.requireNonNull(type, "type");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.decoded = new DecodeCache<>(type);
  }

  /** Returns the resource type. */
  public ResourceType<T> type() {
    return type;
  }

  /**
   * Creates a resource.
   *
   * @param resource the resource; read-only metadata and the status are ignored
   * @return the resource as stored, with {@code uid}, timestamps, default status and revision
   * @throws InvalidResourceException listing every validation error; nothing is stored
   * @throws ConflictException if a resource of that name exists in the namespace
   */
  public T create(T resource) {
    Objects.requireNonNull(resource, "resource");
    Metadata requested = resource.metadata();
    Instant now = now();
    Metadata metadata =
        requested
            .withUid(Optional.of(UUID.randomUUID().toString()))
            .withCreated(Optional.of(now))
            .withModified(Optional.of(now))
            .withDeleted(Optional.empty())
            .withGeneration(1)
            .withRevision(0);
    T created = type.initialise(resource.withMetadata(metadata));
    validate(Optional.empty(), created);
    String key = type.key(requested);
    byte[] document = type.encode(created);
    DecodeCache.Pending<T> pending = decoded.writing(key, created, document);
    try {
      KeyValue kv = store.create(key, document);
      return decoded.written(key, withRevision(created, kv.modRevision()));
    } finally {
      decoded.done(pending);
    }
  }

  /**
   * Reads a resource.
   *
   * @param namespace the namespace ({@code ""} for global types)
   * @param name the name
   * @return the resource with {@code metadata.revision} set, or empty if there is none
   * @throws CorruptDocumentException if the stored document cannot be read
   */
  public Optional<T> get(String namespace, String name) {
    return store.get(key(namespace, name)).map(this::decode);
  }

  /**
   * The resource at exactly {@code revision} if this layer's decode cache holds that revision's
   * decoding, without reading the store: an informer's read. A controller passes the revision its
   * watch (a {@code Reflector}) delivered last; the store may hold a later one by now, so what it
   * derives from the result must be written with a compare-and-set on {@code revision} (every write
   * of this layer is), and read again with {@link #get} when that write throws {@link
   * ConflictException}. Not for a decision that has an effect outside the store without a write
   * first. The cache holds the latest decoded revision of at most {@value #DECODE_CACHE_LIMIT}
   * watched keys, so empty means only "not cached", never "gone".
   *
   * @param namespace the namespace ({@code ""} for global types)
   * @param name the name
   * @param revision the mod revision wanted
   * @return the cached resource at that revision, or empty
   */
  public Optional<T> cached(String namespace, String name, long revision) {
    return Optional.ofNullable(decoded.cachedAt(key(namespace, name), revision));
  }

  /**
   * Reads a resource that must exist.
   *
   * @param namespace the namespace ({@code ""} for global types)
   * @param name the name
   * @throws NotFoundException if there is none
   * @throws CorruptDocumentException if the stored document cannot be read
   */
  public T require(String namespace, String name) {
    String key = key(namespace, name);
    return store.get(key).map(this::decode).orElseThrow(() -> new NotFoundException(key));
  }

  /**
   * Lists the resources of one namespace as one consistent snapshot.
   *
   * @param namespace the namespace
   * @throws CorruptDocumentException if a stored document cannot be read (naming its key)
   * @throws IllegalStateException if the type is global
   */
  public ResourceList<T> list(String namespace) {
    return listPrefix(type.keys().prefix(namespace));
  }

  /**
   * Lists the resources of every namespace (or every global resource) as one snapshot.
   *
   * @throws CorruptDocumentException if a stored document cannot be read (naming its key)
   */
  public ResourceList<T> list() {
    return listPrefix(type.keys().prefix());
  }

  private ResourceList<T> listPrefix(String prefix) {
    List<T> items = new ArrayList<>();
    Optional<PageRequest> next = Optional.of(PageRequest.first(PageRequest.DEFAULT_LIMIT));
    long revision = 0;
    while (next.isPresent()) {
      Page page = store.list(prefix, next.get());
      revision = page.revision();
      page.items().forEach(kv -> items.add(decode(kv)));
      next = page.next();
    }
    return new ResourceList<>(items, revision);
  }

  /**
   * The main update: writes the spec and metadata of {@code resource} if the stored resource is
   * still at {@code resource.metadata().revision()}.
   *
   * @param resource the resource as read from the store, changed
   * @return the resource as stored; the stored one unchanged if nothing changed
   * @throws IllegalArgumentException if {@code metadata.revision} is 0 (not read from the store)
   * @throws NotFoundException if the resource does not exist
   * @throws ConflictException if it was written since it was read
   * @throws InvalidResourceException listing every validation error, naming {@code metadata.uid} if
   *     the stored resource is another one of the same name, or {@code metadata.finalizers} if a
   *     finalizer is added during deletion
   */
  public T update(T resource) {
    Objects.requireNonNull(resource, "resource");
    Metadata requested = resource.metadata();
    String key = type.key(requested);
    long expected = requireRevision(requested);
    T current = requireAt(key, expected);
    Metadata stored = current.metadata();
    if (requested.uid().isPresent() && !requested.uid().equals(stored.uid())) {
      throw InvalidResourceException.of(
          "metadata.uid",
          "does not match the stored resource of that name: it was deleted and created again");
    }
    if (stored.isDeleted() && !stored.finalizers().containsAll(requested.finalizers())) {
      throw InvalidResourceException.of(
          "metadata.finalizers", "Finalizers can only be removed if a deletion is in progress.");
    }
    T next = withServerFields(current, resource);
    if (next.equals(current)) {
      return unchanged(key, current);
    }
    validate(Optional.of(current), next);
    Metadata written = next.metadata().withModified(Optional.of(now()));
    if (specChanged(current, next)) {
      written = written.withGeneration(stored.generation() + 1);
    }
    next = next.withMetadata(written);
    if (stored.isDeleted() && next.metadata().finalizers().isEmpty()) {
      long removedAt = removeAt(key, current);
      forget(key);
      return withRevision(next, removedAt);
    }
    return write(key, next, expected);
  }

  /** The requested resource with what a main update keeps from the stored one. */
  private T withServerFields(T current, T requested) {
    Metadata stored = current.metadata();
    Metadata metadata =
        requested
            .metadata()
            .withUid(stored.uid())
            .withCreated(stored.created())
            .withModified(stored.modified())
            .withDeleted(stored.deleted())
            .withGeneration(stored.generation())
            .withRevision(stored.revision());
    return keepServerFields(current, requested.withMetadata(metadata));
  }

  /**
   * Creates the resource, or updates it to the spec and metadata of {@code resource} if it exists
   * (a main update, {@link #update}, on the revision this method reads; {@code metadata.revision}
   * and {@code metadata.uid} of {@code resource} are ignored), re-reading after a lost
   * compare-and-set. The status is never written: a new resource gets the initial status, an
   * existing one keeps its own. Applying what is stored writes nothing. To change only some fields
   * from a document, use {@link DeclarativeApply}.
   *
   * @param resource the desired resource
   * @return the resource as stored
   * @throws InvalidResourceException listing every validation error; nothing is stored
   * @throws ConflictException if every attempt lost
   */
  public T apply(T resource) {
    Objects.requireNonNull(resource, "resource");
    Metadata requested = resource.metadata().withUid(Optional.empty());
    String namespace = requested.namespace().orElse("");
    key(requested); // names metadata.namespace if it is missing or not allowed
    return retryOnConflict(
        () -> {
          Optional<T> current = get(namespace, requested.name());
          if (current.isEmpty()) {
            return create(resource.withMetadata(requested));
          }
          return update(
              resource.withMetadata(requested.withRevision(current.get().metadata().revision())));
        });
  }

  /**
   * The errors {@link #create} (no {@code current}) or {@link #update} would raise for {@code
   * next}, without writing; for {@link DeclarativeApply}'s validation of every document first.
   */
  final List<FieldError> checkWrite(Optional<T> current, T next) {
    if (current.isEmpty()) {
      T created = type.initialise(next);
      List<FieldError> errors = new ArrayList<>(created.validate());
      errors.addAll(moreErrors(Optional.empty(), created));
      return errors;
    }
    Metadata stored = current.get().metadata();
    T candidate = withServerFields(current.get(), next);
    if (candidate.equals(current.get())) {
      return List.of();
    }
    List<FieldError> errors = new ArrayList<>(candidate.validate());
    errors.addAll(moreErrors(current, candidate));
    if (stored.isDeleted() && !stored.finalizers().containsAll(candidate.metadata().finalizers())) {
      errors.add(
          new FieldError(
              "metadata.finalizers",
              "Finalizers can only be removed if a deletion is in progress."));
    }
    return errors;
  }

  /**
   * Reads the resource, applies {@code change} and writes the result with {@link #update},
   * re-reading and re-applying after a lost compare-and-set (at most {@value #MAX_CONFLICT_RETRIES}
   * times). {@code change} may run several times and must not have side effects.
   *
   * @param namespace the namespace ({@code ""} for global types)
   * @param name the name
   * @param change computes the new resource from the current one
   * @return the resource as stored
   * @throws NotFoundException if the resource does not exist
   * @throws InvalidResourceException if {@code change} renames the resource or breaks a rule
   * @throws ConflictException if every attempt lost
   */
  public T modify(String namespace, String name, UnaryOperator<T> change) {
    Objects.requireNonNull(change, "change");
    return retryOnConflict(
        () -> {
          T current = require(namespace, name);
          return update(checkIdentity(current, change.apply(current)));
        });
  }

  /**
   * Requests deletion, as Krake's {@code DELETE}: sets {@code metadata.deleted} and appends the
   * {@value #CASCADE_DELETION} finalizer. The resource stays in the store until its finalizers are
   * removed. Deleting a resource already in deletion returns it unchanged.
   *
   * @param namespace the namespace ({@code ""} for global types)
   * @param name the name
   * @return the resource as stored, in deletion
   * @throws NotFoundException if the resource does not exist
   */
  public T delete(String namespace, String name) {
    String key = key(namespace, name);
    return retryOnConflict(
        () -> {
          T current = require(namespace, name);
          Metadata metadata = current.metadata();
          if (metadata.isDeleted()) {
            return current;
          }
          List<String> finalizers = new ArrayList<>(metadata.finalizers());
          if (!finalizers.contains(CASCADE_DELETION)) {
            finalizers.add(CASCADE_DELETION);
          }
          T next =
              onDeletion(
                  current.withMetadata(
                      metadata.withDeleted(Optional.of(now())).withFinalizers(finalizers)));
          return write(key, next, metadata.revision());
        });
  }

  /**
   * Removes the resource from the store at once, ignoring its finalizers, as Krake's {@code DELETE
   * ?force=true}. Whatever the resource holds elsewhere (Kubernetes objects) is left behind.
   *
   * @param namespace the namespace ({@code ""} for global types)
   * @param name the name
   * @return the resource as it was last, or empty if there was none
   */
  public Optional<T> forceDelete(String namespace, String name) {
    String key = key(namespace, name);
    return retryOnConflict(
        () -> {
          Optional<T> current = get(namespace, name);
          if (current.isEmpty()) {
            return Optional.empty();
          }
          long removedAt = store.delete(key, current.get().metadata().revision());
          forget(key);
          decoded.removed(key, current.get(), removedAt);
          return Optional.of(withRevision(current.get(), removedAt));
        });
  }

  /**
   * Watches every resource of this type.
   *
   * @param fromRevision the first revision to deliver ({@link ResourceList#revision()} + 1 after a
   *     listing); 0 for changes after now
   * @param listener receives the decoded changes
   * @return the running watch
   */
  public Watch watch(long fromRevision, ResourceListener<T> listener) {
    return watchPrefix(type.keys().prefix(), fromRevision, listener);
  }

  /**
   * Watches the resources of one namespace.
   *
   * @param namespace the namespace
   * @param fromRevision the first revision to deliver; 0 for changes after now
   * @param listener receives the decoded changes
   * @return the running watch
   * @throws IllegalStateException if the type is global
   */
  public Watch watch(String namespace, long fromRevision, ResourceListener<T> listener) {
    return watchPrefix(type.keys().prefix(namespace), fromRevision, listener);
  }

  private Watch watchPrefix(String prefix, long fromRevision, ResourceListener<T> listener) {
    Objects.requireNonNull(listener, "listener");
    return decoded.watch(store, prefix, fromRevision, listener);
  }

  /**
   * Whether a main update changes the spec: everything but the metadata (the status is kept by
   * {@link #keepServerFields}), Kubernetes' rule for bumping {@code metadata.generation}.
   */
  private static <R extends Resource<R>> boolean specChanged(R current, R next) {
    return !next.withMetadata(current.metadata()).equals(current);
  }

  private void validate(Optional<T> current, T next) {
    List<FieldError> errors = new ArrayList<>(next.validate());
    errors.addAll(moreErrors(current, next));
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors);
    }
  }

  // ------------------------------------------------------------------ for subclasses

  /**
   * Checks beyond the resource's own {@code validate()}, run by {@link #create} and {@link #update}
   * before anything is written; the base class has none.
   *
   * @param current the stored resource an update replaces; empty on create
   * @param next the resource about to be written
   * @return every further error, each naming its field; empty if none
   */
  protected List<FieldError> moreErrors(Optional<T> current, T next) {
    return List.of();
  }

  /**
   * Returns {@code requested} with the parts a main update must not change taken from {@code
   * current}. The base class keeps nothing more than the metadata rules; status resources keep the
   * status.
   */
  protected T keepServerFields(T current, T requested) {
    return requested;
  }

  /**
   * Adjusts a resource being marked for deletion (after {@code deleted} and the finalizer are set).
   * The default returns it unchanged; {@code Applications} moves applications with a shutdown hook
   * to WAITING_FOR_CLEANING, as Krake's API.
   */
  protected T onDeletion(T marked) {
    return marked;
  }

  /**
   * The resource at the revision the caller read, as the base of a compare-and-set write derived
   * from it ({@link #write}, {@link #removeAt}): the decode cache's decoding of exactly that
   * revision if it holds one (no store read: a key and a mod revision name one document), else a
   * read of the store that checks the revision. Whether the store still holds that revision is left
   * to the write's compare-and-set, which throws {@link ConflictException} if not (and {@link
   * NotFoundException} if the resource is gone), as this read would have; so a write derived from a
   * cached revision never overwrites a later one. A caller that writes nothing returns {@link
   * #unchanged} instead, which confirms the revision with the store.
   *
   * @throws NotFoundException if it does not exist (on a store read)
   * @throws ConflictException if it was written since {@code expectedRevision} (on a store read)
   */
  protected final T requireAt(String key, long expectedRevision) {
    T cached = decoded.cachedAt(key, expectedRevision);
    return cached != null ? cached : readAt(key, expectedRevision);
  }

  /**
   * Reads the stored resource and checks that it is still at the revision the caller read.
   *
   * @throws NotFoundException if it does not exist
   * @throws ConflictException if it was written since {@code expectedRevision}
   */
  private T readAt(String key, long expectedRevision) {
    KeyValue kv = store.get(key).orElseThrow(() -> new NotFoundException(key));
    if (kv.modRevision() != expectedRevision) {
      throw new ConflictException(key, expectedRevision, kv.modRevision());
    }
    return decode(kv);
  }

  /**
   * The result of a write that changes nothing on {@code current} (from {@link #requireAt}): the
   * stored resource, read from the store to confirm that it is still at {@code current}'s revision,
   * as a write's compare-and-set would have; so "nothing to write" is never answered from a
   * revision the store has left.
   *
   * @throws NotFoundException if it does not exist
   * @throws ConflictException if it was written since
   */
  protected final T unchanged(String key, T current) {
    return readAt(key, current.metadata().revision());
  }

  /**
   * Decodes a stored document, or returns the resource decoded from the same key at the same
   * revision before: in one store a (key, mod revision) pair names one document, and resources are
   * immutable, so every watch, read and compare-and-set of this typed layer shares one decoding of
   * each revision (the load benchmark found each application revision decoded five times).
   *
   * <p>Memory: only the latest decoded revision of each key is kept, and a key is dropped when it
   * is deleted through this layer ({@link #forceDelete}, an {@link #update} removing the last
   * finalizer), when a watch of this layer delivers its deletion, and when a watch of this layer
   * loses history to a compaction (for the keys under its prefix). So with a watch open (as every
   * controller has) the cache holds at most the live resources this layer has read; a read racing a
   * deletion may leave one stale entry until the next compaction. And it holds at most {@value
   * #DECODE_CACHE_LIMIT} keys, the most recently used: a revision is shared by the watches and
   * reads that see it soon after its write, while the decoded form of every live resource is not
   * kept (it cost about 75 KiB per running application in the load benchmark, three times the
   * stored document).
   *
   * <p>A resource this layer writes ({@link #create}, and every compare-and-set write) is taken as
   * the decoding of the revision it was written at, so the watches and reads of this layer do not
   * decode what it has just encoded: a watch event that arrives while the write is in progress and
   * carries exactly the bytes written gets the written resource stamped with the event's revision,
   * and after the write the resource is kept as that revision's decoding (for a watched key, if the
   * cache has nothing later). Decoding a resource's encoding gives an equal resource, so readers
   * see the same values either way.
   *
   * <p>The watches of this layer also share one decoding of each deletion (a DELETED event's last
   * value): the first watch to deliver it decodes it, or takes the resource this layer removed by
   * compare-and-set ({@link #removeAt(String, Resource)}), and the decoding is kept until every
   * other watch covering the key has delivered the event (at most 32 deletions are kept).
   */
  protected final T decode(KeyValue kv) {
    return decoded.decode(kv);
  }

  /** Drops a deleted key from the decode cache. */
  private void forget(String key) {
    decoded.forget(key);
  }

  /** Returns how many keys the decode cache holds; for tests. */
  int decodeCacheSize() {
    return decoded.size();
  }

  /** Returns the decode cache; for tests. */
  DecodeCache<T> decodeCache() {
    return decoded;
  }

  /**
   * Writes with CAS and returns the resource stamped with its new revision.
   *
   * @throws ConflictException if the store no longer holds {@code expectedRevision}
   * @throws NotFoundException if the resource is gone (read after the lost compare-and-set)
   */
  protected final T write(String key, T resource, long expectedRevision) {
    byte[] document = type.encode(resource);
    DecodeCache.Pending<T> pending = decoded.writing(key, resource, document);
    try {
      KeyValue kv = store.update(key, document, expectedRevision);
      return decoded.written(key, withRevision(resource, kv.modRevision()));
    } catch (ConflictException e) {
      throw goneOr(key, e);
    } finally {
      decoded.done(pending);
    }
  }

  /**
   * Removes the document with CAS, as the last step of a deletion.
   *
   * @return the revision of the removal
   * @throws ConflictException if the store no longer holds {@code expectedRevision}
   * @throws NotFoundException if the resource is gone (read after the lost compare-and-set)
   */
  protected final long removeAt(String key, long expectedRevision) {
    try {
      return store.delete(key, expectedRevision);
    } catch (ConflictException e) {
      throw goneOr(key, e);
    }
  }

  /**
   * Removes the document with CAS at the revision of {@code current}, the resource as this layer
   * read it, as the last step of a deletion; the watches of this layer then deliver the deletion
   * with {@code current} (stamped with the removal's revision) instead of decoding the removed
   * document, which is {@code current}'s encoding.
   *
   * @return the revision of the removal
   * @throws ConflictException if the store no longer holds {@code current}'s revision
   * @throws NotFoundException if the resource is gone (read after the lost compare-and-set)
   */
  protected final long removeAt(String key, T current) {
    long removedAt = removeAt(key, current.metadata().revision());
    decoded.removed(key, current, removedAt);
    return removedAt;
  }

  /**
   * After a lost compare-and-set on {@code key}: {@link NotFoundException} if the resource is gone,
   * as {@link #requireAt}'s read reports it, else the conflict. A conflict on a fencing guard's key
   * (not {@code key}) is the conflict.
   */
  private RuntimeException goneOr(String key, ConflictException conflict) {
    if (key.equals(conflict.key()) && store.get(key).isEmpty()) {
      return new NotFoundException(key);
    }
    return conflict;
  }

  /** Returns the key of a resource by namespace and name. */
  protected final String key(String namespace, String name) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    return type.keys().key(namespace, name);
  }

  /** Returns the key of a resource from its metadata. */
  protected final String key(Metadata metadata) {
    return type.key(metadata);
  }

  /** Returns the current time, truncated to microseconds. */
  protected final Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Returns the revision the resource was read at, which must be positive. */
  protected static long requireRevision(Metadata metadata) {
    if (metadata.revision() <= 0) {
      throw new IllegalArgumentException(
          "metadata.revision is 0: read the resource from the store before writing it");
    }
    return metadata.revision();
  }

  /** Rejects a change of name or namespace, Krake's immutable fields. */
  protected static <R extends Resource<R>> R checkIdentity(R current, R changed) {
    Objects.requireNonNull(changed, "the changed resource");
    if (!changed.metadata().name().equals(current.metadata().name())) {
      throw InvalidResourceException.of("metadata.name", "Trying to update an immutable field");
    }
    if (!changed.metadata().namespace().equals(current.metadata().namespace())) {
      throw InvalidResourceException.of(
          "metadata.namespace", "Trying to update an immutable field");
    }
    return changed.withMetadata(changed.metadata().withRevision(current.metadata().revision()));
  }

  /**
   * Runs {@code attempt} again after each lost CAS, at most {@value #MAX_CONFLICT_RETRIES} times.
   */
  protected static <R> R retryOnConflict(Supplier<R> attempt) {
    for (int i = 1; ; i++) {
      try {
        return attempt.get();
      } catch (ConflictException e) {
        if (i >= MAX_CONFLICT_RETRIES) {
          throw e;
        }
        log.debug("lost a compare-and-set on {}, re-reading (attempt {})", e.key(), i);
      }
    }
  }

  private static <R extends Resource<R>> R withRevision(R resource, long revision) {
    return resource.withMetadata(resource.metadata().withRevision(revision));
  }
}
