package cloud.krake.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.store.Applications;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ForwardingStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reflector over a {@link MemoryStore}: list, watch, re-list after a compaction. */
class ReflectorTest {

  private static final String APP =
      """
      api: kubernetes
      kind: Application
      metadata:
        name: %s
        namespace: %s
      spec:
        manifest:
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo}
            spec: {replicas: 1}
        constraints:
          cluster:
            labels: []
        hooks: []
      """;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ManualTimer scheduler = new ManualTimer(clock);
  private final CompactingStore store = new CompactingStore(MemoryStore.create());
  private final Applications apps = new Applications(store, clock);
  private final List<ResourceKey> keys = Collections.synchronizedList(new ArrayList<>());
  private final Reflector<Application> reflector =
      new Reflector<>("apps", apps, keys::add, scheduler);

  @AfterEach
  void close() {
    reflector.close();
    store.close();
  }

  private Application create(String namespace, String name) {
    return apps.create(KrakeJson.read(APP.formatted(name, namespace), Application.class));
  }

  private static ResourceKey key(String namespace, String name) {
    return new ResourceKey(namespace, name);
  }

  @Test
  void startListsEveryNamespaceAndCachesTheResources() {
    create("a", "one");
    create("b", "two");

    reflector.start();

    assertThat(reflector.hasSynced()).isTrue();
    assertThat(keys).containsExactly(key("a", "one"), key("b", "two"));
    assertThat(reflector.cachedMetadata(key("b", "two")).map(Metadata::name)).contains("two");
    assertThat(reflector.cachedKeys()).containsExactlyInAnyOrder(key("a", "one"), key("b", "two"));
  }

  @Test
  void reportsCreatesUpdatesAndDeletesSeenByTheWatch() {
    create("a", "one");
    reflector.start();
    keys.clear();

    Application two = create("a", "two");
    apps.modify("a", "one", app -> app.withMetadata(app.metadata().withLabels(Map.of("x", "y"))));
    apps.forceDelete("a", "two");

    await().until(() -> keys.size() == 3);
    assertThat(keys).containsExactly(key("a", "two"), key("a", "one"), key("a", "two"));
    assertThat(reflector.cachedMetadata(key("a", "two"))).isEmpty();
    assertThat(reflector.cachedMetadata(key("a", "one")).orElseThrow().labels())
        .containsEntry("x", "y");
    assertThat(two.metadata().revision()).isPositive();
  }

  @Test
  void reListsAfterACompactionReportingChangesTheWatchMissed() {
    create("a", "one");
    create("a", "gone");
    reflector.start();
    keys.clear();

    store.breakWatches();
    create("a", "new");
    apps.forceDelete("a", "gone");
    store.compactAndNotify();

    await().until(() -> keys.contains(key("a", "gone")));
    assertThat(keys).contains(key("a", "one"), key("a", "new"), key("a", "gone"));
    assertThat(reflector.cachedMetadata(key("a", "gone"))).isEmpty();
    assertThat(reflector.cachedMetadata(key("a", "new"))).isPresent();

    keys.clear();
    create("a", "after");
    await().until(() -> keys.contains(key("a", "after")));
    assertThat(keys).containsExactly(key("a", "after"));
  }

  @Test
  void reListsAndWatchesAgainAfterTheStoreEndedItsWatch() {
    create("a", "one");
    reflector.start();
    keys.clear();

    store.breakWatches();
    create("a", "missed");
    store.endAndNotify(new cloud.krake.KrakeException("etcd cancelled the watch: no reason given"));
    assertThat(reflector.watching()).isFalse();
    scheduler.advance(java.time.Duration.ofMillis(Reflector.RETRY_BASE_MILLIS));

    assertThat(reflector.watching()).isTrue();
    assertThat(keys).contains(key("a", "missed"));
    keys.clear();
    create("a", "after");
    await().until(() -> keys.contains(key("a", "after")));
    assertThat(reflector.cachedMetadata(key("a", "after"))).isPresent();
  }

  @Test
  void aStoreThatCannotBeListedIsNotAWarningPerAttempt() {
    MemoryStore memory = MemoryStore.create();
    int[] failuresLeft = {5};
    ForwardingStore unavailable =
        new ForwardingStore(memory) {
          @Override
          public cloud.krake.store.Page list(String prefix, cloud.krake.store.PageRequest request) {
            if (failuresLeft[0]-- > 0) {
              throw new cloud.krake.store.StoreUnavailableException(
                  "etcd at http://127.0.0.1:1: list failed", null);
            }
            return super.list(prefix, request);
          }
        };
    Reflector<Application> failing =
        new Reflector<>("failing", new Applications(unavailable, clock), keys::add, scheduler);
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      failing.start();
      for (int i = 0; i < 5; i++) {
        scheduler.advance(
            scheduler
                .nextDue()
                .map(due -> java.time.Duration.between(clock.instant(), due))
                .orElseThrow());
      }
      await().until(failing::hasSynced);
    } finally {
      System.setErr(original);
      failing.close();
      memory.close();
    }

    assertThat(captured.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain(" WARN ");
  }

  @Test
  void closeStopsTheWatch() {
    reflector.start();

    reflector.close();
    create("a", "late");

    assertThat(store.openWatches()).isZero();
    assertThat(keys).isEmpty();
  }

  /**
   * A store whose running watches can be made to miss events and then be told of a compaction, as
   * etcd tells a watcher that fell behind; {@link MemoryStore} only reports a compaction to a watch
   * that starts below it.
   */
  private static final class CompactingStore extends ForwardingStore {
    private final List<Map.Entry<Watch, WatchListener>> watches =
        Collections.synchronizedList(new ArrayList<>());

    CompactingStore(MemoryStore delegate) {
      super(delegate);
    }

    /** Stops delivering events to the current watches (they will be told of a compaction). */
    void breakWatches() {
      synchronized (watches) {
        watches.forEach(e -> e.getKey().close());
      }
    }

    /** Compacts at the current revision and tells the broken watches, ending them. */
    void compactAndNotify() {
      long revision = delegate.revision();
      delegate.compact(revision);
      List<Map.Entry<Watch, WatchListener>> broken;
      synchronized (watches) {
        broken = List.copyOf(watches);
        watches.clear();
      }
      broken.forEach(e -> e.getValue().onCompacted(revision));
    }

    /** Tells the broken watches that the store ended them for good, as etcd's cancel does. */
    void endAndNotify(cloud.krake.KrakeException cause) {
      List<Map.Entry<Watch, WatchListener>> broken;
      synchronized (watches) {
        broken = List.copyOf(watches);
        watches.clear();
      }
      broken.forEach(e -> e.getValue().onClosed(cause));
    }

    int openWatches() {
      return watches.size();
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
      Watch watch = delegate.watch(prefix, fromRevision, listener);
      Map.Entry<Watch, WatchListener> entry = Map.entry(watch, listener);
      watches.add(entry);
      return () -> {
        watches.remove(entry);
        watch.close();
      };
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
