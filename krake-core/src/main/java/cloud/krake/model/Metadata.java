package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The metadata of every Krake resource, as Krake's {@code Metadata}, with its JSON field names.
 *
 * <p>{@code uid}, {@code created}, {@code modified} and {@code deleted} are read-only: the store's
 * typed layer ({@code cloud.krake.store.Resources}) sets them and ignores what callers put there.
 * {@code name} and {@code namespace} are immutable after creation. {@link #revision()} is the store
 * revision the object was read at; it is not part of the JSON document (as Krake keeps its etcd
 * revision beside the object) and is the expected revision of the next compare-and-set write.
 *
 * @param name the name: a word character, or a word character, up to 253 of {@code [\w\-.:]} and a
 *     word character (ASCII)
 * @param namespace the namespace, same rules as the name; empty for global resources
 * @param labels the labels, see {@code Labels} for the rules
 * @param inheritLabels for clusters: take over the labels of the cloud they run on
 * @param finalizers the deletion blockers; controllers process the <em>last</em> one first
 * @param uid a random UUID set on creation
 * @param created when the resource was created (UTC)
 * @param modified when the spec or metadata last changed (UTC); status writes leave it alone
 * @param deleted when deletion was requested (UTC); once set it is never cleared
 * @param owners the resources this one depends on; deleting an owner cascades to its dependents
 * @param generation the generation of the desired state: {@code 1} on create, incremented by the
 *     store's typed layer on every write that changes the spec (as Kubernetes' {@code
 *     metadata.generation}: label, finalizer, owner and status writes leave it alone); read-only,
 *     set by the store. Not in Krake's model: written as {@code generation} only when not {@code
 *     0}, and absent (as in Krake's documents) reads as {@code 0}; Krake ignores the unknown field
 * @param revision the store revision the object was read at; {@code 0} if it was not read from a
 *     store
 */
public record Metadata(
    String name,
    Optional<String> namespace,
    Map<String, String> labels,
    boolean inheritLabels,
    List<String> finalizers,
    Optional<String> uid,
    Optional<Instant> created,
    Optional<Instant> modified,
    Optional<Instant> deleted,
    List<ResourceRef> owners,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long generation,
    @JsonIgnore long revision) {

  /**
   * Normalises absent values (JSON {@code null} or missing) to empty ones and copies the
   * collections. Field rules are checked at the edge (create, update) by {@link #validate()}, not
   * here, so that every error of a document is reported together.
   *
   * @throws InvalidResourceException naming the element if a label value, finalizer or owner is
   *     {@code null}
   */
  public Metadata {
    name = name == null ? "" : name;
    namespace = namespace == null ? Optional.empty() : namespace;
    labels = Values.map("labels", labels);
    finalizers = Values.list("finalizers", finalizers);
    uid = uid == null ? Optional.empty() : uid;
    created = created == null ? Optional.empty() : created;
    modified = modified == null ? Optional.empty() : modified;
    deleted = deleted == null ? Optional.empty() : deleted;
    owners = Values.list("owners", owners);
    if (generation < 0) {
      throw InvalidResourceException.of("metadata.generation", "must not be negative");
    }
  }

  /**
   * Creates metadata of generation {@code 0} (not written by a store yet), as before {@code
   * generation} existed.
   *
   * @throws InvalidResourceException as the canonical constructor
   */
  public Metadata(
      String name,
      Optional<String> namespace,
      Map<String, String> labels,
      boolean inheritLabels,
      List<String> finalizers,
      Optional<String> uid,
      Optional<Instant> created,
      Optional<Instant> modified,
      Optional<Instant> deleted,
      List<ResourceRef> owners,
      long revision) {
    this(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        0,
        revision);
  }

  /**
   * Returns the metadata of a new namespaced resource.
   *
   * @param namespace the namespace
   * @param name the name
   */
  public static Metadata of(String namespace, String name) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    return new Metadata(
        name,
        Optional.of(namespace),
        Map.of(),
        false,
        List.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        0,
        0);
  }

  /**
   * Returns the metadata of a new global (namespace-less) resource.
   *
   * @param name the name
   */
  public static Metadata global(String name) {
    Objects.requireNonNull(name, "name");
    return new Metadata(
        name,
        Optional.empty(),
        Map.of(),
        false,
        List.of(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        List.of(),
        0,
        0);
  }

  /**
   * Checks the name, the namespace (when present) and the labels against Krake's rules ({@link
   * Labels}) and returns every violation, each naming its field ({@code metadata.name}, {@code
   * metadata.namespace}, {@code metadata.labels.<key>}). An empty namespace is accepted: global
   * resources have none, and the typed store layer sets it for namespaced ones.
   *
   * @return every violation; empty if valid
   */
  public List<FieldError> validate() {
    List<FieldError> errors = new java.util.ArrayList<>();
    if (name.isEmpty()) {
      errors.add(new FieldError("metadata.name", "is required"));
    } else if (!Labels.isValidResourceName(name)) {
      errors.add(new FieldError("metadata.name", Labels.resourceNameMessage()));
    }
    namespace.ifPresent(
        ns -> {
          if (!Labels.isValidResourceName(ns)) {
            errors.add(new FieldError("metadata.namespace", Labels.resourceNameMessage()));
          }
        });
    errors.addAll(Labels.validate("metadata.labels", labels));
    return errors;
  }

  /** Returns whether deletion has been requested ({@code deleted} is set). */
  public boolean isDeleted() {
    return deleted.isPresent();
  }

  /** Returns a copy with other labels. */
  public Metadata withLabels(Map<String, String> labels) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }

  /** Returns a copy with other finalizers. */
  public Metadata withFinalizers(List<String> finalizers) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }

  /** Returns a copy with other owners. */
  public Metadata withOwners(List<ResourceRef> owners) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }

  /** Returns a copy with another uid. */
  public Metadata withUid(Optional<String> uid) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }

  /** Returns a copy with another creation time. */
  public Metadata withCreated(Optional<Instant> created) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }

  /** Returns a copy with another modification time. */
  public Metadata withModified(Optional<Instant> modified) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }

  /** Returns a copy with another deletion time. */
  public Metadata withDeleted(Optional<Instant> deleted) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }

  /** Returns a copy with another generation; the store's typed layer sets it. */
  public Metadata withGeneration(long generation) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }

  /** Returns a copy with another store revision. */
  public Metadata withRevision(long revision) {
    return new Metadata(
        name,
        namespace,
        labels,
        inheritLabels,
        finalizers,
        uid,
        created,
        modified,
        deleted,
        owners,
        generation,
        revision);
  }
}
