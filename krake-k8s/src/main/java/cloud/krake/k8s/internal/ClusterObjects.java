package cloud.krake.k8s.internal;

import cloud.krake.k8s.ClusterClient;
import cloud.krake.k8s.KubernetesException;
import cloud.krake.k8s.ObjectEvent;
import cloud.krake.k8s.ObjectListener;
import cloud.krake.k8s.ObjectWatch;
import cloud.krake.model.ReadOnlyJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the clusters hold, as their watches report it: one list-and-watch per cluster and kind
 * (across namespaces), started the first time an application needs that kind there, feeding a cache
 * of objects, and an index from each object to the applications that declared it, which are told
 * when it changes. This replaces Krake's observer, which polls every resource of every application
 * every 2 s with a new client each time. The cached objects are read-only trees, and a text value
 * that recurs across them (the hook CA bundle of every application's certificate Secrets, kinds,
 * labels, images) is held once ({@link SharedTexts}).
 *
 * <p>Thread-safe. Watch callbacks run on the client's watch threads and only update the cache and
 * notify; the notified consumer must not block.
 *
 * @param <K> the key of an application
 */
public final class ClusterObjects<K> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClusterObjects.class);

  private final Consumer<K> notify;
  private final Map<String, ClusterState> clusters = new ConcurrentHashMap<>();
  private final SharedTexts texts = new SharedTexts();

  /**
   * Creates the cache.
   *
   * @param notify told the key of every application whose objects changed
   */
  public ClusterObjects(Consumer<K> notify) {
    this.notify = notify;
  }

  /**
   * Declares what an application has on a cluster, replacing what it declared before (on any
   * cluster), and starts the watches of kinds not watched there yet.
   *
   * @param app the application's key
   * @param clusterKey the cluster's key ({@code namespace/name})
   * @param client the cluster's client
   * @param resources the application's resources there ({@code last_applied_manifest})
   * @throws KubernetesException if a watch cannot be started (an unsupported kind)
   */
  public void declare(K app, String clusterKey, ClusterClient client, List<ObjectNode> resources) {
    clusters.values().forEach(c -> c.forget(app));
    while (true) {
      ClusterState cluster = clusters.computeIfAbsent(clusterKey, k -> new ClusterState(client));
      if (cluster.client != client) {
        // The kubeconfig changed: a new client, new watches.
        clusters.remove(clusterKey, cluster);
        cluster.close();
        continue;
      }
      if (cluster.declare(app, resources)) {
        return;
      }
      clusters.remove(clusterKey, cluster); // closed meanwhile by its last application leaving
    }
  }

  /**
   * Forgets an application on every cluster; a cluster no application needs any more has its
   * watches stopped.
   *
   * @param app the application's key
   */
  public void forget(K app) {
    for (Map.Entry<String, ClusterState> e : clusters.entrySet()) {
      if (e.getValue().forgetAndCloseIfUnused(app)) {
        clusters.remove(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * Returns an object as its watch last reported it.
   *
   * @param clusterKey the cluster's key
   * @param resource the manifest resource
   * @return what the watch knows; {@link Observation#known()} is false until the kind's watch has
   *     synced (the caller reads the object from the API instead)
   */
  public Observation observed(String clusterKey, JsonNode resource) {
    ClusterState cluster = clusters.get(clusterKey);
    return cluster == null ? Observation.UNKNOWN : cluster.observed(resource);
  }

  /**
   * Records an object as the API server answered a write of it (a server-side apply), so that a
   * pass that starts before the watch delivers that change does not see the object as it was and
   * write it again. The cache keeps the newer of this answer and what the watch delivered, by
   * {@code metadata.resourceVersion} read as a number, as client-go's mutation cache does for its
   * informers; the watch's own event of the write, when it comes, replaces the answer. Nothing is
   * recorded when the kind is not watched on that cluster with that client (an answer that comes
   * before the watch's first list is kept if the list is older), when the version is not a number
   * (an API server not backed by etcd), when the watch's last re-list did not say its own version,
   * or when the watch has already delivered that version or a later one, by an event or a re-list
   * (its copy is then at least as new, or the object was deleted since). No application is
   * notified.
   *
   * @param clusterKey the cluster's key
   * @param client the client that sent the write (an answer of a client the cluster's watches no
   *     longer use, its kubeconfig changed meanwhile, is not recorded)
   * @param answer the object the API server answered; not changed
   */
  public void applied(String clusterKey, ClusterClient client, ObjectNode answer) {
    ClusterState cluster = clusters.get(clusterKey);
    if (cluster != null && cluster.client == client) {
      cluster.applied(answer);
    }
  }

  /**
   * What a watch knows of an object.
   *
   * @param known whether the watch has synced, so that {@code object} can be trusted
   * @param object the object, empty if it does not exist (or not known); read-only ({@link
   *     ReadOnlyJson}: shared with every reader, {@code deepCopy()} it to change it)
   */
  public record Observation(boolean known, Optional<ObjectNode> object) {
    static final Observation UNKNOWN = new Observation(false, Optional.empty());
  }

  /**
   * Stops the watches of a cluster and forgets its objects.
   *
   * @param clusterKey the cluster's key
   */
  public void closeCluster(String clusterKey) {
    ClusterState cluster = clusters.remove(clusterKey);
    if (cluster != null) {
      cluster.close();
    }
  }

  /** Stops every watch. */
  @Override
  public void close() {
    clusters.values().forEach(ClusterState::close);
    clusters.clear();
  }

  /** An object's {@code metadata.resourceVersion} as a number; -1 if it is not one. */
  static long resourceVersion(JsonNode object) {
    return number(object.path("metadata").path("resourceVersion").asText(""));
  }

  /** A resource version as a number; -1 if it is not one. */
  private static long number(String text) {
    if (text == null || text.isEmpty() || text.length() > 18) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) < '0' || text.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(text);
  }

  private static String kindKey(JsonNode r) {
    return r.path("apiVersion").asText("") + "/" + r.path("kind").asText("");
  }

  private static String objectKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  /**
   * Most objects are declared by one application: an immutable set of up to {@value
   * #SMALL_INTEREST} applications costs a few dozen bytes where a concurrent set costs about 200
   * (at 10,000 applications with 12 keys each, 20 MiB of the host's heap). More applications share
   * a concurrent set, changed in place, so that adding the n-th costs no copy of the n-1 before it.
   * Both are safe to iterate while another thread changes the map: an immutable set never changes,
   * and a concurrent set's iterator is weakly consistent.
   */
  static final int SMALL_INTEREST = 4;

  static <K> Set<K> withApp(Set<K> apps, K app) {
    if (apps == null) {
      return Set.of(app);
    }
    if (apps.contains(app)) {
      return apps;
    }
    if (apps.size() < SMALL_INTEREST) {
      List<K> grown = new ArrayList<>(apps);
      grown.add(app);
      return Set.copyOf(grown);
    }
    Set<K> shared = apps.size() == SMALL_INTEREST ? ConcurrentHashMap.newKeySet() : apps;
    if (shared != apps) {
      shared.addAll(apps);
    }
    shared.add(app);
    return shared;
  }

  static <K> Set<K> withoutApp(Set<K> apps, K app) {
    if (!apps.contains(app)) {
      return apps;
    }
    if (apps.size() > SMALL_INTEREST) {
      apps.remove(app); // a concurrent set; it stays one
      return apps;
    }
    List<K> rest = new ArrayList<>(apps);
    rest.remove(app);
    return rest.isEmpty() ? null : Set.copyOf(rest);
  }

  private final class ClusterState {
    private final ClusterClient client;
    private final Map<String, KindState> kinds = new HashMap<>();

    /** Guarded by this. */
    private boolean closed;

    /** What each application declared here, so that forgetting it touches only that. */
    private final Map<K, List<Interest>> declared = new HashMap<>();

    ClusterState(ClusterClient client) {
      this.client = client;
    }

    /** Returns false if this state was closed (the caller makes a new one). */
    synchronized boolean declare(K app, List<ObjectNode> resources) {
      if (closed) {
        return false;
      }
      for (ObjectNode r : resources) {
        declare(app, r);
      }
      return true;
    }

    private void declare(K app, ObjectNode resource) {
      String kindKey = kindKey(resource);
      KindState kind = kinds.get(kindKey);
      if (kind == null) {
        kind = new KindState(client.defaultNamespace());
        kinds.put(kindKey, kind);
        try {
          kind.watch =
              client.watch(
                  resource.path("apiVersion").asText(),
                  resource.path("kind").asText(),
                  Optional.empty(),
                  kind);
        } catch (KubernetesException e) {
          kinds.remove(kindKey);
          throw e;
        }
      }
      String ns = resource.path("metadata").path("namespace").asText("");
      String name = resource.path("metadata").path("name").asText("");
      List<Interest> mine = declared.computeIfAbsent(app, k -> new ArrayList<>());
      // Without a namespace: one key for both of the objects it may mean (see unqualifiedKey).
      mine.add(kind.addInterest(ns.isEmpty() ? unqualifiedKey(name) : objectKey(ns, name), app));
    }

    /** Forgets what the application declared: only its own entries, not a scan of all. */
    synchronized void forget(K app) {
      List<Interest> mine = declared.remove(app);
      if (mine != null) {
        for (Interest i : mine) {
          i.kind.removeInterest(i.key, app);
        }
      }
    }

    /** Forgets the application; closes this state and returns true if nothing else needs it. */
    synchronized boolean forgetAndCloseIfUnused(K app) {
      forget(app);
      if (!declared.isEmpty()) {
        return false;
      }
      close();
      return true;
    }

    Observation observed(JsonNode resource) {
      KindState kind;
      synchronized (this) {
        kind = kinds.get(kindKey(resource));
      }
      if (kind == null || !kind.synced()) {
        return Observation.UNKNOWN;
      }
      String ns = resource.path("metadata").path("namespace").asText("");
      String name = resource.path("metadata").path("name").asText("");
      if (ns.isEmpty()) {
        Optional<ObjectNode> found = kind.get(objectKey(client.defaultNamespace(), name));
        return new Observation(true, found.isPresent() ? found : kind.get(objectKey("", name)));
      }
      return new Observation(true, kind.get(objectKey(ns, name)));
    }

    void applied(ObjectNode answer) {
      KindState kind;
      synchronized (this) {
        kind = kinds.get(kindKey(answer));
      }
      if (kind != null) {
        // also before the first list arrives: the list, older or newer, is merged by version
        kind.applied(answer);
      }
    }

    synchronized void close() {
      closed = true;
      for (KindState kind : kinds.values()) {
        if (kind.watch != null) {
          kind.watch.close();
        }
      }
      kinds.clear();
    }
  }

  /** One object key an application declared in one kind's state. */
  private final class Interest {
    private final KindState kind;
    private final String key;

    Interest(KindState kind, String key) {
      this.kind = kind;
      this.key = key;
    }
  }

  /**
   * The interest key of a resource declared without a namespace. It means the object of that name
   * in the client's default namespace if the kind is namespaced, or the cluster-scoped object of
   * that name (no namespace) if it is not; which of the two is not known when it is declared. One
   * key, told of events on either object ({@link KindState#interested}), instead of one key for
   * each: half the keys of an application whose manifest names no namespace (12 to 6 with {@code
   * ControllerLoad}'s, about 1 KiB less per application). It cannot clash with an object key: a
   * namespace is never {@code *}.
   */
  private static String unqualifiedKey(String name) {
    return "*/" + name;
  }

  private final class KindState implements ObjectListener {
    private volatile ObjectWatch watch;
    private volatile boolean synced;
    private final Map<String, ObjectNode> objects = new ConcurrentHashMap<>();
    private final Map<String, Set<K>> interest = new ConcurrentHashMap<>();
    private final String defaultNamespace;

    /**
     * The highest resource version the watch delivered (events, and a re-list's own version); -1
     * before any; {@link Long#MAX_VALUE} after a re-list that did not say its version (nothing is
     * recorded then). Written by the watch's thread: for an event inside {@code objects.compute} of
     * the object it concerns, so that {@link #applied} of the same object sees it or is seen by it;
     * for a re-list before the re-list changes the cache, so that an {@link #applied} after that
     * sees it, and one before it is undone by the re-list unless newer than the list.
     */
    private volatile long delivered = -1;

    KindState(String defaultNamespace) {
      this.defaultNamespace = defaultNamespace;
    }

    /**
     * Adds to {@code out} the applications interested in the object of this namespace and name:
     * those that declared it with its namespace, and, if it is in the default namespace or has none
     * (cluster-scoped), those that declared it without one.
     */
    void interested(String namespace, String name, Set<K> out) {
      addAll(interest.get(objectKey(namespace, name)), out);
      if (namespace.isEmpty() || namespace.equals(defaultNamespace)) {
        addAll(interest.get(unqualifiedKey(name)), out);
      }
    }

    private void interested(ObjectNode o, Set<K> out) {
      interested(
          o.path("metadata").path("namespace").asText(""),
          o.path("metadata").path("name").asText(""),
          out);
    }

    private void addAll(Set<K> apps, Set<K> out) {
      if (apps != null) {
        out.addAll(apps);
      }
    }

    boolean synced() {
      return synced;
    }

    Optional<ObjectNode> get(String key) {
      // Read-only (frozen when cached): shared with every reader, never copied.
      return Optional.ofNullable(objects.get(key));
    }

    Interest addInterest(String key, K app) {
      interest.compute(key, (k, apps) -> withApp(apps, app));
      return new Interest(this, key);
    }

    void removeInterest(String key, K app) {
      interest.computeIfPresent(key, (k, apps) -> withoutApp(apps, app));
    }

    /** See {@link ClusterObjects#applied}. */
    void applied(ObjectNode answer) {
      long version = resourceVersion(answer);
      if (version < 0) {
        return;
      }
      objects.compute(
          objectKey(
              answer.path("metadata").path("namespace").asText(""),
              answer.path("metadata").path("name").asText("")),
          (key, cached) ->
              version <= delivered || (cached != null && resourceVersion(cached) >= version)
                  ? cached
                  : ReadOnlyJson.freeze(answer));
    }

    @Override
    public void onEvent(ObjectEvent event) {
      ObjectNode o = event.object();
      String namespace = o.path("metadata").path("namespace").asText("");
      String name = o.path("metadata").path("name").asText("");
      String key = objectKey(namespace, name);
      long version = resourceVersion(o);
      if (event.type() != ObjectEvent.Type.DELETED) {
        texts.share(o);
      }
      ObjectNode frozen = event.type() == ObjectEvent.Type.DELETED ? null : ReadOnlyJson.freeze(o);
      objects.compute(
          key,
          (k, cached) -> {
            if (version > delivered) {
              delivered = version;
            }
            // a recorded answer of a later write than this event stays until its own event
            return cached != null && version >= 0 && resourceVersion(cached) > version
                ? cached
                : frozen;
          });
      Set<K> apps = new HashSet<>(2);
      interested(namespace, name, apps);
      apps.forEach(notify);
    }

    @Override
    public void onResync(List<ObjectNode> listed) {
      resync(listed, -1);
    }

    @Override
    public void onResync(List<ObjectNode> listed, String resourceVersion) {
      resync(listed, number(resourceVersion));
    }

    /**
     * Replaces the cache by a re-list's objects. An object missing from the list is gone, unless it
     * is a recorded answer newer than the list ({@code listVersion}), a write the list did not see
     * yet; a listed object replaces a recorded answer unless that is newer.
     *
     * @param listVersion the list's resource version; -1 if not known
     */
    private void resync(List<ObjectNode> listed, long listVersion) {
      Map<String, ObjectNode> fresh = new HashMap<>();
      for (ObjectNode o : listed) {
        texts.share(o);
        fresh.put(
            objectKey(
                o.path("metadata").path("namespace").asText(""),
                o.path("metadata").path("name").asText("")),
            ReadOnlyJson.freeze(o));
      }
      // first, so that an answer recorded from now on is checked against the list
      delivered = listVersion < 0 ? Long.MAX_VALUE : Math.max(delivered, listVersion);
      Set<K> touched = new HashSet<>();
      for (Map.Entry<String, ObjectNode> e : objects.entrySet()) {
        if (!fresh.containsKey(e.getKey())) {
          interested(e.getValue(), touched);
        }
      }
      for (Map.Entry<String, ObjectNode> e : fresh.entrySet()) {
        if (!e.getValue().equals(objects.get(e.getKey()))) {
          interested(e.getValue(), touched);
        }
      }
      objects
          .entrySet()
          .removeIf(
              e ->
                  !fresh.containsKey(e.getKey())
                      && !(listVersion >= 0 && resourceVersion(e.getValue()) > listVersion));
      fresh.forEach(
          (key, copy) ->
              objects.merge(
                  key,
                  copy,
                  (cached, l) ->
                      resourceVersion(l) >= 0 && resourceVersion(cached) > resourceVersion(l)
                          ? cached
                          : l));
      synced = true;
      touched.forEach(notify);
    }

    @Override
    public void onError(KubernetesException error) {
      log.debug("watch error, resuming: {}", error.getMessage());
    }
  }
}
