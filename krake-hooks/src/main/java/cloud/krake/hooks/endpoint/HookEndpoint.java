package cloud.krake.hooks.endpoint;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.ApplicationWriteOrder;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.tls.ClientCertificateCheck;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.FieldError;
import cloud.krake.model.Labels;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.store.Applications;
import cloud.krake.store.ConflictException;
import cloud.krake.store.NotFoundException;
import cloud.krake.store.Resources;
import cloud.krake.store.StoreUnavailableException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hook endpoint, as Krake's API handlers for {@code PUT
 * /kubernetes/namespaces/{ns}/applications/{name}/complete} and {@code .../shutdown}: an
 * application proves it holds its hook token (and, with TLS, its hook client certificate) and so
 * acknowledges that it completed, or that it shut down. Framework-neutral: a host mounts {@link
 * #handle(HookRequest)} in its own HTTP server, or uses {@link EmbeddedHookServer}.
 *
 * <pre>{@code
 * HookEndpoint endpoint = HookEndpoint.builder()
 *     .applications(krake.applications())
 *     .config(hooksConfig)
 *     .clientCertificateCheck(hookCertificateAuthority)   // required when hooksConfig.tls()
 *     .build();
 * HookResponse response = endpoint.handle(request);
 * }</pre>
 *
 * <h2>Request</h2>
 *
 * The body is parsed as JSON whatever its {@code Content-Type}, because the documented call {@code
 * curl -X PUT -d "{\"token\":\"$KRAKE_COMPLETE_TOKEN\"}" $KRAKE_COMPLETE_URL} sends it as {@code
 * application/x-www-form-urlencoded}. It is an object {@code {"token": "..."}}, optionally in
 * Krake's full form {@code {"api": "kubernetes", "kind": "Complete", "token": "..."}} ({@code
 * "Shutdown"} for the shutdown hook); other members are ignored.
 *
 * <h2>Answers, in order of precedence</h2>
 *
 * <ol>
 *   <li>404 if the path is not a hook route (an unknown hook, a namespace or name that is not a
 *       valid Krake resource name, a trailing slash); 405 with {@code Allow: PUT} for another
 *       method on a hook route;
 *   <li>413 if the declared {@code Content-Length} or the body is over {@link #maxBodyBytes()} (64
 *       KiB by default);
 *   <li>400 if the {@code Content-Length} is not a number;
 *   <li>with TLS ({@link HooksConfig#tls()}): 403 if no client certificate was presented or the
 *       hook's {@link ClientCertificateCheck} rejects it for the application and hook named in the
 *       URL, with the hook's {@code hook_user} as CN; checked before the body is parsed and before
 *       the store is read, so a caller without the right certificate learns nothing about which
 *       applications exist;
 *   <li>415 if the body is empty or not JSON, as Krake's API answers a body its JSON parser
 *       refuses;
 *   <li>422 if the body is JSON but not the hook's schema, as Krake's schema validation: not an
 *       object, {@code token} not a string, {@code api}/{@code kind} not the hook's, or a member
 *       given twice (Krake's parser keeps the last; two tokens are refused here as ambiguous);
 *   <li>404 if the application does not exist;
 *   <li>401 if the token is missing or wrong, or the hook is not enabled for the application (not
 *       in {@code spec.hooks}, or no {@code status.<hook>_token}); one message for all three, so
 *       the answer does not tell which;
 *   <li>200 with {@code {"name", "namespace", "state"}} after {@link
 *       Applications#acknowledgeComplete} or {@link Applications#acknowledgeShutdown}; 503 (with
 *       {@code Retry-After}) if the store is unavailable, 409 if the application kept changing
 *       through every compare-and-set retry, 500 for anything else (a certificate check that throws
 *       included).
 * </ol>
 *
 * Every answer before the last step leaves the store untouched. Errors are RFC 7807 {@code
 * application/problem+json} bodies {@code {"type": "about:blank", "title", "status", "detail"}}.
 *
 * <h2>Unlike Krake</h2>
 *
 * The token is compared in constant time ({@link MessageDigest#isEqual}, whose running time depends
 * only on the stored token's length); the 200 body holds only name, namespace and state, where
 * Krake returns the whole application with its tokens and private keys; the certificate must be the
 * one issued for this application and hook, not just any certificate with the hook user's CN; a
 * complete marks the application deleted with the {@code cascade_deletion} finalizer, so that even
 * one that was never applied leaves the store through the garbage collector (Krake leaves it
 * behind); a shutdown acknowledgement in a state it does not change writes nothing. A complete of
 * an application already in deletion writes nothing, whatever state the deletion has reached (Krake
 * writes the state back to READY_FOR_ACTION on every call, so a job that repeats its call restarts
 * its own deletion). A repeated valid call therefore answers 200 again, with the current state,
 * without a second write, until the application has left the store (then 404; a call that passed
 * the token check while it was being removed answers 200 with the state {@code DELETED}, as Krake's
 * synthesized answer for a removed object).
 *
 * <p>Thread-safe and stateless: any number of threads may call {@link #handle} at once; it blocks
 * only in the store calls. The transition is a compare-and-set on the very application whose token
 * (and enabled hook) was checked; after a lost compare-and-set the application is read and checked
 * again, so a token of an application deleted and created again under the same name does nothing.
 * Logs at {@code debug} per call and at {@code info} for 401 and 403, naming hook, namespace and
 * name, never the token or the body.
 */
public final class HookEndpoint {

  /** The default limit of the request body: 64 KiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

  /** Krake's reason for a 401, the same whatever was wrong with the token. */
  static final String INVALID_TOKEN = "No token has been provided or the provided one is invalid.";

  private static final Logger log = LoggerFactory.getLogger(HookEndpoint.class);

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private static final Map<String, String> JSON_HEADERS =
      Map.of("Content-Type", "application/json", "Cache-Control", "no-store");

  /** The hook reported to the metrics recorder for a path that is no hook route. */
  public static final String UNKNOWN_HOOK = "unknown";

  /** Compared against when the hook has no token, so that the comparison still takes its time. */
  private static final byte[] NO_TOKEN = randomToken();

  private final Applications applications;
  private final HooksConfig config;
  private final Map<String, ClientCertificateCheck> checks;
  private final int maxBodyBytes;
  private final KrakeMetricsRecorder recorder;

  private HookEndpoint(Builder builder) {
    this.recorder = builder.recorder;
    this.applications = builder.applications;
    this.config = builder.config;
    this.checks = Map.copyOf(builder.checks);
    this.maxBodyBytes = builder.maxBodyBytes;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns whether callers must present a client certificate ({@link HooksConfig#tls()}). */
  public boolean tls() {
    return config.tls();
  }

  /** Returns the largest accepted request body, in bytes. */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * Answers one hook call; see the class documentation for the answers and their precedence. Never
   * throws for a bad request: every failure is an answer.
   *
   * <p>Reports each answer to the builder's {@link Builder#metricsRecorder metrics recorder}: the
   * hook ({@value HooksConfig#COMPLETE}, {@value HooksConfig#SHUTDOWN}, or {@value #UNKNOWN_HOOK}
   * for a path that is no hook route) and the status code.
   *
   * @param request the request as received
   * @return the response to send
   */
  public HookResponse handle(HookRequest request) {
    Objects.requireNonNull(request, "request");
    Optional<Route> matched = Route.parse(request.path());
    HookResponse response = answer(request, matched);
    recorder.hookEndpointCall(
        matched.isEmpty()
            ? UNKNOWN_HOOK
            : HooksConfig.COMPLETE.equals(matched.get().hook())
                ? HooksConfig.COMPLETE
                : HooksConfig.SHUTDOWN,
        response.status());
    return response;
  }

  private HookResponse answer(HookRequest request, Optional<Route> matched) {
    if (matched.isEmpty()) {
      log.debug("{} request for a path that is no hook route: 404", request.method());
      return problem(404, "Not Found", "No hook endpoint at this path.");
    }
    Route route = matched.get();
    if (!"PUT".equals(request.method())) {
      log.debug("{} of hook {}: 405", request.method(), route);
      return problem(
          405, "Method Not Allowed", "Hook endpoints accept PUT only.", Map.of("Allow", "PUT"));
    }
    Optional<HookResponse> tooLarge = checkSize(request, route);
    if (tooLarge.isPresent()) {
      return tooLarge.get();
    }
    try {
      // As Krake: authentication and authorisation (403) before the body is parsed (415, 422).
      if (config.tls()) {
        Optional<String> rejected = checkCertificate(request, route);
        if (rejected.isPresent()) {
          log.info("hook {}: 403, {}", route, rejected.get());
          return problem(403, "Forbidden", rejected.get());
        }
      }
      Body body;
      try {
        body = Body.parse(request.bodyUnsafe(), route.hook());
      } catch (BadRequest e) {
        log.debug("hook {}: {}, {}", route, e.status, e.getMessage());
        return problem(e.status, e.title, e.getMessage());
      }
      // after (or before) this process's own write of the application: the shutdown protocol's
      // record of the call's end, which the application's acknowledgement typically follows
      return ApplicationWriteOrder.inOrder(
          route.namespace(), route.name(), () -> acknowledge(route, body));
    } catch (NotFoundException e) {
      log.debug("hook {}: 404, application removed meanwhile", route);
      return notFound(route);
    } catch (StoreUnavailableException e) {
      log.warn("hook {}: 503, store unavailable", route, e);
      return problem(
          503,
          "Service Unavailable",
          "The store is unavailable; try again.",
          Map.of("Retry-After", "1"));
    } catch (ConflictException e) {
      log.warn("hook {}: 409, the application kept changing", route, e);
      return problem(409, "Conflict", "The application kept changing; try again.");
    } catch (RuntimeException e) {
      // A store or certificate check failing in an unexpected way: answer, never throw.
      log.warn("hook {}: 500", route, e);
      return problem(500, "Internal Server Error", "The hook call could not be processed.");
    }
  }

  /** Reads, checks the token and acknowledges, re-reading after a lost compare-and-set. */
  private HookResponse acknowledge(Route route, Body body) {
    boolean authorised = false;
    for (int attempt = 1; ; attempt++) {
      Optional<Application> application = applications.get(route.namespace(), route.name());
      if (application.isEmpty()) {
        if (authorised) {
          // A concurrent valid complete removed it (it held no finalizer): done, as asked.
          log.debug("hook {}: 200, removed by a concurrent call", route);
          return ok(route, ApplicationState.DELETED);
        }
        log.debug("hook {}: 404, no such application", route);
        return notFound(route);
      }
      // Checked on every read: the application may have been re-created (new token) or lost
      // the hook since the previous attempt.
      if (!tokenMatches(application.get(), route.hook(), body.token())) {
        log.info("hook {}: 401, token missing or invalid, or hook not enabled", route);
        return problem(401, "Unauthorized", INVALID_TOKEN);
      }
      authorised = true;
      try {
        Application acknowledged =
            HooksConfig.COMPLETE.equals(route.hook())
                ? applications.acknowledgeComplete(application.get())
                : applications.acknowledgeShutdown(application.get());
        log.debug("hook {}: 200, state {}", route, acknowledged.status().state());
        return ok(route, acknowledged.status().state());
      } catch (ConflictException e) {
        if (attempt >= Resources.MAX_CONFLICT_RETRIES) {
          throw e;
        }
        log.debug("hook {}: written concurrently, reading again", route);
      }
    }
  }

  private Optional<HookResponse> checkSize(HookRequest request, Route route) {
    Optional<String> declared = request.header("Content-Length");
    long length = request.bodySize();
    if (declared.isPresent()) {
      try {
        length = Math.max(length, Long.parseLong(declared.get().trim()));
      } catch (NumberFormatException e) {
        log.debug("hook {}: 400, invalid Content-Length", route);
        return Optional.of(problem(400, "Bad Request", "The Content-Length is not a number."));
      }
    }
    if (length > maxBodyBytes) {
      log.debug("hook {}: 413, body of {} bytes", route, length);
      return Optional.of(
          problem(
              413,
              "Content Too Large",
              "The request body is larger than " + maxBodyBytes + " bytes.",
              Map.of("Connection", "close")));
    }
    return Optional.empty();
  }

  private Optional<String> checkCertificate(HookRequest request, Route route) {
    if (request.clientCertificateChain().isEmpty()) {
      return Optional.of("A client certificate is required.");
    }
    HookIdentity expected =
        new HookIdentity(
            route.namespace(), route.name(), route.hook(), config.hook(route.hook()).hookUser());
    ClientCertificateCheck check = checks.get(route.hook());
    return check.reject(request.clientCertificateChain(), expected);
  }

  private static boolean tokenMatches(
      Application application, String hook, Optional<String> presented) {
    Optional<String> stored = application.status().credentials(hook).token();
    boolean enabled =
        application.spec().hooks().contains(hook) && stored.filter(t -> !t.isEmpty()).isPresent();
    byte[] expected = enabled ? stored.get().getBytes(StandardCharsets.UTF_8) : NO_TOKEN;
    byte[] actual = presented.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(new byte[0]);
    // isEqual's running time depends on the length of its first argument only.
    boolean equal = MessageDigest.isEqual(expected, actual);
    return enabled && presented.isPresent() && equal;
  }

  private static HookResponse ok(Route route, ApplicationState state) {
    ObjectNode body = JSON.createObjectNode();
    body.put("name", route.name());
    body.put("namespace", route.namespace());
    body.put("state", state.name());
    return new HookResponse(200, JSON_HEADERS, bytes(body));
  }

  private static HookResponse notFound(Route route) {
    return problem(
        404,
        "Not Found",
        "No application " + route.name() + " in namespace " + route.namespace() + ".");
  }

  private static HookResponse problem(int status, String title, String detail) {
    return problem(status, title, detail, Map.of());
  }

  private static HookResponse problem(
      int status, String title, String detail, Map<String, String> extraHeaders) {
    ObjectNode body = JSON.createObjectNode();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    Map<String, String> headers = new HashMap<>(extraHeaders);
    headers.put("Content-Type", "application/problem+json");
    headers.put("Cache-Control", "no-store");
    return new HookResponse(status, headers, bytes(body));
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  private static byte[] randomToken() {
    byte[] token = new byte[43];
    new SecureRandom().nextBytes(token);
    return token;
  }

  /** A parsed hook path: the application and the hook. */
  private record Route(String namespace, String name, String hook) {

    private static final String[] SHAPE = {"", "kubernetes", "namespaces", null, "applications"};

    static Optional<Route> parse(String rawPath) {
      int query = rawPath.indexOf('?');
      String path = query < 0 ? rawPath : rawPath.substring(0, query);
      String[] parts = path.split("/", -1);
      if (parts.length != 7) {
        return Optional.empty();
      }
      for (int i = 0; i < SHAPE.length; i++) {
        if (SHAPE[i] != null && !SHAPE[i].equals(parts[i])) {
          return Optional.empty();
        }
      }
      String namespace = parts[3];
      String name = parts[5];
      String hook = parts[6];
      if (!Labels.isValidResourceName(namespace)
          || !Labels.isValidResourceName(name)
          || !(HooksConfig.COMPLETE.equals(hook) || HooksConfig.SHUTDOWN.equals(hook))) {
        return Optional.empty();
      }
      return Optional.of(new Route(namespace, name, hook));
    }

    @Override
    public String toString() {
      return hook + " of " + namespace + "/" + name;
    }
  }

  /** A parsed request body: the token, if any. */
  private record Body(Optional<String> token) {

    static Body parse(byte[] body, String hook) throws BadRequest {
      JsonNode tree;
      try {
        tree = JSON.readTree(body);
      } catch (StreamReadException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("Duplicate field")) {
          // Valid JSON for Krake's parser (the last value wins), but two tokens are ambiguous.
          throw BadRequest.schema("The request body holds a member twice.");
        }
        // The parser's message may quote the body, which holds the token: never pass it on.
        throw BadRequest.notJson("The request body is not valid JSON.");
      } catch (IOException e) {
        throw BadRequest.notJson("The request body is not valid JSON.");
      }
      if (tree == null || tree.isMissingNode()) {
        throw BadRequest.notJson("The request body is empty; expected {\"token\": \"...\"}.");
      }
      if (!tree.isObject()) {
        throw BadRequest.schema("The request body is not a JSON object.");
      }
      JsonNode api = tree.get("api");
      if (api != null && !api.isNull() && !"kubernetes".equals(api.textValue())) {
        throw BadRequest.schema("The member api must be \"kubernetes\".");
      }
      String kind = HooksConfig.COMPLETE.equals(hook) ? "Complete" : "Shutdown";
      JsonNode kindNode = tree.get("kind");
      if (kindNode != null && !kindNode.isNull() && !kind.equals(kindNode.textValue())) {
        throw BadRequest.schema("The member kind must be \"" + kind + "\" for this hook.");
      }
      JsonNode token = tree.get("token");
      if (token == null || token.isNull()) {
        return new Body(Optional.empty());
      }
      if (!token.isTextual()) {
        throw BadRequest.schema("The member token must be a string.");
      }
      return new Body(Optional.of(token.textValue()));
    }
  }

  /**
   * A body Krake's API refuses before reading the application: 415 when it is not JSON, 422 when it
   * does not fit the hook's schema. The message names no secret.
   */
  private static final class BadRequest extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;

    private BadRequest(int status, String title, String message) {
      super(message, null, false, false);
      this.status = status;
      this.title = title;
    }

    static BadRequest notJson(String message) {
      return new BadRequest(415, "Unsupported Media Type", message);
    }

    static BadRequest schema(String message) {
      return new BadRequest(422, "Unprocessable Content", message);
    }
  }

  /** Builds a {@link HookEndpoint}; not thread-safe. */
  public static final class Builder {
    private Applications applications;
    private HooksConfig config;
    private final Map<String, ClientCertificateCheck> checks = new HashMap<>();
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private KrakeMetricsRecorder recorder = KrakeMetricsRecorder.NOOP;

    private Builder() {}

    /**
     * Sets where each answered call is reported, by hook and status code (default {@link
     * KrakeMetricsRecorder#NOOP}).
     *
     * @param recorder typically {@code krake.metricsRecorder()}
     * @return this builder
     */
    public Builder metricsRecorder(KrakeMetricsRecorder recorder) {
      this.recorder = Objects.requireNonNull(recorder, "recorder");
      return this;
    }

    /**
     * Sets the typed application layer the transitions are written through (required).
     *
     * @param applications typically {@code krake.applications()}
     * @return this builder
     */
    public Builder applications(Applications applications) {
      this.applications = Objects.requireNonNull(applications, "applications");
      return this;
    }

    /**
     * Sets the hooks configuration (required): {@code tls} decides whether client certificates are
     * checked, and each hook's {@code hook_user} is the CN they must carry.
     *
     * @param config the hooks configuration
     * @return this builder
     */
    public Builder config(HooksConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Sets the client certificate check of both hooks; required when {@link HooksConfig#tls()}.
     *
     * @param check typically the {@code HookCertificateAuthority}
     * @return this builder
     */
    public Builder clientCertificateCheck(ClientCertificateCheck check) {
      Objects.requireNonNull(check, "check");
      checks.put(HooksConfig.COMPLETE, check);
      checks.put(HooksConfig.SHUTDOWN, check);
      return this;
    }

    /**
     * Sets the client certificate check of one hook (each hook may have its own CA).
     *
     * @param hook {@value HooksConfig#COMPLETE} or {@value HooksConfig#SHUTDOWN}
     * @param check the check of that hook's certificates
     * @return this builder
     * @throws IllegalArgumentException for another hook name
     */
    public Builder clientCertificateCheck(String hook, ClientCertificateCheck check) {
      Objects.requireNonNull(hook, "hook");
      Objects.requireNonNull(check, "check");
      if (!HooksConfig.COMPLETE.equals(hook) && !HooksConfig.SHUTDOWN.equals(hook)) {
        throw new IllegalArgumentException("not one of Krake's hooks: " + hook);
      }
      checks.put(hook, check);
      return this;
    }

    /**
     * Sets the largest accepted request body.
     *
     * @param maxBodyBytes positive, in bytes; default {@value HookEndpoint#DEFAULT_MAX_BODY_BYTES}
     * @return this builder
     */
    public Builder maxBodyBytes(int maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * Checks the settings and builds the endpoint.
     *
     * @throws InvalidConfigurationException naming every missing or invalid setting: no
     *     applications, no config, no check for a hook while TLS is enabled, a non-positive body
     *     limit
     */
    public HookEndpoint build() {
      List<FieldError> errors = new ArrayList<>();
      if (applications == null) {
        errors.add(new FieldError("applications", "is required"));
      }
      if (config == null) {
        errors.add(new FieldError("config", "is required"));
      } else if (config.tls()) {
        for (String hook : List.of(HooksConfig.COMPLETE, HooksConfig.SHUTDOWN)) {
          if (!checks.containsKey(hook)) {
            errors.add(
                new FieldError(
                    "client_certificate_check." + hook, "is required when TLS is enabled"));
          }
        }
      }
      if (maxBodyBytes <= 0) {
        errors.add(new FieldError("max_body_bytes", "must be positive"));
      }
      if (!errors.isEmpty()) {
        throw new InvalidConfigurationException(errors);
      }
      return new HookEndpoint(this);
    }
  }
}
