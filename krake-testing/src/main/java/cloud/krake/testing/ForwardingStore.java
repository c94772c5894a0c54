package cloud.krake.testing;

import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A {@link Store} that forwards every call to another one, for tests that interfere with a few of
 * them: override what to intercept (a write that races, a listing that fails, a watch to count) and
 * call {@code super} or {@link #delegate} for the rest.
 *
 * <pre>{@code
 * Store racing = new ForwardingStore(memory) {
 *   @Override
 *   public KeyValue update(String key, byte[] value, long expectedRevision) {
 *     otherWriterGoesFirst(key);
 *     return super.update(key, value, expectedRevision);
 *   }
 * };
 * }</pre>
 *
 * <p>{@link #close()} does nothing: the delegate stays the test's to close. Thread-safe as the
 * delegate is.
 */
public class ForwardingStore implements Store {

  /** The store every call goes to. */
  protected final Store delegate;

  /**
   * Creates the store.
   *
   * @param delegate the store every call goes to
   */
  public ForwardingStore(Store delegate) {
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

  /** Does nothing: the delegate is not closed. */
  @Override
  public void close() {}
}
