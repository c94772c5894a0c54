package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import cloud.krake.model.FieldError;
import cloud.krake.model.ResourceRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code Wait}, as Kanister's {@code Wait}/{@code WaitV2}: polls objects of the target cluster
 * through the {@link ObjectReader} until {@code anyOf} or {@code allOf} its conditions hold, and
 * fails when the required {@code timeout} passes first.
 *
 * <pre>{@code
 * func: Wait
 * name: podsReady
 * args:
 *   timeout: 120s                       # required; Go duration or seconds; at most 24h
 *   interval: 2s                        # optional poll interval, default 2s
 *   conditions:
 *     allOf:                            # or anyOf; exactly one of the two
 *       - objectReference: {apiVersion: v1, kind: Pod, namespace: "{{ .Namespace.Name }}",
 *                           selector: "app={{ .Application.Name }}"}   # or name: ...
 *         condition: '{{ $.status.phase }} == "Running"'
 * }</pre>
 *
 * <p>Conditions are a documented subset, not Go templates: {@code <operand> [<op> <operand>]} where
 * an operand is an object path <code>{{ $.status.readyReplicas }}</code> ({@code .field}, {@code
 * [0]}, {@code ['key.with/dots']}), a number, a quoted string, {@code true}, {@code false} or
 * {@code null}, and {@code op} one of {@code == != >= <= > <}; a lone operand holds when it is
 * {@code true} or {@code "true"}. A missing field is {@code null}; ordering operators hold only
 * between numbers (numeric strings count). Kanister's <code>{{ if (eq ...) }}true{{ end }}</code>
 * form, sprig functions and JSONPath filters are not supported and are rejected at validation.
 *
 * <p>A reference by {@code name} holds when the object exists and the condition holds for it; a
 * reference by label {@code selector} when at least one object matches and the condition holds for
 * every one. A failing read counts as "not yet". Other templates in the arguments ({@code {{
 * .Namespace.Name }}}) are rendered by the engine before the function runs.
 */
public final class WaitFunction implements HookFunction {

  /** The function's name. */
  public static final String NAME = "Wait";

  /** The default poll interval. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

  private final ObjectReader reader;

  /**
   * Creates the function.
   *
   * @param reader reads the objects
   */
  public WaitFunction(ObjectReader reader) {
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<FieldError> validate(ObjectNode args) {
    List<FieldError> errors = new ArrayList<>();
    Args.timeout(args, "timeout", true, errors);
    Args.timeout(args, "interval", false, errors);
    JsonNode conditions = args.get("conditions");
    if (conditions == null || conditions.isNull()) {
      errors.add(new FieldError("conditions", "is required: anyOf or allOf"));
      return errors;
    }
    if (!conditions.isObject()) {
      errors.add(new FieldError("conditions", "must be an object with anyOf or allOf"));
      return errors;
    }
    boolean any = conditions.has("anyOf");
    boolean all = conditions.has("allOf");
    if (any == all) {
      errors.add(
          new FieldError(
              "conditions", any ? "has both anyOf and allOf; give one" : "needs anyOf or allOf"));
      return errors;
    }
    String field = "conditions." + (any ? "anyOf" : "allOf");
    JsonNode list = conditions.get(any ? "anyOf" : "allOf");
    if (!(list instanceof ArrayNode array) || array.isEmpty()) {
      errors.add(new FieldError(field, "must be a non-empty list"));
      return errors;
    }
    for (int i = 0; i < array.size(); i++) {
      validateCondition(array.get(i), field + "[" + i + "]", errors);
    }
    return errors;
  }

  private static void validateCondition(JsonNode node, String field, List<FieldError> errors) {
    if (!(node instanceof ObjectNode object)) {
      errors.add(new FieldError(field, "must be an object with objectReference and condition"));
      return;
    }
    JsonNode ref = object.get("objectReference");
    if (!(ref instanceof ObjectNode reference)) {
      errors.add(new FieldError(field + ".objectReference", "is required (an object)"));
    } else {
      List<FieldError> refErrors = new ArrayList<>();
      Args.requireText(reference, "apiVersion", refErrors);
      Args.requireText(reference, "kind", refErrors);
      Args.optionalText(reference, "namespace", refErrors);
      Args.optionalText(reference, "name", refErrors);
      Args.optionalText(reference, "selector", refErrors);
      boolean named = reference.hasNonNull("name");
      boolean selected = reference.hasNonNull("selector");
      if (named == selected) {
        refErrors.add(
            new FieldError(
                named ? "selector" : "name",
                named ? "give name or selector, not both" : "is required (or a selector)"));
      }
      refErrors.forEach(
          e -> errors.add(new FieldError(field + ".objectReference." + e.field(), e.message())));
    }
    JsonNode condition = object.get("condition");
    if (condition == null || !condition.isTextual() || condition.asText().isBlank()) {
      errors.add(new FieldError(field + ".condition", "is required (a string)"));
      return;
    }
    try {
      Condition.parse(condition.asText());
    } catch (IllegalArgumentException e) {
      errors.add(new FieldError(field + ".condition", e.getMessage()));
    }
  }

  @Override
  public PhaseOutput execute(FunctionContext context) throws InterruptedException {
    ObjectNode args = context.args();
    ResourceRef cluster = KubeTaskFunction.requireCluster(context, NAME);
    Duration timeout = Args.duration(args.get("timeout")).orElseThrow();
    Duration interval = Args.duration(args.get("interval")).orElse(DEFAULT_INTERVAL);
    boolean any = args.path("conditions").has("anyOf");
    ArrayNode list = (ArrayNode) args.path("conditions").get(any ? "anyOf" : "allOf");
    List<Check> checks = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      checks.add(
          new Check(
              (any ? "anyOf[" : "allOf[") + i + "]",
              (ObjectNode) list.get(i).get("objectReference"),
              Condition.parse(list.get(i).get("condition").asText())));
    }
    Instant start = context.clock().instant();
    Instant deadline = start.plus(timeout);
    if (deadline.isAfter(context.deadline())) {
      deadline = context.deadline();
    }
    while (true) {
      List<String> pending = new ArrayList<>();
      int held = 0;
      for (Check check : checks) {
        Optional<String> failure = check.evaluate(reader, cluster);
        if (failure.isEmpty()) {
          held++;
        } else {
          pending.add(failure.get());
        }
      }
      if (any ? held > 0 : pending.isEmpty()) {
        return PhaseOutput.none();
      }
      Instant now = context.clock().instant();
      if (!now.isBefore(deadline) || context.cancellation().isCancelled()) {
        throw new HookException(
            NAME,
            (context.cancellation().isCancelled() ? "cancelled" : "timed out")
                + " after "
                + Duration.between(start, now).toSeconds()
                + "s waiting for "
                + (any ? "anyOf" : "allOf")
                + ": "
                + String.join("; ", pending),
            null);
      }
      Duration left = Duration.between(now, deadline);
      context.pause(interval.compareTo(left) < 0 ? interval : left);
    }
  }

  /** One condition of the list. */
  private record Check(String label, ObjectNode reference, Condition condition) {

    /** Returns empty if the condition holds, else why not. */
    Optional<String> evaluate(ObjectReader reader, ResourceRef cluster) {
      String apiVersion = reference.path("apiVersion").asText();
      String kind = reference.path("kind").asText();
      String namespace = reference.path("namespace").asText("");
      String what =
          label
              + " ("
              + kind
              + " "
              + (namespace.isEmpty() ? "" : namespace + "/")
              + (reference.hasNonNull("name")
                  ? reference.get("name").asText()
                  : "selector " + reference.path("selector").asText())
              + ")";
      try {
        if (reference.hasNonNull("name")) {
          Optional<ObjectNode> object =
              reader.read(cluster, apiVersion, kind, namespace, reference.get("name").asText());
          if (object.isEmpty()) {
            return Optional.of(what + ": not found");
          }
          return condition.holds(object.get())
              ? Optional.empty()
              : Optional.of(what + ": " + condition + " is false");
        }
        List<ObjectNode> objects =
            reader.list(cluster, apiVersion, kind, namespace, reference.get("selector").asText());
        if (objects.isEmpty()) {
          return Optional.of(what + ": no object matches");
        }
        long failing = objects.stream().filter(o -> !condition.holds(o)).count();
        return failing == 0
            ? Optional.empty()
            : Optional.of(
                what + ": " + condition + " is false for " + failing + " of " + objects.size());
      } catch (HookException e) {
        return Optional.of(what + ": " + e.getMessage());
      }
    }
  }
}
