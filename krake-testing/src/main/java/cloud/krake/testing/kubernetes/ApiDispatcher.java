package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.ObjectStore.Mode;
import cloud.krake.testing.kubernetes.ObjectStore.Page;
import cloud.krake.testing.kubernetes.ObjectStore.Written;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okio.Buffer;
import okio.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the fake: authentication, injected faults and latency ({@link InjectedFaults}),
 * request recording ({@link RequestLog}), and routing of Kubernetes API paths to the {@link
 * ObjectStore}.
 *
 * <p>Called concurrently by MockWebServer's connection threads.
 */
final class ApiDispatcher extends Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(ApiDispatcher.class);

  static final String MERGE_PATCH = "application/merge-patch+json";
  static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
  static final String JSON_PATCH = "application/json-patch+json";
  static final String APPLY_PATCH = "application/apply-patch+yaml";

  private static final long FOREVER_NANOS = TimeUnit.DAYS.toNanos(365);

  private final ObjectStore store;
  private final byte[] token;
  private final Discovery discovery;
  private final InjectedFaults faults;
  private final RequestLog requestLog;

  // Whether requests without credentials are served
  volatile boolean anonymous;

  // The attached kubelet's log and exec endpoints, or null
  private volatile PodRuntime podRuntime;

  ApiDispatcher(
      ObjectStore store,
      String token,
      Supplier<String> serverAddress,
      InjectedFaults faults,
      RequestLog requestLog) {
    this.store = store;
    this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.discovery = new Discovery(store, serverAddress);
    this.faults = faults;
    this.requestLog = requestLog;
  }

  void podRuntime(PodRuntime runtime) {
    this.podRuntime = runtime;
  }

  // -------------------------------------------------------------------------------- dispatch

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String method = request.getMethod();
    HttpUrl url = request.getUrl();
    requestLog.record(method, request.getTarget(), url, request.getBodySize());
    Duration delay = faults.latency();
    MockResponse response;
    try {
      response = handle(request, method, url);
    } catch (ApiError e) {
      response = json(e.code(), e.toStatus());
    } catch (RuntimeException e) {
      log.warn("fake API server failed on {} {}", method, url.encodedPath(), e);
      response =
          json(500, ApiError.status(500, "InternalError", "fake API server error: " + e, null));
    }
    if (!delay.isZero() && !delay.isNegative()) {
      response = response.newBuilder().headersDelay(delay.toNanos(), TimeUnit.NANOSECONDS).build();
    }
    return response;
  }

  private MockResponse handle(RecordedRequest request, String method, HttpUrl url) {
    String authorization = request.getHeaders().get("Authorization");
    if (authorization == null
        ? !anonymous
        : !MessageDigest.isEqual(token, authorization.getBytes(StandardCharsets.UTF_8))) {
      throw new ApiError(401, "Unauthorized", "Unauthorized", "", "", "");
    }
    boolean watch = isWatch(url);
    int failure = faults.failure(method, url.encodedPath(), watch);
    if (failure > 0) {
      throw new ApiError(
          failure,
          ApiError.reasonFor(failure),
          "injected failure " + failure + " from the fake API server",
          "",
          "",
          "");
    }
    List<String> segments = url.pathSegments();
    if (segments.size() == 1 && segments.get(0).isEmpty()) {
      segments = List.of();
    }
    if (segments.isEmpty()) {
      throw notFound();
    }
    switch (segments.get(0)) {
      case "version":
        return json(200, Discovery.version());
      case "healthz", "livez", "readyz":
        return new MockResponse.Builder().code(200).body("ok").build();
      case "api":
        if (segments.size() == 1) {
          return json(200, discovery.apiVersions());
        }
        return resource(
            request, method, url, "", segments.get(1), segments.subList(2, segments.size()), watch);
      case "apis":
        if (segments.size() == 1) {
          return json(200, discovery.groupList());
        }
        if (segments.size() == 2) {
          return json(200, discovery.group(segments.get(1)).orElseThrow(ApiDispatcher::notFound));
        }
        return resource(
            request,
            method,
            url,
            segments.get(1),
            segments.get(2),
            segments.subList(3, segments.size()),
            watch);
      default:
        throw notFound();
    }
  }

  private static ApiError notFound() {
    return new ApiError(
        404, "NotFound", "the server could not find the requested resource", "", "", "");
  }

  static boolean isWatch(HttpUrl url) {
    String watch = url.queryParameter("watch");
    return "true".equalsIgnoreCase(watch) || "1".equals(watch);
  }

  private MockResponse resource(
      RecordedRequest request,
      String method,
      HttpUrl url,
      String group,
      String version,
      List<String> rest,
      boolean watch) {
    String apiVersion = group.isEmpty() ? version : group + "/" + version;
    if (rest.isEmpty()) {
      List<ApiResource> types = store.types(apiVersion);
      if (types.isEmpty()) {
        throw notFound();
      }
      return json(200, Discovery.resourceList(apiVersion, types));
    }
    String namespace = null;
    List<String> path = rest;
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      Optional<ApiResource> inNamespace = store.byPlural(apiVersion, rest.get(2));
      if (inNamespace.isPresent() && inNamespace.get().namespaced()) {
        namespace = rest.get(1);
        path = rest.subList(2, rest.size());
      }
    }
    if (path.size() > 3) {
      throw notFound();
    }
    ApiResource type = store.byPlural(apiVersion, path.get(0)).orElseThrow(ApiDispatcher::notFound);
    String name = path.size() > 1 ? path.get(1) : null;
    String subresource = path.size() > 2 ? path.get(2) : null;
    PodRuntime runtime = podRuntime;
    if (subresource != null
        && runtime != null
        && type.groupKind().equals(ObjectStore.POD)
        && namespace != null) {
      if (subresource.equals("log") && method.equals("GET")) {
        return runtime.logs(namespace, name, url);
      }
      if (subresource.equals("exec") && (method.equals("GET") || method.equals("POST"))) {
        return runtime.exec(namespace, name, url, request);
      }
    }
    if (subresource != null && !(subresource.equals("status") && type.statusSubresource())) {
      throw notFound();
    }
    if (name == null) {
      return collection(request, method, url, type, namespace, watch);
    }
    if (type.namespaced() && namespace == null) {
      throw notFound();
    }
    return subresource == null
        ? object(request, method, url, type, namespace, name, watch)
        : status(request, method, url, type, namespace, name);
  }

  private MockResponse collection(
      RecordedRequest request,
      String method,
      HttpUrl url,
      ApiResource type,
      String namespace,
      boolean watch) {
    Selectors selectors =
        Selectors.parse(url.queryParameter("labelSelector"), url.queryParameter("fieldSelector"));
    switch (method) {
      case "GET":
        if (watch) {
          return watch(url, type, namespace, selectors);
        }
        Page page =
            store.list(
                type,
                namespace,
                selectors,
                longParameter(url, "limit", 0),
                url.queryParameter("continue"));
        return json(200, list(type, page));
      case "POST":
        if (type.namespaced() && namespace == null) {
          throw methodNotAllowed(method);
        }
        return json(201, store.create(type, namespace, body(request)));
      case "DELETE":
        if (type.namespaced() && namespace == null) {
          throw methodNotAllowed(method);
        }
        List<ObjectNode> deleted = new ArrayList<>();
        for (ObjectNode object : store.list(type, namespace, selectors, 0, null).items()) {
          try {
            JsonNode metadata = object.path("metadata");
            deleted.add(
                store.delete(
                    type,
                    metadata.path("namespace").asText(""),
                    metadata.path("name").asText(),
                    null));
          } catch (ApiError gone) {
            // deleted concurrently
          }
        }
        return json(200, list(type, new Page(deleted, store.resourceVersion(), Optional.empty())));
      default:
        throw methodNotAllowed(method);
    }
  }

  private MockResponse object(
      RecordedRequest request,
      String method,
      HttpUrl url,
      ApiResource type,
      String namespace,
      String name,
      boolean watch) {
    switch (method) {
      case "GET":
        if (watch) {
          String fieldSelector = url.queryParameter("fieldSelector");
          String byName =
              (fieldSelector == null || fieldSelector.isEmpty() ? "" : fieldSelector + ",")
                  + "metadata.name="
                  + name;
          return watch(
              url, type, namespace, Selectors.parse(url.queryParameter("labelSelector"), byName));
        }
        return json(200, store.get(type, namespace, name));
      case "PUT":
        JsonNode body = body(request);
        return json(
            200, store.update(type, namespace, name, old -> body, Mode.MAIN, null).object());
      case "PATCH":
        Written written = patch(request, url, type, namespace, name, Mode.MAIN);
        return json(written.created() ? 201 : 200, written.object());
      case "DELETE":
        JsonNode preconditions = null;
        Long gracePeriodSeconds = null;
        ByteString raw = request.getBody();
        if (raw != null && raw.size() > 0) {
          JsonNode options = Json.read(raw.toByteArray());
          preconditions = options.get("preconditions");
          if (options.path("gracePeriodSeconds").canConvertToLong()) {
            gracePeriodSeconds = options.get("gracePeriodSeconds").asLong();
          }
        }
        if (url.queryParameter("gracePeriodSeconds") != null) {
          gracePeriodSeconds = longParameter(url, "gracePeriodSeconds", 0);
        }
        return json(200, store.delete(type, namespace, name, preconditions, gracePeriodSeconds));
      default:
        throw methodNotAllowed(method);
    }
  }

  private MockResponse status(
      RecordedRequest request,
      String method,
      HttpUrl url,
      ApiResource type,
      String namespace,
      String name) {
    switch (method) {
      case "GET":
        return json(200, store.get(type, namespace, name));
      case "PUT":
        JsonNode body = body(request);
        return json(
            200, store.update(type, namespace, name, old -> body, Mode.STATUS, null).object());
      case "PATCH":
        return json(200, patch(request, url, type, namespace, name, Mode.STATUS).object());
      default:
        throw methodNotAllowed(method);
    }
  }

  private Written patch(
      RecordedRequest request,
      HttpUrl url,
      ApiResource type,
      String namespace,
      String name,
      Mode mode) {
    String contentType = request.getHeaders().get("Content-Type");
    String mediaType =
        contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    byte[] raw = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    switch (mediaType) {
      case MERGE_PATCH, STRATEGIC_MERGE_PATCH -> {
        JsonNode patch = Json.read(raw);
        return store.update(
            type, namespace, name, old -> Patches.mergePatch(old, patch), mode, null);
      }
      case JSON_PATCH -> {
        JsonNode patch = Json.read(raw);
        Function<ObjectNode, JsonNode> change =
            old -> {
              try {
                return Patches.jsonPatch(old, patch);
              } catch (IllegalArgumentException e) {
                throw ApiError.invalid(type, name, e.getMessage());
              }
            };
        return store.update(type, namespace, name, change, mode, null);
      }
      case APPLY_PATCH -> {
        String fieldManager = url.queryParameter("fieldManager");
        if (fieldManager == null || fieldManager.isEmpty()) {
          throw new ApiError(
              422,
              "Invalid",
              "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required"
                  + " for apply patch",
              "",
              "meta.k8s.io",
              "PatchOptions");
        }
        JsonNode applied = Json.readApply(raw);
        if (!(applied instanceof ObjectNode configuration)) {
          throw ApiError.badRequest("an apply configuration must be an object");
        }
        String appliedName = configuration.path("metadata").path("name").asText(name);
        if (!appliedName.equals(name)) {
          throw ApiError.badRequest(
              "the name of the object ("
                  + appliedName
                  + ") does not match the name on the URL ("
                  + name
                  + ")");
        }
        JsonNode managedFields = configuration.path("metadata").path("managedFields");
        if (!managedFields.isMissingNode() && !managedFields.isNull()) {
          // kube-apiserver: an apply configuration states intent, not another manager's fields
          throw ApiError.badRequest("metadata.managedFields must be nil");
        }
        ObjectNode create = configuration.deepCopy();
        Json.child(create, "metadata").put("name", name);
        return store.update(
            type,
            namespace,
            name,
            old -> Patches.mergePatch(old, configuration),
            mode,
            mode == Mode.MAIN ? create : null);
      }
      default ->
          throw new ApiError(
              415,
              "UnsupportedMediaType",
              "the body of the request was in an unknown format - accepted media types include: "
                  + String.join(", ", JSON_PATCH, MERGE_PATCH, APPLY_PATCH, STRATEGIC_MERGE_PATCH),
              "",
              "",
              "");
    }
  }

  private MockResponse watch(HttpUrl url, ApiResource type, String namespace, Selectors selectors) {
    long timeoutSeconds = longParameter(url, "timeoutSeconds", 0);
    long deadline =
        System.nanoTime()
            + (timeoutSeconds > 0 ? TimeUnit.SECONDS.toNanos(timeoutSeconds) : FOREVER_NANOS);
    WatchStream stream =
        store.watch(
            type,
            namespace,
            selectors,
            url.queryParameter("resourceVersion"),
            deadline,
            "true".equalsIgnoreCase(url.queryParameter("allowWatchBookmarks")));
    return new MockResponse.Builder()
        .code(200)
        .addHeader("Content-Type", "application/json")
        .addHeader("Transfer-Encoding", "chunked")
        .addHeader("Connection", "close")
        .body(stream)
        .onResponseEnd(new SocketEffect.CloseSocket(true, false, false))
        .build();
  }

  // ----------------------------------------------------------------------------- responses

  static MockResponse json(int code, JsonNode body) {
    Buffer buffer = new Buffer().write(Json.bytes(body));
    return new MockResponse.Builder()
        .code(code)
        .headers(Headers.of("Content-Type", "application/json"))
        .body(buffer)
        .build();
  }

  private static ApiError methodNotAllowed(String method) {
    return new ApiError(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource (" + method + ")",
        "",
        "",
        "");
  }

  private static JsonNode body(RecordedRequest request) {
    ByteString body = request.getBody();
    if (body == null || body.size() == 0) {
      throw ApiError.badRequest("the request body is empty");
    }
    return Json.read(body.toByteArray());
  }

  private static long longParameter(HttpUrl url, String name, long otherwise) {
    String value = url.queryParameter(name);
    if (value == null || value.isEmpty()) {
      return otherwise;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ApiError.badRequest("invalid " + name + ": " + value);
    }
  }

  private static ObjectNode list(ApiResource type, Page page) {
    ObjectNode list = JsonNodeFactory.instance.objectNode();
    list.put("kind", type.kind() + "List");
    list.put("apiVersion", type.apiVersion());
    ObjectNode metadata = list.putObject("metadata");
    metadata.put("resourceVersion", Long.toString(page.resourceVersion()));
    page.continueToken().ifPresent(token -> metadata.put("continue", token));
    ArrayNode items = list.putArray("items");
    for (ObjectNode item : page.items()) {
      items.add(item);
    }
    return list;
  }
}
