package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.ApiResource.GroupKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The fake's state and API semantics: the registry of served kinds, objects by kind, the global
 * resourceVersion counter, the event log per kind and the open watches. Its parts: the served kinds
 * ({@link KindRegistry}), one kind's objects, event log and watches ({@link KindBucket}), what a
 * write checks and fills in ({@link WriteRules}, {@link GracefulPodDeletion}) and the open watches
 * ({@link OpenWatches}); this class holds the lock, the counter and the write verbs.
 *
 * <p>Thread-safe: every method takes one lock; stored objects are never changed after they are
 * stored (a write stores a new tree), so they may be read and serialised outside the lock. Watch
 * events are queued to the watch streams under the lock, in resourceVersion order, and written by
 * the streams' own threads outside it.
 */
final class ObjectStore {
  /** Events kept per kind for watches that resume from a resourceVersion. */
  static final int EVENT_HISTORY_PER_KIND = 10_000;

  static final GroupKind NAMESPACE = new GroupKind("", "Namespace");
  static final GroupKind NODE = new GroupKind("", "Node");
  static final GroupKind CRD = new GroupKind("apiextensions.k8s.io", "CustomResourceDefinition");
  static final GroupKind POD = new GroupKind("", "Pod");

  private final Object lock = new Object();
  private final Clock clock;
  private final boolean enforceNamespaces;
  private final Simulation simulation;

  /**
   * Told of every event, under the lock, in resourceVersion order; they must not block or call back
   * into the store on the calling thread.
   */
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();

  // All guarded by lock
  private final KindRegistry kinds = new KindRegistry();
  private final Map<GroupKind, KindBucket> buckets = new HashMap<>();
  private final OpenWatches openWatches = new OpenWatches(lock);
  private final WatchHold hold = new WatchHold();
  private long resourceVersion;
  private long compactedResourceVersion;
  private boolean closed;
  // With a kubelet attached, a Pod is deleted gracefully: marked, then removed by the kubelet
  private boolean gracefulPodDeletion;

  ObjectStore(Clock clock, boolean autoReady, boolean enforceNamespaces) {
    this.clock = clock;
    this.enforceNamespaces = enforceNamespaces;
    this.simulation = new Simulation(autoReady, this::now);
  }

  /** A page of a list. */
  record Page(List<ObjectNode> items, long resourceVersion, Optional<String> continueToken) {}

  /** The result of a write: the object as stored (or as last seen, if deleted), and if created. */
  record Written(ObjectNode object, boolean created) {}

  // --------------------------------------------------------------------------------- kubelet

  /**
   * Adds a listener told of every later event, under the store's lock (so it sees events in
   * resourceVersion order and must only queue work).
   */
  void addListener(Consumer<Event> listener) {
    listeners.add(listener);
  }

  void removeListener(Consumer<Event> listener) {
    listeners.remove(listener);
  }

  /**
   * Switches the kubelet mode: Pods are deleted gracefully (marked, removed by {@link
   * #finishPodDeletion}) and auto-ready leaves Pods and workloads to the kubelet.
   */
  void kubeletAttached(boolean attached) {
    synchronized (lock) {
      gracefulPodDeletion = attached;
      simulation.kubeletAttached(attached);
    }
  }

  /** See {@link Simulation#nodePortCheck}. */
  void nodePortCheck(java.util.function.IntPredicate free) {
    synchronized (lock) {
      simulation.nodePortCheck(free);
    }
  }

  /**
   * Removes a Pod the kubelet has finished terminating (its containers have stopped), as the
   * kubelet's final delete with grace period 0: with finalizers left it stays, marked with grace 0,
   * until the last one is removed. Does nothing if the Pod is gone or is another incarnation.
   */
  void finishPodDeletion(String namespace, String name, String uid) {
    synchronized (lock) {
      if (closed) {
        return;
      }
      KindBucket bucket = buckets.get(POD);
      ApiResource type = kinds.byKind("v1", "Pod").orElse(null);
      if (bucket == null || type == null) {
        return;
      }
      String key = key(type, namespace, name);
      ObjectNode old = bucket.objects.get(key);
      if (old == null || !old.path("metadata").path("uid").asText().equals(uid)) {
        return;
      }
      if (old.path("metadata").path("finalizers").isEmpty()) {
        ObjectNode gone = old.deepCopy();
        Json.child(gone, "metadata").put("resourceVersion", Long.toString(++resourceVersion));
        remove(type, bucket, key, gone);
        return;
      }
      if (old.path("metadata").path("deletionGracePeriodSeconds").asLong(0) == 0) {
        return;
      }
      ObjectNode next = old.deepCopy();
      ObjectNode metadata = Json.child(next, "metadata");
      metadata.put("deletionGracePeriodSeconds", 0);
      metadata.put("resourceVersion", Long.toString(++resourceVersion));
      bucket.objects.put(key, next);
      emit(bucket, "MODIFIED", next, old);
    }
  }

  // ---------------------------------------------------------------------------------- registry

  void register(ApiResource type) {
    synchronized (lock) {
      kinds.register(type);
      buckets.computeIfAbsent(type.groupKind(), gk -> new KindBucket());
    }
  }

  /** The type served at {@code /apis/group/version/plural}, if any. */
  Optional<ApiResource> byPlural(String apiVersion, String plural) {
    synchronized (lock) {
      return kinds.byPlural(apiVersion, plural);
    }
  }

  Optional<ApiResource> byKind(String apiVersion, String kind) {
    synchronized (lock) {
      return kinds.byKind(apiVersion, kind);
    }
  }

  /** The served types of a group version, in registration order; empty if it is not served. */
  List<ApiResource> types(String apiVersion) {
    synchronized (lock) {
      return kinds.types(apiVersion);
    }
  }

  /** Served group versions ({@code v1}, {@code apps/v1}, ...) in registration order. */
  List<String> apiVersions() {
    synchronized (lock) {
      return kinds.apiVersions();
    }
  }

  /** Stops serving a kind in every version: its objects are deleted and its watches end. */
  private void unregister(GroupKind groupKind) {
    kinds.unregister(groupKind);
    KindBucket bucket = buckets.remove(groupKind);
    if (bucket == null) {
      return;
    }
    for (ObjectNode object : new ArrayList<>(bucket.objects.values())) {
      removeStored(bucket, object);
    }
    for (WatchStream watch : bucket.watches) {
      watch.end();
    }
  }

  // ------------------------------------------------------------------------------------- reads

  ObjectNode get(ApiResource type, String namespace, String name) {
    synchronized (lock) {
      ObjectNode object = bucket(type).objects.get(key(type, namespace, name));
      if (object == null) {
        throw ApiError.notFound(type, name);
      }
      return object;
    }
  }

  Optional<ObjectNode> find(ApiResource type, String namespace, String name) {
    synchronized (lock) {
      return Optional.ofNullable(bucket(type).objects.get(key(type, namespace, name)));
    }
  }

  /**
   * Lists objects of a kind, in one namespace or all ({@code namespace == null}), in key order.
   *
   * @param limit at most this many items, 0 for all
   * @param continueToken where a previous page ended, or {@code null}
   */
  Page list(
      ApiResource type, String namespace, Selectors selectors, long limit, String continueToken) {
    synchronized (lock) {
      return bucket(type)
          .list(
              type.namespaced() ? namespace : null,
              selectors,
              limit,
              continueToken,
              resourceVersion);
    }
  }

  /** Every stored object of every kind except those named. */
  List<ObjectNode> all(Set<GroupKind> except) {
    synchronized (lock) {
      List<ObjectNode> objects = new ArrayList<>();
      for (Map.Entry<GroupKind, KindBucket> entry : buckets.entrySet()) {
        if (!except.contains(entry.getKey())) {
          objects.addAll(entry.getValue().objects.values());
        }
      }
      return objects;
    }
  }

  long resourceVersion() {
    synchronized (lock) {
      return resourceVersion;
    }
  }

  // ------------------------------------------------------------------------------------ writes

  /**
   * Creates an object (POST).
   *
   * @throws ApiError 400 for a body of another kind or namespace, 404 for a missing namespace, 409
   *     AlreadyExists, 422 without a name
   */
  ObjectNode create(ApiResource type, String namespace, JsonNode body) {
    ObjectNode object = WriteRules.asObject(body).deepCopy();
    WriteRules.checkKind(type, object);
    ObjectNode metadata = Json.child(object, "metadata");
    String ns = WriteRules.namespaceOf(type, namespace, metadata);
    String name = WriteRules.nameOf(type, metadata);
    synchronized (lock) {
      checkOpen();
      checkNamespace(type, ns);
      KindBucket bucket = bucket(type);
      String key = key(type, ns, name);
      if (bucket.objects.containsKey(key)) {
        throw ApiError.alreadyExists(type, name);
      }
      WriteRules.setServerFields(type, object, ns, name, now());
      KindRegistry.validateCrd(type, object);
      PodSpecValidation.validate(type, object);
      simulation.onWrite(type, object, null);
      metadata.put("resourceVersion", Long.toString(++resourceVersion));
      bucket.objects.put(key, object);
      emit(bucket, "ADDED", object, null);
      if (type.groupKind().equals(CRD)) {
        buckets.computeIfAbsent(kinds.serveCrd(object), gk -> new KindBucket());
      }
      return object;
    }
  }

  /** How a write through {@link #update} treats the candidate object. */
  enum Mode {
    /** The main resource: status kept for kinds with a status subresource. */
    MAIN,
    /** The status subresource: only {@code status} is taken. */
    STATUS,
    /** A server-side write by the test: like MAIN, never a resourceVersion conflict. */
    FORCE
  }

  /**
   * Replaces an object with what {@code change} makes of a copy of it (PUT, PATCH).
   *
   * @param create the object to create when it is missing (server-side apply), or {@code null} for
   *     a 404
   * @throws ApiError 404 if missing, 409 Conflict for a stale {@code metadata.resourceVersion}, 400
   *     for a candidate of another kind, name or namespace
   */
  Written update(
      ApiResource type,
      String namespace,
      String name,
      Function<ObjectNode, JsonNode> change,
      Mode mode,
      JsonNode create) {
    synchronized (lock) {
      checkOpen();
      KindBucket bucket = bucket(type);
      String ns = type.namespaced() ? namespace : "";
      String key = key(type, ns, name);
      ObjectNode old = bucket.objects.get(key);
      if (old == null) {
        if (create != null) {
          return new Written(create(type, namespace, create), true);
        }
        throw ApiError.notFound(type, name);
      }
      ObjectNode candidate = WriteRules.asObject(change.apply(old.deepCopy()));
      WriteRules.checkKind(type, candidate);
      ObjectNode candidateMetadata = Json.child(candidate, "metadata");
      WriteRules.checkSameObject(type, ns, name, candidateMetadata);
      String oldVersion = old.path("metadata").path("resourceVersion").asText();
      String expected = candidateMetadata.path("resourceVersion").asText("");
      if (mode != Mode.FORCE && !expected.isEmpty() && !expected.equals(oldVersion)) {
        throw ApiError.conflict(type, name);
      }
      ObjectNode next;
      if (mode == Mode.STATUS) {
        next = WriteRules.withStatusOf(old, candidate);
      } else {
        next = candidate;
        WriteRules.keepServerFields(type, old, next);
        KindRegistry.validateCrd(type, next);
        PodSpecValidation.validate(type, next);
        simulation.onWrite(type, next, old);
      }
      if (next.equals(old)) {
        return new Written(old, false);
      }
      ObjectNode metadata = Json.child(next, "metadata");
      metadata.put("resourceVersion", Long.toString(++resourceVersion));
      if (metadata.has("deletionTimestamp")
          && metadata.path("finalizers").isEmpty()
          && metadata.path("deletionGracePeriodSeconds").asLong(0) == 0) {
        // a Pod in graceful deletion (grace > 0) stays until the kubelet has stopped it
        remove(type, bucket, key, next);
        return new Written(next, false);
      }
      bucket.objects.put(key, next);
      emit(bucket, "MODIFIED", next, old);
      if (type.groupKind().equals(CRD)) {
        buckets.computeIfAbsent(kinds.serveCrd(next), gk -> new KindBucket());
      }
      return new Written(next, false);
    }
  }

  /**
   * Deletes an object (DELETE): one with finalizers only gets a {@code deletionTimestamp}.
   *
   * @param preconditions {@code uid} and {@code resourceVersion} the object must have, or {@code
   *     null}
   * @return the object as deleted, or as marked for deletion
   * @throws ApiError 404 if missing, 409 if a precondition fails
   */
  ObjectNode delete(ApiResource type, String namespace, String name, JsonNode preconditions) {
    return delete(type, namespace, name, preconditions, null);
  }

  /**
   * Deletes an object (DELETE) with the {@code gracePeriodSeconds} of the request's DeleteOptions,
   * or {@code null} for the default. With a kubelet attached a Pod that has not finished is deleted
   * gracefully, as the real API server does: it gets a {@code deletionTimestamp} (now plus the
   * grace period) and {@code deletionGracePeriodSeconds} (the request's, else the Pod's {@code
   * terminationGracePeriodSeconds}, else 30) and goes once the kubelet has stopped its containers;
   * a grace period of 0 removes it at once.
   */
  ObjectNode delete(
      ApiResource type,
      String namespace,
      String name,
      JsonNode preconditions,
      Long gracePeriodSeconds) {
    synchronized (lock) {
      checkOpen();
      KindBucket bucket = bucket(type);
      String key = key(type, type.namespaced() ? namespace : "", name);
      ObjectNode old = bucket.objects.get(key);
      if (old == null) {
        throw ApiError.notFound(type, name);
      }
      JsonNode oldMetadata = old.path("metadata");
      WriteRules.checkPreconditions(type, name, old, preconditions);
      if (gracefulPodDeletion && type.groupKind().equals(POD)) {
        ObjectNode marked = GracefulPodDeletion.mark(old, gracePeriodSeconds, clock.instant());
        if (marked == old) {
          return old;
        }
        if (marked != null) {
          Json.child(marked, "metadata").put("resourceVersion", Long.toString(++resourceVersion));
          bucket.objects.put(key, marked);
          emit(bucket, "MODIFIED", marked, old);
          return marked;
        }
      }
      if (!oldMetadata.path("finalizers").isEmpty()) {
        if (oldMetadata.has("deletionTimestamp")) {
          return old;
        }
        ObjectNode next = old.deepCopy();
        ObjectNode metadata = Json.child(next, "metadata");
        metadata.put("deletionTimestamp", now());
        metadata.put("deletionGracePeriodSeconds", 0);
        simulation.onWrite(type, next, old);
        metadata.put("resourceVersion", Long.toString(++resourceVersion));
        bucket.objects.put(key, next);
        emit(bucket, "MODIFIED", next, old);
        return next;
      }
      ObjectNode gone = old.deepCopy();
      Json.child(gone, "metadata").put("resourceVersion", Long.toString(++resourceVersion));
      remove(type, bucket, key, gone);
      return gone;
    }
  }

  /** Removes a stored object and what hangs on it; {@code gone} carries the new version. */
  private void remove(ApiResource type, KindBucket bucket, String key, ObjectNode gone) {
    bucket.objects.remove(key);
    simulation.onDelete(type, gone);
    emit(bucket, "DELETED", gone, null);
    GroupKind groupKind = type.groupKind();
    if (groupKind.equals(CRD)) {
      JsonNode spec = gone.path("spec");
      unregister(
          new GroupKind(spec.path("group").asText(), spec.path("names").path("kind").asText()));
    } else if (groupKind.equals(NAMESPACE)) {
      // as the namespace controller, without waiting for finalizers of the contents
      String namespace = gone.path("metadata").path("name").asText();
      for (KindBucket other : buckets.values()) {
        NavigableMap<String, ObjectNode> contents = other.objectsIn(namespace);
        for (ObjectNode object : new ArrayList<>(contents.values())) {
          removeStored(other, object);
        }
      }
    }
  }

  /** Removes an object without finalizer or subresource semantics, emitting DELETED. */
  private void removeStored(KindBucket bucket, ObjectNode object) {
    JsonNode metadata = object.path("metadata");
    String namespace = metadata.path("namespace").asText("");
    bucket.objects.remove(namespace + "/" + metadata.path("name").asText());
    ObjectNode gone = object.deepCopy();
    Json.child(gone, "metadata").put("resourceVersion", Long.toString(++resourceVersion));
    emit(bucket, "DELETED", gone, null);
  }

  // ------------------------------------------------------------------------------------ watch

  /**
   * Opens a watch: from {@code fromVersion} (replaying the logged events after it), or with
   * synthetic ADDED events for the current objects when it is {@code null}, empty or {@code "0"}. A
   * version older than the last compaction gives a stream with one ERROR event (410 Expired).
   *
   * @throws ApiError 400 for a resourceVersion that is not a number
   */
  WatchStream watch(
      ApiResource type,
      String namespace,
      Selectors selectors,
      String fromVersion,
      long deadlineNanos,
      boolean bookmarks) {
    synchronized (lock) {
      WatchStream watch =
          new WatchStream(
              type,
              type.namespaced() ? namespace : null,
              selectors,
              deadlineNanos,
              bookmarks,
              this::resourceVersion,
              this::finished,
              hold);
      if (closed) {
        watch.end();
        return watch;
      }
      KindBucket bucket = bucket(type);
      if (!bucket.replay(
          watch, type.namespaced() ? namespace : null, fromVersion, compactedResourceVersion)) {
        return watch;
      }
      bucket.watches.add(watch);
      openWatches.add(watch);
      return watch;
    }
  }

  private void finished(WatchStream watch) {
    synchronized (lock) {
      openWatches.remove(watch);
      KindBucket bucket = buckets.get(watch.type.groupKind());
      if (bucket != null) {
        bucket.watches.remove(watch);
      }
    }
  }

  int watchCount() {
    synchronized (lock) {
      return openWatches.count();
    }
  }

  void dropWatches() {
    synchronized (lock) {
      openWatches.dropAll();
    }
  }

  /** Makes the writers of every watch stream, open or new, wait until {@link #releaseWatches}. */
  void holdWatches() {
    hold.hold();
  }

  /** Lets the watch streams write again, the events queued meanwhile first. */
  void releaseWatches() {
    hold.release();
  }

  /** Makes every resourceVersion up to now too old to watch from. */
  void compact() {
    synchronized (lock) {
      compactedResourceVersion = resourceVersion;
      for (KindBucket bucket : buckets.values()) {
        bucket.compact(resourceVersion);
      }
    }
  }

  /**
   * Ends every watch normally, refuses further writes, and waits up to {@code timeout} for the
   * streams to finish writing.
   */
  void close(Duration timeout) {
    hold.close();
    synchronized (lock) {
      closed = true;
      openWatches.endAll();
      openWatches.awaitNone(timeout);
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  private void emit(KindBucket bucket, String type, ObjectNode object, ObjectNode previous) {
    Event event = Event.of(type, object, previous);
    bucket.record(event);
    for (Consumer<Event> listener : listeners) {
      listener.accept(event);
    }
  }

  private KindBucket bucket(ApiResource type) {
    KindBucket bucket = buckets.get(type.groupKind());
    if (bucket == null) {
      throw ApiError.notFound(type, "");
    }
    return bucket;
  }

  private void checkOpen() {
    if (closed) {
      throw new ApiError(503, "the fake API server is closed");
    }
  }

  private void checkNamespace(ApiResource type, String namespace) {
    if (!enforceNamespaces || !type.namespaced()) {
      return;
    }
    KindBucket namespaces = buckets.get(NAMESPACE);
    WriteRules.checkNamespaceTakesContent(
        namespace, namespaces == null ? null : namespaces.objects.get("/" + namespace));
  }

  private static String key(ApiResource type, String namespace, String name) {
    return (type.namespaced() ? namespace : "") + "/" + name;
  }

  String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
