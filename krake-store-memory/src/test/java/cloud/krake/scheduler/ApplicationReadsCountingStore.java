package cloud.krake.scheduler;

import cloud.krake.store.KeyValue;
import cloud.krake.store.ResourceType;
import cloud.krake.store.Store;
import cloud.krake.testing.ForwardingStore;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test's store that counts the reads ({@link Store#get}) of applications' keys and forwards every
 * call. Thread-safe as its delegate is.
 */
class ApplicationReadsCountingStore extends ForwardingStore {

  private static final String APPLICATIONS = ResourceType.APPLICATION.keys().prefix();

  private final AtomicInteger gets = new AtomicInteger();

  ApplicationReadsCountingStore(Store delegate) {
    super(delegate);
  }

  /** How many applications have been read so far. */
  int applicationReads() {
    return gets.get();
  }

  @Override
  public Optional<KeyValue> get(String key) {
    if (key.startsWith(APPLICATIONS)) {
      gets.incrementAndGet();
    }
    return super.get(key);
  }
}
