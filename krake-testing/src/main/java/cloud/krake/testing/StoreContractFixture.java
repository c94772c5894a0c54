package cloud.krake.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.store.KeyValue;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * The fixture of {@link StoreContract}: a store per test from {@link #createStore()}, a unique key
 * prefix per test, and the watches the suite closes after it. Package-private; its protected
 * members are part of {@link StoreContract}'s API.
 */
abstract class StoreContractFixture {

  /** The bound of every asynchronous wait in this suite. */
  protected static final Duration AWAIT = Duration.ofSeconds(60);

  Store store;
  String prefix;
  final List<Watch> watches = new ArrayList<>();

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

  static List<String> keys(List<KeyValue> kvs) {
    return kvs.stream().map(KeyValue::key).toList();
  }
}
