package cloud.krake.hooks.mangling;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.ObserverSchemas;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One hook's entries (environment variables, volume, volume mount), injected workload by workload
 * into an application's {@code last_applied_manifest} and {@code mangled_observer_schema}, as
 * {@link HookMangling} describes; collects the warnings. The pod spec paths come from {@link
 * cloud.krake.model.PodTemplates}. Used by one mangling call on one thread.
 */
final class PodSpecInjection {

  // the mangling's logger, so the log stays where it was before the split
  private static final Logger log = LoggerFactory.getLogger(HookMangling.class);

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final String hook;
  private final String application;
  private final Optional<ObjectNode> volume;
  private final Optional<ObjectNode> volumeMount;
  private final List<ObjectNode> envs;
  final List<ManglingWarning> warnings = new ArrayList<>();

  PodSpecInjection(
      String hook,
      String application,
      Optional<ObjectNode> volume,
      Optional<ObjectNode> volumeMount,
      List<ObjectNode> envs) {
    this.hook = hook;
    this.application = application;
    this.volume = volume;
    this.volumeMount = volumeMount;
    this.envs = envs;
  }

  void into(int position, ObjectNode resource, List<String> path, List<ObjectNode> schemas) {
    String resourceName = describe(resource);
    String manifestName = "status.last_applied_manifest[" + position + "] (" + resourceName + ")";
    String podSpecPath = String.join(".", path);
    ObjectNode podSpec = manifestObject(resource, path, manifestName);

    OptionalInt index = ObserverSchemas.indexOf(schemas, resource);
    int schemaIndex;
    if (index.isPresent()) {
      schemaIndex = index.getAsInt();
    } else {
      // the controller regenerates the schema of every resource; be forgiving if it did not
      schemas.add(ObserverSchemas.defaultSchema(resource));
      schemaIndex = schemas.size() - 1;
    }
    String schemaName =
        "status.mangled_observer_schema[" + schemaIndex + "] (" + resourceName + ")";
    Optional<ObjectNode> podSpecSchema = schemaObject(schemas.get(schemaIndex), path, schemaName);

    Target pod =
        new Target(resourceName, manifestName, podSpecPath, podSpec, podSpecSchema, schemaName);
    volume.ifPresent(v -> inject(pod, "volumes", v));
    for (Target container : containers(pod)) {
      volumeMount.ifPresent(m -> inject(container, "volumeMounts", m));
      for (ObjectNode env : envs) {
        inject(container, "env", env);
      }
    }
  }

  /** Returns the containers of a pod spec with their observer schemas. */
  private List<Target> containers(Target pod) {
    String path = pod.path() + ".containers";
    JsonNode containers = pod.manifest().get("containers");
    if (containers instanceof ObjectNode single) {
      // Krake injects into a dictionary as well; Kubernetes would reject it
      Optional<ObjectNode> schema =
          pod.schema().isEmpty()
              ? Optional.empty()
              : schemaObject(pod.schema().get(), List.of("containers"), pod.schemaName());
      return List.of(pod.child(path, single, schema));
    }
    if (!(containers instanceof ArrayNode list)) {
      throw invalid(pod.manifestName(), path, "must be a list of containers");
    }
    Optional<ArrayNode> observed = schemaList(pod, "containers").map(ObservedList::list);
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String containerPath = path + "[" + i + "]";
      if (!(list.get(i) instanceof ObjectNode container)) {
        throw invalid(pod.manifestName(), containerPath, "must be an object");
      }
      Optional<ObjectNode> containerSchema = Optional.empty();
      if (observed.isPresent()) {
        ArrayNode schemaList = observed.get();
        // as Krake's _inject_list: unobserved positions are observed with {} (length unchanged)
        while (schemaList.size() - 1 <= i) {
          schemaList.insert(schemaList.size() - 1, NODES.objectNode());
        }
        JsonNode element = schemaList.get(i);
        if (element instanceof ObjectNode object) {
          containerSchema = Optional.of(object);
        } else if (!element.isNull()) {
          throw invalid(
              pod.schemaName(), pod.path() + ".containers[" + i + "]", "must be an object");
        }
      }
      targets.add(pod.child(containerPath, container, containerSchema));
    }
    return targets;
  }

  /** Injects one named entry into a list of the target, as Krake's {@code _inject}. */
  private void inject(Target target, String group, ObjectNode entry) {
    String path = target.path() + "." + group;
    JsonNode current = target.manifest().get(group);
    ArrayNode list;
    if (current == null || current.isNull()) {
      list = target.manifest().putArray(group);
    } else if (current instanceof ArrayNode array) {
      list = array;
    } else {
      throw invalid(target.manifestName(), path, "must be a list");
    }
    String entryName = entry.get("name").asText();
    int position = -1;
    for (int i = 0; i < list.size(); i++) {
      if (entryName.equals(list.get(i).path("name").asText(null))) {
        position = i;
        break;
      }
    }
    boolean appended = false;
    if (position < 0) {
      list.add(entry.deepCopy());
      position = list.size() - 1;
      appended = true;
    } else if (!list.get(position).equals(entry)) {
      ManglingWarning warning =
          new ManglingWarning(application, hook, target.resource(), path, entryName);
      log.warn("{}", warning.message());
      warnings.add(warning);
      return;
    }
    Optional<ObservedList> observed = schemaList(target, group);
    if (observed.isEmpty()) {
      return;
    }
    ArrayNode schemaList = observed.get().list();
    if (schemaList.size() - 1 <= position) {
      while (schemaList.size() - 1 < position) {
        schemaList.insert(schemaList.size() - 1, NODES.objectNode());
      }
      schemaList.insert(position, ObserverSchemas.defaultSchemaOf(entry));
    }
    if (appended) {
      ObjectNode control = (ObjectNode) schemaList.get(schemaList.size() - 1);
      int min = control.get(ObserverSchemas.LIST_MIN_LENGTH).asInt();
      int max = control.get(ObserverSchemas.LIST_MAX_LENGTH).asInt();
      control.put(ObserverSchemas.LIST_MIN_LENGTH, min + 1);
      // a user's maximum of 0 means unlimited; a list created here starts bounded at 0
      if (max != 0 || observed.get().created()) {
        control.put(ObserverSchemas.LIST_MAX_LENGTH, max + 1);
      }
    }
  }

  /**
   * Returns the observed list {@code group} of the target's schema, created as <code>
   * [{min: 0, max: 0}]</code> if missing; empty if the target or the list is observed whole ({@code
   * null}) or the target has no schema.
   */
  private Optional<ObservedList> schemaList(Target target, String group) {
    if (target.schema().isEmpty()) {
      return Optional.empty();
    }
    ObjectNode schema = target.schema().get();
    JsonNode current = schema.get(group);
    if (current == null) {
      ArrayNode list = schema.putArray(group);
      list.add(ObserverSchemas.listControl(0, 0));
      return Optional.of(new ObservedList(list, true));
    }
    if (current.isNull()) {
      return Optional.empty();
    }
    if (current instanceof ArrayNode list
        && !list.isEmpty()
        && ObserverSchemas.isListControl(list.get(list.size() - 1))
        && list.get(list.size() - 1).get(ObserverSchemas.LIST_MIN_LENGTH).canConvertToInt()
        && list.get(list.size() - 1).get(ObserverSchemas.LIST_MAX_LENGTH).canConvertToInt()) {
      return Optional.of(new ObservedList(list, false));
    }
    throw invalid(
        target.schemaName(),
        target.path() + "." + group,
        "must be a list ending with a list control dictionary");
  }

  private static String describe(JsonNode resource) {
    String description =
        resource.path("kind").asText("") + " " + resource.path("metadata").path("name").asText("");
    JsonNode namespace = resource.path("metadata").path("namespace");
    return namespace.isTextual() ? description + " in " + namespace.asText() : description;
  }

  /** An observed list, and whether this mangling created it. */
  private record ObservedList(ArrayNode list, boolean created) {}

  /**
   * A place to inject into: a part of a resource and the matching part of its schema (empty if it
   * is observed whole).
   *
   * @param resource the resource as {@code <kind> <name>}, for warnings
   * @param manifestName the resource's position in the status, for errors
   * @param path the path of the part in the resource
   * @param manifest the part
   * @param schema its observer schema
   * @param schemaName the schema's position in the status, for errors
   */
  private record Target(
      String resource,
      String manifestName,
      String path,
      ObjectNode manifest,
      Optional<ObjectNode> schema,
      String schemaName) {

    Target child(String childPath, ObjectNode childManifest, Optional<ObjectNode> childSchema) {
      return new Target(resource, manifestName, childPath, childManifest, childSchema, schemaName);
    }
  }

  private static ObjectNode manifestObject(ObjectNode resource, List<String> path, String name) {
    JsonNode node = resource;
    for (String key : path) {
      node = node.get(key);
      if (!(node instanceof ObjectNode)) {
        throw invalid(name, String.join(".", path), "must be an object (the pod spec)");
      }
    }
    return (ObjectNode) node;
  }

  /**
   * Walks a schema along a path, creating missing objects; empty if a step is {@code null} (the
   * value is observed whole).
   */
  private static Optional<ObjectNode> schemaObject(
      ObjectNode schema, List<String> path, String schemaName) {
    ObjectNode node = schema;
    List<String> walked = new ArrayList<>();
    for (String key : path) {
      walked.add(key);
      JsonNode child = node.get(key);
      if (child == null) {
        node = node.putObject(key);
      } else if (child.isNull()) {
        return Optional.empty();
      } else if (child instanceof ObjectNode object) {
        node = object;
      } else {
        throw invalid(schemaName, String.join(".", walked), "must be an object");
      }
    }
    return Optional.of(node);
  }

  private static InvalidResourceException invalid(String resource, String path, String message) {
    return new InvalidResourceException(List.of(new FieldError(resource + "." + path, message)));
  }
}
