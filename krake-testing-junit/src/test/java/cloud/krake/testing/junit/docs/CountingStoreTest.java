package cloud.krake.testing.junit.docs;

import cloud.krake.store.KeyValue;
import cloud.krake.store.Store;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ForwardingStore;
import cloud.krake.testing.StoreContract;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;

/** The example of docs/testing.md: {@code StoreContract} for a store of your own. */
// tag::store-contract[]
class CountingStoreTest extends StoreContract {

  /** "Your" store: counts writes, keeps the data in a MemoryStore. */
  static final class CountingStore extends ForwardingStore {
    final AtomicLong writes = new AtomicLong();
    private final MemoryStore memory;

    CountingStore(MemoryStore memory) {
      super(memory);
      this.memory = memory;
    }

    @Override
    public KeyValue create(String key, byte[] value) {
      writes.incrementAndGet();
      return super.create(key, value);
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedRevision) {
      writes.incrementAndGet();
      return super.update(key, value, expectedRevision);
    }

    @Override
    public void close() {
      memory.close();
    }
  }

  private CountingStore store;

  @Override
  protected Store createStore() {
    store = new CountingStore(MemoryStore.create());
    return store;
  }

  @AfterEach
  void closeTheMemory() {
    store.close();
  }
}
// end::store-contract[]
