package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * {@code HttpCall}: sends one HTTP request and checks the status. Not a Kanister function; the
 * execution hooks' {@code http} handler: any method, headers and strict success criteria (unlike
 * the kubelet's httpGet, a 404 is a failure here by default).
 *
 * <pre>{@code
 * func: HttpCall
 * name: notify
 * args:
 *   method: POST                    # default GET
 *   url: "http://hooks.example/{{ .Application.Name }}/done"   # http or https, required
 *   headers: {Content-Type: application/json}
 *   body: '{"app": "{{ .Application.Name }}"}'
 *   expectedStatus: [200, 204]      # an integer or a list; default any 2xx
 *   timeout: 30s                    # whole call, default 30s, clipped to the phase deadline
 * }</pre>
 *
 * <p>Outputs: {@code status} (the status code) and {@code body} (the first {@value #MAX_BODY} bytes
 * of the response as UTF-8), plus any {@value PhaseOutput#MARKER} lines in the body. A transport
 * error, a timeout or an unexpected status fails the phase; the message names the method, scheme,
 * host and path (never the query, headers or body, which may carry credentials).
 *
 * <p>Thread-safe; the okhttp client's connections are shared by all calls, and calls run on the
 * caller's thread.
 */
public final class HttpCallFunction implements HookFunction {

  /** The function's name. */
  public static final String NAME = "HttpCall";

  /** The default timeout of a whole call. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** The most bytes of a response body kept as the {@code body} output. */
  public static final int MAX_BODY = 10 * 1024;

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

  /** Whether the client is the function's own (made on the first call) or the caller's. */
  private final boolean ownClient;

  /** The client; null until the first call when it is the function's own. Guarded by this. */
  private OkHttpClient client;

  /**
   * Creates the function on a client of its own (OkHttp's defaults: no TLS customisation, the JDK's
   * trust store), made on the first call: a function that only validates arguments (an engine that
   * checks applications) makes none. Within a Krake instance the engine is given the instance's
   * shared client instead ({@code cloud.krake.hooks.SharedHttpClient}).
   */
  public HttpCallFunction() {
    this.ownClient = true;
  }

  /**
   * Creates the function on a caller's client, for TLS settings or proxies; the caller keeps
   * ownership.
   *
   * @param client the client; its timeouts are replaced per call
   */
  public HttpCallFunction(OkHttpClient client) {
    this.ownClient = false;
    this.client = Objects.requireNonNull(client, "client");
  }

  /** The client of calls: the caller's, or the function's own, made now if this is the first. */
  private synchronized OkHttpClient client() {
    if (client == null) {
      client = new OkHttpClient.Builder().build();
    }
    return client;
  }

  /** Whether the function made a client of its own (for tests: validation makes none). */
  synchronized boolean ownClientCreated() {
    return ownClient && client != null;
  }

  /**
   * Evicts the idle connections of the function's own client, if it made one; a caller's client is
   * left alone. Called by {@link ExecutionEngine#close()}.
   */
  synchronized void releaseOwnClient() {
    if (ownClient && client != null) {
      client.connectionPool().evictAll();
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<FieldError> validate(ObjectNode args) {
    List<FieldError> errors = new ArrayList<>();
    Args.requireText(args, "url", errors);
    JsonNode url = args.get("url");
    if (url != null && url.isTextual() && !Args.isTemplate(url)) {
      HttpUrl parsed = HttpUrl.parse(url.asText());
      if (parsed == null) {
        errors.add(new FieldError("url", "must be an http or https URL"));
      }
    }
    JsonNode method = args.get("method");
    if (method != null && !method.isNull() && !Args.isTemplate(method)) {
      if (!method.isTextual() || !METHODS.contains(method.asText().toUpperCase(Locale.ROOT))) {
        errors.add(new FieldError("method", "must be one of " + new java.util.TreeSet<>(METHODS)));
      }
    }
    JsonNode headers = args.get("headers");
    if (headers != null && !headers.isNull()) {
      if (!headers.isObject()) {
        errors.add(new FieldError("headers", "must be an object of strings"));
      } else {
        Json.fields(
            (ObjectNode) headers,
            (name, value) -> {
              if (!value.isTextual()) {
                errors.add(new FieldError("headers." + name, "must be a string"));
              }
            });
      }
    }
    JsonNode body = args.get("body");
    if (body != null && !body.isNull() && !body.isTextual()) {
      errors.add(new FieldError("body", "must be a string"));
    }
    JsonNode expected = args.get("expectedStatus");
    if (expected != null && !expected.isNull() && !Args.isTemplate(expected)) {
      List<JsonNode> codes = new ArrayList<>();
      if (expected.isArray()) {
        expected.forEach(codes::add);
      } else {
        codes.add(expected);
      }
      if (codes.isEmpty()) {
        errors.add(new FieldError("expectedStatus", "must not be empty"));
      }
      for (JsonNode code : codes) {
        if (status(code) < 100 || status(code) > 599) {
          errors.add(new FieldError("expectedStatus", "must be status codes between 100 and 599"));
          break;
        }
      }
    }
    Args.timeout(args, "timeout", false, errors);
    return errors;
  }

  private static int status(JsonNode node) {
    if (node.isIntegralNumber()) {
      return node.asInt();
    }
    if (node.isTextual() && node.asText().matches("\\d{3}")) {
      return Integer.parseInt(node.asText());
    }
    return -1;
  }

  @Override
  public PhaseOutput execute(FunctionContext context) throws InterruptedException {
    ObjectNode args = context.args();
    HttpUrl url = HttpUrl.parse(args.get("url").asText());
    if (url == null) {
      throw new HookException(NAME, "the rendered url is not an http or https URL", null);
    }
    String method = Args.text(args, "method").orElse("GET").toUpperCase(Locale.ROOT);
    String target =
        method + " " + url.scheme() + "://" + url.host() + ":" + url.port() + url.encodedPath();
    Request.Builder request = new Request.Builder().url(url);
    Map<String, String> headers = new LinkedHashMap<>();
    if (args.get("headers") instanceof ObjectNode given) {
      Json.fields(given, (name, value) -> headers.put(name, value.asText()));
    }
    headers.forEach(request::header);
    RequestBody body = null;
    if (args.hasNonNull("body")) {
      String type = headers.getOrDefault("Content-Type", "application/octet-stream");
      body = RequestBody.create(args.get("body").asText(), MediaType.parse(type));
    } else if (Set.of("POST", "PUT", "PATCH").contains(method)) {
      body = RequestBody.create(new byte[0]);
    }
    request.method(method, body);
    Duration timeout = Args.duration(args.get("timeout")).orElse(DEFAULT_TIMEOUT);
    Duration remaining = context.remaining();
    if (remaining.compareTo(timeout) < 0) {
      timeout = remaining;
    }
    if (timeout.isZero() || context.cancelled()) {
      throw new HookException(NAME, target + ": no time left before the deadline", null);
    }
    OkHttpClient perCall =
        client()
            .newBuilder()
            .callTimeout(timeout)
            .connectTimeout(timeout)
            .readTimeout(timeout)
            .writeTimeout(timeout)
            .build();
    Call call = perCall.newCall(request.build());
    try (Response response = call.execute()) {
      String text = response.peekBody(MAX_BODY).string();
      if (!expected(args.get("expectedStatus"), response.code())) {
        throw new HookException(
            NAME,
            target
                + " answered "
                + response.code()
                + ", expected "
                + (args.hasNonNull("expectedStatus") ? args.get("expectedStatus") : "2xx"),
            null);
      }
      Map<String, String> outputs = new LinkedHashMap<>(PhaseOutput.parse(text).outputs());
      outputs.put("status", Integer.toString(response.code()));
      outputs.put("body", text);
      return PhaseOutput.of(outputs);
    } catch (InterruptedIOException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("interrupted during " + target);
      }
      throw new HookException(NAME, target + ": timed out after " + timeout.toMillis() + " ms", e);
    } catch (IOException e) {
      throw new HookException(NAME, target + ": " + e.getClass().getSimpleName(), e);
    }
  }

  private static boolean expected(JsonNode expected, int code) {
    if (expected == null || expected.isNull()) {
      return code >= 200 && code < 300;
    }
    if (expected.isArray()) {
      for (JsonNode node : expected) {
        if (status(node) == code) {
          return true;
        }
      }
      return false;
    }
    return status(expected) == code;
  }
}
