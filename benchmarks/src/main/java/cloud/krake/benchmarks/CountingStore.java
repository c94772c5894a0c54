package cloud.krake.benchmarks;

import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import cloud.krake.testing.ForwardingStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The store of a {@link LoadHost} as seen from the library: every call counted by kind ({@code
 * get}, {@code list}, {@code create}, {@code update}, {@code delete}, {@code revision}, {@code
 * watch}, the lease calls, the guarded writes as {@code create-guarded} ...), and the {@link
 * ConflictException}s the writes met (compare-and-set conflicts: another writer went first). One
 * {@code list} call is one request however many pages {@code listAll} reads through it.
 * Thread-safe.
 */
final class CountingStore extends ForwardingStore {

  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
  private final LongAdder conflicts = new LongAdder();

  CountingStore(Store delegate) {
    super(delegate);
  }

  /** Calls so far by kind, and {@code conflicts}: a snapshot, sorted by kind. */
  Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((k, v) -> out.put(k, v.sum()));
    out.put("conflicts", conflicts.sum());
    return out;
  }

  private <T> T count(String kind, Supplier<T> call) {
    calls.computeIfAbsent(kind, k -> new LongAdder()).increment();
    try {
      return call.get();
    } catch (ConflictException e) {
      conflicts.increment();
      throw e;
    }
  }

  @Override
  public Optional<KeyValue> get(String key) {
    return count("get", () -> super.get(key));
  }

  @Override
  public Page list(String prefix, PageRequest request) {
    return count("list", () -> super.list(prefix, request));
  }

  @Override
  public KeyValue create(String key, byte[] value) {
    return count("create", () -> super.create(key, value));
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision) {
    return count("update", () -> super.update(key, value, expectedRevision));
  }

  @Override
  public long delete(String key, long expectedRevision) {
    return count("delete", () -> super.delete(key, expectedRevision));
  }

  @Override
  public long revision() {
    return count("revision", super::revision);
  }

  @Override
  public Watch watch(String prefix, long fromRevision, WatchListener listener) {
    return count("watch", () -> super.watch(prefix, fromRevision, listener));
  }

  @Override
  public Lease grantLease(Duration ttl) {
    return count("lease-grant", () -> super.grantLease(ttl));
  }

  @Override
  public Lease keepAliveLease(Lease lease) {
    return count("lease-keep-alive", () -> super.keepAliveLease(lease));
  }

  @Override
  public void revokeLease(Lease lease) {
    count(
        "lease-revoke",
        () -> {
          super.revokeLease(lease);
          return null;
        });
  }

  @Override
  public Optional<Duration> leaseTimeToLive(Lease lease) {
    return count("lease-ttl", () -> super.leaseTimeToLive(lease));
  }

  @Override
  public KeyValue create(String key, byte[] value, Lease lease) {
    return count("create-with-lease", () -> super.create(key, value, lease));
  }

  @Override
  public OptionalLong leaseId(String key) {
    return count("lease-id", () -> super.leaseId(key));
  }

  @Override
  public KeyValue create(String key, byte[] value, Guard guard) {
    return count("create-guarded", () -> super.create(key, value, guard));
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision, Guard guard) {
    return count("update-guarded", () -> super.update(key, value, expectedRevision, guard));
  }

  @Override
  public long delete(String key, long expectedRevision, Guard guard) {
    return count("delete-guarded", () -> super.delete(key, expectedRevision, guard));
  }
}
