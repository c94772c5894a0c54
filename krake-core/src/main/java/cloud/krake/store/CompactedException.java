package cloud.krake.store;

import cloud.krake.KrakeException;

/**
 * A read asked for a revision older than the store keeps: the history up to {@link
 * #compactRevision()} was compacted. A paged list that started before the compaction must start
 * again from the first page; a watcher gets the same news through {@link
 * WatchListener#onCompacted(long)} and re-lists.
 */
public class CompactedException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final long compactRevision;

  /**
   * Creates the exception.
   *
   * @param requestedRevision the revision that was asked for
   * @param compactRevision the oldest revision the store still serves
   */
  public CompactedException(long requestedRevision, long compactRevision) {
    super(
        "revision "
            + requestedRevision
            + " has been compacted; the oldest available revision is "
            + compactRevision);
    this.compactRevision = compactRevision;
  }

  /** Returns the oldest revision the store still serves. */
  public long compactRevision() {
    return compactRevision;
  }
}
