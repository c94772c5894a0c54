package cloud.krake.k8s.internal;

import cloud.krake.model.ReadOnlyJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One instance of each text value that recurs across the objects of the cluster watch cache: the
 * same CA bundle in every application's hook certificate Secrets, the same {@code apiVersion},
 * {@code kind}, namespace, labels, image and port names in every application's objects. Each watch
 * event's object arrives as a tree of its own, whose equal texts {@link
 * cloud.krake.model.ReadOnlyJson#freeze} shares only within that object; across objects each copy
 * would stay in the cache (at 10,000 applications with their hook Secrets, the CA bundle alone is
 * held 20,000 times).
 *
 * <p>Remembers the {@value #CAPACITY} texts met most recently (at most {@value #MAX_LENGTH}
 * characters each; longer ones are kept as they are), so a text that recurs at least once every few
 * hundred new texts stays shared, while the values unique to one object (names, uids, certificates,
 * tokens) pass through and are forgotten: a fixed amount of memory, whatever the number of objects
 * (at most 8 MiB of Latin-1 text if every text remembered were that long and no cached object held
 * it any more; a few hundred KiB with Kubernetes objects, whose longest texts are certificates and
 * CA bundles of 1–3 KiB).
 *
 * <p>Thread-safe (the watches of every cluster and kind call it).
 */
final class SharedTexts {

  /** How many texts are remembered. */
  static final int CAPACITY = 1024;

  /** The longest text remembered, in characters. */
  static final int MAX_LENGTH = 8192;

  private final Map<String, TextNode> recent =
      new LinkedHashMap<>(CAPACITY * 4 / 3 + 1, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TextNode> eldest) {
          return size() > CAPACITY;
        }
      };

  /**
   * Replaces, in place, each text value of {@code node} (at any depth, in objects and arrays) that
   * is equal to one met before by the node met before. Field names, numbers and the tree's shape
   * are not touched; the tree stays equal to what it was.
   *
   * @param node a mutable tree, for example a watch event's object before it is frozen
   */
  void share(JsonNode node) {
    if (ReadOnlyJson.isFrozen(node)) {
      return; // a value, or a tree that cannot change (and needs no second sharing)
    }
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> e : object.properties()) {
        JsonNode value = e.getValue();
        if (value.isTextual()) {
          TextNode shared = shared((TextNode) value);
          if (shared != value) {
            e.setValue(shared);
          }
        } else if (value.isContainerNode()) {
          share(value);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        JsonNode value = array.get(i);
        if (value.isTextual()) {
          TextNode shared = shared((TextNode) value);
          if (shared != value) {
            array.set(i, shared);
          }
        } else if (value.isContainerNode()) {
          share(value);
        }
      }
    }
  }

  /** The node met before with this text, else {@code text} itself, now remembered. */
  synchronized TextNode shared(TextNode text) {
    String value = text.textValue();
    if (value.length() > MAX_LENGTH) {
      return text;
    }
    TextNode before = recent.putIfAbsent(value, text);
    return before == null ? text : before;
  }

  /** How many texts are remembered now. */
  synchronized int size() {
    return recent.size();
  }
}
