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
  private final Map<String, LongAdder> conflictSites = new ConcurrentHashMap<>();
  private final Map<String, String> lastWriter = new ConcurrentHashMap<>();
  private final Map<String, Map<Thread, String>> writing = new ConcurrentHashMap<>();

  /** The prefix of the kinds that attribute the conflicts: {@code conflict <lost> < <won>}. */
  static final String CONFLICT_PREFIX = "conflict ";

  /** The winner named when no write of the key through this store succeeded before. */
  static final String UNKNOWN_WINNER = "another instance";

  private static final StackWalker WALKER =
      StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  CountingStore(Store delegate) {
    super(delegate);
  }

  /**
   * Calls so far by kind, {@code conflicts}, and the conflicts by {@code conflict <lost> < <won>}:
   * a snapshot, sorted by kind.
   */
  Map<String, Long> counts() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((k, v) -> out.put(k, v.sum()));
    out.put("conflicts", conflicts.sum());
    conflictSites.forEach((k, v) -> out.put(CONFLICT_PREFIX + k, v.sum()));
    return out;
  }

  /** A write of {@code key}: counted, its call site remembered or, for a conflict, attributed. */
  private <T> T write(String kind, String key, Supplier<T> call) {
    calls.computeIfAbsent(kind, k -> new LongAdder()).increment();
    String site = callSite();
    Thread self = Thread.currentThread();
    writing.compute(
        key,
        (k, writers) -> {
          Map<Thread, String> w = writers == null ? new java.util.HashMap<>() : writers;
          w.put(self, site);
          return w;
        });
    try {
      T result = call.get();
      if (kind.startsWith("delete")) {
        lastWriter.remove(key); // nothing kept of an application that is gone
      } else {
        lastWriter.put(key, site);
      }
      return result;
    } catch (ConflictException e) {
      conflicts.increment();
      String won = winner(key, self);
      conflictSites.computeIfAbsent(site + " < " + won, k -> new LongAdder()).increment();
      throw e;
    } finally {
      writing.computeIfPresent(
          key,
          (k, writers) -> {
            writers.remove(self);
            return writers.isEmpty() ? null : writers;
          });
    }
  }

  /**
   * The write that won over {@code self}'s: another write of the key still in progress here (it
   * succeeded in the store but has not returned yet), else the last one that returned.
   */
  private String winner(String key, Thread self) {
    java.util.TreeSet<String> inFlight = new java.util.TreeSet<>();
    writing.computeIfPresent(
        key,
        (k, writers) -> {
          writers.forEach(
              (thread, site) -> {
                if (thread != self) {
                  inFlight.add(site);
                }
              });
          return writers;
        });
    return inFlight.isEmpty()
        ? lastWriter.getOrDefault(key, UNKNOWN_WINNER)
        : String.join(" or ", inFlight);
  }

  /**
   * The writer: {@code Class.method} of the first frame outside the store layer ({@code
   * cloud.krake.store}, any {@link Store} implementation such as the membership's fenced store,
   * this class).
   */
  static String callSite() {
    return WALKER.walk(
        frames ->
            frames
                .filter(
                    f ->
                        !storeLayer(f.getClassName())
                            && !Store.class.isAssignableFrom(f.getDeclaringClass()))
                .findFirst()
                .map(f -> simpleName(f.getClassName()) + "." + methodName(f.getMethodName()))
                .orElse("unknown"));
  }

  private static boolean storeLayer(String className) {
    return className.startsWith("cloud.krake.store.")
        || className.equals("cloud.krake.testing.ForwardingStore")
        || className.equals(CountingStore.class.getName())
        || className.startsWith("java.")
        || className.startsWith("jdk.");
  }

  /** A lambda's synthetic method ({@code lambda$recordEnd$0}) named by its enclosing method. */
  static String methodName(String method) {
    if (method.startsWith("lambda$")) {
      int end = method.indexOf('$', "lambda$".length());
      return method.substring("lambda$".length(), end < 0 ? method.length() : end) + "/lambda";
    }
    return method;
  }

  /** The class name without its package; a nested class keeps its outer class's name. */
  static String simpleName(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
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
    return write("create", key, () -> super.create(key, value));
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision) {
    return write("update", key, () -> super.update(key, value, expectedRevision));
  }

  @Override
  public long delete(String key, long expectedRevision) {
    return write("delete", key, () -> super.delete(key, expectedRevision));
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
    return write("create-with-lease", key, () -> super.create(key, value, lease));
  }

  @Override
  public OptionalLong leaseId(String key) {
    return count("lease-id", () -> super.leaseId(key));
  }

  @Override
  public KeyValue create(String key, byte[] value, Guard guard) {
    return write("create-guarded", key, () -> super.create(key, value, guard));
  }

  @Override
  public KeyValue update(String key, byte[] value, long expectedRevision, Guard guard) {
    return write("update-guarded", key, () -> super.update(key, value, expectedRevision, guard));
  }

  @Override
  public long delete(String key, long expectedRevision, Guard guard) {
    return write("delete-guarded", key, () -> super.delete(key, expectedRevision, guard));
  }
}
