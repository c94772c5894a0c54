package cloud.krake.hooks.execution;

import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One action of a blueprint, as Kanister's {@code BlueprintAction}: phases run in order, stopping
 * at the first failure; a {@code deferPhase} that runs after them whether they succeeded or not;
 * and {@code outputArtifacts}, key-value templates rendered once every phase and the deferPhase
 * succeeded.
 *
 * <p>JSON form, Kanister's names:
 *
 * <pre>{@code
 * phases:
 *   - {func: KubeExec, name: freeze, args: {pod: "{{ .StatefulSet.Name }}-0", command: [fsfreeze, -f, /data]}}
 * deferPhase: {func: KubeExec, name: unfreeze, args: {...}}
 * outputArtifacts:
 *   snapshot: {keyValue: {id: "{{ .Phases.freeze.Output.id }}"}}
 * }</pre>
 *
 * @param phases the phases, at least one, with distinct names
 * @param deferPhase the phase that always runs, named differently from the phases
 * @param outputArtifacts artifact templates by artifact name
 */
public record BlueprintAction(
    List<Phase> phases, Optional<Phase> deferPhase, Map<String, Artifact> outputArtifacts) {

  private static final Pattern ARTIFACT_NAME = Pattern.compile("[A-Za-z0-9_]+");

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if there is no phase or two phases share a name
   */
  public BlueprintAction {
    phases = List.copyOf(Objects.requireNonNull(phases, "phases"));
    Objects.requireNonNull(deferPhase, "deferPhase");
    outputArtifacts = Map.copyOf(Objects.requireNonNull(outputArtifacts, "outputArtifacts"));
    if (phases.isEmpty()) {
      throw new IllegalArgumentException("an action needs at least one phase");
    }
    Set<String> names = new HashSet<>();
    for (Phase phase : phases) {
      if (!names.add(phase.name())) {
        throw new IllegalArgumentException("two phases are named " + phase.name());
      }
    }
    if (deferPhase.isPresent() && names.contains(deferPhase.get().name())) {
      throw new IllegalArgumentException(
          "the deferPhase is named like a phase: " + deferPhase.get().name());
    }
  }

  /**
   * Returns an action of phases only.
   *
   * @param phases the phases
   */
  public static BlueprintAction of(Phase... phases) {
    return new BlueprintAction(List.of(phases), Optional.empty(), Map.of());
  }

  /**
   * Returns a copy with a deferPhase.
   *
   * @param deferPhase the phase that always runs
   */
  public BlueprintAction withDeferPhase(Phase deferPhase) {
    return new BlueprintAction(phases, Optional.of(deferPhase), outputArtifacts);
  }

  /**
   * Returns a copy with output artifact templates.
   *
   * @param outputArtifacts artifact templates by name
   */
  public BlueprintAction withOutputArtifacts(Map<String, Artifact> outputArtifacts) {
    return new BlueprintAction(phases, deferPhase, outputArtifacts);
  }

  /**
   * Reads an action from its JSON form, checking its structure and templates (syntax, known roots,
   * phase order; not the functions, which the {@link ExecutionEngine} knows).
   *
   * @param node the action's JSON object
   * @return the action
   * @throws cloud.krake.model.InvalidResourceException with every error, each naming its field
   *     ({@code phases[1].func}, {@code outputArtifacts.snap.keyValue.id})
   */
  public static BlueprintAction fromJson(JsonNode node) {
    Objects.requireNonNull(node, "node");
    List<FieldError> errors = new ArrayList<>();
    Optional<BlueprintAction> action = read(node, "", errors);
    Json.throwIfAny(errors);
    return action.orElseThrow();
  }

  /** Reads an action, adding errors prefixed with {@code prefix}; empty if any error was found. */
  static Optional<BlueprintAction> read(JsonNode node, String prefix, List<FieldError> errors) {
    int before = errors.size();
    Optional<ObjectNode> object = Json.object(node, prefix.isEmpty() ? "action" : prefix, errors);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    List<Phase> phases = new ArrayList<>();
    Set<String> names = new HashSet<>();
    JsonNode phasesNode = object.get().get("phases");
    String phasesField = Json.join(prefix, "phases");
    if (phasesNode == null || phasesNode.isNull()) {
      errors.add(new FieldError(phasesField, "is required: an action needs at least one phase"));
    } else {
      Json.array(phasesNode, phasesField, errors)
          .ifPresent(
              array -> {
                if (array.isEmpty()) {
                  errors.add(new FieldError(phasesField, "must have at least one phase"));
                }
                for (int i = 0; i < array.size(); i++) {
                  readPhase(array.get(i), phasesField + "[" + i + "]", names, errors)
                      .ifPresent(phases::add);
                }
              });
    }
    Optional<Phase> defer = Optional.empty();
    if (Json.present(object.get(), "deferPhase")) {
      defer =
          readPhase(object.get().get("deferPhase"), Json.join(prefix, "deferPhase"), names, errors);
    }
    Map<String, Artifact> artifacts = new LinkedHashMap<>();
    if (Json.present(object.get(), "outputArtifacts")) {
      String field = Json.join(prefix, "outputArtifacts");
      Json.object(object.get().get("outputArtifacts"), field, errors)
          .ifPresent(
              outputs ->
                  Json.fields(
                      outputs,
                      (name, value) ->
                          readArtifact(name, value, field + "." + name, errors)
                              .ifPresent(a -> artifacts.put(name, a))));
    }
    if (errors.size() > before) {
      return Optional.empty();
    }
    BlueprintAction action = new BlueprintAction(phases, defer, artifacts);
    TemplateChecks.check(action, prefix, TemplateChecks.Scope.UNKNOWN, errors);
    return errors.size() > before ? Optional.empty() : Optional.of(action);
  }

  private static Optional<Phase> readPhase(
      JsonNode node, String field, Set<String> names, List<FieldError> errors) {
    Optional<ObjectNode> object = Json.object(node, field, errors);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> func = Json.requiredText(object.get(), "func", field + ".func", errors);
    Optional<String> name = Json.requiredText(object.get(), "name", field + ".name", errors);
    if (name.isPresent() && !Phase.NAME.matcher(name.get()).matches()) {
      errors.add(
          new FieldError(
              field + ".name",
              "must match [A-Za-z0-9_]+ so that templates can reference it as .Phases.<name>"));
      name = Optional.empty();
    } else if (name.isPresent() && !names.add(name.get())) {
      errors.add(
          new FieldError(
              field + ".name", "duplicate phase name \"" + name.get() + "\" in this action"));
      name = Optional.empty();
    }
    ObjectNode args = JsonNodeFactory.instance.objectNode();
    if (Json.present(object.get(), "args")) {
      Optional<ObjectNode> given = Json.object(object.get().get("args"), field + ".args", errors);
      if (given.isEmpty()) {
        return Optional.empty();
      }
      args = given.get();
    }
    if (func.isEmpty() || name.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Phase(func.get(), name.get(), args));
  }

  private static Optional<Artifact> readArtifact(
      String name, JsonNode node, String field, List<FieldError> errors) {
    if (!ARTIFACT_NAME.matcher(name).matches()) {
      errors.add(new FieldError(field, "an artifact name must match [A-Za-z0-9_]+"));
      return Optional.empty();
    }
    Optional<ObjectNode> object = Json.object(node, field, errors);
    if (object.isEmpty()) {
      return Optional.empty();
    }
    if (Json.present(object.get(), "kopiaSnapshot")) {
      errors.add(
          new FieldError(
              field + ".kopiaSnapshot", "is not supported; only keyValue artifacts are"));
      return Optional.empty();
    }
    JsonNode keyValue = object.get().get("keyValue");
    if (keyValue == null || keyValue.isNull()) {
      errors.add(new FieldError(field + ".keyValue", "is required"));
      return Optional.empty();
    }
    Map<String, String> values = new LinkedHashMap<>();
    int before = errors.size();
    Json.object(keyValue, field + ".keyValue", errors)
        .ifPresent(
            kv ->
                Json.fields(
                    kv,
                    (key, value) -> {
                      if (value.isTextual() || value.isNumber() || value.isBoolean()) {
                        values.put(key, value.asText());
                      } else {
                        errors.add(new FieldError(field + ".keyValue." + key, "must be a string"));
                      }
                    }));
    return errors.size() > before ? Optional.empty() : Optional.of(new Artifact(values));
  }

  /** Returns the action in Kanister's JSON form. */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    ArrayNode array = node.putArray("phases");
    phases.forEach(phase -> array.add(phase.toJson()));
    deferPhase.ifPresent(defer -> node.set("deferPhase", defer.toJson()));
    if (!outputArtifacts.isEmpty()) {
      ObjectNode outputs = node.putObject("outputArtifacts");
      outputArtifacts.forEach(
          (name, artifact) -> {
            ObjectNode keyValue = outputs.putObject(name).putObject("keyValue");
            artifact.keyValue().forEach(keyValue::put);
          });
    }
    return node;
  }
}
