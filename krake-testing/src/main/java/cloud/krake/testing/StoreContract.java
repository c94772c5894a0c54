package cloud.krake.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

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
 * <p>Waits use Awaitility with a generous bound ({@link #AWAIT}); nothing sleeps. Leases expire on
 * the store's time: a store on a manual clock overrides {@link #passTime(java.time.Duration)} to
 * advance it; a store on real time (etcd) keeps the default and the suite awaits the expiry.
 *
 * <p>The suite's assertions are AssertJ's and its waits Awaitility's, which {@code krake-testing}
 * declares optional (as it declares JUnit {@code provided}): a project that extends this class has
 * JUnit Jupiter, AssertJ and Awaitility on its test classpath, at versions of its own choosing;
 * without them a test fails with a {@link NoClassDefFoundError} naming the missing class.
 */
public abstract class StoreContract extends StoreLeaseContract {

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
}
