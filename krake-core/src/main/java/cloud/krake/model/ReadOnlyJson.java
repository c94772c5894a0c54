package cloud.krake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Read-only Jackson trees: the form in which the model's records hold their JSON values (manifests,
 * observer schemas, kubeconfigs, TOSCA templates).
 *
 * <p>{@link #freeze} copies a tree once into one whose every object and array holds an unmodifiable
 * map or list of children. The copy stays an ordinary {@link ObjectNode} or {@link ArrayNode} for
 * readers, serialisers and {@link JsonNode#equals} (a frozen tree equals a mutable tree with the
 * same content), but every mutator ({@code set}, {@code put}, {@code remove}, {@code add}, {@code
 * withObject}, {@code removeAll}…) throws {@link UnsupportedOperationException}. To change a frozen
 * tree, call {@link JsonNode#deepCopy()}: it returns an ordinary mutable copy. Freezing an already
 * frozen tree returns it as is, so records built from other records' values share them instead of
 * copying.
 *
 * <p>Within one freezing call, equal text values are shared (a manifest repeats its names, labels
 * and images many times), which is safe because nothing in a frozen tree can change.
 *
 * <p>Thread-safe: frozen trees can be read by any number of threads without synchronisation.
 */
public final class ReadOnlyJson {

  private static final JsonNodeFactory FACTORY = JsonNodeFactory.instance;

  private ReadOnlyJson() {}

  /**
   * Returns a read-only copy of {@code node}, or {@code node} itself if it is already read-only
   * (frozen, or a value node such as a string or a number, which Jackson never changes).
   *
   * @param node the tree to copy; not changed
   * @return a tree equal to {@code node} that rejects every mutator with {@link
   *     UnsupportedOperationException}
   * @throws NullPointerException if {@code node} is {@code null}
   */
  public static JsonNode freeze(JsonNode node) {
    return new Freezer().freeze(node);
  }

  /**
   * Returns a read-only copy of the object {@code node}, or {@code node} itself if it is already
   * frozen; see {@link #freeze(JsonNode)}.
   *
   * @param node the object to copy; not changed
   * @return a read-only object equal to {@code node}
   * @throws NullPointerException if {@code node} is {@code null}
   */
  public static ObjectNode freeze(ObjectNode node) {
    return (ObjectNode) new Freezer().freeze(node);
  }

  /**
   * Returns read-only copies of the objects in {@code nodes}, as an unmodifiable list; entries
   * already frozen are shared, and equal values are shared across the entries.
   *
   * @param nodes the objects to copy; not changed; no element may be {@code null}
   * @return an unmodifiable list of read-only objects, in the order of {@code nodes}
   * @throws NullPointerException if {@code nodes} or an element is {@code null}
   */
  public static List<ObjectNode> freezeAll(List<ObjectNode> nodes) {
    Freezer freezer = new Freezer();
    List<ObjectNode> frozen = new ArrayList<>(nodes.size());
    for (ObjectNode node : nodes) {
      frozen.add((ObjectNode) freezer.freeze(node));
    }
    return Collections.unmodifiableList(frozen);
  }

  /**
   * Tells whether {@code node} is read-only: a frozen object or array, or a value node.
   *
   * @param node the node to test
   * @return {@code true} if no mutator of {@code node} or of anything below it can succeed
   */
  public static boolean isFrozen(JsonNode node) {
    return node instanceof FrozenObjectNode
        || node instanceof FrozenArrayNode
        || !(node.isContainerNode() || node.isPojo());
  }

  /** One freezing pass, sharing equal values met during it. */
  private static final class Freezer {
    private final Map<JsonNode, JsonNode> shared = new HashMap<>();

    JsonNode freeze(JsonNode node) {
      if (node == null) {
        throw new NullPointerException("node");
      }
      if (node instanceof FrozenObjectNode || node instanceof FrozenArrayNode) {
        return node;
      }
      JsonNode frozen;
      if (node.isObject()) {
        String[] names = new String[node.size()];
        JsonNode[] values = new JsonNode[names.length];
        int i = 0;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          names[i] = e.getKey();
          values[i++] = freeze(e.getValue());
        }
        frozen = new FrozenObjectNode(new FrozenMap(names, values));
      } else if (node.isArray()) {
        JsonNode[] children = new JsonNode[node.size()];
        int i = 0;
        for (JsonNode child : node) {
          children[i++] = freeze(child);
        }
        // Jackson keeps JSON null as a NullNode, never as a Java null, so List.of accepts them.
        frozen = new FrozenArrayNode(List.of(children));
      } else {
        // Value nodes are immutable; POJO and binary nodes are rare in documents and kept as they
        // are (a POJO node is never produced by reading JSON).
        frozen = node;
      }
      if (!frozen.isTextual()) {
        return frozen;
      }
      JsonNode previous = shared.putIfAbsent(frozen, frozen);
      return previous == null ? frozen : previous;
    }
  }

  /**
   * The children of a frozen object: names and values in two arrays, in the source's order, with no
   * mutator (every one throws {@link UnsupportedOperationException}, as {@link AbstractMap}'s and
   * its entries' do). A fraction of a {@code LinkedHashMap}'s memory; lookups scan the names, which
   * for the few fields of a Kubernetes object is as fast as hashing.
   */
  private static final class FrozenMap extends AbstractMap<String, JsonNode> {
    private final String[] names;
    private final JsonNode[] values;

    FrozenMap(String[] names, JsonNode[] values) {
      this.names = names;
      this.values = values;
    }

    private int indexOf(Object name) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(name)) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public JsonNode get(Object name) {
      int i = indexOf(name);
      return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object name) {
      return indexOf(name) >= 0;
    }

    @Override
    public int size() {
      return names.length;
    }

    @Override
    public JsonNode remove(Object name) {
      throw new UnsupportedOperationException("read-only JSON: deepCopy() it to change it");
    }

    @Override
    public void clear() {
      throw new UnsupportedOperationException("read-only JSON: deepCopy() it to change it");
    }

    @Override
    public Set<Map.Entry<String, JsonNode>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return names.length;
        }

        @Override
        public Iterator<Map.Entry<String, JsonNode>> iterator() {
          return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
              return next < names.length;
            }

            @Override
            public Map.Entry<String, JsonNode> next() {
              if (next >= names.length) {
                throw new NoSuchElementException();
              }
              int i = next++;
              return new AbstractMap.SimpleImmutableEntry<>(names[i], values[i]);
            }
          };
        }
      };
    }
  }

  /** An object node whose children map is unmodifiable. */
  @SuppressWarnings("unchecked") // Jackson's own deepCopy() overrides, inherited as they are
  private static final class FrozenObjectNode extends ObjectNode {
    private static final long serialVersionUID = 1L;

    FrozenObjectNode(Map<String, JsonNode> children) {
      super(FACTORY, children);
    }
  }

  /** An array node whose children list is unmodifiable. */
  @SuppressWarnings("unchecked") // Jackson's own deepCopy() overrides, inherited as they are
  private static final class FrozenArrayNode extends ArrayNode {
    private static final long serialVersionUID = 1L;

    FrozenArrayNode(List<JsonNode> children) {
      super(FACTORY, children);
    }
  }
}
