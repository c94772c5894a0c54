package cloud.krake.testing;

import static cloud.krake.testing.StoreContract.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StoreContract} for a store with a server process, plus one test: a watch survives a
 * restart of the server with no event lost or repeated. {@code EtcdStoreIT} extends it:
 *
 * <pre>{@code
 * class MyStoreIT extends ServerStoreContract {
 *   @Override
 *   protected Store createStore() {
 *     return new MyStore(server.endpoint());
 *   }
 *
 *   @Override
 *   protected void restartServer() {
 *     server.stop();
 *     server.start();
 *   }
 * }
 * }</pre>
 *
 * <p>A store without a server process extends {@link StoreContract} itself: it has no restart to
 * survive, and nothing of the suite is skipped.
 */
public abstract class ServerStoreContract extends StoreContract {

  /**
   * Stops the store's server process and starts it again with the same data (same ports, same data
   * directory), returning once it serves requests again. Called from the test thread.
   */
  protected abstract void restartServer();

  @Test
  void watchResumesAfterServerRestartWithNoEventLostOrRepeated() {
    long start = store().revision() + 1;
    RecordingWatchListener listener = new RecordingWatchListener();
    List<Long> written = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      written.add(store().create(prefix() + "before" + i, bytes("v")).modRevision());
    }
    watch(prefix(), start, listener);
    await().atMost(AWAIT).until(() -> listener.count() == 10);

    restartServer();
    for (int i = 0; i < 10; i++) {
      written.add(store().create(prefix() + "after" + i, bytes("v")).modRevision());
    }

    await().atMost(AWAIT).until(() -> listener.count() >= 20);
    // A repeated event would arrive after the 20th: the count must stay at 20 for a while.
    await().during(Duration.ofMillis(500)).atMost(AWAIT).until(() -> listener.count() == 20);
    assertThat(listener.events())
        .extracting(WatchEvent::revision)
        .containsExactlyElementsOf(written);
    assertThat(listener.closed()).isEmpty();
  }
}
