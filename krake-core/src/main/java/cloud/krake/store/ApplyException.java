package cloud.krake.store;

import cloud.krake.KrakeException;
import java.util.Objects;

/**
 * A declarative apply ({@link DeclarativeApply}) that failed after it had started writing: every
 * document was valid when checked, but writing one of them failed (the store became unreachable, a
 * concurrent writer made it invalid, the compare-and-set kept losing). The documents before it were
 * applied ({@link #applied()}), it and those after it were not; applying the same input again
 * carries on (what was applied reports {@code UNCHANGED}). The cause is kept.
 */
public final class ApplyException extends KrakeException {

  private static final long serialVersionUID = 1L;

  /** What was applied before the failure; not serialised. */
  private final transient ApplyResult applied;

  private final int failedIndex;

  /**
   * Creates the exception.
   *
   * @param applied what was applied before the failure
   * @param failedIndex the index of the document whose write failed
   * @param cause the failure
   */
  public ApplyException(ApplyResult applied, int failedIndex, RuntimeException cause) {
    super(
        "apply failed at document ["
            + failedIndex
            + "] after "
            + applied.applied().size()
            + " document(s) were applied: "
            + cause.getMessage(),
        cause);
    this.applied = Objects.requireNonNull(applied, "applied");
    this.failedIndex = failedIndex;
  }

  /** Returns what was applied before the failure, in document order. */
  public ApplyResult applied() {
    return applied;
  }

  /** Returns the index of the document whose write failed. */
  public int failedIndex() {
    return failedIndex;
  }
}
