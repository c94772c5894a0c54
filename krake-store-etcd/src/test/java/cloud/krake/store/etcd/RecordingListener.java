package cloud.krake.store.etcd;

import cloud.krake.KrakeException;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchListener;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Records what a watch delivers, and on which threads. */
final class RecordingListener implements WatchListener {
  final List<WatchEvent> events = new CopyOnWriteArrayList<>();
  final List<String> threads = new CopyOnWriteArrayList<>();
  final AtomicLong compacted = new AtomicLong();
  final AtomicReference<KrakeException> closed = new AtomicReference<>();

  @Override
  public void onEvent(WatchEvent event) {
    threads.add(Thread.currentThread().getName());
    events.add(event);
  }

  @Override
  public void onCompacted(long compactRevision) {
    compacted.set(compactRevision);
  }

  @Override
  public void onClosed(KrakeException cause) {
    closed.set(cause);
  }

  Optional<KrakeException> closedCause() {
    return Optional.ofNullable(closed.get());
  }

  List<String> summary() {
    return events.stream().map(e -> e.type() + " " + e.key() + "@" + e.revision()).toList();
  }
}
