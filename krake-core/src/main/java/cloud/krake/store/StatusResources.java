package cloud.krake.store;

import cloud.krake.model.StatusResource;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * The typed layer for resources with a status subresource ({@code Application}, {@code Cluster}).
 * Adds the status write, as Krake's {@code PUT .../status}: it replaces the status, and only the
 * status, and does not touch {@code metadata.modified}. The main {@link #update} keeps the stored
 * status whatever the caller passes.
 *
 * @param <T> the resource type
 * @param <S> the status type
 */
public class StatusResources<T extends StatusResource<T, S>, S> extends Resources<T> {

  /**
   * Creates the typed layer.
   *
   * @param store the store
   * @param type the resource type
   * @param clock the source of timestamps
   */
  public StatusResources(Store store, ResourceType<T> type, Clock clock) {
    super(store, type, clock);
  }

  /**
   * Writes the status of {@code resource} if the stored resource is still at {@code
   * resource.metadata().revision()}. Spec and metadata keep their stored values.
   *
   * @param resource the resource as read, with a new status
   * @return the resource as stored; the stored one unchanged if the status did not change
   * @throws IllegalArgumentException if {@code metadata.revision} is 0 (not read from the store)
   * @throws NotFoundException if the resource does not exist
   * @throws ConflictException if it was written since it was read
   */
  public T updateStatus(T resource) {
    Objects.requireNonNull(resource, "resource");
    String key = key(resource.metadata());
    long expected = requireRevision(resource.metadata());
    T current = requireAt(key, expected);
    T next = current.withStatus(resource.status());
    if (next.equals(current)) {
      return unchanged(key, current);
    }
    return write(key, next, expected);
  }

  /**
   * Reads the resource, applies {@code change} to its status and writes it with {@link
   * #updateStatus}, re-reading after a lost compare-and-set (at most {@value #MAX_CONFLICT_RETRIES}
   * times). {@code change} may run several times and must not have side effects.
   *
   * @param namespace the namespace
   * @param name the name
   * @param change computes the new status from the current resource
   * @return the resource as stored
   * @throws NotFoundException if the resource does not exist
   * @throws ConflictException if every attempt lost
   */
  public T modifyStatus(String namespace, String name, Function<T, S> change) {
    Objects.requireNonNull(change, "change");
    return retryOnConflict(() -> applyStatus(require(namespace, name), change));
  }

  /**
   * One attempt of {@link #modifyStatus(String, String, Function)} on a resource the caller has
   * just read: nothing is written if the status does not change, else a compare-and-set on the
   * read's revision.
   *
   * @param read the resource as read from the store ({@code metadata.revision} set)
   * @param change computes the new status from the resource
   * @return the resource as stored
   * @throws ConflictException if it was written since it was read
   */
  public T modifyStatusOnce(T read, Function<T, S> change) {
    Objects.requireNonNull(read, "read");
    Objects.requireNonNull(change, "change");
    return applyStatus(read, change);
  }

  /** One attempt: no write when the status does not change, else a CAS on the read revision. */
  private T applyStatus(T current, Function<T, S> change) {
    S next = change.apply(current);
    if (next.equals(current.status())) {
      return current;
    }
    return write(
        key(current.metadata()), current.withStatus(next), requireRevision(current.metadata()));
  }

  @Override
  protected T keepServerFields(T current, T requested) {
    return requested.withStatus(current.status());
  }
}
