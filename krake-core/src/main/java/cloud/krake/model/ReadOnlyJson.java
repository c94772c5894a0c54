package cloud.krake.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.deser.std.JsonNodeDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.RandomAccess;
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
 * <p>The model's records get their trees this way without a mutable tree in between: {@link
 * KrakeJson} binds them with a deserializer (this class's package-private {@code module()}) that
 * builds the frozen nodes straight from the parser's tokens, equal (same node types, same key
 * order, a repeated key's last value at its first position) to Jackson's tree frozen afterwards.
 * Equal strings are shared across the whole document there.
 *
 * <p>The top of each frozen tree (a manifest resource, a kubeconfig...) keeps its compact UTF-8
 * form once {@link KrakeJson#writeBytes} has written it twice, and that method writes those bytes
 * instead of walking the tree: the store's bytes are identical either way, and an unchanged tree (a
 * RUNNING application's {@code last_applied_manifest}, written again by every update of its status)
 * is encoded once. Every other output (text, YAML, pretty-printed, another mapper) walks the tree.
 * The memo costs the tree's compact size in bytes for as long as the tree is reachable.
 *
 * <p>Thread-safe: frozen trees can be read and written by any number of threads without
 * synchronisation; the memoised bytes are published through a volatile field once complete.
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

  /** Tells whether {@code node} holds its memoised store form (for tests). */
  static boolean hasStoreFormMemo(JsonNode node) {
    if (node instanceof RootObjectNode root) {
      return root.storeForm.bytes != null;
    }
    return node instanceof RootArrayNode root && root.storeForm.bytes != null;
  }

  /** One freezing pass, sharing equal values met during it. */
  private static final class Freezer {
    private final Map<JsonNode, JsonNode> shared = new HashMap<>();

    JsonNode freeze(JsonNode node) {
      return freeze(node, true);
    }

    private JsonNode freeze(JsonNode node, boolean root) {
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
          values[i++] = freeze(e.getValue(), false);
        }
        frozen = object(names, values, root);
      } else if (node.isArray()) {
        JsonNode[] children = new JsonNode[node.size()];
        int i = 0;
        for (JsonNode child : node) {
          children[i++] = freeze(child, false);
        }
        frozen = array(children, root);
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
   * A frozen object over exactly {@code names} and {@code values} (not copied); a root (the top of
   * one freezing or decoding) memoises its store form, see {@link RootObjectNode}.
   */
  private static ObjectNode object(String[] names, JsonNode[] values, boolean root) {
    FrozenMap children = new FrozenMap(names, values);
    return root ? new RootObjectNode(children) : new FrozenObjectNode(children);
  }

  /** A frozen array over exactly {@code children} (not copied); see {@link #object}. */
  private static ArrayNode array(JsonNode[] children, boolean root) {
    // Jackson keeps JSON null as a NullNode, never as a Java null.
    FrozenList list = new FrozenList(children);
    return root ? new RootArrayNode(list) : new FrozenArrayNode(list);
  }

  /**
   * The Jackson module that makes a mapper bind every {@link JsonNode} and {@link ObjectNode}
   * property (and list element) straight into a frozen tree, in one pass over the parser's tokens:
   * no mutable tree in between. The trees equal what Jackson's own tree deserializer followed by
   * {@link #freeze} yields: same node types for numbers (delegated to Jackson's deserializer), a
   * repeated key keeps its first position and its last value, JSON {@code null} is a {@code
   * NullNode} inside a tree and, as a whole property, {@code NullNode} for a {@code JsonNode} and
   * Java {@code null} for an {@code ObjectNode} (as Jackson's). A value that is not an object where
   * an {@code ObjectNode} is expected fails with Jackson's own error (so the error names the
   * field). Equal strings within one document are shared. Registered on the mapper {@link
   * KrakeJson} binds the model with; never on the mapper {@link KrakeJson#mapper()} hands out.
   */
  static SimpleModule module() {
    SimpleModule module = new SimpleModule("krake-read-only-json");
    module.addDeserializer(JsonNode.class, new TreeDeserializer<>(JsonNode.class));
    module.addDeserializer(ObjectNode.class, new TreeDeserializer<>(ObjectNode.class));
    return module;
  }

  /** See {@link #module()}. Stateless (a document's shared strings live in its context). */
  private static final class TreeDeserializer<T extends JsonNode> extends StdDeserializer<T> {
    private static final long serialVersionUID = 1L;
    private static final Object TEXTS = new Object();
    private static final int HASHED_ABOVE = 16;

    private final boolean objectOnly;

    TreeDeserializer(Class<T> type) {
      super(type);
      this.objectOnly = type == ObjectNode.class;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (objectOnly) {
        if (t == JsonToken.START_OBJECT) {
          p.nextToken();
          return (T) object(p, ctxt, texts(ctxt), true);
        }
        if (t == JsonToken.FIELD_NAME || t == JsonToken.END_OBJECT) {
          return (T) object(p, ctxt, texts(ctxt), true);
        }
        return (T) ctxt.handleUnexpectedToken(ObjectNode.class, p);
      }
      return (T) value(p, ctxt, t, null, true);
    }

    @Override
    @SuppressWarnings("unchecked")
    public T getNullValue(DeserializationContext ctxt) {
      // as Jackson's: NullNode for a JsonNode, Java null for an ObjectNode
      return objectOnly ? null : (T) NullNode.getInstance();
    }

    @Override
    public Object getAbsentValue(DeserializationContext ctxt) {
      return null;
    }

    @Override
    public boolean isCachable() {
      return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, TextNode> texts(DeserializationContext ctxt) {
      Map<String, TextNode> texts = (Map<String, TextNode>) ctxt.getAttribute(TEXTS);
      if (texts == null) {
        texts = new HashMap<>();
        ctxt.setAttribute(TEXTS, texts);
      }
      return texts;
    }

    private JsonNode value(
        JsonParser p,
        DeserializationContext ctxt,
        JsonToken t,
        Map<String, TextNode> texts,
        boolean root)
        throws IOException {
      if (t == JsonToken.START_OBJECT) {
        p.nextToken();
        return object(p, ctxt, texts == null ? texts(ctxt) : texts, root);
      }
      if (t == JsonToken.START_ARRAY) {
        return array(p, ctxt, texts == null ? texts(ctxt) : texts, root);
      }
      if (t == JsonToken.VALUE_STRING) {
        String text = p.getText();
        Map<String, TextNode> shared = texts == null ? texts(ctxt) : texts;
        TextNode node = shared.get(text);
        if (node == null) {
          node = TextNode.valueOf(text);
          shared.put(text, node);
        }
        return node;
      }
      if (t == JsonToken.FIELD_NAME || t == JsonToken.END_OBJECT) {
        // a buffered property value starting inside an object, as Jackson's deserializer allows
        return object(p, ctxt, texts == null ? texts(ctxt) : texts, root);
      }
      // numbers, booleans, null, embedded values: exactly the nodes Jackson's deserializer makes
      return JSON_NODES.deserialize(p, ctxt);
    }

    /** Reads an object's fields from the current token (a field name or the closing brace). */
    private ObjectNode object(
        JsonParser p, DeserializationContext ctxt, Map<String, TextNode> texts, boolean root)
        throws IOException {
      String[] names = EMPTY_NAMES;
      JsonNode[] values = EMPTY_VALUES;
      Map<String, Integer> index = null;
      int n = 0;
      for (JsonToken t = p.currentToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonNode value = value(p, ctxt, p.nextToken(), texts, false);
        int at = -1;
        if (index != null) {
          Integer i = index.get(name);
          at = i == null ? -1 : i;
        } else {
          for (int i = 0; i < n; i++) {
            if (names[i].equals(name)) {
              at = i;
              break;
            }
          }
        }
        if (at >= 0) {
          // a repeated key keeps its first position and its last value, as Jackson's trees do
          values[at] = value;
          continue;
        }
        if (n == names.length) {
          int capacity = n == 0 ? 4 : n * 2;
          names = Arrays.copyOf(names, capacity);
          values = Arrays.copyOf(values, capacity);
        }
        names[n] = name;
        values[n] = value;
        n++;
        if (index != null) {
          index.put(name, n - 1);
        } else if (n > HASHED_ABOVE) {
          index = new HashMap<>();
          for (int i = 0; i < n; i++) {
            index.put(names[i], i);
          }
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT) {
        return (ObjectNode) ctxt.handleUnexpectedToken(ObjectNode.class, p);
      }
      if (n != names.length) {
        names = Arrays.copyOf(names, n);
        values = Arrays.copyOf(values, n);
      }
      return ReadOnlyJson.object(names, values, root);
    }

    private ArrayNode array(
        JsonParser p, DeserializationContext ctxt, Map<String, TextNode> texts, boolean root)
        throws IOException {
      JsonNode[] children = EMPTY_VALUES;
      int n = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        if (t == null) {
          return (ArrayNode) ctxt.handleUnexpectedToken(ArrayNode.class, p);
        }
        if (n == children.length) {
          children = Arrays.copyOf(children, n == 0 ? 4 : n * 2);
        }
        children[n++] = value(p, ctxt, t, texts, false);
      }
      if (n != children.length) {
        children = Arrays.copyOf(children, n);
      }
      return ReadOnlyJson.array(children, root);
    }
  }

  private static final String[] EMPTY_NAMES = new String[0];
  private static final JsonNode[] EMPTY_VALUES = new JsonNode[0];

  @SuppressWarnings("unchecked")
  private static final JsonDeserializer<JsonNode> JSON_NODES =
      (JsonDeserializer<JsonNode>) JsonNodeDeserializer.getDeserializer(JsonNode.class);

  /** The children of a frozen array: an array, exactly sized, with no mutator. */
  private static final class FrozenList extends AbstractList<JsonNode> implements RandomAccess {
    private final JsonNode[] children;

    FrozenList(JsonNode[] children) {
      this.children = children;
    }

    @Override
    public JsonNode get(int index) {
      return children[index];
    }

    @Override
    public int size() {
      return children.length;
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
  private static class FrozenObjectNode extends ObjectNode {
    private static final long serialVersionUID = 1L;

    FrozenObjectNode(Map<String, JsonNode> children) {
      super(FACTORY, children);
    }

    /**
     * Writes the fields as {@link ObjectNode#serialize} does, straight from the arrays of the
     * {@link FrozenMap}: the same generator calls in the same order (so the same output), without
     * an entry and an iterator per field. An output that filters or sorts fields ({@link
     * #isPlainOutput}) takes Jackson's own path.
     */
    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
      if (!(_children instanceof FrozenMap map) || !isPlainOutput(provider)) {
        super.serialize(g, provider);
        return;
      }
      String[] names = map.names;
      JsonNode[] values = map.values;
      g.writeStartObject(this, names.length);
      for (int i = 0; i < names.length; i++) {
        g.writeFieldName(names[i]);
        values[i].serialize(g, provider);
      }
      g.writeEndObject();
    }
  }

  /**
   * Tells whether {@code provider} writes every field of an object node in its order, as {@link
   * ObjectNode#serialize} then does without filtering: empty arrays written, {@code null}
   * properties written, properties not sorted (Jackson's defaults, and {@link KrakeJson}'s
   * configuration).
   */
  private static boolean isPlainOutput(SerializerProvider provider) {
    return provider != null
        && provider.isEnabled(SerializationFeature.WRITE_EMPTY_JSON_ARRAYS)
        && provider.isEnabled(JsonNodeFeature.WRITE_NULL_PROPERTIES)
        && !provider.isEnabled(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
  }

  /** An array node whose children list is unmodifiable. */
  @SuppressWarnings("unchecked") // Jackson's own deepCopy() overrides, inherited as they are
  private static class FrozenArrayNode extends ArrayNode {
    private static final long serialVersionUID = 1L;

    FrozenArrayNode(List<JsonNode> children) {
      super(FACTORY, children);
    }
  }

  /**
   * The top of a frozen tree (what one {@link #freeze} call or one decoded property returns: a
   * manifest resource, a kubeconfig, a TOSCA template). It keeps its store form, the compact UTF-8
   * bytes {@link KrakeJson#writeBytes} writes for it, once written twice, and writes those bytes
   * again instead of walking the tree (see {@link StoreForm}).
   */
  @SuppressWarnings("unchecked") // as FrozenObjectNode
  private static final class RootObjectNode extends FrozenObjectNode {
    private static final long serialVersionUID = 1L;
    private final transient StoreForm storeForm = new StoreForm();

    RootObjectNode(Map<String, JsonNode> children) {
      super(children);
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
      if (!storeForm.write(g, provider, generator -> super.serialize(generator, provider))) {
        super.serialize(g, provider);
      }
    }
  }

  /** See {@link RootObjectNode}. */
  @SuppressWarnings("unchecked") // as FrozenObjectNode
  private static final class RootArrayNode extends FrozenArrayNode {
    private static final long serialVersionUID = 1L;
    private final transient StoreForm storeForm = new StoreForm();

    RootArrayNode(List<JsonNode> children) {
      super(children);
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
      if (!storeForm.write(g, provider, generator -> super.serialize(generator, provider))) {
        super.serialize(g, provider);
      }
    }
  }

  /**
   * A frozen tree's memoised store form: the bytes are made on the second write in the store form
   * ({@link KrakeJson#isStoreForm}: the compact UTF-8 output of {@link KrakeJson#writeBytes}) and
   * then written raw; the first walks the tree into its output as any other. Any other output
   * (text, YAML, pretty-printed, another mapper) walks the tree as before, so every output is
   * byte-identical to what the tree walk writes.
   *
   * <p>Thread-safe: the bytes are published through a volatile field after they are complete, so a
   * thread that sees them sees them whole; two threads writing the same tree for the first time
   * both make (equal) bytes and one of them is kept.
   */
  private static final class StoreForm {
    private volatile byte[] bytes;
    // set by the first write in the store form, which walks the tree straight into its output: a
    // tree written once (most trees built for one write) never pays for a memo
    private volatile boolean written;

    boolean write(JsonGenerator g, SerializerProvider provider, KrakeJson.TreeWriter walk)
        throws IOException {
      if (!KrakeJson.isStoreForm(g, provider)) {
        return false;
      }
      byte[] b = bytes;
      if (b == null) {
        if (!written) {
          written = true;
          return false;
        }
        b = KrakeJson.storeForm(walk);
        bytes = b;
      }
      g.writeRawValue(new RawUtf8(b));
      return true;
    }
  }

  /** Bytes that are already UTF-8 JSON, for {@link JsonGenerator#writeRawValue}. */
  private static final class RawUtf8 implements SerializableString {
    private final byte[] utf8;

    RawUtf8(byte[] utf8) {
      this.utf8 = utf8;
    }

    @Override
    public String getValue() {
      return new String(utf8, StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
      return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return utf8;
    }

    @Override
    public byte[] asQuotedUTF8() {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      if (offset + utf8.length > buffer.length) {
        return -1;
      }
      System.arraycopy(utf8, 0, buffer, offset, utf8.length);
      return utf8.length;
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
      String value = getValue();
      if (offset + value.length() > buffer.length) {
        return -1;
      }
      value.getChars(0, value.length(), buffer, offset);
      return value.length();
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      out.write(utf8);
      return utf8.length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
      throw new UnsupportedOperationException("raw JSON is never quoted");
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      if (buffer.remaining() < utf8.length) {
        return -1;
      }
      buffer.put(utf8);
      return utf8.length;
    }
  }
}
