package cloud.krake.k8s.e2e;

import cloud.krake.store.KeyValue;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import java.util.Optional;

/** A store that forwards every call; tests override what they interfere with. */
class ForwardingStore implements Store {

  protected final Store delegate;

  ForwardingStore(Store delegate) {
    this.delegate = delegate;
  }

  @Override
  public Optional<KeyValue> get(String key) {
    return delegate.get(key);
  }

  @Override
  public Page list(String prefix, PageRequest request) {
    return delegate.list(prefix, request);
  }

  @Override
  public KeyValue create(String key, byte[] value) {
    return delegate.create(key, value);
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision) {
    return delegate.update(key, value, expectedRevision);
  }

  @Override
  public long delete(String key, long expectedRevision) {
    return delegate.delete(key, expectedRevision);
  }

  @Override
  public long revision() {
    return delegate.revision();
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    return delegate.watch(prefix, fromRevision, listener);
  }

  @Override
  public void compact(long revision) {
    delegate.compact(revision);
  }

  @Override
  public void close() {}
}
