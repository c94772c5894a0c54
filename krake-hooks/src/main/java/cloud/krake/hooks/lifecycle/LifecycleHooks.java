package cloud.krake.hooks.lifecycle;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An application's container lifecycle hooks, the {@code spec.lifecycle} field: an optional {@code
 * post_start} and an optional {@code pre_stop}, each with exactly one handler, with the kubelet's
 * semantics (as Kubernetes documents them: Container Lifecycle Hooks). Shaped to become a component
 * of the application spec.
 *
 * <pre>{@code
 * lifecycle:
 *   post_start:
 *     exec: {command: [/bin/sh, -c, "./warm-up.sh"]}
 *     target: {kind: Deployment, name: echo, container: echo}   # default: first workload, first container
 *     timeout: 120                                              # seconds, default 300 (the kubelet: unbounded)
 *   pre_stop:
 *     http_get: {scheme: HTTPS, host: 10.0.0.7, port: 8443, path: /drain,
 *                headers: [{name: Authorization, value: "Bearer ..."}], strict: true}
 * }</pre>
 *
 * <p>Validation ({@link #parse}) collects every error with its field, for example {@code
 * spec.lifecycle.post_start: exactly one of exec, http_get, sleep}; {@code tcp_socket} is rejected
 * because the kubelet's API deprecates it and fails it at run time.
 *
 * @param postStart the postStart hook, if any
 * @param preStop the preStop hook, if any
 */
public record LifecycleHooks(
    Optional<LifecycleHandler> postStart, Optional<LifecycleHandler> preStop) {

  /** No hooks. */
  public static final LifecycleHooks NONE = new LifecycleHooks(Optional.empty(), Optional.empty());

  /** The grace period assumed when the caller does not know one: 30 s, Kubernetes' default. */
  public static final long DEFAULT_GRACE_PERIOD_SECONDS = 30;

  /** The field this type is parsed from in an application. */
  public static final String FIELD = "spec.lifecycle";

  private static final Set<String> HOOK_FIELDS =
      Set.of("exec", "http_get", "sleep", "tcp_socket", "target", "timeout");
  private static final List<String> ACTIONS = List.of("exec", "http_get", "sleep");
  private static final Set<String> HTTP_FIELDS =
      Set.of("scheme", "host", "port", "path", "headers", "strict");

  /** Checks the components. */
  public LifecycleHooks {
    Objects.requireNonNull(postStart, "postStart");
    Objects.requireNonNull(preStop, "preStop");
  }

  /**
   * Returns the hook at a point.
   *
   * @param point postStart or preStop
   * @return its handler, or empty if none is declared
   */
  public Optional<LifecycleHandler> at(LifecycleHookPoint point) {
    return point == LifecycleHookPoint.POST_START ? postStart : preStop;
  }

  /**
   * Parses and validates {@code spec.lifecycle} with Kubernetes' default grace period of 30 s.
   *
   * @param node the {@code lifecycle} object; a missing or null node is {@link #NONE}
   * @return the hooks
   * @throws InvalidResourceException naming every offending field below {@value #FIELD}
   */
  public static LifecycleHooks parse(JsonNode node) {
    return parse(node, FIELD, DEFAULT_GRACE_PERIOD_SECONDS);
  }

  /**
   * Parses and validates a {@code lifecycle} object.
   *
   * @param node the object; a missing or null node is {@link #NONE}
   * @param field its path in the document, used in error messages (e.g. {@code spec.lifecycle})
   * @param gracePeriodSeconds the workload's termination grace period in seconds, which bounds a
   *     {@code sleep} handler as the kubelet's API validation does
   * @return the hooks
   * @throws InvalidResourceException naming every offending field
   */
  public static LifecycleHooks parse(JsonNode node, String field, long gracePeriodSeconds) {
    List<FieldError> errors = validate(node, field, gracePeriodSeconds);
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors);
    }
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NONE;
    }
    return new LifecycleHooks(
        Optional.ofNullable(node.get("post_start"))
            .filter(n -> !n.isNull())
            .map(n -> handler(n, true)),
        Optional.ofNullable(node.get("pre_stop"))
            .filter(n -> !n.isNull())
            .map(n -> handler(n, false)));
  }

  /**
   * Validates a {@code lifecycle} object without building it.
   *
   * @param node the object; a missing or null node is valid
   * @param field its path in the document
   * @param gracePeriodSeconds the workload's termination grace period in seconds
   * @return every error, empty if valid
   */
  public static List<FieldError> validate(JsonNode node, String field, long gracePeriodSeconds) {
    Objects.requireNonNull(field, "field");
    List<FieldError> errors = new ArrayList<>();
    if (node == null || node.isNull() || node.isMissingNode()) {
      return errors;
    }
    if (!node.isObject()) {
      errors.add(new FieldError(field, "must be an object"));
      return errors;
    }
    for (Map.Entry<String, JsonNode> member : node.properties()) {
      if (LifecycleHookPoint.fromJsonName(member.getKey()).isEmpty()) {
        errors.add(
            new FieldError(
                field + "." + member.getKey(), "unknown field; expected post_start or pre_stop"));
      } else if (!member.getValue().isNull()) {
        validateHook(
            member.getValue(),
            field + "." + member.getKey(),
            member.getKey().equals("post_start"),
            gracePeriodSeconds,
            errors);
      }
    }
    return errors;
  }

  private static void validateHook(
      JsonNode hook, String field, boolean postStart, long grace, List<FieldError> errors) {
    if (!hook.isObject()) {
      errors.add(new FieldError(field, "must be an object"));
      return;
    }
    for (Map.Entry<String, JsonNode> member : hook.properties()) {
      if (!HOOK_FIELDS.contains(member.getKey())) {
        errors.add(new FieldError(field + "." + member.getKey(), "unknown field"));
      }
    }
    if (hook.has("tcp_socket")) {
      errors.add(
          new FieldError(
              field + ".tcp_socket",
              "is not supported: the kubelet's API deprecates tcpSocket and fails it at run time;"
                  + " use exec, http_get or sleep"));
    }
    List<String> present = ACTIONS.stream().filter(a -> present(hook, a)).toList();
    if (present.size() != 1) {
      errors.add(
          new FieldError(
              field,
              "exactly one of exec, http_get, sleep"
                  + (present.isEmpty() ? " is required" : " is allowed, found " + present)));
    }
    if (present(hook, "exec")) {
      validateExec(hook.get("exec"), field + ".exec", errors);
    }
    if (present(hook, "http_get")) {
      validateHttpGet(hook.get("http_get"), field + ".http_get", errors);
    }
    if (present(hook, "sleep")) {
      validateSleep(hook.get("sleep"), field + ".sleep", grace, errors);
    }
    if (present(hook, "target")) {
      validateTarget(hook.get("target"), field + ".target", errors);
    }
    if (present(hook, "timeout")) {
      if (!postStart) {
        errors.add(
            new FieldError(
                field + ".timeout",
                "is not allowed: the termination grace period bounds pre_stop, as the kubelet's"));
      } else {
        JsonNode timeout = hook.get("timeout");
        if (!timeout.isIntegralNumber()
            || timeout.asLong() < 1
            || timeout.asLong() > LifecycleHandler.MAX_TIMEOUT.toSeconds()) {
          errors.add(
              new FieldError(
                  field + ".timeout",
                  "must be a whole number of seconds between 1 and "
                      + LifecycleHandler.MAX_TIMEOUT.toSeconds()));
        }
      }
    }
  }

  private static void validateExec(JsonNode exec, String field, List<FieldError> errors) {
    if (!exec.isObject()) {
      errors.add(new FieldError(field, "must be an object"));
      return;
    }
    unknown(exec, field, Set.of("command"), errors);
    JsonNode command = exec.get("command");
    if (command == null || command.isNull()) {
      errors.add(new FieldError(field + ".command", "is required"));
    } else if (!command.isArray() || command.isEmpty()) {
      errors.add(new FieldError(field + ".command", "must be a non-empty list of strings"));
    } else {
      for (int i = 0; i < command.size(); i++) {
        if (!command.get(i).isTextual()) {
          errors.add(new FieldError(field + ".command[" + i + "]", "must be a string"));
        }
      }
    }
  }

  private static void validateHttpGet(JsonNode http, String field, List<FieldError> errors) {
    if (!http.isObject()) {
      errors.add(new FieldError(field, "must be an object"));
      return;
    }
    unknown(http, field, HTTP_FIELDS, errors);
    JsonNode scheme = http.get("scheme");
    if (scheme != null && !scheme.isNull()) {
      if (!scheme.isTextual()
          || !Set.of("HTTP", "HTTPS").contains(scheme.asText().toUpperCase(Locale.ROOT))) {
        errors.add(new FieldError(field + ".scheme", "must be HTTP or HTTPS"));
      }
    }
    JsonNode host = http.get("host");
    if (host != null && !host.isNull() && (!host.isTextual() || host.asText().isBlank())) {
      errors.add(new FieldError(field + ".host", "must be a non-blank string"));
    }
    JsonNode port = http.get("port");
    if (port == null || port.isNull()) {
      errors.add(new FieldError(field + ".port", "is required"));
    } else if (!port.isIntegralNumber() || port.asLong() < 1 || port.asLong() > 65535) {
      errors.add(
          new FieldError(
              field + ".port",
              "must be a port number between 1 and 65535 (named ports are not" + " supported)"));
    }
    JsonNode path = http.get("path");
    if (path != null && !path.isNull() && (!path.isTextual() || !path.asText().startsWith("/"))) {
      errors.add(new FieldError(field + ".path", "must be a string starting with /"));
    }
    JsonNode strict = http.get("strict");
    if (strict != null && !strict.isNull() && !strict.isBoolean()) {
      errors.add(new FieldError(field + ".strict", "must be true or false"));
    }
    JsonNode headers = http.get("headers");
    if (headers != null && !headers.isNull()) {
      if (!headers.isArray()) {
        errors.add(new FieldError(field + ".headers", "must be a list of {name, value}"));
      } else {
        for (int i = 0; i < headers.size(); i++) {
          JsonNode header = headers.get(i);
          String at = field + ".headers[" + i + "]";
          if (!header.isObject()) {
            errors.add(new FieldError(at, "must be an object {name, value}"));
            continue;
          }
          unknown(header, at, Set.of("name", "value"), errors);
          JsonNode name = header.get("name");
          if (name == null
              || !name.isTextual()
              || !name.asText().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            errors.add(new FieldError(at + ".name", "must be an HTTP header name"));
          }
          JsonNode value = header.get("value");
          if (value == null
              || !value.isTextual()
              || value.asText().chars().anyMatch(c -> c < 0x20 && c != '\t')) {
            // never echo the value: it may be a credential
            errors.add(
                new FieldError(at + ".value", "must be a string without control characters"));
          }
        }
      }
    }
  }

  private static void validateSleep(
      JsonNode sleep, String field, long grace, List<FieldError> errors) {
    if (!sleep.isObject()) {
      errors.add(new FieldError(field, "must be an object"));
      return;
    }
    unknown(sleep, field, Set.of("seconds"), errors);
    JsonNode seconds = sleep.get("seconds");
    if (seconds == null || seconds.isNull()) {
      errors.add(new FieldError(field + ".seconds", "is required"));
    } else if (!seconds.isIntegralNumber() || seconds.asLong() < 0) {
      errors.add(
          new FieldError(field + ".seconds", "must be a whole number of seconds, 0 or more"));
    } else if (seconds.asLong() > grace) {
      errors.add(
          new FieldError(
              field + ".seconds",
              "must not exceed the termination grace period of " + grace + " s, as the kubelet's"));
    }
  }

  private static void validateTarget(JsonNode target, String field, List<FieldError> errors) {
    if (!target.isObject()) {
      errors.add(new FieldError(field, "must be an object {kind, name, container}"));
      return;
    }
    unknown(target, field, Set.of("kind", "name", "container"), errors);
    for (String required : List.of("kind", "name")) {
      JsonNode value = target.get(required);
      if (value == null || !value.isTextual() || value.asText().isBlank()) {
        errors.add(new FieldError(field + "." + required, "is required, a non-blank string"));
      }
    }
    JsonNode container = target.get("container");
    if (container != null
        && !container.isNull()
        && (!container.isTextual() || container.asText().isBlank())) {
      errors.add(new FieldError(field + ".container", "must be a non-blank string"));
    }
  }

  private static void unknown(
      JsonNode object, String field, Set<String> known, List<FieldError> errors) {
    for (Map.Entry<String, JsonNode> member : object.properties()) {
      if (!known.contains(member.getKey())) {
        errors.add(new FieldError(field + "." + member.getKey(), "unknown field"));
      }
    }
  }

  private static boolean present(JsonNode object, String name) {
    JsonNode node = object.get(name);
    return node != null && !node.isNull();
  }

  private static LifecycleHandler handler(JsonNode hook, boolean postStart) {
    LifecycleHandler.Action action;
    if (present(hook, "exec")) {
      List<String> command = new ArrayList<>();
      hook.get("exec").get("command").forEach(c -> command.add(c.asText()));
      action = new LifecycleHandler.Exec(command);
    } else if (present(hook, "http_get")) {
      JsonNode http = hook.get("http_get");
      List<LifecycleHandler.HttpHeader> headers = new ArrayList<>();
      if (present(http, "headers")) {
        http.get("headers")
            .forEach(
                h ->
                    headers.add(
                        new LifecycleHandler.HttpHeader(
                            h.get("name").asText(), h.get("value").asText())));
      }
      action =
          new LifecycleHandler.HttpGet(
              present(http, "scheme")
                  ? LifecycleHandler.Scheme.valueOf(
                      http.get("scheme").asText().toUpperCase(Locale.ROOT))
                  : LifecycleHandler.Scheme.HTTP,
              present(http, "host") ? Optional.of(http.get("host").asText()) : Optional.empty(),
              http.get("port").asInt(),
              present(http, "path") ? http.get("path").asText() : "/",
              headers,
              present(http, "strict") && http.get("strict").asBoolean());
    } else {
      action = new LifecycleHandler.Sleep(hook.get("sleep").get("seconds").asLong());
    }
    Optional<HookTarget> target = Optional.empty();
    if (present(hook, "target")) {
      JsonNode t = hook.get("target");
      target =
          Optional.of(
              new HookTarget(
                  t.get("kind").asText(),
                  t.get("name").asText(),
                  present(t, "container")
                      ? Optional.of(t.get("container").asText())
                      : Optional.empty()));
    }
    Duration timeout =
        postStart && present(hook, "timeout")
            ? Duration.ofSeconds(hook.get("timeout").asLong())
            : LifecycleHandler.DEFAULT_POST_START_TIMEOUT;
    return new LifecycleHandler(action, target, timeout);
  }

  /**
   * Returns the {@code lifecycle} object this parses from; {@code parse(toJson())} equals this.
   * Header values are included (the document is the application's own spec).
   */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    postStart.ifPresent(h -> node.set("post_start", hookJson(h, true)));
    preStop.ifPresent(h -> node.set("pre_stop", hookJson(h, false)));
    return node;
  }

  private static ObjectNode hookJson(LifecycleHandler handler, boolean postStart) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    LifecycleHandler.Action action = handler.action();
    if (action instanceof LifecycleHandler.Exec exec) {
      ArrayNode command = node.putObject("exec").putArray("command");
      exec.command().forEach(command::add);
    } else if (action instanceof LifecycleHandler.HttpGet http) {
      ObjectNode h = node.putObject("http_get");
      h.put("scheme", http.scheme().name());
      http.host().ifPresent(v -> h.put("host", v));
      h.put("port", http.port());
      h.put("path", http.path());
      ArrayNode headers = h.putArray("headers");
      http.headers()
          .forEach(x -> headers.addObject().put("name", x.name()).put("value", x.value()));
      h.put("strict", http.strict());
    } else if (action instanceof LifecycleHandler.Sleep sleep) {
      node.putObject("sleep").put("seconds", sleep.seconds());
    }
    handler
        .target()
        .ifPresent(
            t -> {
              ObjectNode target = node.putObject("target");
              target.put("kind", t.kind()).put("name", t.name());
              t.container().ifPresent(c -> target.put("container", c));
            });
    if (postStart) {
      node.put("timeout", handler.timeout().toSeconds());
    }
    return node;
  }
}
