package cloud.krake.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a prefix listing, in ascending key order (by the keys' UTF-8 bytes).
 *
 * @param items the documents of this page, at most the request's limit
 * @param revision the store revision this page was read at; pass it on to read the next page, and
 *     watch from {@code revision + 1} to follow the listing with every later change
 * @param more whether keys remain after the last item
 * @param limit the page size of the request, carried on to {@link #next()}
 */
public record Page(List<KeyValue> items, long revision, boolean more, int limit) {

  /** Copies the items. */
  public Page {
    items = List.copyOf(Objects.requireNonNull(items, "items"));
    if (more && items.isEmpty()) {
      throw new IllegalArgumentException("a page with more keys after it cannot be empty");
    }
  }

  /**
   * Returns the request for the next page at the same revision, or empty if this was the last page.
   */
  public Optional<PageRequest> next() {
    if (!more) {
      return Optional.empty();
    }
    String last = items.get(items.size() - 1).key();
    return Optional.of(new PageRequest(limit, last + '\0', revision));
  }
}
