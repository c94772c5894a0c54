package cloud.krake.store;

import cloud.krake.model.Resource;
import java.util.Objects;

/**
 * One change of a typed resource seen by {@link Resources#watch}: the store's {@link WatchEvent}
 * decoded.
 *
 * @param type what happened; {@code DELETED} means the document was removed from the store (not
 *     that {@code metadata.deleted} was set, which is a {@code MODIFIED})
 * @param resource the resource as written, or for {@code DELETED} as it was last, with {@code
 *     metadata.revision} set to the revision of this change
 * @param <T> the resource type
 */
public record ResourceEvent<T extends Resource<T>>(WatchEvent.Type type, T resource) {

  /** Checks the components. */
  public ResourceEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(resource, "resource");
  }

  /** Returns the store revision of this change. */
  public long revision() {
    return resource.metadata().revision();
  }
}
