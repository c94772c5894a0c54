package cloud.krake.k8s.internal;

import cloud.krake.model.ObserverSchemas;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Krake's bookkeeping of what it applied and what it observes, through observer schemas ({@code
 * krake/controller/kubernetes/hooks.py}, {@code
 * krake/controller/kubernetes/application/application.py}): the projection of a server object onto
 * its schema (the {@code last_observed_manifest} entry), the filling of observed fields the
 * manifest does not set from the server's answer ({@code update_last_applied_manifest_from_resp}),
 * and the delta between desired and observed ({@code ResourceDelta.calculate}).
 *
 * <p>Field names: Krake reads the Kubernetes Python client's objects, whose fields are snake_case,
 * and looks each observer schema key up in its snake_case form (its {@code camel_to_snake_case}),
 * so a schema may name a field either way; its own default schema of a LoadBalancer Service
 * observes {@code status.load_balancer.ingress}. This library reads the API server's JSON
 * (camelCase), so a schema key absent from an object is matched to the object's key whose
 * snake_case form is the same ({@code load_balancer} to {@code loadBalancer}, {@code pod_ip} to
 * {@code podIP}). The projection ({@code last_observed_manifest}) keeps the schema's key, as
 * Krake's; values filled into the applied manifest keep the object's key, so what is applied stays
 * valid Kubernetes JSON.
 *
 * <p>A difference in {@code status} is observed but is never a modification: applying cannot change
 * a status (the API server ignores it), and re-applying for one would repeat for as long as it
 * lasts (a LoadBalancer whose address changed).
 *
 * <p>Unlike Krake, a list's {@code observer_schema_list_max_length} of 0 means unlimited, as Krake
 * documents it for the observer schema, and an observed field that neither the manifest sets nor
 * the server reports is not a difference (Krake raises a KeyError there, failing the application).
 * Stateless; inputs are never changed.
 */
public final class ObservedManifests {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ObservedManifests() {}

  /** What must change on the cluster: resources to create, to update and to delete. */
  public record Delta(
      List<ObjectNode> created, List<ObjectNode> modified, List<ObjectNode> deleted) {

    /** Copies the lists. */
    public Delta {
      created = List.copyOf(created);
      modified = List.copyOf(modified);
      deleted = List.copyOf(deleted);
    }

    /** Returns whether nothing must change. */
    public boolean isEmpty() {
      return created.isEmpty() && modified.isEmpty() && deleted.isEmpty();
    }
  }

  /**
   * Projects a server object onto its observer schema: the observed fields only, each list followed
   * by <code>{observer_schema_list_current_length: n}</code>. Fields the object lacks are left out.
   *
   * @param schema the resource's observer schema
   * @param object the object as the API server returned it
   * @return a new tree
   */
  public static ObjectNode project(ObjectNode schema, JsonNode object) {
    return (ObjectNode) projectValue(schema, object);
  }

  private static JsonNode projectValue(JsonNode schema, JsonNode value) {
    if (schema.isObject() && value.isObject()) {
      ObjectNode out = NODES.objectNode();
      for (Map.Entry<String, JsonNode> e : schema.properties()) {
        JsonNode v = value.get(keyIn(value, e.getKey()));
        if (v == null || v.isMissingNode()) {
          continue;
        }
        JsonNode sub = e.getValue();
        out.set(
            e.getKey(), sub.isNull() || sub.isValueNode() ? v.deepCopy() : projectValue(sub, v));
      }
      return out;
    }
    if (schema.isArray() && value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      List<JsonNode> elements = elements(schema);
      for (int i = 0; i < Math.min(elements.size(), value.size()); i++) {
        JsonNode sub = elements.get(i);
        out.add(
            sub.isNull() || sub.isValueNode()
                ? value.get(i).deepCopy()
                : projectValue(sub, value.get(i)));
      }
      ObjectNode control = NODES.objectNode();
      control.put(ObserverSchemas.LIST_CURRENT_LENGTH, value.size());
      out.add(control);
      return out;
    }
    return value.deepCopy();
  }

  /**
   * Fills the observed fields that {@code applied} lacks with the server's values, as Krake's
   * {@code update_last_applied_manifest_from_resp}: values already in {@code applied} are never
   * overwritten. Lists are filled element by element up to the schema's elements.
   *
   * @param schema the resource's observer schema
   * @param applied the resource as last applied
   * @param response the object as the API server returned it
   * @return a new tree
   */
  public static ObjectNode fill(ObjectNode schema, ObjectNode applied, JsonNode response) {
    ObjectNode out = applied.deepCopy();
    fillInto(schema, out, response);
    return out;
  }

  private static void fillInto(JsonNode schema, JsonNode target, JsonNode response) {
    if (schema.isObject() && target.isObject() && response.isObject()) {
      ObjectNode t = (ObjectNode) target;
      for (Map.Entry<String, JsonNode> e : schema.properties()) {
        String key = keyIn(response, e.getKey());
        JsonNode r = response.get(key);
        if (r == null || r.isMissingNode()) {
          continue;
        }
        JsonNode existing = t.get(keyIn(t, e.getKey()));
        if (existing == null) {
          t.set(key, projectFill(e.getValue(), r));
        } else {
          fillInto(e.getValue(), existing, r);
        }
      }
    } else if (schema.isArray() && target.isArray() && response.isArray()) {
      ArrayNode t = (ArrayNode) target;
      List<JsonNode> elements = elements(schema);
      for (int i = 0; i < Math.min(elements.size(), response.size()); i++) {
        if (i < t.size()) {
          fillInto(elements.get(i), t.get(i), response.get(i));
        } else {
          t.add(projectFill(elements.get(i), response.get(i)));
        }
      }
    }
  }

  /** The response's value under a schema, without list control entries (an applied manifest). */
  private static JsonNode projectFill(JsonNode schema, JsonNode value) {
    if (schema.isObject() && value.isObject()) {
      ObjectNode out = NODES.objectNode();
      for (Map.Entry<String, JsonNode> e : schema.properties()) {
        String key = keyIn(value, e.getKey());
        JsonNode v = value.get(key);
        if (v != null && !v.isMissingNode()) {
          out.set(key, projectFill(e.getValue(), v));
        }
      }
      return out;
    }
    if (schema.isArray() && value.isArray()) {
      ArrayNode out = NODES.arrayNode();
      List<JsonNode> elements = elements(schema);
      for (int i = 0; i < Math.min(elements.size(), value.size()); i++) {
        out.add(projectFill(elements.get(i), value.get(i)));
      }
      return out;
    }
    return value.deepCopy();
  }

  /**
   * Krake's {@code ResourceDelta.calculate}: each desired resource absent from the observed ones is
   * created; one whose observed fields differ is modified; observed resources no longer desired are
   * deleted.
   *
   * @param desired {@code last_applied_manifest}
   * @param observed {@code last_observed_manifest}
   * @param schemas {@code mangled_observer_schema}
   * @return the delta
   */
  public static Delta delta(
      List<ObjectNode> desired, List<ObjectNode> observed, List<ObjectNode> schemas) {
    List<ObjectNode> created = new ArrayList<>();
    List<ObjectNode> modified = new ArrayList<>();
    List<ObjectNode> deleted = new ArrayList<>();
    for (ObjectNode resource : desired) {
      Optional<ObjectNode> seen = find(observed, resource);
      if (seen.isEmpty()) {
        created.add(resource);
        continue;
      }
      Optional<ObjectNode> schema = ObserverSchemas.find(schemas, resource);
      if (schema.isEmpty() || differs(schema.get(), resource, seen.get(), true)) {
        modified.add(resource);
      }
    }
    for (ObjectNode resource : observed) {
      if (find(desired, resource).isEmpty()) {
        deleted.add(resource);
      }
    }
    return new Delta(created, modified, deleted);
  }

  /**
   * The observed copy of a resource: same identity, or same name when the copy has no namespace.
   */
  public static Optional<ObjectNode> find(List<ObjectNode> resources, JsonNode resource) {
    for (ObjectNode r : resources) {
      if (ObserverSchemas.sameIdentity(r, resource)) {
        return Optional.of(r);
      }
    }
    for (ObjectNode r : resources) {
      if (ObserverSchemas.matches(r, resource) || ObserverSchemas.matches(resource, r)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  private static boolean differs(
      JsonNode schema, JsonNode desired, JsonNode observed, boolean top) {
    if (schema.isObject()) {
      if (!desired.isObject() || !observed.isObject()) {
        return true;
      }
      for (Map.Entry<String, JsonNode> e : schema.properties()) {
        String key = e.getKey();
        JsonNode d = desired.get(keyIn(desired, key));
        JsonNode o = observed.get(keyIn(observed, key));
        if (top && key.equals("metadata") && e.getValue().isObject()) {
          if (differsMetadata(e.getValue(), d, o)) {
            return true;
          }
          continue;
        }
        if (top && key.equals("status")) {
          continue; // observed, never applied
        }
        if (d == null && o == null) {
          continue; // observed, but neither set nor reported: nothing to compare (Krake: KeyError)
        }
        if (d == null || o == null) {
          return true;
        }
        if (differs(e.getValue(), d, o, false)) {
          return true;
        }
      }
      return false;
    }
    if (schema.isArray()) {
      if (!desired.isArray() || !observed.isArray()) {
        return true;
      }
      List<JsonNode> elements = elements(schema);
      Optional<JsonNode> control = control(schema);
      List<JsonNode> observedElements = new ArrayList<>();
      int currentLength = -1;
      for (JsonNode o : observed) {
        if (o.isObject() && o.has(ObserverSchemas.LIST_CURRENT_LENGTH)) {
          currentLength = o.get(ObserverSchemas.LIST_CURRENT_LENGTH).asInt();
        } else {
          observedElements.add(o);
        }
      }
      if (currentLength < 0) {
        currentLength = observedElements.size();
      }
      for (int i = 0; i < elements.size(); i++) {
        boolean inDesired = i < desired.size();
        boolean inObserved = i < observedElements.size();
        if (inDesired != inObserved) {
          return true;
        }
        if (inDesired && differs(elements.get(i), desired.get(i), observedElements.get(i), false)) {
          return true;
        }
      }
      if (control.isPresent()) {
        int min = control.get().path(ObserverSchemas.LIST_MIN_LENGTH).asInt(0);
        int max = control.get().path(ObserverSchemas.LIST_MAX_LENGTH).asInt(0);
        if (currentLength < min || (max > 0 && currentLength > max)) {
          return true;
        }
      }
      return false;
    }
    return !sameScalar(desired, observed);
  }

  /** Metadata: a namespace the desired resource leaves out is the server's to choose. */
  private static boolean differsMetadata(JsonNode schema, JsonNode desired, JsonNode observed) {
    if (desired == null || observed == null) {
      return true;
    }
    for (Map.Entry<String, JsonNode> e : schema.properties()) {
      JsonNode d = desired.get(e.getKey());
      JsonNode o = observed.get(e.getKey());
      if (e.getKey().equals("namespace") && (d == null || d.isNull())) {
        continue;
      }
      if (d == null && o == null) {
        continue;
      }
      if (d == null || o == null || differs(e.getValue(), d, o, false)) {
        return true;
      }
    }
    return false;
  }

  private static final Pattern WORD_START = Pattern.compile("(.)([A-Z][a-z]+)");
  private static final Pattern CASE_CHANGE = Pattern.compile("([a-z0-9])([A-Z])");

  /**
   * The key under which an object holds the field a schema key names: the key itself if present;
   * otherwise, for a key in snake_case, the object's key with the same snake_case form (Krake's
   * {@code camel_to_snake_case}); otherwise the key itself (absent).
   */
  static String keyIn(JsonNode object, String schemaKey) {
    if (object == null || object.has(schemaKey) || schemaKey.indexOf('_') < 0) {
      return schemaKey;
    }
    String wanted = snakeCase(schemaKey);
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (snakeCase(name).equals(wanted)) {
        return name;
      }
    }
    return schemaKey;
  }

  /** Krake's {@code camel_to_snake_case}: {@code loadBalancer} to {@code load_balancer}. */
  static String snakeCase(String name) {
    String words = WORD_START.matcher(name).replaceAll("$1_$2");
    return CASE_CHANGE.matcher(words).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
  }

  private static boolean sameScalar(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    return a.equals(b);
  }

  private static List<JsonNode> elements(JsonNode schemaList) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : schemaList) {
      if (!ObserverSchemas.isListControl(n)) {
        out.add(n);
      }
    }
    return out;
  }

  private static Optional<JsonNode> control(JsonNode schemaList) {
    for (JsonNode n : schemaList) {
      if (ObserverSchemas.isListControl(n)) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }
}
