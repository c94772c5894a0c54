package cloud.krake.runtime.internal;

import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.KrakeMetricsRecorder.StoreOperation;
import cloud.krake.store.ConflictException;
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
 * A {@link Store} that passes every call to another and reports each one's kind, duration and
 * whether it lost a compare-and-set to a {@link KrakeMetricsRecorder}. {@code Krake} wraps its
 * store in one only when the host set a recorder ({@link #wrap}): without one, the store is used as
 * given and nothing is timed.
 *
 * <p>Every method, default ones of {@link Store} included, goes to the delegate's own
 * implementation, so a store that overrides a default (etcd's leases and guarded writes) keeps its
 * behaviour; {@link #listAll} is one {@link StoreOperation#LIST}. Thread-safe as the delegate. A
 * call costs two {@link System#nanoTime()} reads and the recorder's call; no allocation of its own.
 */
public final class MeteredStore extends ForwardingStoreBase {

  private final KrakeMetricsRecorder recorder;

  private MeteredStore(Store delegate, KrakeMetricsRecorder recorder) {
    super(delegate);
    this.recorder = recorder;
  }

  /**
   * Returns {@code store} itself when {@code recorder} is {@link KrakeMetricsRecorder#NOOP}, else
   * the store wrapped to report to the recorder.
   *
   * @param store the store
   * @param recorder where to report
   */
  public static Store wrap(Store store, KrakeMetricsRecorder recorder) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(recorder, "recorder");
    return recorder == KrakeMetricsRecorder.NOOP ? store : new MeteredStore(store, recorder);
  }

  /** Returns the wrapped store. */
  public Store delegate() {
    return delegate;
  }

  private void done(StoreOperation operation, long start, boolean conflict) {
    recorder.storeOperation(operation, System.nanoTime() - start, conflict);
  }

  @Override
  public Optional<KeyValue> get(String key) {
    long start = System.nanoTime();
    try {
      return delegate.get(key);
    } finally {
      done(StoreOperation.GET, start, false);
    }
  }

  @Override
  public Page list(String prefix, PageRequest request) {
    long start = System.nanoTime();
    try {
      return delegate.list(prefix, request);
    } finally {
      done(StoreOperation.LIST, start, false);
    }
  }

  @Override
  public List<KeyValue> listAll(String prefix) {
    long start = System.nanoTime();
    try {
      return delegate.listAll(prefix);
    } finally {
      done(StoreOperation.LIST, start, false);
    }
  }

  @Override
  public KeyValue create(String key, byte[] value) {
    long start = System.nanoTime();
    boolean conflict = false;
    try {
      return delegate.create(key, value);
    } catch (ConflictException e) {
      conflict = true;
      throw e;
    } finally {
      done(StoreOperation.CREATE, start, conflict);
    }
  }

  @Override
  public KeyValue create(String key, byte[] value, Lease lease) {
    long start = System.nanoTime();
    boolean conflict = false;
    try {
      return delegate.create(key, value, lease);
    } catch (ConflictException e) {
      conflict = true;
      throw e;
    } finally {
      done(StoreOperation.CREATE, start, conflict);
    }
  }

  @Override
  public KeyValue create(String key, byte[] value, Guard guard) {
    long start = System.nanoTime();
    boolean conflict = false;
    try {
      return delegate.create(key, value, guard);
    } catch (ConflictException e) {
      conflict = true;
      throw e;
    } finally {
      done(StoreOperation.CREATE, start, conflict);
    }
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision) {
    long start = System.nanoTime();
    boolean conflict = false;
    try {
      return delegate.update(key, value, expectedRevision);
    } catch (ConflictException e) {
      conflict = true;
      throw e;
    } finally {
      done(StoreOperation.UPDATE, start, conflict);
    }
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision, Guard guard) {
    long start = System.nanoTime();
    boolean conflict = false;
    try {
      return delegate.update(key, value, expectedRevision, guard);
    } catch (ConflictException e) {
      conflict = true;
      throw e;
    } finally {
      done(StoreOperation.UPDATE, start, conflict);
    }
  }

  @Override
  public long delete(String key, long expectedRevision) {
    long start = System.nanoTime();
    boolean conflict = false;
    try {
      return delegate.delete(key, expectedRevision);
    } catch (ConflictException e) {
      conflict = true;
      throw e;
    } finally {
      done(StoreOperation.DELETE, start, conflict);
    }
  }

  @Override
  public long delete(String key, long expectedRevision, Guard guard) {
    long start = System.nanoTime();
    boolean conflict = false;
    try {
      return delegate.delete(key, expectedRevision, guard);
    } catch (ConflictException e) {
      conflict = true;
      throw e;
    } finally {
      done(StoreOperation.DELETE, start, conflict);
    }
  }

  @Override
  public long revision() {
    long start = System.nanoTime();
    try {
      return delegate.revision();
    } finally {
      done(StoreOperation.REVISION, start, false);
    }
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    long start = System.nanoTime();
    try {
      return delegate.watch(prefix, fromRevision, listener);
    } finally {
      done(StoreOperation.WATCH, start, false);
    }
  }

  @Override
  public void compact(long revision) {
    long start = System.nanoTime();
    try {
      delegate.compact(revision);
    } finally {
      done(StoreOperation.COMPACT, start, false);
    }
  }

  @Override
  public Lease grantLease(Duration ttl) {
    long start = System.nanoTime();
    try {
      return delegate.grantLease(ttl);
    } finally {
      done(StoreOperation.LEASE, start, false);
    }
  }

  @Override
  public Lease keepAliveLease(Lease lease) {
    long start = System.nanoTime();
    try {
      return delegate.keepAliveLease(lease);
    } finally {
      done(StoreOperation.LEASE, start, false);
    }
  }

  @Override
  public void revokeLease(Lease lease) {
    long start = System.nanoTime();
    try {
      delegate.revokeLease(lease);
    } finally {
      done(StoreOperation.LEASE, start, false);
    }
  }

  @Override
  public Optional<Duration> leaseTimeToLive(Lease lease) {
    long start = System.nanoTime();
    try {
      return delegate.leaseTimeToLive(lease);
    } finally {
      done(StoreOperation.LEASE, start, false);
    }
  }

  @Override
  public OptionalLong leaseId(String key) {
    long start = System.nanoTime();
    try {
      return delegate.leaseId(key);
    } finally {
      done(StoreOperation.GET, start, false);
    }
  }

  /** Closes the delegate (Krake itself never closes its store; the host does). */
  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "MeteredStore[" + delegate + "]";
  }
}
