package cloud.krake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Krake's observer schemas: the default schema Krake generates for a manifest resource without a
 * user schema, and the lookup of a resource's schema in a list, as Krake's {@code
 * generate_default_observer_schema_dict} and {@code get_kubernetes_resource_idx} ({@code
 * krake/controller/kubernetes/hooks.py}, {@code krake/utils.py}).
 *
 * <p>An observer schema names a resource by its {@code apiVersion}, {@code kind} and {@code
 * metadata.name}; every other leaf is {@code null} ("observe this field"), and every list ends with
 * a control dictionary <code>{observer_schema_list_min_length: n,
 * observer_schema_list_max_length: m}</code>, where a maximum of {@code 0} means unlimited.
 *
 * <p>Stateless and thread-safe. Inputs are never changed; results are new trees.
 *
 * <pre>{@code
 * List<ObjectNode> schema = new ArrayList<>(app.spec().observerSchema());
 * for (ObjectNode resource : app.spec().manifest()) {
 *   if (ObserverSchemas.indexOf(schema, resource).isEmpty()) {
 *     schema.add(ObserverSchemas.defaultSchema(resource));
 *   }
 * }
 * }</pre>
 */
public final class ObserverSchemas {

  /** The key of the minimum length in a list control dictionary. */
  public static final String LIST_MIN_LENGTH = Manifests.MIN_LENGTH;

  /** The key of the maximum length in a list control dictionary; {@code 0} means unlimited. */
  public static final String LIST_MAX_LENGTH = Manifests.MAX_LENGTH;

  /** The key of the observed length in the list control entry of a last observed manifest. */
  public static final String LIST_CURRENT_LENGTH = "observer_schema_list_current_length";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ObserverSchemas() {}

  /**
   * Returns Krake's default observer schema of a manifest resource: a copy of its structure with
   * every scalar replaced by {@code null}, except the identifying fields {@code apiVersion}, {@code
   * kind}, {@code metadata.name} and, if the resource has one, {@code metadata.namespace} (Krake
   * nulls the namespace; keeping it lets resources of the same name in two namespaces, such as the
   * hook Secrets, be told apart). Every list is followed by the control dictionary <code>
   * {observer_schema_list_min_length: n, observer_schema_list_max_length: n}</code> with {@code n}
   * its actual length. For a resource with {@code spec.type: LoadBalancer} (a Service), {@code
   * status} is replaced by <code>{load_balancer: {ingress: null}}</code>, so the address the load
   * balancer assigns is observed, as Krake does: Krake's snake_case name (of its Python client),
   * which the Kubernetes backend matches to the API server's {@code status.loadBalancer}. Key order
   * follows the resource.
   *
   * @param resource a Kubernetes resource, for example an element of {@code spec.manifest}
   * @return a new tree; the resource is not changed
   * @throws InvalidResourceException naming {@code apiVersion}, {@code kind} or {@code
   *     metadata.name} if the resource lacks one as a non-empty string
   */
  public static ObjectNode defaultSchema(ObjectNode resource) {
    Objects.requireNonNull(resource, "resource");
    List<FieldError> errors = Manifests.validateManifest("resource", List.of(resource));
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors);
    }
    ObjectNode schema = objectSchema(resource);
    schema.put("apiVersion", resource.get("apiVersion").asText());
    schema.put("kind", resource.get("kind").asText());
    ObjectNode metadata = (ObjectNode) schema.get("metadata");
    metadata.put("name", resource.path("metadata").get("name").asText());
    JsonNode namespace = resource.path("metadata").path("namespace");
    if (namespace.isTextual()) {
      metadata.put("namespace", namespace.asText());
    }
    if ("LoadBalancer".equals(resource.path("spec").path("type").asText(null))) {
      ObjectNode loadBalancer = NODES.objectNode();
      loadBalancer.putNull("ingress");
      schema.putObject("status").set("load_balancer", loadBalancer);
    }
    return schema;
  }

  /**
   * Returns the effective observer schema of a manifest, as Krake's controller regenerates {@code
   * status.mangled_observer_schema} ({@code generate_default_observer_schema}): copies of the
   * user's schemas, followed by the {@link #defaultSchema(ObjectNode) default schema} of every
   * resource that no user schema {@link #indexOf(List, JsonNode) names}, in manifest order.
   *
   * @param manifest the resources, normally {@code spec.manifest}
   * @param observerSchema the user's schemas, normally {@code spec.observer_schema}
   * @return a new list of new trees
   * @throws InvalidResourceException as {@link #defaultSchema(ObjectNode)}
   */
  public static List<ObjectNode> effectiveSchema(
      List<ObjectNode> manifest, List<ObjectNode> observerSchema) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(observerSchema, "observerSchema");
    List<ObjectNode> schemas = new ArrayList<>(manifest.size());
    for (ObjectNode schema : observerSchema) {
      schemas.add(schema.deepCopy());
    }
    for (ObjectNode resource : manifest) {
      if (indexOf(observerSchema, resource).isEmpty()) {
        schemas.add(defaultSchema(resource));
      }
    }
    return schemas;
  }

  /**
   * Returns the default observer schema of a JSON value below the resource level: objects keep
   * their keys, lists get a control dictionary with their actual length, scalars become {@code
   * null}. Krake uses this for the elements its hooks inject into lists ({@code env}, {@code
   * volumes}).
   *
   * @param value any JSON value
   * @return a new tree
   */
  public static JsonNode defaultSchemaOf(JsonNode value) {
    Objects.requireNonNull(value, "value");
    if (value.isObject()) {
      return objectSchema((ObjectNode) value);
    }
    if (value.isArray()) {
      return listSchema((ArrayNode) value);
    }
    return NODES.nullNode();
  }

  /**
   * Returns a list control dictionary.
   *
   * @param min the minimum length, {@code >= 0}
   * @param max the maximum length, {@code >= 0}; {@code 0} means unlimited
   */
  public static ObjectNode listControl(int min, int max) {
    if (min < 0 || max < 0) {
      throw new IllegalArgumentException("list lengths must be >= 0: " + min + ", " + max);
    }
    ObjectNode control = NODES.objectNode();
    control.put(LIST_MIN_LENGTH, min);
    control.put(LIST_MAX_LENGTH, max);
    return control;
  }

  /**
   * Returns whether a JSON value is a list control dictionary (an object with both {@value
   * #LIST_MIN_LENGTH} and {@value #LIST_MAX_LENGTH}).
   *
   * @param node any JSON value
   */
  public static boolean isListControl(JsonNode node) {
    return node != null
        && node.isObject()
        && node.has(LIST_MIN_LENGTH)
        && node.has(LIST_MAX_LENGTH);
  }

  /**
   * Returns whether an observer schema (or a resource) names a resource: same {@code apiVersion},
   * {@code kind} and {@code metadata.name}, and a namespace that is equal (both absent counts as
   * equal) or absent/{@code null} in the schema (a user schema names no namespace).
   *
   * @param schema an observer schema entry
   * @param resource a manifest resource
   */
  public static boolean matches(JsonNode schema, JsonNode resource) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(resource, "resource");
    return sameName(schema, resource)
        && (namespace(schema).isEmpty() || namespace(schema).equals(namespace(resource)));
  }

  /**
   * Returns whether two resources (or schemas) have the same identity: {@code apiVersion}, {@code
   * kind}, {@code metadata.name} and namespace, where an absent or {@code null} namespace only
   * equals another absent one.
   *
   * @param a a resource or observer schema entry
   * @param b another one
   */
  public static boolean sameIdentity(JsonNode a, JsonNode b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    return sameName(a, b) && namespace(a).equals(namespace(b));
  }

  /**
   * Returns the index of a resource's observer schema in a list, as Krake's {@code
   * get_kubernetes_resource_idx}: the first entry with the same identity ({@link
   * #sameIdentity(JsonNode, JsonNode)}), else the first that {@link #matches(JsonNode, JsonNode)}
   * it (an entry without namespace), else empty.
   *
   * @param schemas observer schema entries, for example {@code status.mangled_observer_schema}
   * @param resource the resource whose schema is wanted
   */
  public static OptionalInt indexOf(List<? extends JsonNode> schemas, JsonNode resource) {
    Objects.requireNonNull(schemas, "schemas");
    Objects.requireNonNull(resource, "resource");
    for (int i = 0; i < schemas.size(); i++) {
      if (sameIdentity(schemas.get(i), resource)) {
        return OptionalInt.of(i);
      }
    }
    for (int i = 0; i < schemas.size(); i++) {
      if (matches(schemas.get(i), resource)) {
        return OptionalInt.of(i);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * Returns a resource's observer schema from a list, as {@link #indexOf(List, JsonNode)} finds it.
   *
   * @param schemas observer schema entries
   * @param resource the resource whose schema is wanted
   * @return the entry itself (not a copy), or empty
   */
  public static <T extends JsonNode> Optional<T> find(List<T> schemas, JsonNode resource) {
    OptionalInt index = indexOf(schemas, resource);
    return index.isPresent() ? Optional.of(schemas.get(index.getAsInt())) : Optional.empty();
  }

  private static boolean sameName(JsonNode a, JsonNode b) {
    return Values.text(a, "apiVersion").equals(Values.text(b, "apiVersion"))
        && Values.text(a, "kind").equals(Values.text(b, "kind"))
        && Values.text(a.path("metadata"), "name").equals(Values.text(b.path("metadata"), "name"));
  }

  private static Optional<String> namespace(JsonNode node) {
    JsonNode namespace = node.path("metadata").path("namespace");
    return namespace.isTextual() ? Optional.of(namespace.asText()) : Optional.empty();
  }

  private static ObjectNode objectSchema(ObjectNode object) {
    ObjectNode schema = NODES.objectNode();
    for (Map.Entry<String, JsonNode> entry : object.properties()) {
      schema.set(entry.getKey(), defaultSchemaOf(entry.getValue()));
    }
    return schema;
  }

  private static ArrayNode listSchema(ArrayNode list) {
    ArrayNode schema = NODES.arrayNode(list.size() + 1);
    for (JsonNode element : list) {
      schema.add(defaultSchemaOf(element));
    }
    schema.add(listControl(list.size(), list.size()));
    return schema;
  }
}
