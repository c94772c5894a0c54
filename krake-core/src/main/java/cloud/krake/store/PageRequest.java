package cloud.krake.store;

import java.util.Objects;

/**
 * One page of a prefix listing: at most {@code limit} keys, starting at {@code startKey}
 * (inclusive), read at {@code revision}.
 *
 * <p>Start with {@link #first(int)}; continue with {@link Page#next()}, which pins the revision of
 * the first page so that all pages show one consistent snapshot.
 *
 * @param limit the page size, 1 to {@link #MAX_LIMIT}
 * @param startKey the first key to return (inclusive); the empty string starts at the prefix
 * @param revision the store revision to read at; {@code 0} reads the latest
 */
public record PageRequest(int limit, String startKey, long revision) {

  /** The largest page size a store must serve. */
  public static final int MAX_LIMIT = 10_000;

  /** The page size of {@link Store#listAll(String)}. */
  public static final int DEFAULT_LIMIT = 500;

  /**
   * Checks the components.
   *
   * @throws IllegalArgumentException if {@code limit} is outside 1..{@value #MAX_LIMIT} or {@code
   *     revision} is negative
   */
  public PageRequest {
    Objects.requireNonNull(startKey, "startKey");
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be within 1.." + MAX_LIMIT + ": " + limit);
    }
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative: " + revision);
    }
  }

  /**
   * Returns the request for the first page at the latest revision.
   *
   * @param limit the page size, 1 to {@value #MAX_LIMIT}
   */
  public static PageRequest first(int limit) {
    return new PageRequest(limit, "", 0);
  }
}
