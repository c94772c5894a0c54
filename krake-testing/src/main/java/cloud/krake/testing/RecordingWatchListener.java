package cloud.krake.testing;

import cloud.krake.KrakeException;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link WatchListener} that records what it receives, for assertions in tests. Thread-safe: the
 * store's watch thread records, the test thread reads snapshots (combine with Awaitility to wait).
 */
public final class RecordingWatchListener implements WatchListener {

  // Guarded by this.
  private final List<WatchEvent> events = new ArrayList<>();
  private long compactRevision = -1;
  private KrakeException closedCause;

  @Override
  public synchronized void onEvent(WatchEvent event) {
    events.add(event);
  }

  @Override
  public synchronized void onCompacted(long compactRevision) {
    this.compactRevision = compactRevision;
  }

  @Override
  public synchronized void onClosed(KrakeException cause) {
    this.closedCause = cause;
  }

  /** Returns a snapshot of the events received so far, in the order received. */
  public synchronized List<WatchEvent> events() {
    return List.copyOf(events);
  }

  /** Returns how many events were received so far. */
  public synchronized int count() {
    return events.size();
  }

  /** Returns the compact revision passed to {@link #onCompacted}, if it was called. */
  public synchronized OptionalLong compacted() {
    return compactRevision < 0 ? OptionalLong.empty() : OptionalLong.of(compactRevision);
  }

  /** Returns the cause passed to {@link #onClosed}, if it was called. */
  public synchronized Optional<KrakeException> closed() {
    return Optional.ofNullable(closedCause);
  }
}
