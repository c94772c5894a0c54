package cloud.krake.hooks.execution;

import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable record of one hook of one application's action, as {@link HookRecords} stores it:
 * which occurrence of the action it belongs to, the current attempt and its state, times, the
 * error, and on success the phase outputs and output artifacts (which a preHook passes on to
 * onSuccess and onFailure).
 *
 * <p>{@link #toString()} shows output and artifact keys only.
 *
 * @param namespace the application's namespace
 * @param application the application's name
 * @param action the action the hook surrounds
 * @param hook which hook
 * @param operation the occurrence of the action (see {@link ActionRun#operation()})
 * @param handler {@code blueprint/action} or {@code inline}
 * @param attempt the current attempt, from 1
 * @param state the current attempt's state
 * @param startedAt when the current attempt started
 * @param deadline when the current attempt runs out of time
 * @param finishedAt when the current attempt finished; empty while {@link HookState#RUNNING}
 * @param nextAttemptAt when the next attempt is due; present only after a failed attempt that will
 *     be retried
 * @param error why the current attempt failed; present only for {@link HookState#FAILED}
 * @param outputs phase outputs by phase name (a successful attempt's)
 * @param artifacts output artifacts by name (a successful attempt's)
 */
public record HookRecord(
    String namespace,
    String application,
    HookAction action,
    HookKind hook,
    String operation,
    String handler,
    int attempt,
    HookState state,
    Instant startedAt,
    Instant deadline,
    Optional<Instant> finishedAt,
    Optional<Instant> nextAttemptAt,
    Optional<String> error,
    Map<String, Map<String, String>> outputs,
    Map<String, Artifact> artifacts) {

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if the attempt is not positive or the optional components do
   *     not fit the state
   */
  public HookRecord {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(hook, "hook");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
    Objects.requireNonNull(error, "error");
    Map<String, Map<String, String>> copy = new LinkedHashMap<>();
    Objects.requireNonNull(outputs, "outputs").forEach((k, v) -> copy.put(k, Map.copyOf(v)));
    outputs = Map.copyOf(copy);
    artifacts = Map.copyOf(Objects.requireNonNull(artifacts, "artifacts"));
    if (attempt < 1) {
      throw new IllegalArgumentException("attempts count from 1");
    }
    if ((state == HookState.FAILED) != error.isPresent()) {
      throw new IllegalArgumentException("an error is present exactly for a failed attempt");
    }
    if ((state == HookState.RUNNING) == finishedAt.isPresent()) {
      throw new IllegalArgumentException("a finished time is present exactly when not running");
    }
    if (nextAttemptAt.isPresent() && state != HookState.FAILED) {
      throw new IllegalArgumentException("only a failed attempt has a next attempt");
    }
  }

  /** Returns whether no further attempt will be made: succeeded, or failed without retry. */
  public boolean isFinal() {
    return state == HookState.SUCCEEDED || (state == HookState.FAILED && nextAttemptAt.isEmpty());
  }

  /** Returns the JSON document stored for this record. */
  ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("namespace", namespace);
    node.put("application", application);
    node.put("action", action.jsonName());
    node.put("hook", hook.jsonName());
    node.put("operation", operation);
    node.put("handler", handler);
    node.put("attempt", attempt);
    node.put("state", state.name());
    node.put("started_at", startedAt.toString());
    node.put("deadline", deadline.toString());
    finishedAt.ifPresent(t -> node.put("finished_at", t.toString()));
    nextAttemptAt.ifPresent(t -> node.put("next_attempt_at", t.toString()));
    error.ifPresent(e -> node.put("error", e));
    ObjectNode outputsNode = node.putObject("outputs");
    new java.util.TreeMap<>(outputs)
        .forEach(
            (phase, values) -> {
              ObjectNode phaseNode = outputsNode.putObject(phase);
              new java.util.TreeMap<>(values).forEach(phaseNode::put);
            });
    ObjectNode artifactsNode = node.putObject("artifacts");
    new java.util.TreeMap<>(artifacts)
        .forEach(
            (name, artifact) -> {
              ObjectNode keyValue = artifactsNode.putObject(name).putObject("keyValue");
              new java.util.TreeMap<>(artifact.keyValue()).forEach(keyValue::put);
            });
    return node;
  }

  /** Reads a stored document. */
  static HookRecord fromJson(byte[] document) {
    JsonNode node = KrakeJson.read(document, JsonNode.class);
    Map<String, Map<String, String>> outputs = new LinkedHashMap<>();
    node.path("outputs")
        .properties()
        .forEach(
            phase -> {
              Map<String, String> values = new LinkedHashMap<>();
              phase
                  .getValue()
                  .properties()
                  .forEach(v -> values.put(v.getKey(), v.getValue().asText()));
              outputs.put(phase.getKey(), values);
            });
    Map<String, Artifact> artifacts = new LinkedHashMap<>();
    node.path("artifacts")
        .properties()
        .forEach(
            artifact -> {
              Map<String, String> values = new LinkedHashMap<>();
              artifact
                  .getValue()
                  .path("keyValue")
                  .properties()
                  .forEach(v -> values.put(v.getKey(), v.getValue().asText()));
              artifacts.put(artifact.getKey(), new Artifact(values));
            });
    return new HookRecord(
        node.path("namespace").asText(),
        node.path("application").asText(),
        HookAction.fromJsonName(node.path("action").asText()).orElseThrow(),
        HookKind.fromJsonName(node.path("hook").asText()).orElseThrow(),
        node.path("operation").asText(),
        node.path("handler").asText(),
        node.path("attempt").asInt(),
        HookState.valueOf(node.path("state").asText()),
        Instant.parse(node.path("started_at").asText()),
        Instant.parse(node.path("deadline").asText()),
        instant(node.get("finished_at")),
        instant(node.get("next_attempt_at")),
        node.hasNonNull("error") ? Optional.of(node.get("error").asText()) : Optional.empty(),
        outputs,
        artifacts);
  }

  private static Optional<Instant> instant(JsonNode node) {
    return node == null || node.isNull()
        ? Optional.empty()
        : Optional.of(Instant.parse(node.asText()));
  }

  @Override
  public String toString() {
    return "HookRecord["
        + namespace
        + "/"
        + application
        + " "
        + action.jsonName()
        + "."
        + hook.jsonName()
        + " ("
        + handler
        + ") operation="
        + operation
        + " attempt="
        + attempt
        + " "
        + state
        + nextAttemptAt.map(t -> " next=" + t).orElse("")
        + error.map(e -> " error=" + e).orElse("")
        + (outputs.isEmpty() ? "" : " outputs=" + new java.util.TreeSet<>(outputs.keySet()))
        + (artifacts.isEmpty() ? "" : " artifacts=" + new java.util.TreeSet<>(artifacts.keySet()))
        + "]";
  }
}
