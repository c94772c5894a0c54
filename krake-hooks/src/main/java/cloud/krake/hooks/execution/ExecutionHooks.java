package cloud.krake.hooks.execution;

import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The execution hooks an application carries, by action: the value of an optional {@code
 * spec.execution_hooks} field (JSON-compatible so that it can live in an application's spec as a
 * plain object; {@link #fromJson} reads it, {@link #toJson()} writes it back).
 *
 * <pre>{@code
 * execution_hooks:
 *   deploy:
 *     preHook:   {blueprint: mysql-hooks, actionName: quiesce, timeout: 600,
 *                 retry: {attempts: 3, backoff: {initial: 10, max: 300}}}
 *     onSuccess: {blueprint: mysql-hooks, actionName: unquiesce, options: {mode: fast}}
 *     onFailure: {blueprint: mysql-hooks, actionName: alert}
 *   delete:
 *     preHook:   {action: {phases: [{func: HttpCall, name: notify, args: {url: "http://..."}}]}}
 * }</pre>
 *
 * <p>Actions are {@code deploy}, {@code update}, {@code migrate}, {@code delete}; hooks {@code
 * preHook}, {@code onSuccess}, {@code onFailure}. Defaults: timeout {@link HookRef#DEFAULT_TIMEOUT}
 * (seconds in JSON), retry {@link RetryPolicy#DEFAULT}; onFailure is never retried. References to
 * blueprints are checked by {@link HookRunner#validate(JsonNode, String)}.
 *
 * @param actions the hooks by action; an action without hooks is absent
 */
public record ExecutionHooks(Map<HookAction, ActionHooks> actions) {

  /** No hooks at all. */
  public static final ExecutionHooks NONE = new ExecutionHooks(Map.of());

  private static final Set<String> REF_FIELDS =
      Set.of("blueprint", "actionName", "action", "options", "timeout", "retry");

  /** Checks and copies the map. */
  public ExecutionHooks {
    actions = Map.copyOf(Objects.requireNonNull(actions, "actions"));
  }

  /**
   * Returns the hooks of one action.
   *
   * @param action the action
   * @return its hooks; {@link ActionHooks#NONE} if it has none
   */
  public ActionHooks forAction(HookAction action) {
    return actions.getOrDefault(Objects.requireNonNull(action, "action"), ActionHooks.NONE);
  }

  /**
   * Returns a copy with the hooks of one action set.
   *
   * @param action the action
   * @param hooks its hooks
   */
  public ExecutionHooks with(HookAction action, ActionHooks hooks) {
    Map<HookAction, ActionHooks> copy = new EnumMap<>(HookAction.class);
    copy.putAll(actions);
    copy.put(action, hooks);
    return new ExecutionHooks(copy);
  }

  /**
   * Reads the structure of {@code execution_hooks}: known actions and hooks, exactly one handler
   * per hook, timeouts, retry policies (not the blueprints referenced; see {@link HookRunner}).
   *
   * @param node the {@code execution_hooks} object
   * @param field the path of {@code node} for error messages, for example {@code
   *     spec.execution_hooks}
   * @return the hooks
   * @throws cloud.krake.model.InvalidResourceException with every error, each naming its field
   *     ({@code spec.execution_hooks.deploy.preHook.timeout: must be at most 86400 seconds (24 h)})
   */
  public static ExecutionHooks fromJson(JsonNode node, String field) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(field, "field");
    List<FieldError> errors = new ArrayList<>();
    Optional<ExecutionHooks> hooks = read(node, field, errors);
    Json.throwIfAny(errors);
    return hooks.orElseThrow();
  }

  static Optional<ExecutionHooks> read(JsonNode node, String field, List<FieldError> errors) {
    int before = errors.size();
    Optional<ObjectNode> object = Json.object(node, field, errors);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    Map<HookAction, ActionHooks> actions = new EnumMap<>(HookAction.class);
    Json.fields(
        object.get(),
        (name, value) -> {
          String actionField = Json.join(field, name);
          Optional<HookAction> action = HookAction.fromJsonName(name);
          if (action.isEmpty()) {
            errors.add(
                new FieldError(
                    actionField, "unknown action; expected deploy, update, migrate or delete"));
            return;
          }
          readAction(value, actionField, errors).ifPresent(a -> actions.put(action.get(), a));
        });
    return errors.size() > before ? Optional.empty() : Optional.of(new ExecutionHooks(actions));
  }

  private static Optional<ActionHooks> readAction(
      JsonNode node, String field, List<FieldError> errors) {
    Optional<ObjectNode> object = Json.object(node, field, errors);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    Map<HookKind, HookRef> refs = new EnumMap<>(HookKind.class);
    int before = errors.size();
    Json.fields(
        object.get(),
        (name, value) -> {
          String hookField = Json.join(field, name);
          Optional<HookKind> kind = HookKind.fromJsonName(name);
          if (kind.isEmpty()) {
            errors.add(
                new FieldError(
                    hookField, "unknown hook; expected preHook, onSuccess or onFailure"));
            return;
          }
          readRef(value, hookField, kind.get(), errors).ifPresent(r -> refs.put(kind.get(), r));
        });
    if (errors.size() > before) {
      return Optional.empty();
    }
    return Optional.of(
        new ActionHooks(
            Optional.ofNullable(refs.get(HookKind.PRE_HOOK)),
            Optional.ofNullable(refs.get(HookKind.ON_SUCCESS)),
            Optional.ofNullable(refs.get(HookKind.ON_FAILURE))));
  }

  private static Optional<HookRef> readRef(
      JsonNode node, String field, HookKind kind, List<FieldError> errors) {
    Optional<ObjectNode> object = Json.object(node, field, errors);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    ObjectNode ref = object.get();
    int before = errors.size();
    Json.fields(
        ref,
        (name, value) -> {
          if (!REF_FIELDS.contains(name)) {
            errors.add(
                new FieldError(
                    Json.join(field, name),
                    "unknown field; expected blueprint, actionName, action, options, timeout"
                        + " or retry"));
          }
        });
    boolean byBlueprint = Json.present(ref, "blueprint") || Json.present(ref, "actionName");
    boolean inline = Json.present(ref, "action");
    Optional<String> blueprint = Optional.empty();
    Optional<String> actionName = Optional.empty();
    Optional<BlueprintAction> action = Optional.empty();
    if (!byBlueprint && !inline) {
      errors.add(
          new FieldError(
              field, "has no handler: give blueprint and actionName, or an inline action"));
    } else if (byBlueprint && inline) {
      errors.add(
          new FieldError(
              field, "has two handlers (blueprint/actionName and action); give exactly one"));
    } else if (byBlueprint) {
      blueprint = Json.optionalText(ref, "blueprint", Json.join(field, "blueprint"), errors);
      actionName = Json.optionalText(ref, "actionName", Json.join(field, "actionName"), errors);
      if (!Json.present(ref, "blueprint")) {
        errors.add(new FieldError(Json.join(field, "blueprint"), "is required with actionName"));
      }
      if (!Json.present(ref, "actionName")) {
        errors.add(new FieldError(Json.join(field, "actionName"), "is required with blueprint"));
      }
    } else {
      action = BlueprintAction.read(ref.get("action"), Json.join(field, "action"), errors);
    }
    Map<String, String> options = new LinkedHashMap<>();
    if (Json.present(ref, "options")) {
      String optionsField = Json.join(field, "options");
      Json.object(ref.get("options"), optionsField, errors)
          .ifPresent(
              map ->
                  Json.fields(
                      map,
                      (key, value) -> {
                        if (!Phase.NAME.matcher(key).matches()) {
                          errors.add(
                              new FieldError(
                                  Json.join(optionsField, key),
                                  "an option key must match [A-Za-z0-9_]+"));
                        } else if (value.isValueNode() && !value.isNull()) {
                          options.put(key, value.asText());
                        } else {
                          errors.add(
                              new FieldError(Json.join(optionsField, key), "must be a string"));
                        }
                      }));
    }
    Duration timeout = HookRef.DEFAULT_TIMEOUT;
    if (Json.present(ref, "timeout")) {
      timeout = seconds(ref.get("timeout"), Json.join(field, "timeout"), 1, errors);
    }
    RetryPolicy retry = kind.retryable() ? RetryPolicy.DEFAULT : RetryPolicy.NONE;
    if (Json.present(ref, "retry")) {
      retry = readRetry(ref.get("retry"), Json.join(field, "retry"), kind, errors);
    }
    if (errors.size() > before) {
      return Optional.empty();
    }
    return Optional.of(new HookRef(blueprint, actionName, action, options, retry, timeout));
  }

  private static RetryPolicy readRetry(
      JsonNode node, String field, HookKind kind, List<FieldError> errors) {
    Optional<ObjectNode> object = Json.object(node, field, errors);
    if (object.isEmpty()) {
      return RetryPolicy.DEFAULT;
    }
    int attempts = RetryPolicy.DEFAULT.attempts();
    JsonNode attemptsNode = object.get().get("attempts");
    String attemptsField = Json.join(field, "attempts");
    if (attemptsNode != null && !attemptsNode.isNull()) {
      if (!attemptsNode.isIntegralNumber()
          || attemptsNode.asLong() < 1
          || attemptsNode.asLong() > RetryPolicy.MAX_ATTEMPTS) {
        errors.add(
            new FieldError(
                attemptsField, "must be an integer from 1 to " + RetryPolicy.MAX_ATTEMPTS));
        return RetryPolicy.DEFAULT;
      }
      attempts = attemptsNode.asInt();
    }
    if (!kind.retryable()) {
      if (attempts != 1 || object.get().has("backoff")) {
        errors.add(
            new FieldError(
                attempts != 1 ? attemptsField : Json.join(field, "backoff"),
                "onFailure is never retried (Kasten K10); remove retry"));
      }
      return RetryPolicy.NONE;
    }
    Duration initial = RetryPolicy.DEFAULT.initialBackoff();
    Duration max = RetryPolicy.DEFAULT.maxBackoff();
    JsonNode backoff = object.get().get("backoff");
    if (backoff != null && !backoff.isNull()) {
      String backoffField = Json.join(field, "backoff");
      Optional<ObjectNode> b = Json.object(backoff, backoffField, errors);
      if (b.isEmpty()) {
        return RetryPolicy.DEFAULT;
      }
      if (Json.present(b.get(), "initial")) {
        initial = seconds(b.get().get("initial"), Json.join(backoffField, "initial"), 1, errors);
      }
      if (Json.present(b.get(), "max")) {
        max = seconds(b.get().get("max"), Json.join(backoffField, "max"), 1, errors);
      } else if (max.compareTo(initial) < 0) {
        max = initial;
      }
      if (max.compareTo(initial) < 0) {
        errors.add(
            new FieldError(Json.join(backoffField, "max"), "must be at least backoff.initial"));
      }
    }
    try {
      return new RetryPolicy(attempts, initial, max);
    } catch (IllegalArgumentException e) {
      return RetryPolicy.DEFAULT; // the errors above name the field
    }
  }

  /** A number of seconds from {@code min} to 24 h. */
  private static Duration seconds(JsonNode node, String field, long min, List<FieldError> errors) {
    if (!node.isIntegralNumber()) {
      errors.add(new FieldError(field, "must be an integer number of seconds"));
      return HookRef.DEFAULT_TIMEOUT;
    }
    long value = node.asLong();
    if (value < min) {
      errors.add(
          new FieldError(field, value < 0 ? "must not be negative" : "must be at least " + min));
      return HookRef.DEFAULT_TIMEOUT;
    }
    if (value > Args.MAX_TIMEOUT.toSeconds()) {
      errors.add(
          new FieldError(
              field, "must be at most " + Args.MAX_TIMEOUT.toSeconds() + " seconds (24 h)"));
      return HookRef.DEFAULT_TIMEOUT;
    }
    return Duration.ofSeconds(value);
  }

  /** Returns the JSON form read by {@link #fromJson}. */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    for (HookAction action : HookAction.values()) {
      ActionHooks hooks = actions.get(action);
      if (hooks == null) {
        continue;
      }
      ObjectNode actionNode = node.putObject(action.jsonName());
      for (HookKind kind : HookKind.values()) {
        hooks.hook(kind).ifPresent(ref -> actionNode.set(kind.jsonName(), refJson(ref, kind)));
      }
    }
    return node;
  }

  private static ObjectNode refJson(HookRef ref, HookKind kind) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    ref.blueprint().ifPresent(b -> node.put("blueprint", b));
    ref.actionName().ifPresent(a -> node.put("actionName", a));
    ref.action().ifPresent(a -> node.set("action", a.toJson()));
    if (!ref.options().isEmpty()) {
      ObjectNode options = node.putObject("options");
      new java.util.TreeMap<>(ref.options()).forEach(options::put);
    }
    node.put("timeout", ref.timeout().toSeconds());
    if (kind.retryable()) {
      ObjectNode retry = node.putObject("retry");
      retry.put("attempts", ref.retry().attempts());
      ObjectNode backoff = retry.putObject("backoff");
      backoff.put("initial", ref.retry().initialBackoff().toSeconds());
      backoff.put("max", ref.retry().maxBackoff().toSeconds());
    }
    return node;
  }
}
