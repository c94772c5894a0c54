package cloud.krake.store;

import cloud.krake.model.Resource;
import java.util.List;
import java.util.Objects;

/**
 * A consistent listing of typed resources, as Krake's {@code ApplicationList}: every item as of one
 * store revision. Watch from {@code revision + 1} to follow it.
 *
 * @param items the resources in key order (namespace, then name)
 * @param revision the store revision of the listing
 * @param <T> the resource type
 */
public record ResourceList<T extends Resource<T>>(List<T> items, long revision) {

  /** Copies the items. */
  public ResourceList {
    items = List.copyOf(Objects.requireNonNull(items, "items"));
  }
}
