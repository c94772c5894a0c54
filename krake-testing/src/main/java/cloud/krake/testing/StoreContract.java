package cloud.krake.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.CompactedException;
import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchEvent.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The behaviour every {@link Store} must have, as one abstract JUnit 5 suite. {@code
 * MemoryStoreTest} and {@code EtcdStoreIT} extend it; so should a third-party store:
 *
 * <pre>{@code
 * class MyStoreTest extends StoreContract {
 *   @Override
 *   protected Store createStore() {
 *     return new MyStore(...);
 *   }
 * }
 * }</pre>
 *
 * <p>Each test gets a store from {@link #createStore()} and closes it afterwards. The stores may
 * share one backend (one etcd server for the whole class): every test writes only under its own
 * unique key prefix ({@link #prefix()}), and the compaction test compacts only revisions written by
 * itself. A store with a server process extends {@link ServerStoreContract} instead, which adds the
 * "watch survives a server restart" test.
 *
 * <p>Waits use Awaitility with a generous bound ({@link #AWAIT}); nothing sleeps.
 *
 * <p>The suite's assertions are AssertJ's and its waits Awaitility's, which {@code krake-testing}
 * declares optional (as it declares JUnit {@code provided}): a project that extends this class has
 * JUnit Jupiter, AssertJ and Awaitility on its test classpath, at versions of its own choosing;
 * without them a test fails with a {@link NoClassDefFoundError} naming the missing class.
 */
public abstract class StoreContract {

  /** The bound of every asynchronous wait in this suite. */
  protected static final Duration AWAIT = Duration.ofSeconds(60);

  private Store store;
  private String prefix;
  private final List<Watch> watches = new ArrayList<>();

  /**
   * Returns a new store for one test. Called before each test; the suite closes it after the test.
   */
  protected abstract Store createStore();

  /** Returns the store under test. */
  protected final Store store() {
    return store;
  }

  /** Returns the unique key prefix of the running test, ending with {@code /}. */
  protected final String prefix() {
    return prefix;
  }

  @BeforeEach
  final void openStore(TestInfo info) {
    String method = info.getTestMethod().map(m -> m.getName()).orElse("test");
    prefix = "/contract/" + method + "-" + UUID.randomUUID().toString().substring(0, 8) + "/";
    store = createStore();
  }

  @AfterEach
  final void closeStore() {
    watches.forEach(Watch::close);
    store.close();
  }

  /** Opens a watch that the suite closes after the test. */
  Watch watch(String watchPrefix, long fromRevision, RecordingWatchListener listener) {
    Watch watch = store.watch(watchPrefix, fromRevision, listener);
    watches.add(watch);
    return watch;
  }

  static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  // ---------------------------------------------------------------- get / create / update / delete

  @Test
  void getOfMissingKeyIsEmpty() {
    assertThat(store.get(prefix + "missing")).isEmpty();
  }

  @Test
  void createStoresDocumentAtVersionOne() {
    KeyValue created = store.create(prefix + "a", bytes("{\"n\":1}"));

    assertThat(created.key()).isEqualTo(prefix + "a");
    assertThat(created.version()).isEqualTo(1);
    assertThat(created.createRevision()).isEqualTo(created.modRevision()).isPositive();
    assertThat(store.get(prefix + "a")).contains(created);
    assertThat(store.revision()).isGreaterThanOrEqualTo(created.modRevision());
  }

  @Test
  void createOfExistingKeyConflictsWithTheExistingRevision() {
    KeyValue created = store.create(prefix + "a", bytes("1"));

    assertThatThrownBy(() -> store.create(prefix + "a", bytes("2")))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> {
              assertThat(e.key()).isEqualTo(prefix + "a");
              assertThat(e.expectedRevision()).isZero();
              assertThat(e.actualRevision()).isEqualTo(created.modRevision());
            });
    assertThat(store.get(prefix + "a").orElseThrow().valueAsString()).isEqualTo("1");
  }

  @Test
  void updateWithCurrentRevisionReplacesDocument() {
    KeyValue created = store.create(prefix + "a", bytes("1"));

    KeyValue updated = store.update(prefix + "a", bytes("2"), created.modRevision());

    assertThat(updated.modRevision()).isGreaterThan(created.modRevision());
    assertThat(updated.createRevision()).isEqualTo(created.createRevision());
    assertThat(updated.version()).isEqualTo(2);
    assertThat(store.get(prefix + "a")).contains(updated);
    assertThat(updated.valueAsString()).isEqualTo("2");
  }

  @Test
  void updateWithStaleRevisionConflictsAndKeepsDocument() {
    KeyValue created = store.create(prefix + "a", bytes("1"));
    KeyValue updated = store.update(prefix + "a", bytes("2"), created.modRevision());

    assertThatThrownBy(() -> store.update(prefix + "a", bytes("3"), created.modRevision()))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> {
              assertThat(e.expectedRevision()).isEqualTo(created.modRevision());
              assertThat(e.actualRevision()).isEqualTo(updated.modRevision());
            });
    assertThat(store.get(prefix + "a").orElseThrow().valueAsString()).isEqualTo("2");
  }

  @Test
  void updateOfMissingKeyConflictsWithActualRevisionZero() {
    assertThatThrownBy(() -> store.update(prefix + "missing", bytes("1"), 5))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.actualRevision()).isZero());
    assertThat(store.get(prefix + "missing")).isEmpty();
  }

  @Test
  void updateAndDeleteRejectNonPositiveExpectedRevision() {
    store.create(prefix + "a", bytes("1"));

    assertThatThrownBy(() -> store.update(prefix + "a", bytes("2"), 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.delete(prefix + "a", -1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deleteWithCurrentRevisionRemovesDocument() {
    KeyValue created = store.create(prefix + "a", bytes("1"));

    long deletedAt = store.delete(prefix + "a", created.modRevision());

    assertThat(deletedAt).isGreaterThan(created.modRevision());
    assertThat(store.get(prefix + "a")).isEmpty();
    KeyValue recreated = store.create(prefix + "a", bytes("again"));
    assertThat(recreated.version()).isEqualTo(1);
    assertThat(recreated.createRevision()).isGreaterThan(deletedAt);
  }

  @Test
  void deleteWithStaleRevisionConflictsAndKeepsDocument() {
    KeyValue created = store.create(prefix + "a", bytes("1"));
    store.update(prefix + "a", bytes("2"), created.modRevision());

    assertThatThrownBy(() -> store.delete(prefix + "a", created.modRevision()))
        .isInstanceOf(ConflictException.class);
    assertThatThrownBy(() -> store.delete(prefix + "missing", 3))
        .isInstanceOfSatisfying(
            ConflictException.class, e -> assertThat(e.actualRevision()).isZero());
    assertThat(store.get(prefix + "a")).isPresent();
  }

  @Test
  void everyWriteIncreasesTheStoreRevision() {
    long before = store.revision();
    KeyValue a = store.create(prefix + "a", bytes("1"));
    KeyValue b = store.create(prefix + "b", bytes("1"));
    KeyValue a2 = store.update(prefix + "a", bytes("2"), a.modRevision());
    long deleted = store.delete(prefix + "b", b.modRevision());

    assertThat(List.of(before, a.modRevision(), b.modRevision(), a2.modRevision(), deleted))
        .isSorted()
        .doesNotHaveDuplicates();
    assertThat(store.revision()).isGreaterThanOrEqualTo(deleted);
  }

  @Test
  void keysMayContainKrakeNameCharacters() {
    List<String> names =
        List.of("my-app", "my_app", "my.app", "ns:app", "a", "A-1.b_2:c", "x".repeat(255));
    for (String name : names) {
      store.create(prefix + "ns-1/" + name, bytes(name));
    }

    for (String name : names) {
      assertThat(store.get(prefix + "ns-1/" + name).orElseThrow().valueAsString()).isEqualTo(name);
    }
    assertThat(store.listAll(prefix + "ns-1/")).hasSize(names.size());
  }

  @Test
  void storesOneMebibyteDocument() {
    byte[] big = new byte[1024 * 1024];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ('a' + i % 26);
    }
    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix, 0, listener);

    KeyValue created = store.create(prefix + "big", big);

    assertThat(store.get(prefix + "big").orElseThrow().value()).isEqualTo(big);
    assertThat(created.valueSize()).isEqualTo(big.length);
    await().atMost(AWAIT).until(() -> listener.count() == 1);
    assertThat(listener.events().get(0).kv().value()).isEqualTo(big);
  }

  @Test
  void writesApplicationSizedDocumentsOneRevisionAfterAnother() {
    byte[] running = SampleDocuments.runningApplication();
    byte[] failed =
        new String(running, UTF_8)
            .replace("\"state\":\"RUNNING\"", "\"state\":\"FAILED\"")
            .getBytes(UTF_8);
    assertThat(running.length).isGreaterThan(23 * 1024);
    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix, 0, listener);

    KeyValue kv = store.create(prefix + "app", running);
    for (int i = 0; i < 20; i++) {
      kv = store.update(kv.key(), i % 2 == 0 ? failed : running, kv.modRevision());
    }

    assertThat(kv.version()).isEqualTo(21);
    assertThat(store.get(prefix + "app").orElseThrow().value()).isEqualTo(running);
    await().atMost(AWAIT).until(() -> listener.count() == 21);
    assertThat(listener.events().get(1).kv().value()).isEqualTo(failed);
    assertThat(listener.events().get(20).kv().value()).isEqualTo(running);
  }

  @Test
  void storesArbitraryBytes() {
    byte[] value = new byte[256];
    for (int i = 0; i < value.length; i++) {
      value[i] = (byte) i;
    }

    store.create(prefix + "binary", value);

    assertThat(store.get(prefix + "binary").orElseThrow().value()).isEqualTo(value);
  }

  // ---------------------------------------------------------------- compare-and-set under
  // contention

  @Test
  void compareAndSetUnderContentionLosesNoIncrement() throws Exception {
    int threads = 8;
    int incrementsPerThread = 1_000;
    String key = prefix + "counter";
    store.create(key, bytes("0"));
    AtomicInteger conflicts = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      Callable<Void> incrementer =
          () -> {
            for (int done = 0; done < incrementsPerThread; ) {
              KeyValue current = store.get(key).orElseThrow();
              int next = Integer.parseInt(current.valueAsString()) + 1;
              try {
                store.update(key, bytes(Integer.toString(next)), current.modRevision());
                done++;
              } catch (ConflictException e) {
                conflicts.incrementAndGet();
              }
            }
            return null;
          };
      List<Future<Void>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(incrementer));
      }
      for (Future<Void> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }

    KeyValue counter = store.get(key).orElseThrow();
    assertThat(counter.valueAsString()).isEqualTo(Integer.toString(threads * incrementsPerThread));
    assertThat(counter.version()).isEqualTo(threads * incrementsPerThread + 1L);
  }

  // ---------------------------------------------------------------- listing and paging

  @Test
  void listReturnsOnlyKeysUnderThePrefixInKeyOrder() {
    store.create(prefix + "b/2", bytes("b2"));
    store.create(prefix + "a/1", bytes("a1"));
    store.create(prefix + "a/2", bytes("a2"));
    store.create(prefix + "a0", bytes("a0"));

    List<String> keys = keys(store.listAll(prefix + "a/"));

    assertThat(keys).containsExactly(prefix + "a/1", prefix + "a/2");
    assertThat(keys(store.listAll(prefix)))
        .containsExactly(prefix + "a/1", prefix + "a/2", prefix + "a0", prefix + "b/2");
    assertThat(store.listAll(prefix + "nothing/")).isEmpty();
  }

  @Test
  void pagingOverTenThousandKeysSeesEachKeyOnceAtOneRevision() throws Exception {
    int total = 10_000;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int start = t;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = start; i < total; i += 4) {
                    store.create(prefix + String.format("k%05d", i), bytes(Integer.toString(i)));
                  }
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> seen = new ArrayList<>();
    Optional<PageRequest> next = Optional.of(PageRequest.first(999));
    long snapshot = -1;
    int pages = 0;
    while (next.isPresent()) {
      Page page = store.list(prefix, next.get());
      if (snapshot < 0) {
        snapshot = page.revision();
        // Written after the first page: must not appear in the snapshot.
        store.create(prefix + "k99999", bytes("late"));
        store.create(prefix + "k00000x", bytes("late"));
      } else {
        assertThat(page.revision()).isEqualTo(snapshot);
      }
      assertThat(page.items()).hasSizeLessThanOrEqualTo(999);
      seen.addAll(keys(page.items()));
      next = page.next();
      pages++;
    }

    assertThat(pages).isEqualTo(11);
    assertThat(seen).hasSize(total).doesNotHaveDuplicates().isSorted();
    assertThat(seen.get(0)).isEqualTo(prefix + "k00000");
    assertThat(seen.get(total - 1)).isEqualTo(prefix + "k09999");
    assertThat(store.listAll(prefix)).hasSize(total + 2);
  }

  @Test
  void listAtAnOlderRevisionShowsThatSnapshot() {
    KeyValue a = store.create(prefix + "a", bytes("1"));
    store.update(prefix + "a", bytes("2"), a.modRevision());
    store.create(prefix + "b", bytes("1"));

    Page old = store.list(prefix, new PageRequest(10, "", a.modRevision()));

    assertThat(old.revision()).isEqualTo(a.modRevision());
    assertThat(old.items()).containsExactly(a);
  }

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

  // ---------------------------------------------------------------- close

  @Test
  void closedStoreRejectsCallsAndEndsWatches() {
    RecordingWatchListener listener = new RecordingWatchListener();
    watch(prefix, 0, listener);

    store.close();
    store.close();

    assertThatThrownBy(() -> store.get(prefix + "a")).isInstanceOf(StoreUnavailableException.class);
    assertThatThrownBy(() -> store.create(prefix + "a", bytes("1")))
        .isInstanceOf(StoreUnavailableException.class);
    await().atMost(AWAIT).until(() -> listener.closed().isPresent());
  }

  private static List<String> keys(List<KeyValue> kvs) {
    return kvs.stream().map(KeyValue::key).toList();
  }
}
