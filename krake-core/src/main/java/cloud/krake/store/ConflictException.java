package cloud.krake.store;

import cloud.krake.KrakeException;
import java.util.Objects;

/**
 * A compare-and-set lost: the key's current revision is not the one the write expected. The caller
 * re-reads the document and decides again; it never retries the same write blindly.
 *
 * <p>Revisions follow etcd: an expected revision of {@code 0} means "the key must not exist" (a
 * create); an actual revision of {@code 0} means the key does not exist.
 */
public class ConflictException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final long expectedRevision;
  private final long actualRevision;

  /**
   * Creates the exception.
   *
   * @param key the key written
   * @param expectedRevision the modification revision the write expected ({@code 0}: absent)
   * @param actualRevision the key's modification revision in the store ({@code 0}: absent)
   */
  public ConflictException(String key, long expectedRevision, long actualRevision) {
    super(message(Objects.requireNonNull(key, "key"), expectedRevision, actualRevision));
    this.key = key;
    this.expectedRevision = expectedRevision;
    this.actualRevision = actualRevision;
  }

  private static String message(String key, long expected, long actual) {
    if (expected == 0) {
      return "already exists: " + key + " (revision " + actual + ")";
    }
    return "modified concurrently: "
        + key
        + " (expected revision "
        + expected
        + ", actual "
        + (actual == 0 ? "absent" : Long.toString(actual))
        + ")";
  }

  /** Returns the key written. */
  public String key() {
    return key;
  }

  /** Returns the modification revision the write expected; {@code 0} for a create. */
  public long expectedRevision() {
    return expectedRevision;
  }

  /** Returns the key's modification revision in the store; {@code 0} if the key is absent. */
  public long actualRevision() {
    return actualRevision;
  }
}
