package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.store.ConflictException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.memory.MemoryStore;
import org.junit.jupiter.api.Test;

class CountingStoreTest {

  private final MemoryStore backing = MemoryStore.create();
  private final CountingStore store = new CountingStore(backing);

  @Test
  void attributesAConflictToTheWriteThatLostAndTheLastWriteOfTheKeyThatWon() {
    KeyValue created = createdByTheController();
    winningUpdate(created.modRevision());

    assertThatThrownBy(() -> losingUpdate(created.modRevision()))
        .isInstanceOf(ConflictException.class);

    assertThat(store.counts())
        .containsEntry("conflicts", 1L)
        .containsEntry("update", 2L)
        .containsEntry(
            CountingStore.CONFLICT_PREFIX
                + "CountingStoreTest.losingUpdate < CountingStoreTest.winningUpdate",
            1L);
    StoreTraffic traffic = StoreTraffic.parse(cloud.krake.model.KrakeJson.write(store.counts()));
    assertThat(traffic.conflictsBySite())
        .containsExactly(
            java.util.Map.entry(
                "CountingStoreTest.losingUpdate < CountingStoreTest.winningUpdate", 1L));
    // the attribution is not a call: not in the total
    assertThat(traffic.groups()).containsEntry("total", 3L);
  }

  @Test
  void aWriteThatWonElsewhereIsAnotherInstancesAndALambdaIsNamedByItsMethod() {
    KeyValue created = backing.create("/apps/b", "v1".getBytes(UTF_8)); // not through this store
    backing.update("/apps/b", "v2".getBytes(UTF_8), created.modRevision());

    Runnable lambda = () -> store.update("/apps/b", "x".getBytes(UTF_8), created.modRevision());
    assertThatThrownBy(lambda::run).isInstanceOf(ConflictException.class);

    assertThat(store.counts())
        .containsEntry(
            CountingStore.CONFLICT_PREFIX
                + "CountingStoreTest.aWriteThatWonElsewhereIsAnotherInstancesAndALambdaIsNamedByItsMethod/lambda < "
                + CountingStore.UNKNOWN_WINNER,
            1L);
    assertThat(CountingStore.methodName("lambda$recordEnd$0")).isEqualTo("recordEnd/lambda");
    assertThat(CountingStore.methodName("recordEnd")).isEqualTo("recordEnd");
  }

  @Test
  void aDeletedKeyKeepsNoWriter() {
    KeyValue created = createdByTheController();
    store.delete("/apps/a", created.modRevision());
    KeyValue again = backing.create("/apps/a", "again".getBytes(UTF_8));
    backing.update("/apps/a", "v2".getBytes(UTF_8), again.modRevision());

    assertThatThrownBy(() -> losingUpdate(again.modRevision()))
        .isInstanceOf(ConflictException.class);

    assertThat(store.counts())
        .containsEntry(
            CountingStore.CONFLICT_PREFIX
                + "CountingStoreTest.losingUpdate < "
                + CountingStore.UNKNOWN_WINNER,
            1L);
  }

  @Test
  void aWinnerThatHasNotReturnedYetIsNamedAndAStoreDecoratorIsNoCallSite() throws Exception {
    java.util.concurrent.CountDownLatch applied = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    // a decorator (like the membership's fenced store) whose winning write has gone through the
    // store but not returned yet
    cloud.krake.testing.ForwardingStore slow =
        new cloud.krake.testing.ForwardingStore(backing) {
          @Override
          public KeyValue update(String key, byte[] value, long expectedRevision) {
            KeyValue kv = super.update(key, value, expectedRevision);
            if (Thread.currentThread().getName().equals("winner")) {
              applied.countDown();
              try {
                release.await(1, java.util.concurrent.TimeUnit.MINUTES);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return kv;
          }
        };
    CountingStore counting = new CountingStore(slow);
    KeyValue created = backing.create("/apps/c", "v1".getBytes(UTF_8));
    Thread winner = new Thread(() -> slowWinner(counting, created.modRevision()), "winner");
    winner.start();
    assertThat(applied.await(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();

    assertThatThrownBy(
            () -> counting.update("/apps/c", "v3".getBytes(UTF_8), created.modRevision()))
        .isInstanceOf(ConflictException.class);
    release.countDown();
    winner.join(java.util.concurrent.TimeUnit.MINUTES.toMillis(1));

    assertThat(new StoreTraffic(counting.counts()).conflictsBySite().keySet())
        .containsExactly(
            "CountingStoreTest.aWinnerThatHasNotReturnedYetIsNamedAndAStoreDecoratorIsNoCallSite/lambda"
                + " < CountingStoreTest.slowWinner");
  }

  private static void slowWinner(CountingStore store, long revision) {
    store.update("/apps/c", "v2".getBytes(UTF_8), revision);
  }

  private KeyValue createdByTheController() {
    return store.create("/apps/a", "v1".getBytes(UTF_8));
  }

  private void winningUpdate(long revision) {
    store.update("/apps/a", "v2".getBytes(UTF_8), revision);
  }

  private void losingUpdate(long revision) {
    store.update("/apps/a", "v3".getBytes(UTF_8), revision);
  }
}
