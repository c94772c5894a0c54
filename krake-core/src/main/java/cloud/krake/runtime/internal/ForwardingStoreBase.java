package cloud.krake.runtime.internal;

import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The base of the runtime's store decorators: every method of {@link Store}, its default ones
 * included, goes to the delegate's own implementation, so a store that overrides a default (etcd's
 * leases and guarded writes, a paging {@code listAll}) keeps its behaviour behind the decorator. A
 * subclass overrides only the calls it changes, and says what {@link #close()} does.
 *
 * <p>Thread-safe as the delegate.
 */
public abstract class ForwardingStoreBase implements Store {

  /** The store every call goes to. */
  protected final Store delegate;

  /**
   * Creates the decorator.
   *
   * @param delegate the store every call goes to
   */
  protected ForwardingStoreBase(Store delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
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
  public List<KeyValue> listAll(String prefix) {
    return delegate.listAll(prefix);
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
  public Lease grantLease(Duration ttl) {
    return delegate.grantLease(ttl);
  }

  @Override
  public Lease keepAliveLease(Lease lease) {
    return delegate.keepAliveLease(lease);
  }

  @Override
  public void revokeLease(Lease lease) {
    delegate.revokeLease(lease);
  }

  @Override
  public Optional<Duration> leaseTimeToLive(Lease lease) {
    return delegate.leaseTimeToLive(lease);
  }

  @Override
  public KeyValue create(String key, byte[] value, Lease lease) {
    return delegate.create(key, value, lease);
  }

  @Override
  public OptionalLong leaseId(String key) {
    return delegate.leaseId(key);
  }

  @Override
  public KeyValue create(String key, byte[] value, Guard guard) {
    return delegate.create(key, value, guard);
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision, Guard guard) {
    return delegate.update(key, value, expectedRevision, guard);
  }

  @Override
  public long delete(String key, long expectedRevision, Guard guard) {
    return delegate.delete(key, expectedRevision, guard);
  }
}
