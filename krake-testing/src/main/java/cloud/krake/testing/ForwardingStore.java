package cloud.krake.testing;

import cloud.krake.KrakeException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.WatchListener;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

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

  /**
   * A listener to pass to {@link #watch} in an override that intercepts a watch's events (to hold
   * them back, count or drop them): each event goes to {@code events}, which calls {@code
   * listener.onEvent} itself if and when the event is to arrive; {@link WatchListener#onCompacted}
   * and {@link WatchListener#onClosed} go straight to {@code listener}.
   *
   * <pre>{@code
   * return super.watch(prefix, fromRevision,
   *     interceptingEvents(listener, event -> gate.deliver(() -> listener.onEvent(event))));
   * }</pre>
   *
   * <p>Called on the watch's thread, as the store calls {@code listener}.
   *
   * @param listener the listener the override was given
   * @param events receives every event of the watch, in revision order
   * @return the listener to watch with
   */
  protected static WatchListener interceptingEvents(
      WatchListener listener, Consumer<WatchEvent> events) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(events, "events");
    return new WatchListener() {
      @Override
      public void onEvent(WatchEvent event) {
        events.accept(event);
      }

      @Override
      public void onCompacted(long compactRevision) {
        listener.onCompacted(compactRevision);
      }

      @Override
      public void onClosed(KrakeException cause) {
        listener.onClosed(cause);
      }
    };
  }

  /** Does nothing: the delegate is not closed. */
  @Override
  public void close() {}
}
