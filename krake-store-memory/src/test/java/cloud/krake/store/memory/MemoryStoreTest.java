package cloud.krake.store.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.CompactedException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.testing.RecordingWatchListener;
import cloud.krake.testing.StoreContract;
import org.junit.jupiter.api.Test;

class MemoryStoreTest extends StoreContract {

  @Override
  protected Store createStore() {
    return MemoryStore.create();
  }

  @Test
  void compactsHistoryAutomaticallyBeyondTheRetainedRevisions() {
    try (MemoryStore small = MemoryStore.builder().retainedRevisions(10).build()) {
      KeyValue kv = small.create("/k", "0".getBytes(UTF_8));
      long first = kv.modRevision();
      for (int i = 1; i <= 100; i++) {
        kv = small.update("/k", Integer.toString(i).getBytes(UTF_8), kv.modRevision());
      }

      assertThatThrownBy(() -> small.list("/", new PageRequest(1, "", first)))
          .isInstanceOf(CompactedException.class);
      assertThat(small.list("/", new PageRequest(1, "", kv.modRevision() - 9)).items())
          .singleElement()
          .satisfies(old -> assertThat(old.valueAsString()).isEqualTo("91"));
      RecordingWatchListener listener = new RecordingWatchListener();
      small.watch("/", first, listener);
      await().atMost(AWAIT).until(() -> listener.compacted().isPresent());
    }
  }

  @Test
  void rejectsNonPositiveRetainedRevisions() {
    assertThatThrownBy(() -> MemoryStore.builder().retainedRevisions(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retainedRevisions");
  }

  @Test
  void ordersKeysByTheirUtf8Bytes() {
    try (MemoryStore store = MemoryStore.create()) {
      String bmpHigh = "/k/\uFF21"; // U+FF21: UTF-8 EF BC A1
      String supplementary = "/k/\uD83D\uDE00"; // U+1F600: UTF-8 F0 9F 98 80
      store.create(supplementary, new byte[0]);
      store.create(bmpHigh, new byte[0]);

      assertThat(store.listAll("/k/"))
          .extracting(KeyValue::key)
          .containsExactly(bmpHigh, supplementary);
    }
  }
}
