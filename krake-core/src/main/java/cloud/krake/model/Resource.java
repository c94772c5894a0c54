package cloud.krake.model;

import java.util.List;

/**
 * A Krake API object: an {@code api} group, a {@code kind} and {@link Metadata}, as Krake's {@code
 * ApiObject}. Implemented by the model's records ({@link Application}, {@link Cluster}, the metrics
 * resources).
 *
 * @param <T> the implementing record type
 */
public interface Resource<T extends Resource<T>> {

  /**
   * Returns Krake's API group of the resource, for example {@code "kubernetes"} or {@code "core"}.
   */
  String api();

  /** Returns Krake's kind, for example {@code "Application"}. */
  String kind();

  /** Returns the resource's metadata. */
  Metadata metadata();

  /**
   * Returns a copy with other metadata.
   *
   * @param metadata the new metadata
   */
  T withMetadata(Metadata metadata);

  /**
   * Checks the resource against Krake's validation rules and returns every violation found, each
   * naming its field (for manifest resources also the resource's index and name). Called by the
   * store's typed layer on create and update; an empty list means valid.
   */
  List<FieldError> validate();
}
