package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.ApiResource.GroupKind;
import cloud.krake.testing.kubernetes.ObjectStore.Mode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import mockwebserver3.MockWebServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory stand-in for a Kubernetes API server, speaking the real HTTP API on a loopback port
 * so that the official client (or kubectl, or any other client) can be tested without a cluster.
 *
 * <pre>{@code
 * try (FakeKubernetesApiServer cluster = FakeKubernetesApiServer.builder().name("edge").build()) {
 *   ApiClient client = ClientBuilder.kubeconfig(
 *       KubeConfig.loadKubeConfig(new StringReader(cluster.kubeconfig()))).build();
 *   // ... run the code under test against client ...
 *   assertThat(cluster.get("apps/v1", "Deployment", "default", "web")).isPresent();
 * }
 * }</pre>
 *
 * <h2>What it serves</h2>
 *
 * <ul>
 *   <li>Discovery: {@code /api}, {@code /apis}, {@code /apis/{group}}, {@code /api/v1}, {@code
 *       /apis/{group}/{version}} (resources with verbs, scope, kind, singular name and {@code
 *       /status} subresources), {@code /version}, {@code /healthz}.
 *   <li>Built-in kinds: core v1 Namespace, Node, Pod, Service, Secret, ConfigMap,
 *       PersistentVolumeClaim, PersistentVolume, ServiceAccount, Endpoints, Event,
 *       ReplicationController; apps/v1 Deployment, StatefulSet, DaemonSet, ReplicaSet; batch/v1
 *       Job, CronJob; networking.k8s.io/v1 Ingress, NetworkPolicy; rbac.authorization.k8s.io/v1
 *       Role, RoleBinding, ClusterRole, ClusterRoleBinding; policy/v1 PodDisruptionBudget;
 *       coordination.k8s.io/v1 Lease; apiextensions.k8s.io/v1 CustomResourceDefinition. Creating a
 *       CRD serves its kind in every served version (with a status subresource where the version
 *       declares one); deleting it stops serving the kind and deletes its objects. {@link
 *       #registerKind} adds kinds directly.
 *   <li>Namespaces {@code default}, {@code kube-public}, {@code kube-system} and the Node {@code
 *       node-1} (Ready) exist from the start. With {@link Builder#enforceNamespaces(boolean)} on
 *       (the default) a namespaced object in a missing namespace is refused with 404, as the real
 *       server does. Deleting a namespace deletes its contents at once.
 *   <li>Objects of any kind as JSON trees, paths {@code /api/v1/...} and {@code
 *       /apis/{group}/{version}/...}, namespaced ({@code
 *       namespaces/{ns}/{plural}[/{name}[/status]]}), cluster-scoped ({@code {plural}[/{name}]})
 *       and across namespaces ({@code {plural}}).
 *   <li>Verbs: POST (201; 409 AlreadyExists; {@code generateName}), GET, list with {@code
 *       labelSelector} ({@code a=b}, {@code a!=b}, {@code a}, {@code !a}, {@code in}, {@code
 *       notin}), {@code fieldSelector} ({@code path=value}, {@code path!=value} on any dotted path)
 *       and {@code limit}/{@code continue}; PUT (409 Conflict on a stale {@code
 *       metadata.resourceVersion}, 404 if missing); DELETE (200 with the object; with {@code
 *       metadata.finalizers} only {@code deletionTimestamp} is set, and the object goes once an
 *       update removes the last finalizer; {@code preconditions} honoured) and delete-collection;
 *       PATCH by content type: {@code application/merge-patch+json} (RFC 7386), {@code
 *       application/strategic-merge-patch+json} (treated as a merge patch: lists are replaced and
 *       {@code $patch} directives are not understood), {@code application/json-patch+json} (RFC
 *       6902, all six operations), {@code application/apply-patch+yaml} (server-side apply, YAML or
 *       JSON, {@code fieldManager} required: creates a missing object, otherwise merges the applied
 *       fields into the object as a merge patch), anything else 415.
 *   <li>Metadata stamped as the real server does: {@code uid}, {@code creationTimestamp}, {@code
 *       resourceVersion} from one global counter (a string), {@code generation} bumped when
 *       anything outside {@code metadata} and {@code status} changes. A write that changes nothing
 *       keeps the resourceVersion and emits no event (so re-applying the same manifest is quiet).
 *   <li>The status subresource: {@code PUT}/{@code PATCH .../status} change only {@code status};
 *       main writes (including apply) keep the stored {@code status} of kinds that have the
 *       subresource.
 *   <li>Watches ({@code ?watch=true}): a chunked stream of newline-delimited {@code {"type",
 *       "object"}} events, replaying the events after {@code resourceVersion} and then live, or
 *       starting with synthetic ADDED events when it is absent or {@code "0"}; selectors apply (an
 *       object that stops or starts matching is seen as DELETED or ADDED); {@code timeoutSeconds}
 *       ends the stream; {@code allowWatchBookmarks=true} adds a BOOKMARK after each idle second. A
 *       version older than the last {@link #compact()} (or than the {@value
 *       ObjectStore#EVENT_HISTORY_PER_KIND} events kept per kind) gives an HTTP 200 stream with one
 *       ERROR event carrying a 410 {@code Expired} Status, as the real server does.
 *   <li>Every error has a {@code Status} body ({@code kind: Status}, {@code reason}, {@code code},
 *       {@code details}); every request needs {@code Authorization: Bearer <token>} (401
 *       otherwise).
 * </ul>
 *
 * <h2>Auto-ready</h2>
 *
 * With {@link Builder#autoReady(boolean)} on (the default), a stand-in for the controller manager
 * and the kubelet writes observed state in the same write as a create or spec change: Deployments,
 * ReplicaSets, StatefulSets and ReplicationControllers report {@code spec.replicas} (default 1)
 * replicas, ready, available and updated, with {@code observedGeneration}; DaemonSets one scheduled
 * and ready pod; Pods {@code Running} with every container ready; Jobs {@code active: 1} (complete
 * them with {@link #updateStatus}); PersistentVolumeClaims and PersistentVolumes {@code Bound}.
 * Status set by a test stays until the spec changes. Off, the fake writes no status except the API
 * server's own (Namespace phase, CRD conditions): kinds with a status subresource keep the empty
 * {@code status: {}} a real server returns for them until a test sets one. Services always get a
 * {@code clusterIP} and, for NodePort and LoadBalancer, a {@code nodePort} in 30000–32767 per port
 * (kept across updates; while a {@link LocalKubelet} is attached, only ports free on the host's
 * {@code 127.0.0.1}, where its kube-proxy listens); a LoadBalancer's ingress stays empty unless a
 * test sets it.
 *
 * <h2>A local kubelet</h2>
 *
 * A {@link LocalKubelet} attached to the fake runs its Pods as sandboxed local processes, acts as
 * the controller manager for Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and
 * ReplicationControllers (their Pods are created as objects), reports their real status (auto-ready
 * then leaves these kinds alone), and serves {@code GET .../pods/{name}/log} and {@code
 * .../pods/{name}/exec}. While it is attached, deleting a Pod is graceful as on a real cluster: the
 * Pod gets a {@code deletionTimestamp} and {@code deletionGracePeriodSeconds} (from the request's
 * DeleteOptions or query, else its {@code terminationGracePeriodSeconds}, else 30) and disappears
 * once the kubelet has stopped its containers; a grace period of 0 and finished Pods go at once.
 *
 * <h2>Faults</h2>
 *
 * {@link #failNext}, {@link #failRequests}, {@link #latency}, {@link #dropWatches()} and {@link
 * #compact()} inject the failures a client must survive.
 *
 * <h2>Which suites use it, and which a real API server</h2>
 *
 * The project's own suites run on it where they need its fault injection or its speed, and on real
 * control planes ({@code KubernetesControlPlane} of this module: Kubernetes' own kube-apiserver,
 * kube-controller-manager and kube-scheduler, with a {@link LocalKubelet} as their node) where the
 * real thing matters:
 *
 * <ul>
 *   <li>On both (parameterised over the cluster source, once on two fakes, once on two real control
 *       planes): krake-k8s's {@code SamplesIT} (every sample manifest of the project through
 *       scheduler, controller and cluster, migrated and deleted with nothing left; Krake's own
 *       samples in {@code SamplesConformanceIT}, where Krake's sample files are checked out),
 *       {@code KubeletHooksIT} and {@code KubeletHooksSamplesConformanceIT} (the complete and
 *       shutdown hooks with real pods calling back, migration between the two clusters), {@code
 *       WorkloadHooksIT} (container lifecycle hooks, execution hooks with K10's Wait and {@code
 *       kubectl patch} KubeTask). The backend's contract ({@code ClusterClientContract}) runs on
 *       the fake in {@code FakeClusterClientTest} and on a real API server in {@code
 *       RealClusterClientIT}.
 *   <li>On the fake only: {@code FakeClusterClientTest}'s fault cases, krake-k8s's {@code
 *       FaultsIT}, {@code HooksIT}, {@code InterruptedApplyIT}, {@code ClustersIT}, {@code
 *       TenantClustersIT}, {@code HookPointPoliciesIT}, {@code SteppedIT}, {@code LoadBalancerIT},
 *       {@code SharedCertDirectoryIT} and {@code KubernetesPodRunnerIT} (failed, slow or dropped
 *       requests, status set by the test, node conditions, stepped time), krake-testing-junit's
 *       fixtures and examples, and the examples' documentation tests.
 *   <li>The quickstart runs on two fakes by default and on two real control planes with {@code
 *       --control-plane real} ({@code QuickstartIT} runs both).
 * </ul>
 *
 * <p>Differences those runs showed, beyond the limitations below, which the suites allow for: a
 * real controller manager recomputes workload status at once, so status a test sets on a Deployment
 * does not stay (the fake keeps it: tests of status set by hand are fake-only); a real garbage
 * collector removes a deleted Deployment's ReplicaSets and Pods a moment later (the fake has none,
 * so "nothing left" is awaited, not asserted at once); the real API server creates a {@code
 * kube-root-ca.crt} ConfigMap and a {@code default} ServiceAccount in every namespace and its
 * ServiceAccount admission adds a projected {@code kube-api-access-*} volume at {@code
 * /var/run/secrets/kubernetes.io/serviceaccount} to every Pod (the fake adds neither); {@code logs}
 * and {@code exec} reach the kubelet through the API server over HTTPS with certificates checked
 * both ways (the fake calls its attached kubelet directly); after the library deleted a Pod whose
 * postStart failed, the real control plane's replacement was running within about 0.2 s and the
 * library's next postStart reached it 50–80 ms after its container started, where on the fake the
 * next postStart came about 2 s after (krake-k8s's recheck): a postStart that races its container's
 * program (an {@code http_get} against a server that is not listening yet) lost again and again on
 * the real control planes and usually won its second try on the fake ({@code WorkloadHooksIT} pins
 * the race with a server that listens late, on both). Without a kubelet attached, auto-ready
 * reports a workload ready whose Pods could not start: a real node keeps a Pod {@code
 * ContainerCreating} while a ConfigMap or Secret volume it mounts is missing (Krake's {@code
 * hook-shutdown-service.yaml} mounts {@code sd-service-configmap}, which Krake's own test creates
 * beforehand), and its Deployment at no ready replica. Auto-ready binds every PersistentVolumeClaim
 * and PersistentVolume; a real control plane ({@code KubernetesControlPlane} has no StorageClass
 * and no provisioner) binds a claim only to a matching PersistentVolume, and a Pod whose claim is
 * unbound stays Pending, unscheduled. The fake deletes a PersistentVolumeClaim or PersistentVolume
 * at once; a real API server gives them the {@code kubernetes.io/pvc-protection} and {@code
 * kubernetes.io/pv-protection} finalizers, which the controller manager removes only once no Pod
 * uses the claim and the volume is no longer {@code Bound} (for a Pod that ignores SIGTERM, after
 * its grace period), so a deleted volume is still listed, terminating, for a while. Fixed in the
 * fake: a server-side apply whose configuration carries {@code metadata.managedFields} (an object
 * read back from a cluster) is answered 400 {@code metadata.managedFields must be nil}, as
 * kube-apiserver answers it.
 *
 * <h2>Limitations</h2>
 *
 * Not a conformant API server: no field managers (apply never prunes fields a previous apply set,
 * never reports conflicts, {@code force} is ignored, {@code managedFields} are not written); no
 * admission, defaulting, schema validation or immutability checks (beyond name, namespace, a CRD's
 * name, and the pod spec checks of {@code PodSpecValidation}: unique {@code mountPath}s per
 * container and unique volume names, in Pods and the pod templates of workload kinds, answered 422
 * {@code Invalid} with the real server's message); no garbage collection through {@code
 * ownerReferences}; no RBAC (one token, full access); {@code dryRun} is ignored (the write
 * happens); no protobuf or Table output, no attach or port-forward, and exec and logs only with a
 * {@link LocalKubelet} attached; no {@code /openapi}; one storage per kind, so objects read through
 * another version of a CRD keep the {@code apiVersion} they were written with; list pages ({@code
 * continue}) see the current state, not a snapshot; field selectors accept any path; watch streams
 * end with {@code Connection: close}; a watch whose client went away is noticed at its next event
 * (or bookmark). Plain HTTP only.
 *
 * <p>Threading: thread-safe. Clients may call it concurrently from many threads while a test reads
 * and changes its state; the state is guarded by one lock that is never held while a response is
 * written. Objects handed out are copies; objects passed in are copied.
 *
 * <p>{@code null} is accepted only where a parameter says so ({@code namespace} of cluster-scoped
 * objects, {@code method} and {@code pathPrefix} of {@link #failRequests}).
 */
public final class FakeKubernetesApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FakeKubernetesApiServer.class);

  /** The Node every fake starts with. */
  public static final String DEFAULT_NODE = "node-1";

  /** The namespaces every fake starts with. */
  public static final List<String> DEFAULT_NAMESPACES =
      List.of("default", "kube-public", "kube-system");

  /** How long {@link #close()} waits for open watch streams to write their last chunk. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

  /** The most requests {@link #requests()} keeps by default. */
  public static final int DEFAULT_REQUEST_LOG_LIMIT = 10_000;

  private static final Set<GroupKind> INFRASTRUCTURE =
      Set.of(ObjectStore.NAMESPACE, ObjectStore.NODE, ObjectStore.CRD);

  private final String name;
  private final String token;
  private final Optional<String> contextNamespace;
  private final Clock clock;
  private final ObjectStore store;
  private final ApiDispatcher dispatcher;
  private final InjectedFaults faults = new InjectedFaults();
  private final RequestLog requestLog;
  private final MockWebServer server;
  private final String url;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean kubeletAttached = new AtomicBoolean();

  private FakeKubernetesApiServer(Builder builder) {
    this.name = builder.name;
    this.token = builder.token.orElseGet(FakeKubernetesApiServer::randomToken);
    this.contextNamespace = builder.contextNamespace;
    this.clock = builder.clock;
    this.store = new ObjectStore(clock, builder.autoReady, builder.enforceNamespaces);
    BuiltInKinds.ALL.forEach(store::register);
    for (String namespace : DEFAULT_NAMESPACES) {
      createNamespace(namespace);
    }
    addNode(DEFAULT_NODE);
    this.server = new MockWebServer();
    server.setServerSocketFactory(new NoDelayServerSocketFactory());
    this.requestLog = new RequestLog(builder.requestLogLimit);
    this.dispatcher =
        new ApiDispatcher(store, token, () -> "127.0.0.1:" + server.getPort(), faults, requestLog);
    server.setDispatcher(dispatcher);
    try {
      server.start(InetAddress.getByName("127.0.0.1"), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fake Kubernetes API server", e);
    }
    this.url = "http://127.0.0.1:" + server.getPort();
    log.info("Fake Kubernetes API server {} listening on {}", name, url);
  }

  /** Returns a builder with the defaults: name {@code fake}, a random token, auto-ready on. */
  public static Builder builder() {
    return new Builder();
  }

  /** The base URL, {@code http://127.0.0.1:PORT}. */
  public String url() {
    return url;
  }

  /** The cluster, user and context name used in {@link #kubeconfig()}. */
  public String name() {
    return name;
  }

  /** The bearer token every request must carry. */
  public String token() {
    return token;
  }

  /**
   * A kubeconfig document for this server: exactly one cluster, user (token authentication) and
   * context, all named {@link #name()}, with {@code current-context} set and the context namespace
   * if one was configured. Loadable by {@code KubeConfig.loadKubeConfig} and kubectl. It contains
   * the token: do not log it.
   */
  public String kubeconfig() {
    return KubeconfigDocument.of(name, url, token, contextNamespace);
  }

  /**
   * Serves requests that carry no {@code Authorization} header, as an API server with anonymous
   * authentication whose RBAC lets the anonymous user do everything; a request with a wrong token
   * is still refused with 401. Needed for {@code kubectl} in a pod: it does not send a bearer token
   * to a server over plain HTTP, which this fake speaks. Off by default; thread-safe.
   *
   * @param allowed whether anonymous requests are served
   */
  public void allowAnonymous(boolean allowed) {
    dispatcher.anonymous = allowed;
  }

  /**
   * Serves a kind without a status subresource, as {@link #registerKind(String, String, String,
   * String, boolean, boolean)}.
   */
  public void registerKind(
      String group, String version, String kind, String plural, boolean namespaced) {
    registerKind(group, version, kind, plural, namespaced, false);
  }

  /**
   * Serves a kind, listed by discovery; replaces an earlier registration of the same kind and
   * version. Objects are kept per group and kind, shared by all versions.
   *
   * @param group the API group, {@code ""} for the core group
   * @param version the version, for example {@code v1}
   * @param kind the kind, for example {@code CronTab}
   * @param plural the resource name in paths, for example {@code crontabs}
   * @param namespaced whether objects live in namespaces
   * @param statusSubresource whether {@code .../status} is served (and main writes keep status)
   */
  public void registerKind(
      String group,
      String version,
      String kind,
      String plural,
      boolean namespaced,
      boolean statusSubresource) {
    store.register(
        new ApiResource(
            Objects.requireNonNull(group, "group"),
            requireText(version, "version"),
            requireText(kind, "kind"),
            requireText(plural, "plural"),
            namespaced,
            statusSubresource));
  }

  /**
   * Creates a namespace; does nothing if it exists.
   *
   * @throws IllegalStateException if the server is closed
   */
  public void createNamespace(String name) {
    ObjectNode namespace = JsonNodeFactory.instance.objectNode();
    namespace.put("apiVersion", "v1");
    namespace.put("kind", "Namespace");
    namespace.putObject("metadata").put("name", requireText(name, "name"));
    try {
      store.create(type("v1", "Namespace"), null, namespace);
    } catch (ApiError e) {
      if (e.code() != 409) {
        throw translate(e);
      }
    }
  }

  /**
   * Returns a copy of an object.
   *
   * @param namespace the namespace; {@code null} (or empty) for cluster-scoped kinds
   * @throws IllegalArgumentException if the kind is not served in that apiVersion, or a namespaced
   *     kind is asked for without a namespace
   */
  public Optional<ObjectNode> get(String apiVersion, String kind, String namespace, String name) {
    ApiResource type = type(apiVersion, kind);
    return store
        .find(type, namespaceFor(type, namespace), requireText(name, "name"))
        .map(ObjectNode::deepCopy);
  }

  /**
   * Returns copies of all objects of a kind in all namespaces, ordered by namespace and name.
   *
   * @throws IllegalArgumentException if the kind is not served in that apiVersion
   */
  public List<ObjectNode> list(String apiVersion, String kind) {
    ApiResource type = type(apiVersion, kind);
    return copies(store.list(type, null, Selectors.NONE, 0, null).items());
  }

  /**
   * Returns copies of every stored object except Namespaces, Nodes and CustomResourceDefinitions:
   * what an application left behind.
   */
  public List<ObjectNode> objects() {
    return copies(store.all(INFRASTRUCTURE));
  }

  /**
   * Creates or replaces an object as a server-side write that never conflicts: metadata is stamped,
   * ADDED or MODIFIED is emitted, and auto-ready applies, as for a client's create or update. For
   * kinds with a status subresource the given {@code status} is ignored (use {@link
   * #updateStatus}). A namespaced object without {@code metadata.namespace} goes to {@code
   * default}.
   *
   * @return a copy of the object as stored
   * @throws IllegalArgumentException if the kind is not served, the namespace does not exist (with
   *     enforced namespaces) or the object has no name
   */
  public ObjectNode put(ObjectNode object) {
    Objects.requireNonNull(object, "object");
    ApiResource type = type(object.path("apiVersion").asText(""), object.path("kind").asText(""));
    JsonNode metadata = object.path("metadata");
    String name = requireText(metadata.path("name").asText(""), "metadata.name");
    String namespace = type.namespaced() ? metadata.path("namespace").asText("default") : "";
    ObjectNode copy = object.deepCopy();
    Json.child(copy, "metadata").remove("resourceVersion");
    try {
      return store.update(type, namespace, name, old -> copy, Mode.FORCE, copy).object().deepCopy();
    } catch (ApiError e) {
      throw translate(e);
    }
  }

  /**
   * Changes an object's {@code status} as its controller or the kubelet would (through the status
   * subresource semantics: only {@code status} of the returned tree is taken), emitting MODIFIED if
   * it changed.
   *
   * @param change gets a copy of the object and returns it (or another tree) with the new status
   * @return a copy of the object as stored
   * @throws NoSuchElementException if the object does not exist
   * @throws IllegalArgumentException if the kind is not served
   */
  public ObjectNode updateStatus(
      String apiVersion,
      String kind,
      String namespace,
      String name,
      UnaryOperator<ObjectNode> change) {
    Objects.requireNonNull(change, "change");
    ApiResource type = type(apiVersion, kind);
    try {
      return store
          .update(
              type,
              namespaceFor(type, namespace),
              requireText(name, "name"),
              change::apply,
              Mode.STATUS,
              null)
          .object()
          .deepCopy();
    } catch (ApiError e) {
      throw translate(e);
    }
  }

  /**
   * Deletes an object as a client's DELETE would: with finalizers it is only marked ({@code
   * deletionTimestamp}, MODIFIED) and goes once they are removed.
   *
   * @return {@code true} if the object existed
   * @throws IllegalArgumentException if the kind is not served
   */
  public boolean delete(String apiVersion, String kind, String namespace, String name) {
    ApiResource type = type(apiVersion, kind);
    try {
      store.delete(type, namespaceFor(type, namespace), requireText(name, "name"), null);
      return true;
    } catch (ApiError e) {
      if (e.code() == 404) {
        return false;
      }
      throw translate(e);
    }
  }

  /**
   * Sets a condition of a Node ({@code Ready}, {@code MemoryPressure}, {@code DiskPressure}, {@code
   * PIDPressure}, {@code NetworkUnavailable} or any other type), adding it if missing, as the
   * kubelet reports it; emits MODIFIED.
   *
   * @param status {@code True}, {@code False} or {@code Unknown}
   * @throws NoSuchElementException if there is no such Node
   */
  public void setNodeCondition(String node, String type, String status) {
    requireText(type, "type");
    requireText(status, "status");
    String now = store.now();
    updateStatus(
        "v1", "Node", null, node, object -> NodeObjects.setCondition(object, type, status, now));
  }

  /**
   * Adds a Node, Ready, without pressure conditions, with 4 CPUs and 8 GiB.
   *
   * @throws IllegalArgumentException if it exists
   */
  public void addNode(String name) {
    requireText(name, "name");
    try {
      store.create(type("v1", "Node"), null, NodeObjects.node(name));
    } catch (ApiError e) {
      throw translate(e);
    }
    String now = store.now();
    updateStatus("v1", "Node", null, name, object -> NodeObjects.setReady(object, name, now));
  }

  // ----------------------------------------------------------------------------------- kubelet

  /**
   * Attaches a kubelet: it is told of every event, serves the {@code log} and {@code exec} Pod
   * subresources, owns the status of Pods and workloads (auto-ready leaves them), and Pods are
   * deleted gracefully.
   *
   * @throws IllegalStateException if a kubelet is attached already
   */
  void attachKubelet(PodRuntime runtime, Consumer<Event> listener) {
    if (!kubeletAttached.compareAndSet(false, true)) {
      throw new IllegalStateException("a LocalKubelet is attached to " + this + " already");
    }
    store.kubeletAttached(true);
    store.addListener(listener);
    dispatcher.podRuntime(runtime);
  }

  /** Undoes {@link #attachKubelet}: auto-ready and immediate Pod deletion apply again. */
  void detachKubelet(Consumer<Event> listener) {
    dispatcher.podRuntime(null);
    store.removeListener(listener);
    store.kubeletAttached(false);
    kubeletAttached.set(false);
  }

  ObjectStore store() {
    return store;
  }

  ApiResource resourceType(String apiVersion, String kind) {
    return type(apiVersion, kind);
  }

  /** The port the server listens on, on 127.0.0.1. */
  int port() {
    return server.getPort();
  }

  // ------------------------------------------------------------------------------------ faults

  /**
   * Answers the next {@code count} non-watch requests (after authentication) with a {@code Status}
   * of {@code httpStatus} (reason as the real server gives it: 503 ServiceUnavailable, 500
   * InternalError, 429 TooManyRequests, ...) instead of serving them. Replaces an earlier count.
   */
  public void failNext(int count, int httpStatus) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    faults.failNext(count, requireErrorStatus(httpStatus));
  }

  /**
   * Answers every matching request, watches included, with a {@code Status} of {@code httpStatus}
   * until {@link #clearFailures()}. Rules accumulate; the first added that matches wins.
   *
   * @param method an HTTP method ({@code PATCH}), or {@code null} for any
   * @param pathPrefix a prefix of the encoded path ({@code /apis/apps/v1/namespaces/default}), or
   *     {@code null} for any
   */
  public void failRequests(String method, String pathPrefix, int httpStatus) {
    faults.failRequests(method, pathPrefix, requireErrorStatus(httpStatus));
  }

  /** Removes every rule of {@link #failRequests} and the rest of a {@link #failNext} count. */
  public void clearFailures() {
    faults.clear();
  }

  /**
   * Delays the response headers of every later request (watches included) by {@code perRequest}
   * (MockWebServer's headers delay: the connection thread waits before answering). {@link
   * Duration#ZERO} switches it off.
   *
   * @throws IllegalArgumentException if negative
   */
  public void latency(Duration perRequest) {
    Objects.requireNonNull(perRequest, "perRequest");
    if (perRequest.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative: " + perRequest);
    }
    faults.latency(perRequest);
  }

  /**
   * Ends every open watch stream abruptly: after the events already queued, the stream stops
   * without its last chunk and the connection is closed, so clients see an {@code IOException} and
   * must resume from the last resourceVersion they saw. New watches are served normally.
   */
  public void dropWatches() {
    store.dropWatches();
  }

  /**
   * Holds the events of every watch stream, open or opened later (fault injection: a watch that
   * lags behind the writes): the streams write nothing, neither events nor bookmarks, until {@link
   * #releaseWatchEvents()}, which writes the events kept meanwhile, in order. Every other request
   * is served as usual, lists included, so a client's watch cache is behind what its reads and
   * writes see. {@link #close()} releases them. Thread-safe.
   */
  public void holdWatchEvents() {
    store.holdWatches();
  }

  /** Ends {@link #holdWatchEvents()}: the streams write the events kept meanwhile, then go on. */
  public void releaseWatchEvents() {
    store.releaseWatches();
  }

  /**
   * Compacts the event history: a watch from any resourceVersion up to the current one gets an
   * ERROR event with a 410 {@code Expired} Status (clients must re-list). Open watches continue.
   */
  public void compact() {
    store.compact();
  }

  /**
   * Returns {@code "METHOD /path?query"} (the request target as sent) of the latest requests
   * received since the start or the last {@link #clearRequests()}, in arrival order: at most the
   * {@link Builder#requestLogLimit(int) request log limit} (default {@value
   * #DEFAULT_REQUEST_LOG_LIMIT}), the oldest forgotten first, so that a long run does not keep
   * every request it served. {@link #requestCounts()} counts every request.
   */
  public List<String> requests() {
    return requestLog.requests();
  }

  /**
   * Returns the number of requests received since the start or the last {@link #clearRequests()},
   * and the bytes of their bodies, by method and path pattern: {@code "PATCH
   * /apis/apps/v1/namespaces/{namespace}/deployments/{name}"}, the namespace and name replaced by
   * {@code {namespace}} and {@code {name}}, a subresource kept ({@code .../{name}/status}), {@code
   * ?watch} appended for a watch; paths outside {@code /api/v1} and {@code /apis/GROUP/VERSION} as
   * they are. Every request is counted, however many {@link #requests()} keeps; a snapshot, sorted
   * by key. Thread-safe.
   */
  public Map<String, RequestCount> requestCounts() {
    return requestLog.requestCounts();
  }

  /**
   * How many requests of one method and path pattern were served ({@link #requestCounts()}).
   *
   * @param requests the number of requests, authenticated or not
   * @param bodyBytes the sum of their body sizes, bytes
   */
  public record RequestCount(long requests, long bodyBytes) {}

  /** Forgets the recorded {@link #requests()} and {@link #requestCounts()}. */
  public void clearRequests() {
    requestLog.clear();
  }

  /** The number of watch streams currently open (a departed client counts until noticed). */
  public int watchCount() {
    return store.watchCount();
  }

  /**
   * Ends every watch stream normally (waiting up to {@link #CLOSE_TIMEOUT} for them to finish),
   * then stops the server. Idempotent. Later writes through this object throw {@link
   * IllegalStateException}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    store.close(CLOSE_TIMEOUT);
    server.close();
    log.info("Fake Kubernetes API server {} closed", name);
  }

  @Override
  public String toString() {
    return "FakeKubernetesApiServer[name=" + name + ", url=" + url + "]";
  }

  // ---------------------------------------------------------------------------------- helpers

  private ApiResource type(String apiVersion, String kind) {
    requireText(apiVersion, "apiVersion");
    requireText(kind, "kind");
    return store
        .byKind(apiVersion, kind)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "kind " + kind + " is not served in " + apiVersion + " by " + this));
  }

  private static String namespaceFor(ApiResource type, String namespace) {
    if (!type.namespaced()) {
      return "";
    }
    if (namespace == null || namespace.isEmpty()) {
      throw new IllegalArgumentException(type.kind() + " is namespaced: a namespace is required");
    }
    return namespace;
  }

  private static RuntimeException translate(ApiError e) {
    return switch (e.code()) {
      case 404 -> new NoSuchElementException(e.getMessage());
      case 503 -> new IllegalStateException(e.getMessage());
      default -> new IllegalArgumentException(e.getMessage());
    };
  }

  private static List<ObjectNode> copies(List<ObjectNode> objects) {
    List<ObjectNode> copies = new ArrayList<>(objects.size());
    for (ObjectNode object : objects) {
      copies.add(object.deepCopy());
    }
    return copies;
  }

  private static int requireErrorStatus(int httpStatus) {
    if (httpStatus < 400 || httpStatus > 599) {
      throw new IllegalArgumentException("not an error status: " + httpStatus);
    }
    return httpStatus;
  }

  private static String requireText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }

  private static String randomToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Configures a {@link FakeKubernetesApiServer}; {@link #build()} starts it. Not thread-safe. */
  public static final class Builder {
    private String name = "fake";
    private Optional<String> token = Optional.empty();
    private Optional<String> contextNamespace = Optional.empty();
    private boolean autoReady = true;
    private boolean enforceNamespaces = true;
    private Clock clock = Clock.systemUTC();
    private int requestLogLimit = DEFAULT_REQUEST_LOG_LIMIT;

    private Builder() {}

    /**
     * The most requests {@link FakeKubernetesApiServer#requests()} keeps, the latest; default
     * {@value FakeKubernetesApiServer#DEFAULT_REQUEST_LOG_LIMIT}; 0 keeps none ({@link
     * FakeKubernetesApiServer#requestCounts()} still counts every request).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder requestLogLimit(int limit) {
      if (limit < 0) {
        throw new IllegalArgumentException("requestLogLimit must not be negative: " + limit);
      }
      this.requestLogLimit = limit;
      return this;
    }

    /** The cluster, user and context name in the kubeconfig; default {@code fake}. */
    public Builder name(String name) {
      this.name = requireText(name, "name");
      return this;
    }

    /** The bearer token required on every request; default 32 random bytes, base64url. */
    public Builder token(String token) {
      requireText(token, "token");
      if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException("token must be visible ASCII without spaces");
      }
      this.token = Optional.of(token);
      return this;
    }

    /** The namespace of the kubeconfig's context; default none. */
    public Builder contextNamespace(String namespace) {
      this.contextNamespace = Optional.of(requireText(namespace, "namespace"));
      return this;
    }

    /** Whether the fake reports workloads ready (see the class documentation); default on. */
    public Builder autoReady(boolean autoReady) {
      this.autoReady = autoReady;
      return this;
    }

    /** Whether namespaced objects need an existing namespace (404 otherwise); default on. */
    public Builder enforceNamespaces(boolean enforceNamespaces) {
      this.enforceNamespaces = enforceNamespaces;
      return this;
    }

    /**
     * The clock of {@code creationTimestamp} and other timestamps; default the UTC system clock.
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Starts the server on 127.0.0.1 on a free port.
     *
     * @throws UncheckedIOException if it cannot listen
     */
    public FakeKubernetesApiServer build() {
      return new FakeKubernetesApiServer(this);
    }
  }
}
