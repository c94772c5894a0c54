package cloud.krake.store.memory;

import cloud.krake.store.WatchEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A {@link MemoryStore}'s log of writes since its compaction revision, in revision order: the
 * events a watch replays, with each write's size and time, from which the bounds by bytes and by
 * age decide how far to compact. Guarded by the store's lock.
 */
final class EventLog {

  /** The size ({@code bytes}: key and value) and time of one logged write. */
  private record Logged(int bytes, Instant at) {}

  private final long retainedBytes;
  private final Duration retainedAge;
  private final List<WatchEvent> events = new ArrayList<>(); // revision order, for replay
  private final List<Logged> logged = new ArrayList<>(); // parallel to events: size and time
  private long loggedBytes; // sum of logged's bytes

  EventLog(long retainedBytes, Duration retainedAge) {
    this.retainedBytes = retainedBytes;
    this.retainedAge = retainedAge;
  }

  /** Appends a write of {@code bytes} (key and value) made at {@code at}. */
  void append(WatchEvent event, int bytes, Instant at) {
    events.add(event);
    logged.add(new Logged(bytes, at));
    loggedBytes += bytes;
  }

  /**
   * The revision to compact to once the log holds more than twice {@code retainedBytes}, or a write
   * older than twice {@code retainedAge}: the oldest revision that keeps the log within its bound
   * (the newest write always stays, whatever its size or age); empty while within both.
   */
  OptionalLong overBound(Instant now) {
    long to = 0;
    int start = 0; // the first write kept by the bound by bytes; the bound by age looks from there
    if (loggedBytes > 2 * retainedBytes) {
      int i = logged.size() - 1;
      long kept = logged.get(i).bytes();
      while (i > 0 && kept + logged.get(i - 1).bytes() <= retainedBytes) {
        kept += logged.get(--i).bytes();
      }
      start = i;
      to = events.get(i).revision();
    }
    if (start < logged.size()
        && logged.get(start).at().isBefore(now.minus(retainedAge.multipliedBy(2)))) {
      Instant cutoff = now.minus(retainedAge);
      int i = start;
      while (i < logged.size() - 1 && logged.get(i).at().isBefore(cutoff)) {
        i++;
      }
      to = events.get(i).revision();
    }
    return to == 0 ? OptionalLong.empty() : OptionalLong.of(to);
  }

  /** Drops the writes before revision {@code to}. */
  void dropBefore(long to) {
    int drop = indexAtOrAfter(to);
    events.subList(0, drop).clear();
    List<Logged> dropped = logged.subList(0, drop);
    for (Logged l : dropped) {
      loggedBytes -= l.bytes();
    }
    dropped.clear();
  }

  /** The logged events at and after revision {@code from}, in revision order (a view). */
  List<WatchEvent> from(long from) {
    return events.subList(indexAtOrAfter(from), events.size());
  }

  void clear() {
    events.clear();
    logged.clear();
    loggedBytes = 0;
  }

  /** Binary search in the revision-ordered log. */
  private int indexAtOrAfter(long from) {
    int lo = 0;
    int hi = events.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (events.get(mid).revision() < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
