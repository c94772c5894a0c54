package cloud.krake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  /** The shared read-only empty object that absent JSON trees read as. */
  static final ObjectNode EMPTY_OBJECT = ReadOnlyJson.freeze(JsonNodeFactory.instance.objectNode());

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

  /**
   * Returns read-only copies ({@link ReadOnlyJson#freeze}) of the objects, as an unmodifiable list:
   * the one copy a record makes of its JSON trees. Entries already read-only are shared.
   */
  static List<ObjectNode> nodes(String field, List<ObjectNode> nodes) {
    return ReadOnlyJson.freezeAll(list(field, nodes));
  }

  /**
   * Returns {@code nodes} as is: the records' lists of JSON trees are read-only already ({@link
   * #nodes}), so accessors hand them out without copying. Kept under its old name (it once made
   * deep copies) for the records that call it.
   */
  static List<ObjectNode> copyNodes(List<ObjectNode> nodes) {
    return nodes;
  }

  /** Returns a read-only copy of {@code node}, or an empty read-only object for {@code null}. */
  static ObjectNode object(ObjectNode node) {
    return node == null ? EMPTY_OBJECT : ReadOnlyJson.freeze(node);
  }

  /**
   * Returns a read-only copy of {@code node}, or an empty read-only object for {@code null}, JSON
   * {@code null} or a missing node.
   */
  static JsonNode node(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode()
        ? EMPTY_OBJECT
        : ReadOnlyJson.freeze(node);
  }

  static <T> Optional<T> opt(Optional<T> value) {
    return value == null ? Optional.empty() : value;
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() ? value.asText() : "";
  }
}
