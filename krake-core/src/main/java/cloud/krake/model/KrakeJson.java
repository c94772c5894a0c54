package cloud.krake.model;

import cloud.krake.KrakeException;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the model in Krake's JSON form, and accepts YAML on input.
 *
 * <p>The wire format is Krake's: snake_case field names ({@code scheduled_to}, {@code
 * backoff_limit}), enum constants by name ({@code "state": "RUNNING"}), timestamps as ISO-8601
 * strings (Krake's {@code +00:00} offsets are read; {@code Z} is written), unknown fields ignored
 * (as Krake's {@code EXCLUDE}), absent or {@code null} values read as the records' documented
 * defaults. Numbers are not silently narrowed: a fraction where an integer is expected is an error.
 *
 * <p>Every read failure is an {@link InvalidResourceException} whose {@link FieldError}s name the
 * offending field by its JSON path ({@code spec.constraints.cluster.labels[0]}, {@code
 * metadata.name}), or {@code document} (with line and column) for malformed JSON or YAML.
 *
 * <p>Text (the {@code String} entry points) is read strictly: a key twice in one mapping is an
 * error, and so is an unquoted value with an unbalanced {@code [ ] { }} (an unterminated flow list
 * or mapping, which YAML would otherwise read as a string: {@code "::: not yaml ["} is not {@code
 * {"::": "not yaml ["}}); quote such a value to mean the text. {@link #read(byte[], Class)}, the
 * store's decode path for documents this library wrote, skips these checks. Jackson's exception is
 * kept as the cause and never escapes on its own. Messages do not echo the offending value, so
 * secrets in malformed input do not reach logs.
 *
 * <pre>{@code
 * Application app = KrakeJson.read(Files.readString(path), Application.class);
 * String json = KrakeJson.write(app);
 * List<Resource<?>> bootstrap = KrakeJson.readAllResources(Files.readString(metricsYaml));
 * }</pre>
 *
 * <p>Thread-safe: the shared mappers are configured once and never changed; {@link #mapper()} hands
 * out copies.
 */
public final class KrakeJson {

  private static final ObjectMapper JSON = configure(JsonMapper.builder()).build();
  private static final ObjectMapper YAML = configure(YAMLMapper.builder()).build();
  // binds the model: its JSON trees straight into read-only ones (ReadOnlyJson.module())
  private static final ObjectMapper BIND =
      configure(JsonMapper.builder()).addModule(ReadOnlyJson.module()).build();
  // duplicate keys fail these readers, so that such documents take the tree path (last key wins)
  private static final ObjectReader JSON_BYTES =
      BIND.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
  private static final ObjectReader JSON_BYTES_TREES =
      JSON.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

  private static final Map<Class<?>, String[]> KINDS =
      Map.of(
          Application.class,
          new String[] {Application.API, Application.KIND},
          Cluster.class,
          new String[] {Cluster.API, Cluster.KIND},
          Metric.class,
          new String[] {Metric.API, Metric.KIND},
          GlobalMetric.class,
          new String[] {GlobalMetric.API, GlobalMetric.KIND},
          MetricsProvider.class,
          new String[] {MetricsProvider.API, MetricsProvider.KIND},
          GlobalMetricsProvider.class,
          new String[] {GlobalMetricsProvider.API, GlobalMetricsProvider.KIND},
          Cloud.class,
          new String[] {Cloud.API, Cloud.KIND},
          GlobalCloud.class,
          new String[] {GlobalCloud.API, GlobalCloud.KIND});

  private KrakeJson() {}

  private static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B configure(B builder) {
    return builder
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .addModule(new JavaTimeModule())
        .addModule(new Jdk8Module())
        // records have no is-getters; Metadata.isDeleted() must not become a "deleted" property
        .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE);
  }

  /**
   * Returns a copy of the configured JSON mapper, for callers that need Jackson directly. Changing
   * the copy does not change this class's behaviour.
   */
  public static ObjectMapper mapper() {
    return JSON.copy();
  }

  /**
   * Reads one document, JSON or YAML, encoded in UTF-8.
   *
   * <p>A JSON object (as the stores hold every document) is bound from the bytes in one pass,
   * without a {@code String} or a tree of the whole document in between; anything that pass does
   * not accept (YAML, a duplicate key, an error) is read as {@link #read(String, Class)} reads its
   * text, so the values and the errors are the same either way.
   *
   * @param <T> the type to read
   * @param json the document
   * @param type the type to read, for example {@code Application.class}
   * @return the value; never {@code null}
   * @throws InvalidResourceException if the document is malformed, empty, of another kind, or does
   *     not fit {@code type}; the errors name the fields
   */
  public static <T> T read(byte[] json, Class<T> type) {
    Objects.requireNonNull(json, "json");
    Objects.requireNonNull(type, "type");
    if (startsLikeJsonObject(json)) {
      T value = bindJson(json, type);
      if (value != null) {
        return value;
      }
    }
    // The store's decode path: documents this library wrote, read without the text checks.
    return convert(tree(new String(json, StandardCharsets.UTF_8), false), type, "");
  }

  /**
   * Binds a JSON object's bytes straight to {@code type} in one pass (no {@code String}, no tree of
   * the whole document): the path of every document a store hands back. Returns {@code null} for
   * anything this pass does not accept (malformed, empty, a duplicate key, a value that does not
   * fit, YAML): the caller then takes the text path, which accepts and refuses exactly as before
   * and names the offending field; a document read here binds to an equal value.
   */
  private static <T> T bindJson(byte[] json, Class<T> type) {
    try {
      return (isTree(type) ? JSON_BYTES_TREES : JSON_BYTES).forType(type).readValue(json);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Tells whether {@code type} is a Jackson tree: read as an ordinary (mutable) tree, as before;
   * the model's records hold read-only ones.
   */
  private static boolean isTree(Class<?> type) {
    return JsonNode.class.isAssignableFrom(type);
  }

  private static boolean startsLikeJsonObject(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return c == '{';
      }
    }
    return false;
  }

  private static boolean startsLikeJsonObject(byte[] json) {
    for (byte b : json) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return b == '{';
      }
    }
    return false;
  }

  /**
   * Reads one document, JSON or YAML (a text starting with <code>{</code> or {@code [} is read as
   * JSON, falling back to YAML; anything else as YAML, of which JSON is a subset).
   *
   * @param <T> the type to read
   * @param jsonOrYaml the document
   * @param type the type to read, for example {@code Application.class}
   * @return the value; never {@code null}
   * @throws InvalidResourceException if the document is malformed, empty, holds more than one YAML
   *     document, is of another kind, or does not fit {@code type}; the errors name the fields
   */
  public static <T> T read(String jsonOrYaml, Class<T> type) {
    Objects.requireNonNull(jsonOrYaml, "jsonOrYaml");
    Objects.requireNonNull(type, "type");
    if (startsLikeJsonObject(jsonOrYaml)) {
      // a JSON object that binds in one pass (no duplicate key, nothing malformed) passes the
      // text checks too: they concern duplicate keys and unquoted YAML values, which JSON has not;
      // anything else takes the text path below, which refuses it and names the field as before
      T value = bindJson(jsonOrYaml.getBytes(StandardCharsets.UTF_8), type);
      if (value != null) {
        return value;
      }
    }
    return convert(tree(jsonOrYaml, true), type, "");
  }

  /**
   * Reads a stream of YAML documents separated by {@code ---}, as Krake's bootstrap files and
   * {@code kubectl} manifests are written. Empty documents (only comments, or nothing between two
   * separators) are skipped.
   *
   * @param <T> the type of every document
   * @param multiDocYaml the documents
   * @param type the type to read
   * @return the values, in document order
   * @throws InvalidResourceException with the errors of every document; a field of the {@code i}-th
   *     non-empty document is prefixed {@code [i].}, for example {@code [1].metadata.name}; a
   *     document that is not a mapping is named {@code [i].document}; a strictness error of the
   *     text (see the class documentation) names {@code document} with line and column
   */
  public static <T> List<T> readAll(String multiDocYaml, Class<T> type) {
    Objects.requireNonNull(multiDocYaml, "multiDocYaml");
    Objects.requireNonNull(type, "type");
    List<JsonNode> documents = trees(multiDocYaml);
    List<T> values = new ArrayList<>();
    List<FieldError> errors = new ArrayList<>();
    InvalidResourceException first = null;
    for (int i = 0; i < documents.size(); i++) {
      try {
        values.add(convert(documents.get(i), type, "[" + i + "]"));
      } catch (InvalidResourceException e) {
        errors.addAll(e.errors());
        first = first == null ? e : first;
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors, first);
    }
    return List.copyOf(values);
  }

  /**
   * Reads one document, JSON or YAML, as the resource type its {@code kind} names: {@link
   * Application}, {@link Cluster}, {@link Metric}, {@link GlobalMetric}, {@link MetricsProvider},
   * {@link GlobalMetricsProvider}, {@link Cloud} or {@link GlobalCloud}.
   *
   * @param jsonOrYaml the document
   * @return the resource
   * @throws InvalidResourceException naming {@code kind} if it is missing or unknown, or as {@link
   *     #read(String, Class)}
   */
  public static Resource<?> readResource(String jsonOrYaml) {
    Objects.requireNonNull(jsonOrYaml, "jsonOrYaml");
    JsonNode document = tree(jsonOrYaml, true);
    return convert(document, resourceType(document, ""), "");
  }

  /**
   * Reads a stream of YAML documents, each as the resource type its {@code kind} names (see {@link
   * #readResource(String)}), for example Krake's {@code static_metrics.yaml} bootstrap file.
   *
   * @param multiDocYaml the documents
   * @return the resources, in document order
   * @throws InvalidResourceException with the errors of every document, prefixed as in {@link
   *     #readAll(String, Class)}
   */
  public static List<Resource<?>> readAllResources(String multiDocYaml) {
    Objects.requireNonNull(multiDocYaml, "multiDocYaml");
    List<JsonNode> documents = trees(multiDocYaml);
    List<Resource<?>> values = new ArrayList<>();
    List<FieldError> errors = new ArrayList<>();
    InvalidResourceException first = null;
    for (int i = 0; i < documents.size(); i++) {
      String prefix = "[" + i + "]";
      try {
        values.add(convert(documents.get(i), resourceType(documents.get(i), prefix), prefix));
      } catch (InvalidResourceException e) {
        errors.addAll(e.errors());
        first = first == null ? e : first;
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors, first);
    }
    return List.copyOf(values);
  }

  /**
   * Converts a JSON tree into a model value, with the same rules and errors as {@link #read(String,
   * Class)}.
   *
   * @param <T> the type to read
   * @param node the tree
   * @param type the type to read
   * @return the value; never {@code null}
   * @throws InvalidResourceException if the tree does not fit {@code type}
   */
  public static <T> T convert(JsonNode node, Class<T> type) {
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(type, "type");
    return convert(node, type, "");
  }

  /**
   * Writes a value as compact JSON in UTF-8: the form the stores hold.
   *
   * <p>The model's read-only JSON trees ({@link ReadOnlyJson}) keep their bytes in this form once
   * they are written here a second time and are written from them afterwards, so an unchanged
   * manifest is not encoded again and again; the output is byte for byte what walking the trees
   * writes.
   *
   * @param value the value, for example an {@link Application}
   * @throws KrakeException if Jackson cannot serialise the value (not a model type)
   */
  public static byte[] writeBytes(Object value) {
    Objects.requireNonNull(value, "value");
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new KrakeException("cannot write a " + value.getClass().getName() + " as JSON", e);
    }
  }

  /**
   * Writes a value as compact JSON.
   *
   * @param value the value, for example an {@link Application}
   * @throws KrakeException if Jackson cannot serialise the value (not a model type)
   */
  public static String write(Object value) {
    Objects.requireNonNull(value, "value");
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new KrakeException("cannot write a " + value.getClass().getName() + " as JSON", e);
    }
  }

  /**
   * Writes a value as one YAML document (starting with {@code ---}).
   *
   * @param value the value, for example an {@link Application}
   * @throws KrakeException if Jackson cannot serialise the value (not a model type)
   */
  public static String writeYaml(Object value) {
    Objects.requireNonNull(value, "value");
    try {
      return YAML.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new KrakeException("cannot write a " + value.getClass().getName() + " as YAML", e);
    }
  }

  /**
   * Returns the JSON form of a value as a tree.
   *
   * @param value the value, for example an {@link Application}
   * @throws IllegalArgumentException if the value is not written as a JSON object
   */
  public static ObjectNode toObjectNode(Object value) {
    Objects.requireNonNull(value, "value");
    JsonNode node = JSON.valueToTree(value);
    if (node instanceof ObjectNode object) {
      return object;
    }
    throw new IllegalArgumentException(
        "a " + value.getClass().getName() + " is not written as a JSON object");
  }

  // ---------------------------------------------------------------------------------------------

  /** Writes a tree's contents to a generator, as its own serializer does. */
  @FunctionalInterface
  interface TreeWriter {
    void write(JsonGenerator generator) throws IOException;
  }

  /**
   * Tells whether {@code generator} writes the store form: the compact UTF-8 JSON of {@link
   * #writeBytes}, with this class's mapper and its configuration unchanged (no pretty printer, no
   * custom escapes). Read-only trees memoise their bytes for this output only.
   */
  static boolean isStoreForm(JsonGenerator generator, SerializerProvider provider) {
    return generator instanceof UTF8JsonGenerator
        && generator.getCodec() == JSON
        && provider.getConfig() == JSON.getSerializationConfig()
        && generator.getPrettyPrinter() == null
        && generator.getCharacterEscapes() == null
        && generator.getHighestEscapedChar() == 0;
  }

  /**
   * Returns the store form of what {@code walk} writes: a generator made and configured as {@link
   * #writeBytes} makes and configures its own, flushed into a byte array.
   */
  static byte[] storeForm(TreeWriter walk) throws IOException {
    ByteArrayBuilder bytes = new ByteArrayBuilder();
    try (JsonGenerator generator = JSON.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
      JSON.getSerializationConfig().initialize(generator);
      walk.write(generator);
    }
    return bytes.toByteArray();
  }

  /**
   * Parses one document; {@code strict} adds {@link StrictYaml}'s checks (duplicate keys,
   * unbalanced brackets in unquoted values) for text from users, not for the store's own documents.
   */
  private static JsonNode tree(String text, boolean strict) {
    boolean json = looksLikeJson(text);
    JsonNode node;
    try {
      node = nonEmpty((json ? JSON : YAML).readTree(text), "");
    } catch (JsonProcessingException e) {
      if (!json || !(e instanceof StreamReadException)) {
        throw JsonErrors.translate(e, "");
      }
      try {
        node = nonEmpty(YAML.readTree(text), "");
      } catch (JsonProcessingException ignored) {
        // report the JSON error: the text looked like JSON
        throw JsonErrors.translate(e, "");
      }
    }
    if (strict) {
      StrictYaml.check(text);
    }
    return node;
  }

  private static List<JsonNode> trees(String text) {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (it.hasNextValue()) {
        JsonNode document = it.nextValue();
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          documents.add(document);
        }
      }
    } catch (JsonProcessingException e) {
      throw JsonErrors.translate(e, "");
    } catch (IOException e) {
      throw new InvalidResourceException(List.of(new FieldError("document", "unreadable")), e);
    }
    StrictYaml.check(text);
    List<FieldError> notMappings = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      JsonNode document = documents.get(i);
      if (!document.isObject()) {
        notMappings.add(
            new FieldError(
                "[" + i + "].document",
                "must be a mapping (an object with api, kind, metadata...), found "
                    + (document.isArray() ? "a list" : "a scalar")));
      }
    }
    if (!notMappings.isEmpty()) {
      throw new InvalidResourceException(notMappings);
    }
    return documents;
  }

  private static JsonNode nonEmpty(JsonNode node, String prefix) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      throw InvalidResourceException.of(JsonErrors.join(prefix, "document"), "is empty");
    }
    return node;
  }

  private static boolean looksLikeJson(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!Character.isWhitespace(c) && c != '\uFEFF') {
        return c == '{' || c == '[';
      }
    }
    return false;
  }

  private static <T> T convert(JsonNode node, Class<T> type, String prefix) {
    nonEmpty(node, prefix);
    checkKind(node, type, prefix);
    try {
      T value = (isTree(type) ? JSON : BIND).treeToValue(node, type);
      if (value == null) {
        throw InvalidResourceException.of(JsonErrors.join(prefix, "document"), "is empty");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw JsonErrors.translate(e, prefix);
    } catch (IllegalArgumentException e) {
      throw new InvalidResourceException(
          List.of(new FieldError(JsonErrors.join(prefix, "document"), "cannot be read")), e);
    }
  }

  /**
   * Rejects a document of another kind before binding it, so that the error names {@code kind}
   * rather than some field the two kinds disagree on.
   */
  private static void checkKind(JsonNode node, Class<?> type, String prefix) {
    String[] expected = KINDS.get(type);
    if (expected == null) {
      return;
    }
    try {
      Kinds.check(
          textOrNull(node.get("api")), expected[0], textOrNull(node.get("kind")), expected[1]);
    } catch (InvalidResourceException e) {
      List<FieldError> errors = new ArrayList<>();
      for (FieldError error : e.errors()) {
        errors.add(new FieldError(JsonErrors.join(prefix, error.field()), error.message()));
      }
      throw new InvalidResourceException(errors);
    }
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() ? null : node.asText();
  }

  private static Class<? extends Resource<?>> resourceType(JsonNode document, String prefix) {
    JsonNode kind = document.path("kind");
    String field = JsonErrors.join(prefix, "kind");
    if (!kind.isTextual()) {
      throw InvalidResourceException.of(field, "is required to tell the resource type");
    }
    return switch (kind.asText()) {
      case Application.KIND -> Application.class;
      case Cluster.KIND -> Cluster.class;
      case Metric.KIND -> Metric.class;
      case GlobalMetric.KIND -> GlobalMetric.class;
      case MetricsProvider.KIND -> MetricsProvider.class;
      case GlobalMetricsProvider.KIND -> GlobalMetricsProvider.class;
      case Cloud.KIND -> Cloud.class;
      case GlobalCloud.KIND -> GlobalCloud.class;
      default ->
          throw InvalidResourceException.of(
              field,
              "unknown kind '"
                  + kind.asText()
                  + "'; expected one of Application, Cluster, Metric, GlobalMetric,"
                  + " MetricsProvider, GlobalMetricsProvider, Cloud, GlobalCloud");
    };
  }
}
