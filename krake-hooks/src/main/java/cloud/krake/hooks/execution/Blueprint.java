package cloud.krake.hooks.execution;

import cloud.krake.model.FieldError;
import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A named set of actions, as Kanister's {@code Blueprint}. Read from Kanister's YAML or JSON: the
 * name is {@code metadata.name} (a Kanister custom resource) or a top-level {@code name}; the
 * actions are under {@code actions}. Any {@code apiVersion}/{@code kind} is ignored.
 *
 * <pre>{@code
 * Blueprint blueprint = Blueprint.parse(Files.readString(Path.of("mysql-hooks.yaml")));
 * List<FieldError> problems = engine.validate(blueprint);   // unknown functions, bad args
 * }</pre>
 *
 * @param name the blueprint's name, {@code [.a-zA-Z0-9_:-]+}
 * @param actions the actions by name, at least one
 */
public record Blueprint(String name, Map<String, BlueprintAction> actions) {

  private static final Pattern NAME = Pattern.compile("[.a-zA-Z0-9_:-]+");

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException if the name is not {@code [.a-zA-Z0-9_:-]+} or there is no
   *     action
   */
  public Blueprint {
    Objects.requireNonNull(name, "name");
    actions = Map.copyOf(Objects.requireNonNull(actions, "actions"));
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a blueprint name must match [.a-zA-Z0-9_:-]+: " + name);
    }
    if (actions.isEmpty()) {
      throw new IllegalArgumentException("a blueprint needs at least one action");
    }
  }

  /**
   * Reads a blueprint from JSON or YAML with {@link KrakeJson}.
   *
   * @param jsonOrYaml the document
   * @return the blueprint
   * @throws cloud.krake.model.InvalidResourceException with every error found, each naming its
   *     field, for example {@code actions.backup.phases[1].name: is required}
   */
  public static Blueprint parse(String jsonOrYaml) {
    Objects.requireNonNull(jsonOrYaml, "jsonOrYaml");
    return fromJson(KrakeJson.read(jsonOrYaml, JsonNode.class));
  }

  /**
   * Reads a blueprint from its JSON tree.
   *
   * @param node the tree
   * @return the blueprint
   * @throws cloud.krake.model.InvalidResourceException as {@link #parse(String)}
   */
  public static Blueprint fromJson(JsonNode node) {
    Objects.requireNonNull(node, "node");
    List<FieldError> errors = new ArrayList<>();
    Optional<ObjectNode> object = Json.object(node, "document", errors);
    Json.throwIfAny(errors);
    Optional<String> name;
    if (object.get().path("metadata").isObject()) {
      name =
          Json.requiredText(
              (ObjectNode) object.get().get("metadata"), "name", "metadata.name", errors);
    } else {
      name = Json.requiredText(object.get(), "name", "name", errors);
    }
    if (name.isPresent() && !NAME.matcher(name.get()).matches()) {
      errors.add(
          new FieldError(
              object.get().has("metadata") ? "metadata.name" : "name",
              "must match [.a-zA-Z0-9_:-]+"));
    }
    Map<String, BlueprintAction> actions = new LinkedHashMap<>();
    JsonNode actionsNode = object.get().get("actions");
    if (actionsNode == null || actionsNode.isNull()) {
      errors.add(new FieldError("actions", "is required: a blueprint needs at least one action"));
    } else {
      Json.object(actionsNode, "actions", errors)
          .ifPresent(
              map -> {
                if (map.isEmpty()) {
                  errors.add(new FieldError("actions", "must have at least one action"));
                }
                Json.fields(
                    map,
                    (actionName, value) -> {
                      if (!Phase.NAME.matcher(actionName.replace('-', '_')).matches()) {
                        errors.add(
                            new FieldError(
                                "actions." + actionName,
                                "an action name must match [A-Za-z0-9_-]+"));
                        return;
                      }
                      BlueprintAction.read(value, "actions." + actionName, errors)
                          .ifPresent(action -> actions.put(actionName, action));
                    });
              });
    }
    Json.throwIfAny(errors);
    return new Blueprint(name.orElseThrow(), actions);
  }

  /**
   * Returns one action.
   *
   * @param actionName the action's name
   * @return the action, or empty if the blueprint has none of that name
   */
  public Optional<BlueprintAction> action(String actionName) {
    Objects.requireNonNull(actionName, "actionName");
    return Optional.ofNullable(actions.get(actionName));
  }

  /** Returns the blueprint in JSON form ({@code name}, {@code actions}). */
  public ObjectNode toJson() {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("name", name);
    ObjectNode map = node.putObject("actions");
    new java.util.TreeMap<>(actions).forEach((key, action) -> map.set(key, action.toJson()));
    return node;
  }
}
