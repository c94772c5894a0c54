package cloud.krake.hooks.execution;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/** Reading helpers that collect errors naming the field instead of failing at the first. */
final class Json {

  private Json() {}

  static String join(String prefix, String field) {
    if (prefix.isEmpty()) {
      return field;
    }
    return field.startsWith("[") ? prefix + field : prefix + "." + field;
  }

  static void throwIfAny(List<FieldError> errors) {
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors);
    }
  }

  /** Returns the object at {@code node}, or an error if it is not one. */
  static Optional<ObjectNode> object(JsonNode node, String field, List<FieldError> errors) {
    if (node instanceof ObjectNode object) {
      return Optional.of(object);
    }
    errors.add(new FieldError(field, "must be an object"));
    return Optional.empty();
  }

  static Optional<ArrayNode> array(JsonNode node, String field, List<FieldError> errors) {
    if (node instanceof ArrayNode array) {
      return Optional.of(array);
    }
    errors.add(new FieldError(field, "must be a list"));
    return Optional.empty();
  }

  /** A required non-blank string member. */
  static Optional<String> requiredText(
      ObjectNode parent, String name, String field, List<FieldError> errors) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      errors.add(new FieldError(field, "is required"));
      return Optional.empty();
    }
    return text(node, field, errors);
  }

  /** An optional string member. */
  static Optional<String> optionalText(
      ObjectNode parent, String name, String field, List<FieldError> errors) {
    JsonNode node = parent.get(name);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    return text(node, field, errors);
  }

  static Optional<String> text(JsonNode node, String field, List<FieldError> errors) {
    if (!node.isTextual()) {
      errors.add(new FieldError(field, "must be a string"));
      return Optional.empty();
    }
    if (node.asText().isBlank()) {
      errors.add(new FieldError(field, "must not be blank"));
      return Optional.empty();
    }
    return Optional.of(node.asText());
  }

  static boolean present(ObjectNode parent, String name) {
    JsonNode node = parent.get(name);
    return node != null && !node.isNull();
  }

  static void fields(ObjectNode object, BiConsumer<String, JsonNode> each) {
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      each.accept(field.getKey(), field.getValue());
    }
  }

  /** Visits every string in a tree with its path below {@code field}. */
  static void strings(JsonNode node, String field, BiConsumer<String, String> each) {
    if (node.isTextual()) {
      each.accept(field, node.asText());
    } else if (node instanceof ObjectNode object) {
      fields(object, (name, child) -> strings(child, join(field, name), each));
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        strings(array.get(i), field + "[" + i + "]", each);
      }
    }
  }
}
