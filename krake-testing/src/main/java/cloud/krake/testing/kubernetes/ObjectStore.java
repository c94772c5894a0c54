package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.ApiResource.GroupKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The fake's state and API semantics: the registry of served kinds, objects by kind, the global
 * resourceVersion counter, the event log per kind and the open watches.
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

  /** A Pod's {@code terminationGracePeriodSeconds} when its spec has none, as Kubernetes'. */
  static final long DEFAULT_TERMINATION_GRACE_SECONDS = 30;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

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
  private final Map<String, Map<String, ApiResource>> byPlural = new LinkedHashMap<>();
  private final Map<String, Map<String, ApiResource>> byKind = new HashMap<>();
  private final Map<GroupKind, Bucket> buckets = new HashMap<>();
  private final Set<WatchStream> openWatches = new LinkedHashSet<>();
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

  private static final class Bucket {
    final TreeMap<String, ObjectNode> objects = new TreeMap<>();
    final ArrayList<Event> log = new ArrayList<>();
    final Set<WatchStream> watches = new LinkedHashSet<>();
    long evictedUpTo;
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
      Bucket bucket = buckets.get(POD);
      ApiResource type = byKind.getOrDefault("v1", Map.of()).get("Pod");
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
      byPlural
          .computeIfAbsent(type.apiVersion(), v -> new LinkedHashMap<>())
          .put(type.plural(), type);
      byKind.computeIfAbsent(type.apiVersion(), v -> new HashMap<>()).put(type.kind(), type);
      buckets.computeIfAbsent(type.groupKind(), gk -> new Bucket());
    }
  }

  /** The type served at {@code /apis/group/version/plural}, if any. */
  Optional<ApiResource> byPlural(String apiVersion, String plural) {
    synchronized (lock) {
      return Optional.ofNullable(byPlural.getOrDefault(apiVersion, Map.of()).get(plural));
    }
  }

  Optional<ApiResource> byKind(String apiVersion, String kind) {
    synchronized (lock) {
      return Optional.ofNullable(byKind.getOrDefault(apiVersion, Map.of()).get(kind));
    }
  }

  /** The served types of a group version, in registration order; empty if it is not served. */
  List<ApiResource> types(String apiVersion) {
    synchronized (lock) {
      return List.copyOf(byPlural.getOrDefault(apiVersion, Map.of()).values());
    }
  }

  /** Served group versions ({@code v1}, {@code apps/v1}, ...) in registration order. */
  List<String> apiVersions() {
    synchronized (lock) {
      List<String> versions = new ArrayList<>();
      for (Map.Entry<String, Map<String, ApiResource>> entry : byPlural.entrySet()) {
        if (!entry.getValue().isEmpty()) {
          versions.add(entry.getKey());
        }
      }
      return versions;
    }
  }

  /** Stops serving a kind in every version: its objects are deleted and its watches end. */
  private void unregister(GroupKind groupKind) {
    for (Map<String, ApiResource> types : byPlural.values()) {
      types.values().removeIf(type -> type.groupKind().equals(groupKind));
    }
    for (Map<String, ApiResource> types : byKind.values()) {
      types.values().removeIf(type -> type.groupKind().equals(groupKind));
    }
    Bucket bucket = buckets.remove(groupKind);
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
      NavigableMap<String, ObjectNode> scope = bucket(type).objects;
      if (namespace != null && type.namespaced()) {
        scope = scope.subMap(namespace + "/", true, namespace + "0", false);
      }
      if (continueToken != null && !continueToken.isEmpty()) {
        scope = scope.tailMap(decodeContinue(continueToken), false);
      }
      List<ObjectNode> items = new ArrayList<>();
      String last = null;
      for (Map.Entry<String, ObjectNode> entry : scope.entrySet()) {
        if (!selectors.matches(entry.getValue())) {
          continue;
        }
        if (limit > 0 && items.size() == limit) {
          return new Page(items, resourceVersion, Optional.of(encodeContinue(last)));
        }
        items.add(entry.getValue());
        last = entry.getKey();
      }
      return new Page(items, resourceVersion, Optional.empty());
    }
  }

  /** Every stored object of every kind except those named. */
  List<ObjectNode> all(Set<GroupKind> except) {
    synchronized (lock) {
      List<ObjectNode> objects = new ArrayList<>();
      for (Map.Entry<GroupKind, Bucket> entry : buckets.entrySet()) {
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
    ObjectNode object = asObject(body).deepCopy();
    checkKind(type, object);
    ObjectNode metadata = Json.child(object, "metadata");
    String ns = namespaceOf(type, namespace, metadata);
    String name = metadata.path("name").asText("");
    if (name.isEmpty()) {
      String prefix = metadata.path("generateName").asText("");
      if (prefix.isEmpty()) {
        throw ApiError.invalid(
            type, "", "metadata.name: Required value: name or generateName is required");
      }
      name = prefix + randomSuffix();
    }
    synchronized (lock) {
      checkOpen();
      checkNamespace(type, ns);
      Bucket bucket = bucket(type);
      String key = key(type, ns, name);
      if (bucket.objects.containsKey(key)) {
        throw ApiError.alreadyExists(type, name);
      }
      metadata.put("name", name);
      if (type.namespaced()) {
        metadata.put("namespace", ns);
      } else {
        metadata.remove("namespace");
      }
      metadata.put("uid", UUID.randomUUID().toString());
      metadata.put("creationTimestamp", now());
      metadata.put("generation", 1);
      metadata.remove("deletionTimestamp");
      metadata.remove("deletionGracePeriodSeconds");
      if (type.statusSubresource()) {
        // as a typed Go object: status is written, empty until a controller fills it
        object.putObject("status");
      }
      validateCrd(type, object);
      PodSpecValidation.validate(type, object);
      simulation.onWrite(type, object, null);
      metadata.put("resourceVersion", Long.toString(++resourceVersion));
      bucket.objects.put(key, object);
      emit(bucket, "ADDED", object, null);
      if (type.groupKind().equals(CRD)) {
        registerCrd(object);
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
      Bucket bucket = bucket(type);
      String ns = type.namespaced() ? namespace : "";
      String key = key(type, ns, name);
      ObjectNode old = bucket.objects.get(key);
      if (old == null) {
        if (create != null) {
          return new Written(create(type, namespace, create), true);
        }
        throw ApiError.notFound(type, name);
      }
      ObjectNode candidate = asObject(change.apply(old.deepCopy()));
      checkKind(type, candidate);
      ObjectNode candidateMetadata = Json.child(candidate, "metadata");
      String candidateName = candidateMetadata.path("name").asText(name);
      if (!candidateName.equals(name)) {
        throw ApiError.badRequest(
            "the name of the object ("
                + candidateName
                + ") does not match the name on the URL ("
                + name
                + ")");
      }
      if (type.namespaced()) {
        String candidateNs = candidateMetadata.path("namespace").asText(ns);
        if (!candidateNs.equals(ns)) {
          throw ApiError.badRequest(
              "the namespace of the provided object does not match the namespace sent on the"
                  + " request");
        }
      }
      String oldVersion = old.path("metadata").path("resourceVersion").asText();
      String expected = candidateMetadata.path("resourceVersion").asText("");
      if (mode != Mode.FORCE && !expected.isEmpty() && !expected.equals(oldVersion)) {
        throw ApiError.conflict(type, name);
      }
      ObjectNode next;
      if (mode == Mode.STATUS) {
        next = old.deepCopy();
        if (candidate.get("status") instanceof ObjectNode status) {
          next.set("status", status);
        } else {
          next.putObject("status");
        }
      } else {
        next = candidate;
        ObjectNode metadata = Json.child(next, "metadata");
        JsonNode oldMetadata = old.get("metadata");
        for (String field :
            List.of(
                "name",
                "namespace",
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
                "resourceVersion")) {
          if (oldMetadata.has(field)) {
            metadata.set(field, oldMetadata.get(field));
          } else {
            metadata.remove(field);
          }
        }
        if (type.statusSubresource()) {
          next.set("status", old.path("status").isObject() ? old.get("status") : next.objectNode());
        }
        if (!withoutMetadataAndStatus(old).equals(withoutMetadataAndStatus(next))) {
          metadata.put("generation", oldMetadata.path("generation").asLong(1) + 1);
        }
        validateCrd(type, next);
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
        registerCrd(next);
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
      Bucket bucket = bucket(type);
      String key = key(type, type.namespaced() ? namespace : "", name);
      ObjectNode old = bucket.objects.get(key);
      if (old == null) {
        throw ApiError.notFound(type, name);
      }
      JsonNode oldMetadata = old.path("metadata");
      if (preconditions != null) {
        for (String field : List.of("uid", "resourceVersion")) {
          JsonNode want = preconditions.get(field);
          if (want != null
              && !want.isNull()
              && !want.asText().equals(oldMetadata.path(field).asText())) {
            throw new ApiError(
                409,
                "Conflict",
                "Precondition failed: "
                    + field
                    + " in precondition: "
                    + want.asText()
                    + ", "
                    + field
                    + " in object meta: "
                    + oldMetadata.path(field).asText(),
                name,
                type.group(),
                type.plural());
          }
        }
      }
      if (gracefulPodDeletion && type.groupKind().equals(POD)) {
        ObjectNode marked = deletePodGracefully(type, bucket, key, old, gracePeriodSeconds);
        if (marked != null) {
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

  /**
   * Marks a Pod for graceful deletion, or shortens the grace period of a marked one; returns the
   * marked Pod, or {@code null} when it is to be deleted at once (grace 0, or a finished Pod).
   */
  private ObjectNode deletePodGracefully(
      ApiResource type, Bucket bucket, String key, ObjectNode old, Long gracePeriodSeconds) {
    JsonNode oldMetadata = old.path("metadata");
    long grace =
        gracePeriodSeconds != null
            ? Math.max(0, gracePeriodSeconds)
            : old.path("spec")
                .path("terminationGracePeriodSeconds")
                .asLong(DEFAULT_TERMINATION_GRACE_SECONDS);
    String phase = old.path("status").path("phase").asText("");
    if (grace == 0 || phase.equals("Succeeded") || phase.equals("Failed")) {
      if (oldMetadata.has("deletionTimestamp") && !oldMetadata.path("finalizers").isEmpty()) {
        // already marked: the finalizers decide; the kubelet sees the grace period drop to 0
        grace = 0;
      } else {
        return null;
      }
    }
    if (oldMetadata.has("deletionTimestamp")
        && oldMetadata.path("deletionGracePeriodSeconds").asLong(0) <= grace) {
      return old; // a second delete may only shorten the grace period
    }
    ObjectNode next = old.deepCopy();
    ObjectNode metadata = Json.child(next, "metadata");
    metadata.put(
        "deletionTimestamp",
        clock.instant().plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
    metadata.put("deletionGracePeriodSeconds", grace);
    metadata.put("resourceVersion", Long.toString(++resourceVersion));
    bucket.objects.put(key, next);
    emit(bucket, "MODIFIED", next, old);
    return next;
  }

  /** Removes a stored object and what hangs on it; {@code gone} carries the new version. */
  private void remove(ApiResource type, Bucket bucket, String key, ObjectNode gone) {
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
      for (Bucket other : buckets.values()) {
        NavigableMap<String, ObjectNode> contents =
            other.objects.subMap(namespace + "/", true, namespace + "0", false);
        for (ObjectNode object : new ArrayList<>(contents.values())) {
          removeStored(other, object);
        }
      }
    }
  }

  /** Removes an object without finalizer or subresource semantics, emitting DELETED. */
  private void removeStored(Bucket bucket, ObjectNode object) {
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
              this::finished);
      if (closed) {
        watch.end();
        return watch;
      }
      Bucket bucket = bucket(type);
      if (fromVersion == null || fromVersion.isEmpty() || fromVersion.equals("0")) {
        NavigableMap<String, ObjectNode> scope = bucket.objects;
        if (namespace != null && type.namespaced()) {
          scope = scope.subMap(namespace + "/", true, namespace + "0", false);
        }
        for (ObjectNode object : scope.values()) {
          watch.added(object);
        }
      } else {
        long from;
        try {
          from = Long.parseLong(fromVersion);
        } catch (NumberFormatException e) {
          throw ApiError.badRequest("invalid resource version: " + fromVersion);
        }
        long oldest = Math.max(compactedResourceVersion, bucket.evictedUpTo);
        if (from < oldest) {
          watch.error(
              new ApiError(
                      410,
                      "Expired",
                      "too old resource version: " + from + " (" + oldest + ")",
                      "",
                      "",
                      "")
                  .toStatus());
          watch.end();
          return watch;
        }
        for (int i = firstAfter(bucket.log, from); i < bucket.log.size(); i++) {
          watch.deliver(bucket.log.get(i));
        }
      }
      bucket.watches.add(watch);
      openWatches.add(watch);
      return watch;
    }
  }

  private void finished(WatchStream watch) {
    synchronized (lock) {
      openWatches.remove(watch);
      lock.notifyAll();
      Bucket bucket = buckets.get(watch.type.groupKind());
      if (bucket != null) {
        bucket.watches.remove(watch);
      }
    }
  }

  int watchCount() {
    synchronized (lock) {
      return openWatches.size();
    }
  }

  void dropWatches() {
    synchronized (lock) {
      for (WatchStream watch : openWatches) {
        watch.drop();
      }
    }
  }

  /** Makes every resourceVersion up to now too old to watch from. */
  void compact() {
    synchronized (lock) {
      compactedResourceVersion = resourceVersion;
      for (Bucket bucket : buckets.values()) {
        bucket.log.clear();
        bucket.evictedUpTo = resourceVersion;
      }
    }
  }

  /**
   * Ends every watch normally, refuses further writes, and waits up to {@code timeout} for the
   * streams to finish writing.
   */
  void close(Duration timeout) {
    synchronized (lock) {
      closed = true;
      for (WatchStream watch : openWatches) {
        watch.end();
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (!openWatches.isEmpty()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---------------------------------------------------------------------------------- helpers

  private void emit(Bucket bucket, String type, ObjectNode object, ObjectNode previous) {
    JsonNode metadata = object.path("metadata");
    Event event =
        new Event(
            metadata.path("resourceVersion").asLong(),
            type,
            groupKindOf(object),
            metadata.path("namespace").asText(""),
            object,
            previous);
    bucket.log.add(event);
    if (bucket.log.size() > EVENT_HISTORY_PER_KIND) {
      int drop = bucket.log.size() - EVENT_HISTORY_PER_KIND / 2;
      bucket.evictedUpTo = bucket.log.get(drop - 1).resourceVersion;
      bucket.log.subList(0, drop).clear();
    }
    for (WatchStream watch : bucket.watches) {
      watch.deliver(event);
    }
    for (Consumer<Event> listener : listeners) {
      listener.accept(event);
    }
  }

  private static GroupKind groupKindOf(ObjectNode object) {
    String apiVersion = object.path("apiVersion").asText();
    int slash = apiVersion.indexOf('/');
    return new GroupKind(
        slash < 0 ? "" : apiVersion.substring(0, slash), object.path("kind").asText());
  }

  private static int firstAfter(List<Event> log, long version) {
    int low = 0;
    int high = log.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (log.get(middle).resourceVersion <= version) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  private Bucket bucket(ApiResource type) {
    Bucket bucket = buckets.get(type.groupKind());
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
    Bucket namespaces = buckets.get(NAMESPACE);
    ObjectNode existing = namespaces == null ? null : namespaces.objects.get("/" + namespace);
    if (existing == null) {
      throw ApiError.namespaceNotFound(namespace);
    }
    if (existing.path("metadata").has("deletionTimestamp")) {
      throw new ApiError(
          403,
          "Forbidden",
          "unable to create new content in namespace "
              + namespace
              + " because it is being terminated",
          namespace,
          "",
          "namespaces");
    }
  }

  private static String key(ApiResource type, String namespace, String name) {
    return (type.namespaced() ? namespace : "") + "/" + name;
  }

  private static String namespaceOf(ApiResource type, String pathNamespace, ObjectNode metadata) {
    if (!type.namespaced()) {
      return "";
    }
    String bodyNamespace = metadata.path("namespace").asText("");
    if (pathNamespace == null || pathNamespace.isEmpty()) {
      return bodyNamespace.isEmpty() ? "default" : bodyNamespace;
    }
    if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(pathNamespace)) {
      throw ApiError.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    return pathNamespace;
  }

  private static ObjectNode asObject(JsonNode body) {
    if (!(body instanceof ObjectNode object)) {
      // also null: a change that produced nothing
      throw ApiError.badRequest("the request body must be a JSON object");
    }
    return object;
  }

  /** Fills in a missing apiVersion and kind; rejects others. */
  private static void checkKind(ApiResource type, ObjectNode object) {
    String kind = object.path("kind").asText("");
    String apiVersion = object.path("apiVersion").asText("");
    if ((!kind.isEmpty() && !kind.equals(type.kind()))
        || (!apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion()))) {
      throw ApiError.badRequest(
          "the API version in the data ("
              + apiVersion
              + ") and kind ("
              + kind
              + ") do not match the request ("
              + type.apiVersion()
              + ", "
              + type.kind()
              + ")");
    }
    object.put("apiVersion", type.apiVersion());
    object.put("kind", type.kind());
  }

  private static ObjectNode withoutMetadataAndStatus(ObjectNode object) {
    ObjectNode copy = object.deepCopy();
    copy.remove("metadata");
    copy.remove("status");
    return copy;
  }

  private static void validateCrd(ApiResource type, ObjectNode crd) {
    if (!type.groupKind().equals(CRD)) {
      return;
    }
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText("");
    String plural = spec.path("names").path("plural").asText("");
    String kind = spec.path("names").path("kind").asText("");
    String name = crd.path("metadata").path("name").asText();
    if (group.isEmpty() || plural.isEmpty() || kind.isEmpty()) {
      throw ApiError.invalid(
          type, name, "spec.group, spec.names.plural and spec.names.kind are required");
    }
    if (!name.equals(plural + "." + group)) {
      throw ApiError.invalid(
          type,
          name,
          "metadata.name: Invalid value: \""
              + name
              + "\": must be spec.names.plural+\".\"+spec.group");
    }
    if (!spec.path("versions").isArray() || spec.path("versions").isEmpty()) {
      throw ApiError.invalid(
          type,
          name,
          "spec.versions: Invalid value: must have exactly one version marked as storage version");
    }
  }

  /** Serves the kind a CRD defines in its served versions (and no longer in the others). */
  private void registerCrd(ObjectNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText();
    String kind = spec.path("names").path("kind").asText();
    String plural = spec.path("names").path("plural").asText();
    boolean namespaced = !spec.path("scope").asText("Namespaced").equals("Cluster");
    GroupKind groupKind = new GroupKind(group, kind);
    Set<String> served = new LinkedHashSet<>();
    for (JsonNode version : spec.path("versions")) {
      if (version.path("served").asBoolean(true)) {
        String name = version.path("name").asText();
        served.add(group + "/" + name);
        boolean status = version.path("subresources").has("status");
        ApiResource type = new ApiResource(group, name, kind, plural, namespaced, status);
        byPlural.computeIfAbsent(type.apiVersion(), v -> new LinkedHashMap<>()).put(plural, type);
        byKind.computeIfAbsent(type.apiVersion(), v -> new HashMap<>()).put(kind, type);
      }
    }
    for (Map.Entry<String, Map<String, ApiResource>> entry : byPlural.entrySet()) {
      if (!served.contains(entry.getKey())) {
        entry.getValue().values().removeIf(type -> type.groupKind().equals(groupKind));
      }
    }
    for (Map.Entry<String, Map<String, ApiResource>> entry : byKind.entrySet()) {
      if (!served.contains(entry.getKey())) {
        entry.getValue().values().removeIf(type -> type.groupKind().equals(groupKind));
      }
    }
    buckets.computeIfAbsent(groupKind, gk -> new Bucket());
  }

  String now() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static String randomSuffix() {
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
    }
    return suffix.toString();
  }

  private static String encodeContinue(String key) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeContinue(String token) {
    try {
      return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid continue token");
    }
  }
}
