package cloud.krake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Normalisation helpers for the records' compact constructors: absent becomes empty, collections
 * are copied (maps keep their entries' order, so a document is written in the order it was read),
 * and a {@code null} element (which {@link List#copyOf} would reject with a bare {@link
 * NullPointerException}) becomes an {@link InvalidResourceException} naming the element.
 */
final class Values {

  private Values() {}

  static <T> List<T> list(String field, List<T> list) {
    if (list == null) {
      return List.of();
    }
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i) == null) {
        throw InvalidResourceException.of(field + "[" + i + "]", "must not be null");
      }
    }
    return List.copyOf(list);
  }

  static <V> Map<String, V> map(String field, Map<String, V> map) {
    if (map == null) {
      return Map.of();
    }
    for (Map.Entry<String, V> e : map.entrySet()) {
      if (e.getKey() == null) {
        throw InvalidResourceException.of(field, "keys must not be null");
      }
      if (e.getValue() == null) {
        throw InvalidResourceException.of(field + "." + e.getKey(), "must not be null");
      }
    }
    // Map.copyOf's iteration order changes from one JVM run to the next; the documents must keep
    // theirs (Krake's dicts keep insertion order), so stored bytes stay the same across runs.
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  static List<ObjectNode> nodes(String field, List<ObjectNode> nodes) {
    List<ObjectNode> copied = new ArrayList<>();
    for (ObjectNode node : list(field, nodes)) {
      copied.add(node.deepCopy());
    }
    return List.copyOf(copied);
  }

  static List<ObjectNode> copyNodes(List<ObjectNode> nodes) {
    List<ObjectNode> copied = new ArrayList<>(nodes.size());
    for (ObjectNode node : nodes) {
      copied.add(node.deepCopy());
    }
    return List.copyOf(copied);
  }

  static ObjectNode object(ObjectNode node) {
    return node == null ? JsonNodeFactory.instance.objectNode() : node.deepCopy();
  }

  static JsonNode node(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode()
        ? JsonNodeFactory.instance.objectNode()
        : node.deepCopy();
  }

  static <T> Optional<T> opt(Optional<T> value) {
    return value == null ? Optional.empty() : value;
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : "";
  }
}
