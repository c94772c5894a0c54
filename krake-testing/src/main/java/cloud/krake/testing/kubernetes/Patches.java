package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902) on Jackson trees. */
final class Patches {
  private Patches() {}

  /**
   * Applies a merge patch: objects merge recursively, {@code null} removes a member, anything else
   * (arrays included) replaces. Returns a new tree; {@code target} is not changed.
   */
  static JsonNode mergePatch(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : ((ObjectNode) patch).objectNode();
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), mergePatch(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  /**
   * Applies a JSON patch (operations {@code add}, {@code remove}, {@code replace}, {@code move},
   * {@code copy}, {@code test}). Returns a new tree; {@code target} is not changed.
   *
   * @throws IllegalArgumentException naming the failing operation when a path does not exist, a
   *     test fails or an operation is malformed
   */
  static JsonNode jsonPatch(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) {
      throw new IllegalArgumentException("a JSON patch must be an array of operations");
    }
    JsonNode document = target.deepCopy();
    int index = 0;
    for (JsonNode operation : patch) {
      String op = operation.path("op").asText("");
      String path = operation.path("path").asText(null);
      if (path == null) {
        throw new IllegalArgumentException("operation " + index + " has no path");
      }
      document =
          switch (op) {
            case "add" -> add(document, path, value(operation, index));
            case "remove" -> remove(document, path, index);
            case "replace" -> {
              remove(document, path, index);
              yield add(document, path, value(operation, index));
            }
            case "move" -> {
              String from = operation.path("from").asText("");
              JsonNode moved = resolve(document, from, index).deepCopy();
              remove(document, from, index);
              yield add(document, path, moved);
            }
            case "copy" ->
                add(
                    document,
                    path,
                    resolve(document, operation.path("from").asText(""), index).deepCopy());
            case "test" -> {
              if (!resolve(document, path, index).equals(value(operation, index))) {
                throw new IllegalArgumentException(
                    "operation " + index + ": test failed at " + path);
              }
              yield document;
            }
            default ->
                throw new IllegalArgumentException(
                    "operation " + index + ": unsupported op '" + op + "'");
          };
      index++;
    }
    return document;
  }

  private static JsonNode value(JsonNode operation, int index) {
    JsonNode value = operation.get("value");
    if (value == null) {
      throw new IllegalArgumentException("operation " + index + " has no value");
    }
    return value.deepCopy();
  }

  private static List<String> tokens(String pointer) {
    List<String> tokens = new ArrayList<>();
    if (pointer.isEmpty()) {
      return tokens;
    }
    if (!pointer.startsWith("/")) {
      throw new IllegalArgumentException("invalid JSON pointer '" + pointer + "'");
    }
    for (String token : pointer.substring(1).split("/", -1)) {
      tokens.add(token.replace("~1", "/").replace("~0", "~"));
    }
    return tokens;
  }

  private static JsonNode resolve(JsonNode document, String pointer, int index) {
    JsonNode node = document;
    for (String token : tokens(pointer)) {
      node = child(node, token);
      if (node == null) {
        throw new IllegalArgumentException(
            "operation " + index + ": path " + pointer + " does not exist");
      }
    }
    return node;
  }

  private static JsonNode child(JsonNode node, String token) {
    if (node.isObject()) {
      return node.get(token);
    }
    if (node.isArray()) {
      try {
        return node.get(Integer.parseInt(token));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static JsonNode add(JsonNode document, String pointer, JsonNode value) {
    List<String> tokens = tokens(pointer);
    if (tokens.isEmpty()) {
      return value;
    }
    JsonNode parent = resolve(document, parentOf(pointer), -1);
    String last = tokens.get(tokens.size() - 1);
    if (parent.isObject()) {
      ((ObjectNode) parent).set(last, value);
    } else if (parent.isArray()) {
      ArrayNode array = (ArrayNode) parent;
      if (last.equals("-")) {
        array.add(value);
      } else {
        int at = arrayIndex(last, array.size() + 1, pointer);
        array.insert(at, value);
      }
    } else {
      throw new IllegalArgumentException(
          "cannot add at " + pointer + ": parent is not a container");
    }
    return document;
  }

  private static JsonNode remove(JsonNode document, String pointer, int index) {
    List<String> tokens = tokens(pointer);
    if (tokens.isEmpty()) {
      throw new IllegalArgumentException("operation " + index + ": cannot remove the root");
    }
    resolve(document, pointer, index);
    JsonNode parent = resolve(document, parentOf(pointer), index);
    String last = tokens.get(tokens.size() - 1);
    if (parent.isObject()) {
      ((ObjectNode) parent).remove(last);
    } else {
      ((ArrayNode) parent).remove(arrayIndex(last, parent.size(), pointer));
    }
    return document;
  }

  private static String parentOf(String pointer) {
    return pointer.substring(0, pointer.lastIndexOf('/'));
  }

  private static int arrayIndex(String token, int bound, String pointer) {
    try {
      int at = Integer.parseInt(token);
      if (at < 0 || at >= bound) {
        throw new IllegalArgumentException("index out of range at " + pointer);
      }
      return at;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid array index at " + pointer, e);
    }
  }
}
