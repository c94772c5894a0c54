package cloud.krake.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.CompactedException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchEvent.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The watch and compaction part of {@link StoreContract}: ordered delivery of every revision,
 * replay from a past revision, prefixes, deletes, closing, listener failures, many watchers, and
 * what a compacted revision does to watches and lists. Package-private; run through {@link
 * StoreContract}.
 */
abstract class StoreWatchContract extends StoreContractFixture {

  // ---------------------------------------------------------------- watch

  @Test
  void watchDeliversEveryRevisionInOrder() {
    long start = store.revision() + 1;
    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix, start, listener);

    List<Long> written = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      KeyValue kv = store.create(prefix + "k" + i, bytes("v" + i));
      written.add(kv.modRevision());
      KeyValue kv2 = store.update(prefix + "k" + i, bytes("w" + i), kv.modRevision());
      written.add(kv2.modRevision());
      if (i % 5 == 0) {
        written.add(store.delete(prefix + "k" + i, kv2.modRevision()));
      }
    }

    await().atMost(AWAIT).until(() -> listener.count() >= written.size());
    List<WatchEvent> events = listener.events();
    assertThat(events).extracting(WatchEvent::revision).containsExactlyElementsOf(written);
    assertThat(events.get(0).type()).isEqualTo(Type.ADDED);
    assertThat(events.get(1).type()).isEqualTo(Type.MODIFIED);
    assertThat(events.get(2).type()).isEqualTo(Type.DELETED);
    assertThat(events.get(1).kv().valueAsString()).isEqualTo("w0");
  }

  @Test
  void watchFromPastRevisionReplaysHistoryThenFollows() {
    KeyValue a = store.create(prefix + "a", bytes("1"));
    KeyValue b = store.create(prefix + "b", bytes("1"));
    RecordingWatchListener listener = new RecordingWatchListener();

    watch(prefix, a.modRevision(), listener);
    KeyValue c = store.create(prefix + "c", bytes("1"));

    await().atMost(AWAIT).until(() -> listener.count() >= 3);
    assertThat(listener.events()).extracting(WatchEvent::kv).containsExactly(a, b, c);
  }

  @Test
  void watchFromRevisionZeroDeliversOnlyLaterChanges() {
    store.create(prefix + "before", bytes("1"));
    RecordingWatchListener listener = new RecordingWatchListener();

    watch(prefix, 0, listener);
    KeyValue after = store.create(prefix + "after", bytes("1"));

    await().atMost(AWAIT).until(() -> listener.count() >= 1);
    assertThat(listener.events()).extracting(WatchEvent::kv).containsExactly(after);
  }

  @Test
  void watchSeesOnlyItsPrefix() {
    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix + "in/", store.revision() + 1, listener);

    store.create(prefix + "out/x", bytes("1"));
    store.create(prefix + "inside", bytes("1"));
    KeyValue in = store.create(prefix + "in/x", bytes("1"));
    KeyValue marker = store.create(prefix + "in/y", bytes("1"));

    await().atMost(AWAIT).until(() -> listener.count() >= 2);
    assertThat(listener.events()).extracting(WatchEvent::kv).containsExactly(in, marker);
  }

  @Test
  void deletesAreSeenByWatchersWithTheLastValue() {
    KeyValue created = store.create(prefix + "a", bytes("1"));
    KeyValue updated = store.update(prefix + "a", bytes("last"), created.modRevision());
    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix, updated.modRevision() + 1, listener);

    long deletedAt = store.delete(prefix + "a", updated.modRevision());

    await().atMost(AWAIT).until(() -> listener.count() >= 1);
    WatchEvent event = listener.events().get(0);
    assertThat(event.type()).isEqualTo(Type.DELETED);
    assertThat(event.key()).isEqualTo(prefix + "a");
    assertThat(event.revision()).isEqualTo(deletedAt);
    assertThat(event.kv().valueAsString()).isEqualTo("last");
    assertThat(event.kv().createRevision()).isEqualTo(created.createRevision());
  }

  @Test
  void closedWatchReceivesNothingMore() {
    RecordingWatchListener listener = new RecordingWatchListener();
    Watch watch = watch(prefix, 0, listener);
    RecordingWatchListener marker = new RecordingWatchListener();
    watch(prefix, 0, marker);

    store.create(prefix + "a", bytes("1"));
    await().atMost(AWAIT).until(() -> listener.count() == 1 && marker.count() == 1);
    watch.close();
    watch.close();
    store.create(prefix + "b", bytes("1"));

    await().atMost(AWAIT).until(() -> marker.count() == 2);
    assertThat(listener.count()).isEqualTo(1);
  }

  @Test
  void listenerFailureDoesNotEndTheWatch() {
    RecordingWatchListener recorder = new RecordingWatchListener();
    AtomicInteger calls = new AtomicInteger();
    Watch watch =
        store.watch(
            prefix,
            0,
            event -> {
              recorder.onEvent(event);
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("listener failure in a test");
              }
            });
    watches.add(watch);

    store.create(prefix + "a", bytes("1"));
    store.create(prefix + "b", bytes("1"));

    await().atMost(AWAIT).until(() -> recorder.count() == 2);
  }

  @Test
  void manyWatchersEachSeeEveryEvent() {
    List<RecordingWatchListener> listeners =
        IntStream.range(0, 5).mapToObj(i -> new RecordingWatchListener()).toList();
    long start = store.revision() + 1;
    listeners.forEach(l -> watch(prefix, start, l));

    for (int i = 0; i < 20; i++) {
      store.create(prefix + "k" + i, bytes("v"));
    }

    await().atMost(AWAIT).until(() -> listeners.stream().allMatch(l -> l.count() == 20));
    Set<List<Long>> sequences =
        listeners.stream()
            .map(l -> l.events().stream().map(WatchEvent::revision).toList())
            .collect(Collectors.toCollection(HashSet::new));
    assertThat(sequences).hasSize(1);
  }

  // ---------------------------------------------------------------- compaction

  @Test
  void watchFromCompactedRevisionSignalsRelist() {
    KeyValue first = store.create(prefix + "a", bytes("1"));
    KeyValue second = store.update(prefix + "a", bytes("2"), first.modRevision());
    store.update(prefix + "a", bytes("3"), second.modRevision());
    long compactTo = store.revision();
    store.compact(compactTo);

    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix, first.modRevision(), listener);

    await().atMost(AWAIT).until(() -> listener.compacted().isPresent());
    assertThat(listener.compacted().getAsLong()).isEqualTo(compactTo);
    assertThat(listener.events()).isEmpty();
    assertThat(store.get(prefix + "a").orElseThrow().valueAsString()).isEqualTo("3");
  }

  @Test
  void listAtCompactedRevisionFails() {
    KeyValue first = store.create(prefix + "a", bytes("1"));
    store.update(prefix + "a", bytes("2"), first.modRevision());
    long compactTo = store.revision();
    store.compact(compactTo);

    assertThatThrownBy(() -> store.list(prefix, new PageRequest(10, "", first.modRevision())))
        .isInstanceOf(CompactedException.class);
    assertThat(store.list(prefix, new PageRequest(10, "", compactTo)).items()).hasSize(1);
  }

  @Test
  void compactingAgainAtAnOlderRevisionIsANoOp() {
    KeyValue first = store.create(prefix + "a", bytes("1"));
    store.update(prefix + "a", bytes("2"), first.modRevision());
    store.compact(store.revision());

    long compacted = store.revision();

    store.compact(first.modRevision());

    assertThat(store.list(prefix, new PageRequest(10, "", compacted)).items())
        .singleElement()
        .satisfies(kv -> assertThat(kv.valueAsString()).isEqualTo("2"));
    assertThatThrownBy(() -> store.list(prefix, new PageRequest(10, "", first.modRevision())))
        .isInstanceOf(CompactedException.class);
    assertThatThrownBy(() -> store.compact(store.revision() + 1000))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
