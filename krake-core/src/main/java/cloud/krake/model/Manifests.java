package cloud.krake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validation of Kubernetes manifests and observer schemas, as Krake's {@code _validate_manifest}
 * and {@code _validate_observer_schema} ({@code krake/data/kubernetes.py}), except that every error
 * is collected instead of stopping at the first one.
 */
final class Manifests {

  static final String MIN_LENGTH = "observer_schema_list_min_length";
  static final String MAX_LENGTH = "observer_schema_list_max_length";

  private Manifests() {}

  /**
   * Returns the path of a resource in a list with its kind and name where known, for example {@code
   * spec.manifest[1] (Service echo-demo)}.
   */
  static String describe(String path, JsonNode resource) {
    String kind = Values.text(resource, "kind");
    String name = Values.text(resource.path("metadata"), "name");
    String both = (kind + " " + name).trim();
    return both.isEmpty() ? path : path + " (" + both + ")";
  }

  static List<FieldError> validateManifest(String field, List<ObjectNode> manifest) {
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < manifest.size(); i++) {
      ObjectNode resource = manifest.get(i);
      String base = describe(field + "[" + i + "]", resource);
      requireString(resource, "apiVersion", base, errors);
      requireString(resource, "kind", base, errors);
      JsonNode metadata = resource.get("metadata");
      if (metadata == null || metadata.isNull()) {
        errors.add(new FieldError(base + ".metadata", "is required"));
        errors.add(new FieldError(base + ".metadata.name", "is required"));
      } else if (!metadata.isObject()) {
        errors.add(new FieldError(base + ".metadata", "must be an object"));
      } else {
        requireString(metadata, "name", base + ".metadata", errors);
      }
    }
    return errors;
  }

  private static void requireString(
      JsonNode node, String name, String path, List<FieldError> errors) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      errors.add(new FieldError(path + "." + name, "is required"));
    } else if (!value.isTextual() || value.asText().isEmpty()) {
      errors.add(new FieldError(path + "." + name, "must be a non-empty string"));
    }
  }

  static List<FieldError> validateObserverSchema(
      String field, List<ObjectNode> schema, List<ObjectNode> manifest) {
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < schema.size(); i++) {
      ObjectNode resource = schema.get(i);
      String base = describe(field + "[" + i + "]", resource);
      int before = errors.size();
      requireString(resource, "apiVersion", base, errors);
      requireString(resource, "kind", base, errors);
      JsonNode metadata = resource.get("metadata");
      if (metadata == null || !metadata.isObject()) {
        errors.add(new FieldError(base + ".metadata", "must be an object naming the resource"));
      } else {
        requireString(metadata, "name", base + ".metadata", errors);
      }
      boolean identified = errors.size() == before;
      for (Map.Entry<String, JsonNode> entry : resource.properties()) {
        String key = entry.getKey();
        if (key.equals("apiVersion") || key.equals("kind")) {
          continue;
        }
        if (key.equals("metadata") && entry.getValue().isObject()) {
          for (Map.Entry<String, JsonNode> m : entry.getValue().properties()) {
            if (!m.getKey().equals("name")) {
              checkObserved(base + ".metadata." + m.getKey(), m.getValue(), errors);
            }
          }
        } else if (!key.equals("metadata")) {
          checkObserved(base + "." + key, entry.getValue(), errors);
        }
      }
      if (identified && !inManifest(resource, manifest)) {
        errors.add(
            new FieldError(
                base,
                "the observed resource is not in spec.manifest"
                    + " (matched on apiVersion, kind and metadata.name)"));
      }
    }
    return errors;
  }

  private static boolean inManifest(JsonNode observed, List<ObjectNode> manifest) {
    for (ObjectNode resource : manifest) {
      if (Values.text(resource, "apiVersion").equals(Values.text(observed, "apiVersion"))
          && Values.text(resource, "kind").equals(Values.text(observed, "kind"))
          && Values.text(resource.path("metadata"), "name")
              .equals(Values.text(observed.path("metadata"), "name"))) {
        return true;
      }
    }
    return false;
  }

  private static void checkObserved(String path, JsonNode value, List<FieldError> errors) {
    if (value.isObject()) {
      for (Map.Entry<String, JsonNode> entry : value.properties()) {
        checkObserved(path + "." + entry.getKey(), entry.getValue(), errors);
      }
    } else if (value.isArray()) {
      checkList(path, (ArrayNode) value, errors);
    } else if (!value.isNull()) {
      errors.add(
          new FieldError(path, "must be null: an observer schema marks observed fields with null"));
    }
  }

  private static void checkList(String path, ArrayNode list, List<FieldError> errors) {
    int n = list.size();
    JsonNode control = n == 0 ? null : list.get(n - 1);
    if (control == null || !control.isObject()) {
      errors.add(
          new FieldError(
              path,
              "must end with a list control dictionary {" + MIN_LENGTH + ", " + MAX_LENGTH + "}"));
    } else if (!control.has(MIN_LENGTH) || !control.has(MAX_LENGTH)) {
      errors.add(
          new FieldError(
              path + "[" + (n - 1) + "]",
              "malformed list control dictionary: needs both "
                  + MIN_LENGTH
                  + " and "
                  + MAX_LENGTH));
    } else {
      String controlPath = path + "[" + (n - 1) + "].";
      JsonNode min = control.get(MIN_LENGTH);
      JsonNode max = control.get(MAX_LENGTH);
      boolean minOk = checkLength(controlPath + MIN_LENGTH, min, errors);
      boolean maxOk = checkLength(controlPath + MAX_LENGTH, max, errors);
      if (minOk && maxOk && max.asLong() != 0) {
        if (max.asLong() < min.asLong()) {
          errors.add(
              new FieldError(
                  controlPath + MAX_LENGTH, "must be 0 (unlimited) or at least " + MIN_LENGTH));
        } else if (max.asLong() < n - 1) {
          errors.add(
              new FieldError(
                  controlPath + MAX_LENGTH,
                  "must be 0 (unlimited) or at least the number of observed elements ("
                      + (n - 1)
                      + ")"));
        }
      }
    }
    for (int j = 0; j < n - 1; j++) {
      checkObserved(path + "[" + j + "]", list.get(j), errors);
    }
  }

  private static boolean checkLength(String path, JsonNode value, List<FieldError> errors) {
    if (!value.isIntegralNumber()) {
      errors.add(new FieldError(path, "must be an integer"));
      return false;
    }
    if (value.asLong() < 0) {
      errors.add(new FieldError(path, "must be >= 0"));
      return false;
    }
    return true;
  }
}
