package cloud.krake.k8s.internal;

import cloud.krake.k8s.ClusterClient;
import cloud.krake.k8s.KubernetesException;
import cloud.krake.k8s.KubernetesExecResult;
import cloud.krake.k8s.ObjectListener;
import cloud.krake.k8s.ObjectWatch;
import cloud.krake.model.ReasonCode;
import cloud.krake.runtime.KrakeExecutors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonObject;
import io.kubernetes.client.Exec;
import io.kubernetes.client.common.KubernetesType;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.Pair;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesListObject;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import io.kubernetes.client.util.generic.options.ListOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ClusterClient} on the official Kubernetes Java client: server-side apply as a {@code
 * PATCH} built by its {@link ApiClient} (field manager {@code krake}, forced), the answer read into
 * a Jackson tree from its bytes; get, list and delete through {@link DynamicKubernetesApi}; plural
 * names by discovery of the manifest's exact group/version ({@link KindResolver}), watches as a
 * list followed by a raw watch stream ({@link ListWatch}).
 *
 * <p>Two okhttp clients share one connection pool: every call but a watch runs with the request
 * timeout as okhttp call timeout; watch streams have no call timeout and a read timeout a little
 * above the {@code timeoutSeconds} they ask for, so a silently dead connection is noticed. Both
 * come from {@link ClientBuilder} (the plain {@code ApiClient}'s 10 s read timeout would cut
 * watches).
 *
 * <p>{@link #exec} runs over the official client's {@link Exec} (WebSocket channel protocol; okhttp
 * lifts the call and read timeouts once the socket is upgraded), its two output channels drained by
 * a bounded pool of daemon threads of this client ({@code krake-exec-<cluster>-N}, at most {@value
 * #MAX_EXEC_THREADS}, so at most half as many concurrent execs), ended by {@link #close()}.
 *
 * <p>Thread-safe. {@link #toString()} names the cluster and server only.
 */
public final class ApiServerClusterClient implements ClusterClient {

  private static final Logger log = LoggerFactory.getLogger(ApiServerClusterClient.class);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final String FIELD_MANAGER = "krake";
  private static final String[] AUTH = {"BearerToken"};

  /** The most threads draining exec output at once: two per running exec. */
  static final int MAX_EXEC_THREADS = 32;

  private final String cluster;
  private final Kubeconfig kubeconfig;
  private final ApiClient api;
  private final OkHttpClient requestHttp;
  private final OkHttpClient watchHttp;
  private final KindResolver resolver;
  private final ClientSettings settings;
  private final Map<ResolvedKind, DynamicKubernetesApi> apis = new ConcurrentHashMap<>();
  private final Set<ListWatch> watches = ConcurrentHashMap.newKeySet();
  private final ThreadPoolExecutor execStreams;

  /** Set once by {@link #close()}. */
  private volatile boolean closed;

  private ApiServerClusterClient(
      String cluster,
      Kubeconfig kubeconfig,
      ApiClient api,
      List<String> customResources,
      ClientSettings settings) {
    this.cluster = cluster;
    this.kubeconfig = kubeconfig;
    this.api = api;
    this.settings = settings;
    this.requestHttp =
        api.getHttpClient()
            .newBuilder()
            .socketFactory(new NoDelaySocketFactory())
            .connectTimeout(settings.connectTimeout())
            .readTimeout(settings.requestTimeout())
            .writeTimeout(settings.requestTimeout())
            .callTimeout(settings.requestTimeout())
            .build();
    api.setHttpClient(requestHttp);
    this.watchHttp =
        requestHttp
            .newBuilder()
            .callTimeout(Duration.ZERO)
            .readTimeout(settings.watchTimeout().multipliedBy(2).plusSeconds(30))
            .build();
    this.resolver = new KindResolver(cluster, api, customResources);
    this.execStreams =
        new ThreadPoolExecutor(
            0,
            MAX_EXEC_THREADS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            KrakeExecutors.daemonThreads("krake-exec-" + cluster + "-"));
  }

  /**
   * Connects to a cluster. No request is sent yet.
   *
   * @param cluster the cluster's {@code namespace/name}, for messages and logs
   * @param kubeconfig the checked kubeconfig
   * @param customResources the cluster's {@code spec.custom_resources}
   * @param settings timeouts, scheduler and watch threads
   * @throws KubernetesException with {@link ReasonCode#INVALID_RESOURCE} when the client cannot use
   *     the kubeconfig's certificates or keys
   */
  public static ApiServerClusterClient create(
      String cluster,
      Kubeconfig kubeconfig,
      List<String> customResources,
      ClientSettings settings) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    Objects.requireNonNull(customResources, "customResources");
    Objects.requireNonNull(settings, "settings");
    ApiClient api = kubeconfig.toApiClient(cluster, settings.credentials());
    return new ApiServerClusterClient(cluster, kubeconfig, api, customResources, settings);
  }

  @Override
  public ObjectNode apply(ObjectNode resource) {
    Objects.requireNonNull(resource, "resource");
    Target target = target(resource, "apply");
    // A shallow copy: the body shares the resource's subtrees (which may be read-only, see
    // ReadOnlyJson) and only its own metadata object is changed, instead of a deep copy of the
    // whole resource on every apply.
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ObjectNode metadata = JsonNodeFactory.instance.objectNode();
    resource.properties().forEach(e -> body.set(e.getKey(), e.getValue()));
    resource.get("metadata").properties().forEach(e -> metadata.set(e.getKey(), e.getValue()));
    body.set("metadata", metadata);
    if (target.namespace().isPresent()) {
      metadata.put("namespace", target.namespace().get());
    } else {
      metadata.remove("namespace");
    }
    String context = target.describe("apply");
    byte[] patch;
    try {
      patch = JSON.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new KubernetesException(ReasonCode.INVALID_RESOURCE, 0, context + ": " + e, e);
    }
    ObjectNode applied = send(context, applyRequest(target, patch), target.kind());
    if (KindResolver.isDefinition(target.kind())) {
      resolver.definitionApplied(applied);
    }
    log.debug("cluster {}: applied {}", cluster, target.describe());
    return applied;
  }

  /**
   * The server-side apply {@code PATCH} of a resource, built by the official client's {@link
   * ApiClient#buildRequest} (base URL, authentication, headers) as its generated APIs build theirs:
   * {@code application/apply-patch+yaml} (JSON is YAML), field manager {@code krake}, forced.
   */
  private Request applyRequest(Target target, byte[] patch) {
    List<Pair> query = new ArrayList<>();
    query.add(new Pair("fieldManager", FIELD_MANAGER));
    query.add(new Pair("force", "true"));
    Map<String, String> headers = new HashMap<>();
    headers.put("Accept", "application/json");
    headers.put("Content-Type", V1Patch.PATCH_FORMAT_APPLY_YAML);
    try {
      return api.buildRequest(
          null,
          target.kind().collectionPath(target.namespace())
              + "/"
              + ResolvedKind.segment(target.name()),
          "PATCH",
          query,
          new ArrayList<>(),
          patch,
          headers,
          new HashMap<>(),
          new HashMap<>(),
          AUTH,
          null);
    } catch (ApiException e) {
      throw Failures.of(target.describe("apply"), e, true);
    }
  }

  /**
   * Sends a request whose answer is one object and reads the answer's bytes into a Jackson tree
   * directly (the official client's typed path parses it with Gson, and the tree would be made from
   * Gson's text of it: two more passes over every answer); an error answer's {@code Status} is read
   * as {@link Failures#fromBody} reads it.
   */
  private ObjectNode send(String context, Request request, ResolvedKind kind) {
    byte[] answer;
    int code;
    try (Response response = requestHttp.newCall(request).execute()) {
      code = response.code();
      answer = response.body().bytes();
    } catch (IOException e) {
      throw Failures.of(context, e, true);
    }
    if (code < 200 || code > 299) {
      throw Failures.fromBody(
          context, code, new String(answer, StandardCharsets.UTF_8), true, null);
    }
    return tree(context, answer, kind);
  }

  @Override
  public boolean delete(ObjectNode resource) {
    return delete(resource, Optional.empty());
  }

  @Override
  public boolean delete(ObjectNode resource, Duration gracePeriod) {
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    if (gracePeriod.isNegative()) {
      throw new IllegalArgumentException("the grace period must not be negative: " + gracePeriod);
    }
    return delete(resource, Optional.of(gracePeriod.toSeconds()));
  }

  private boolean delete(ObjectNode resource, Optional<Long> gracePeriodSeconds) {
    Objects.requireNonNull(resource, "resource");
    Target target = target(resource, "delete");
    DynamicKubernetesApi dynamic = dynamic(target.kind());
    DeleteOptions options = new DeleteOptions();
    options.setPropagationPolicy("Background");
    gracePeriodSeconds.ifPresent(options::setGracePeriodSeconds);
    try {
      execute(
          target.describe("delete"),
          false,
          () ->
              target.namespace().isPresent()
                  ? dynamic.delete(target.namespace().get(), target.name(), options)
                  : dynamic.delete(target.name(), options));
      log.debug("cluster {}: deleted {}", cluster, target.describe());
      return true;
    } catch (KubernetesException e) {
      if (e.isNotFound()) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public Optional<ObjectNode> get(ObjectNode resource) {
    Objects.requireNonNull(resource, "resource");
    Target target = target(resource, "get");
    DynamicKubernetesApi dynamic = dynamic(target.kind());
    try {
      KubernetesApiResponse<DynamicKubernetesObject> response =
          execute(
              target.describe("get"),
              false,
              () ->
                  target.namespace().isPresent()
                      ? dynamic.get(target.namespace().get(), target.name())
                      : dynamic.get(target.name()));
      return Optional.of(object(target.describe("get"), response.getObject(), target.kind()));
    } catch (KubernetesException e) {
      if (e.isNotFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public List<ObjectNode> list(String apiVersion, String kind, Optional<String> namespace) {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    ensureOpen();
    return list(resolver.resolve(apiVersion, kind), namespace).items();
  }

  @Override
  public List<ObjectNode> list(
      String apiVersion, String kind, Optional<String> namespace, String labelSelector) {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(labelSelector, "labelSelector");
    ensureOpen();
    return list(resolver.resolve(apiVersion, kind), namespace, labelSelector).items();
  }

  /** A list answer: the objects and the collection's resource version to watch from. */
  record Listing(List<ObjectNode> items, String resourceVersion) {}

  /** Lists a resolved kind; for {@link ListWatch}. */
  Listing list(ResolvedKind kind, Optional<String> namespace) {
    return list(kind, namespace, "");
  }

  private Listing list(ResolvedKind kind, Optional<String> namespace, String labelSelector) {
    ensureOpen();
    DynamicKubernetesApi dynamic = dynamic(kind);
    Optional<String> scope = kind.namespaced() ? namespace : Optional.empty();
    String context =
        "cluster "
            + cluster
            + ": list "
            + kind.kind()
            + scope.map(ns -> " in " + ns).orElse("")
            + (labelSelector.isEmpty() ? "" : " with labels " + labelSelector);
    ListOptions options = new ListOptions();
    if (!labelSelector.isEmpty()) {
      options.setLabelSelector(labelSelector);
    }
    KubernetesApiResponse<DynamicKubernetesListObject> response =
        execute(
            context,
            false,
            () -> scope.isPresent() ? dynamic.list(scope.get(), options) : dynamic.list(options));
    DynamicKubernetesListObject list = response.getObject();
    if (list == null) {
      throw new KubernetesException(
          ReasonCode.KUBERNETES_ERROR, 0, context + ": the answer holds no list", null);
    }
    List<ObjectNode> items = new ArrayList<>();
    if (list.getItems() != null) {
      for (DynamicKubernetesObject item : list.getItems()) {
        items.add(object(context, item, kind));
      }
    }
    String version =
        list.getMetadata() == null || list.getMetadata().getResourceVersion() == null
            ? ""
            : list.getMetadata().getResourceVersion();
    return new Listing(items, version);
  }

  @Override
  public ObjectWatch watch(
      String apiVersion, String kind, Optional<String> namespace, ObjectListener listener) {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(listener, "listener");
    ensureOpen();
    ResolvedKind resolved = resolver.resolve(apiVersion, kind);
    ListWatch watch =
        new ListWatch(
            this,
            cluster,
            resolved,
            resolved.namespaced() ? namespace : Optional.empty(),
            listener,
            settings,
            watches::remove);
    watches.add(watch);
    if (closed) {
      watch.close();
    } else {
      watch.start();
    }
    return watch;
  }

  /**
   * Opens (does not execute) a watch stream of a kind from a resource version.
   *
   * @param resourceVersion where to resume; empty for "from now"
   * @param timeoutSeconds how long the server should keep the stream open
   */
  Call openWatch(
      ResolvedKind kind, Optional<String> namespace, String resourceVersion, long timeoutSeconds)
      throws ApiException {
    List<Pair> query = new ArrayList<>();
    query.add(new Pair("watch", "true"));
    query.add(new Pair("allowWatchBookmarks", "true"));
    if (!resourceVersion.isEmpty()) {
      query.add(new Pair("resourceVersion", resourceVersion));
    }
    query.add(new Pair("timeoutSeconds", Long.toString(timeoutSeconds)));
    Map<String, String> headers = new HashMap<>();
    headers.put("Accept", "application/json");
    Request request =
        api.buildRequest(
            null,
            kind.collectionPath(namespace),
            "GET",
            query,
            new ArrayList<>(),
            null,
            headers,
            new HashMap<>(),
            new HashMap<>(),
            AUTH,
            null);
    return watchHttp.newCall(request);
  }

  @Override
  public String logs(String namespace, String pod, Optional<String> container) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    ensureOpen();
    String context =
        "cluster "
            + cluster
            + ": logs of Pod "
            + namespace
            + "/"
            + pod
            + container.map(c -> " container " + c).orElse("");
    try {
      String log =
          new CoreV1Api(api)
              .readNamespacedPodLog(pod, namespace)
              .container(container.orElse(null))
              .execute();
      return log == null ? "" : log;
    } catch (ApiException | RuntimeException e) {
      throw Failures.of(context, e, false);
    }
  }

  @Override
  public KubernetesExecResult exec(
      String namespace,
      String pod,
      Optional<String> container,
      List<String> command,
      Duration timeout)
      throws InterruptedException {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(timeout, "timeout");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command is empty");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new PodExec(api, cluster, execStreams, this::get)
        .run(namespace, pod, container, command, timeout);
  }

  @Override
  public KubernetesExecResult exec(
      String namespace,
      String pod,
      Optional<String> container,
      List<String> command,
      Optional<InputStream> stdin,
      OutputStream stdout,
      Duration timeout)
      throws InterruptedException {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(container, "container");
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(stdin, "stdin");
    Objects.requireNonNull(stdout, "stdout");
    Objects.requireNonNull(timeout, "timeout");
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command is empty");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return new PodExec(api, cluster, execStreams, this::get)
        .run(namespace, pod, container, command, stdin, Optional.of(stdout), timeout);
  }

  @Override
  public String defaultNamespace() {
    return kubeconfig.namespace().orElse("default");
  }

  @Override
  public String host() {
    return kubeconfig.server().getHost();
  }

  /** Returns whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (ListWatch watch : List.copyOf(watches)) {
      watch.close();
    }
    requestHttp.dispatcher().cancelAll();
    requestHttp.connectionPool().evictAll();
    execStreams.shutdownNow();
    log.debug("cluster {}: client closed", cluster);
  }

  @Override
  public String toString() {
    return "ApiServerClusterClient[cluster=" + cluster + ", server=" + kubeconfig.server() + "]";
  }

  private void ensureOpen() {
    if (closed) {
      throw new KubernetesException(
          ReasonCode.KUBERNETES_ERROR,
          0,
          "cluster " + cluster + ": the client is closed (cluster deleted or kubeconfig changed)",
          null);
    }
  }

  private DynamicKubernetesApi dynamic(ResolvedKind kind) {
    return apis.computeIfAbsent(
        kind, k -> new DynamicKubernetesApi(k.group(), k.version(), k.plural(), api));
  }

  private static <T extends KubernetesType> KubernetesApiResponse<T> execute(
      String context, boolean write, Supplier<KubernetesApiResponse<T>> call) {
    KubernetesApiResponse<T> response;
    try {
      response = call.get();
    } catch (RuntimeException e) {
      throw Failures.of(context, e, write);
    }
    if (!response.isSuccess()) {
      throw Failures.of(context, response, write);
    }
    return response;
  }

  /** Converts the client's Gson object to a Jackson tree, filling apiVersion/kind of list items. */
  private static ObjectNode object(
      String context, DynamicKubernetesObject object, ResolvedKind kind) {
    if (object == null) {
      throw new KubernetesException(
          ReasonCode.KUBERNETES_ERROR, 0, context + ": the answer holds no object", null);
    }
    return tree(context, object.getRaw(), kind);
  }

  static ObjectNode tree(String context, JsonObject raw, ResolvedKind kind) {
    return tree(context, raw.toString().getBytes(StandardCharsets.UTF_8), kind);
  }

  /** Reads an answer's JSON into a tree, filling apiVersion/kind as for list items. */
  private static ObjectNode tree(String context, byte[] json, ResolvedKind kind) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      throw new KubernetesException(
          ReasonCode.KUBERNETES_ERROR, 0, context + ": unreadable answer", e);
    }
    if (!(node instanceof ObjectNode tree)) {
      throw new KubernetesException(
          ReasonCode.KUBERNETES_ERROR, 0, context + ": the answer is not an object", null);
    }
    fillKind(tree, kind);
    return tree;
  }

  static void fillKind(ObjectNode object, ResolvedKind kind) {
    if (!object.hasNonNull("apiVersion")) {
      object.put("apiVersion", kind.apiVersion());
    }
    if (!object.hasNonNull("kind")) {
      object.put("kind", kind.kind());
    }
  }

  /** What a resource addresses: its kind as served, name and namespace (for namespaced kinds). */
  private record Target(
      String cluster, ResolvedKind kind, String name, Optional<String> namespace) {
    String describe() {
      return kind.kind() + " " + namespace.map(ns -> ns + "/").orElse("") + name;
    }

    String describe(String action) {
      return "cluster " + cluster + ": " + action + " " + describe();
    }
  }

  private Target target(ObjectNode resource, String action) {
    ensureOpen();
    String apiVersion = text(resource, "apiVersion");
    String kind = text(resource, "kind");
    JsonNode metadata = resource.get("metadata");
    String name = metadata instanceof ObjectNode ? text(metadata, "name") : "";
    String what = kind.isEmpty() ? "a resource" : kind + (name.isEmpty() ? "" : " " + name);
    if (apiVersion.isEmpty()) {
      throw invalid(action, what, "apiVersion");
    }
    if (kind.isEmpty()) {
      throw invalid(action, what, "kind");
    }
    if (name.isEmpty()) {
      throw invalid(action, what, "metadata.name");
    }
    ResolvedKind resolved = resolver.resolve(apiVersion, kind);
    Optional<String> namespace = Optional.empty();
    if (resolved.namespaced()) {
      String ns = text(metadata, "namespace");
      namespace = Optional.of(ns.isEmpty() ? defaultNamespace() : ns);
    }
    return new Target(cluster, resolved, name, namespace);
  }

  private KubernetesException invalid(String action, String what, String field) {
    return new KubernetesException(
        ReasonCode.INVALID_RESOURCE,
        0,
        "cluster " + cluster + ": " + action + " " + what + ": " + field + " is required",
        null);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.asText() : "";
  }
}
