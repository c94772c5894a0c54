package cloud.krake.store;

import cloud.krake.KrakeException;
import cloud.krake.model.Application;
import cloud.krake.model.Cloud;
import cloud.krake.model.Cluster;
import cloud.krake.model.FieldError;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.model.Resource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates or updates Krake resources from their YAML or JSON documents, one or many (separated by
 * {@code ---}), of every kind the model knows: {@code Application}, {@code Cluster}, {@code
 * Metric}, {@code GlobalMetric}, {@code MetricsProvider}, {@code GlobalMetricsProvider}, {@code
 * Cloud}, {@code GlobalCloud}. Like Kubernetes' server-side apply, and unlike Krake's {@code
 * krake_bootstrap_db --force} (which replaces the stored resource), a document changes only the
 * fields it sets:
 *
 * <ul>
 *   <li>a resource that does not exist is created, as {@link Resources#create};
 *   <li>an existing one gets the document merged into its stored form as a JSON merge patch (RFC
 *       7386): mappings are merged key by key ({@code metadata.labels} keeps the labels the
 *       document does not name), lists and scalars are replaced ({@code spec.manifest} is the
 *       document's), an explicit {@code null} removes a field; then written with the main update
 *       ({@link Resources#update}): {@code status} is never touched (a {@code status} in the
 *       document is ignored), nor are {@code uid}, {@code created}, {@code modified}, {@code
 *       deleted} and {@code generation}; {@code metadata.generation} is bumped if the spec changed;
 *   <li>a resource that already holds every field the document sets is not written ({@link
 *       ApplyResult.Change#UNCHANGED}), so applying the same file on every start of a host is
 *       idempotent.
 * </ul>
 *
 * <p><b>Validation first.</b> Every document is read and checked before anything is written: the
 * strict reading of {@link KrakeJson}, the resource's own rules, and the checks {@code create} and
 * {@code update} run (the application validators registered with the host, the cluster checks). If
 * any document is invalid, an {@link InvalidResourceException} lists the errors of every document
 * and nothing is written. Each error's field is prefixed with the document's index among the
 * non-empty documents ({@code [1].spec.hooks[0]}), and its message starts with the kind, the
 * namespace and the name ({@code Application tenant-a/echo: ...}). The same resource twice in one
 * input is an error.
 *
 * <p><b>Writes.</b> Then the documents are written one after the other, in document order, each
 * with a compare-and-set on the revision read; a lost compare-and-set (a concurrent writer)
 * re-reads and re-merges that document, at most {@value Resources#MAX_CONFLICT_RETRIES} times. The
 * store has no transaction over several keys, so a failure while writing (store unreachable, a
 * concurrent writer made a document invalid) leaves the documents before it applied: an {@link
 * ApplyException} says which ({@link ApplyException#applied()}) and at which document it stopped;
 * applying the same input again carries on.
 *
 * <pre>{@code
 * ApplyResult result = krake.apply(Path.of("bootstrap.yaml"));
 * result.withChange(ApplyResult.Change.CREATED)
 *     .forEach(a -> log.info("created {} {}/{}", a.kind(), a.namespace(), a.name()));
 * }</pre>
 *
 * <p>Thread-safe: holds the typed layers only.
 */
public final class DeclarativeApply {

  private static final Map<Class<?>, String> KINDS =
      Map.of(
          Application.class, Application.KIND,
          Cluster.class, Cluster.KIND,
          Metric.class, Metric.KIND,
          GlobalMetric.class, GlobalMetric.KIND,
          MetricsProvider.class, MetricsProvider.KIND,
          GlobalMetricsProvider.class, GlobalMetricsProvider.KIND,
          Cloud.class, Cloud.KIND,
          GlobalCloud.class, GlobalCloud.KIND);

  /** Metadata fields the store sets; a document's values for them are ignored. */
  private static final List<String> READ_ONLY_METADATA =
      List.of("uid", "created", "modified", "deleted", "generation");

  private final Map<String, Resources<?>> layers = new HashMap<>();

  /**
   * Creates the apply over the typed layers, one per kind (the host's: {@code Krake} passes its
   * own, so that its application validators run).
   *
   * @param layers the typed layers; a kind without one is rejected naming {@code kind}
   * @throws IllegalArgumentException if two layers serve one kind
   */
  public DeclarativeApply(Collection<? extends Resources<?>> layers) {
    for (Resources<?> layer : layers) {
      String kind = KINDS.get(layer.type().type());
      if (kind == null) {
        throw new IllegalArgumentException("not a kind the model knows: " + layer.type());
      }
      if (this.layers.put(kind, layer) != null) {
        throw new IllegalArgumentException("two typed layers for " + kind);
      }
    }
  }

  /**
   * Applies the documents of a file, read as UTF-8; see the class documentation.
   *
   * @param file a YAML or JSON file of one or many documents
   * @return what happened to each document
   * @throws KrakeException if the file cannot be read (naming it)
   * @throws InvalidResourceException if any document is invalid; nothing is written
   * @throws ApplyException if a write failed after others were done
   */
  public ApplyResult apply(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return apply(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new KrakeException("cannot read " + file, e);
    }
  }

  /**
   * Applies the documents read from a stream (UTF-8, read to its end, not closed).
   *
   * @param in the documents
   * @return what happened to each document
   * @throws KrakeException if the stream cannot be read
   * @throws InvalidResourceException if any document is invalid; nothing is written
   * @throws ApplyException if a write failed after others were done
   */
  public ApplyResult apply(InputStream in) {
    Objects.requireNonNull(in, "in");
    try {
      return apply(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new KrakeException("cannot read the documents to apply", e);
    }
  }

  /**
   * Applies YAML or JSON documents; see the class documentation.
   *
   * @param documents one or many documents, separated by {@code ---}
   * @return what happened to each document, in document order
   * @throws InvalidResourceException if any document is invalid (every error, each naming the
   *     document's index, kind, name and field); nothing is written
   * @throws ApplyException if a write failed after others were done
   */
  public ApplyResult apply(String documents) {
    Objects.requireNonNull(documents, "documents");
    List<ObjectNode> trees = KrakeJson.readAll(documents, ObjectNode.class);
    List<FieldError> errors = new ArrayList<>();
    Map<String, Integer> seen = new LinkedHashMap<>();
    for (int i = 0; i < trees.size(); i++) {
      try {
        Plan<?> plan = plan(trees.get(i));
        Integer before = seen.putIfAbsent(plan.key, i);
        if (before != null) {
          throw InvalidResourceException.of(
              "metadata.name", "the same resource as document [" + before + "]");
        }
        plan.check();
      } catch (InvalidResourceException e) {
        errors.addAll(located(i, trees.get(i), e));
      }
    }
    if (!errors.isEmpty()) {
      throw new InvalidResourceException(errors);
    }
    List<ApplyResult.Applied> applied = new ArrayList<>();
    for (int i = 0; i < trees.size(); i++) {
      ObjectNode tree = trees.get(i);
      int index = i;
      try {
        applied.add(Resources.retryOnConflict(() -> plan(tree).write(index)));
      } catch (InvalidResourceException e) {
        throw new ApplyException(
            new ApplyResult(applied), i, new InvalidResourceException(located(i, tree, e), e));
      } catch (RuntimeException e) {
        throw new ApplyException(new ApplyResult(applied), i, e);
      }
    }
    return new ApplyResult(applied);
  }

  /** Reads the document's resource and its stored form, and merges them. */
  private Plan<?> plan(ObjectNode tree) {
    JsonNode kind = tree.path("kind");
    if (!kind.isTextual()) {
      throw InvalidResourceException.of("kind", "is required to tell the resource type");
    }
    Resources<?> layer = layers.get(kind.asText());
    if (layer == null) {
      throw InvalidResourceException.of(
          "kind", "unknown kind '" + kind.asText() + "'; expected one of " + layers.keySet());
    }
    return plan(layer, tree);
  }

  private static <T extends Resource<T>> Plan<T> plan(Resources<T> layer, ObjectNode tree) {
    JsonNode name = tree.path("metadata").path("name");
    if (!name.isTextual() || name.asText().isEmpty()) {
      throw InvalidResourceException.of("metadata.name", "is required");
    }
    JsonNode namespace = tree.path("metadata").path("namespace");
    Metadata identity =
        namespace.isTextual()
            ? Metadata.of(namespace.asText(), name.asText())
            : Metadata.global(name.asText());
    String key = layer.key(identity);
    Optional<T> current = layer.get(namespace.asText(""), name.asText());
    if (current.isEmpty()) {
      return new Plan<>(layer, key, Optional.empty(), KrakeJson.convert(tree, layer.type().type()));
    }
    ObjectNode patch = tree.deepCopy();
    patch.remove("status");
    if (patch.get("metadata") instanceof ObjectNode patchMetadata) {
      patchMetadata.remove(READ_ONLY_METADATA);
    }
    ObjectNode merged = KrakeJson.toObjectNode(current.get());
    mergePatch(merged, patch);
    T next = KrakeJson.convert(merged, layer.type().type());
    next = next.withMetadata(next.metadata().withRevision(current.get().metadata().revision()));
    return new Plan<>(layer, key, current, next);
  }

  /** RFC 7386: mappings merged recursively, {@code null} removes, anything else replaces. */
  private static void mergePatch(ObjectNode target, ObjectNode patch) {
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      JsonNode value = field.getValue();
      if (value.isNull()) {
        target.remove(field.getKey());
      } else if (value instanceof ObjectNode object
          && target.get(field.getKey()) instanceof ObjectNode existing) {
        ObjectNode copy = existing.deepCopy();
        mergePatch(copy, object);
        target.set(field.getKey(), copy);
      } else {
        target.set(field.getKey(), value.deepCopy());
      }
    }
  }

  /** Prefixes errors with the document's index, and their messages with its kind and name. */
  private static List<FieldError> located(int index, ObjectNode tree, InvalidResourceException e) {
    JsonNode metadata = tree.path("metadata");
    String namespace = metadata.path("namespace").asText("");
    String what =
        tree.path("kind").asText("resource")
            + " "
            + (namespace.isEmpty() ? "" : namespace + "/")
            + metadata.path("name").asText("(no name)");
    String prefix = "[" + index + "]";
    List<FieldError> errors = new ArrayList<>();
    for (FieldError error : e.errors()) {
      String field =
          error.field().startsWith(prefix)
              ? error.field()
              : error.field().startsWith("[")
                  ? prefix + error.field()
                  : prefix + "." + error.field();
      errors.add(new FieldError(field, what + ": " + error.message()));
    }
    return errors;
  }

  /** One document's intended write: a create, or an update of the stored resource. */
  private static final class Plan<T extends Resource<T>> {
    private final Resources<T> layer;
    private final String key;
    private final Optional<T> current;
    private final T next;

    Plan(Resources<T> layer, String key, Optional<T> current, T next) {
      this.layer = layer;
      this.key = key;
      this.current = current;
      this.next = next;
    }

    /** Runs the checks of create or update, without writing. */
    void check() {
      List<FieldError> errors = layer.checkWrite(current, next);
      if (!errors.isEmpty()) {
        throw new InvalidResourceException(errors);
      }
    }

    ApplyResult.Applied write(int index) {
      T written;
      ApplyResult.Change change;
      if (current.isEmpty()) {
        written = layer.create(next);
        change = ApplyResult.Change.CREATED;
      } else {
        written = layer.update(next);
        change =
            written.metadata().revision() == current.get().metadata().revision()
                ? ApplyResult.Change.UNCHANGED
                : ApplyResult.Change.UPDATED;
      }
      Metadata m = written.metadata();
      return new ApplyResult.Applied(
          index,
          KINDS.get(layer.type().type()),
          m.namespace().orElse(""),
          m.name(),
          change,
          m.revision(),
          m.generation());
    }
  }
}
