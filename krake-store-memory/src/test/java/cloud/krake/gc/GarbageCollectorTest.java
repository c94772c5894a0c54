package cloud.krake.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.TestClusters;
import cloud.krake.model.Application;
import cloud.krake.model.Cloud;
import cloud.krake.model.Cluster;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metric;
import cloud.krake.model.Resource;
import cloud.krake.model.ResourceRef;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Resources;
import cloud.krake.store.Store;
import cloud.krake.store.StoreKeys;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ForwardingStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The garbage collector on a memory store, driven step by step with a manual scheduler. */
class GarbageCollectorTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static final String NS = "tenant";
  private static final String K8S_FINALIZER = "kubernetes_resources_deletion";

  private final MemoryStore store = MemoryStore.create();
  private final ManualClock clock = new ManualClock(T0);
  private final ManualTimer timers = new ManualTimer(clock);
  private final Krake krake = Krake.builder().store(store).clock(clock).build();
  private GarbageCollector gc;

  @BeforeEach
  void startWatching() {
    gc = new GarbageCollector(krake, timers, 1);
    gc.watch();
  }

  @AfterEach
  void close() {
    gc.close();
    store.close();
  }

  // ------------------------------------------------------------------ fixtures

  private Cluster cluster(String name, String... finalizers) {
    Cluster cluster = TestClusters.read("{name: %s, namespace: tenant}".formatted(name), "");
    return krake
        .clusters()
        .create(cluster.withMetadata(cluster.metadata().withFinalizers(List.of(finalizers))));
  }

  private Application app(String name, ResourceRef... owners) {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: %s, namespace: tenant}
            spec:
              manifest: [{apiVersion: v1, kind: Pod, metadata: {name: %s}}]
              constraints: {cluster: {}}
            """
                .formatted(name, name),
            Application.class);
    return krake
        .applications()
        .create(app.withMetadata(app.metadata().withOwners(List.of(owners))));
  }

  /** An application as the application controller leaves it once it applied the manifest. */
  private Application appliedApp(String name, ResourceRef... owners) {
    app(name, owners);
    return krake
        .applications()
        .modify(NS, name, a -> a.withMetadata(a.metadata().withFinalizers(List.of(K8S_FINALIZER))));
  }

  private static ResourceRef appRef(String name) {
    return ResourceRef.of(Application.API, NS, Application.KIND, name);
  }

  private Optional<Application> readApp(String name) {
    return krake.applications().get(NS, name);
  }

  private Optional<Cluster> readCluster(String name) {
    return krake.clusters().get(NS, name);
  }

  /**
   * Processes everything ready until the watches (which report the GC's own writes) stay quiet: no
   * poll in 200 ms found anything to do. A poll that did work does not count as quiet, since the
   * events of its writes arrive just after it.
   */
  private void settle() {
    settle(gc);
  }

  private static void settle(GarbageCollector collector) {
    await()
        .pollInterval(Duration.ofMillis(20))
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(10))
        .until(() -> collector.drain() == 0 && collector.queued() == 0);
  }

  private static void assertDeletedWithFinalizers(Resource<?> resource, String... finalizers) {
    assertThat(resource.metadata().deleted()).isPresent();
    assertThat(resource.metadata().finalizers()).containsExactly(finalizers);
  }

  // ------------------------------------------------------------------ tests

  @Test
  void aDeletedObjectWithoutDependentsIsRemoved() {
    cluster("c");
    settle();

    krake.clusters().delete(NS, "c");
    settle();

    assertThat(readCluster("c")).isEmpty();
  }

  @Test
  void aDeletedObjectWithAnotherFinalizerKeepsExistingWithOnlyThatFinalizer() {
    appliedApp("echo");
    settle();

    krake.applications().delete(NS, "echo");
    settle();

    assertDeletedWithFinalizers(readApp("echo").orElseThrow(), K8S_FINALIZER);
  }

  @Test
  void deletingAClusterDeletesItsApplicationsAndRemovesTheClusterOnceTheyAreGone() {
    ResourceRef de = ResourceRef.to(cluster("de"));
    appliedApp("a1", de);
    appliedApp("a2", de);
    settle();

    krake.clusters().delete(NS, "de");
    settle();

    assertDeletedWithFinalizers(readApp("a1").orElseThrow(), K8S_FINALIZER);
    assertDeletedWithFinalizers(readApp("a2").orElseThrow(), K8S_FINALIZER);
    assertDeletedWithFinalizers(readCluster("de").orElseThrow(), Resources.CASCADE_DELETION);

    // The application controller removes the applications' resources and its finalizer.
    krake
        .applications()
        .modify(NS, "a1", a -> a.withMetadata(a.metadata().withFinalizers(List.of())));
    settle();
    assertThat(readApp("a1")).isEmpty();
    assertThat(readCluster("de")).isPresent();

    krake
        .applications()
        .modify(NS, "a2", a -> a.withMetadata(a.metadata().withFinalizers(List.of())));
    settle();
    assertThat(readApp("a2")).isEmpty();
    assertThat(readCluster("de")).isEmpty();
  }

  @Test
  void deletingACloudDeletesTheClustersKrakePlacedOnItAndStaysUntilTheyAreGone() {
    Cloud cloud =
        krake
            .clouds()
            .create(
                KrakeJson.read(
                    """
                    metadata: {name: os-cloud-1, namespace: tenant}
                    spec:
                      type: openstack
                      openstack:
                        url: https://keystone.example:5000/v3
                        auth: {type: password}
                        infrastructure_provider: {name: im-provider}
                    """,
                    Cloud.class));
    Cluster onCloud = cluster("de");
    krake
        .clusters()
        .modify(
            NS, "de", c -> c.withMetadata(c.metadata().withOwners(List.of(ResourceRef.to(cloud)))));
    appliedApp("a1", ResourceRef.to(onCloud));
    settle();

    krake.clouds().delete(NS, "os-cloud-1");
    settle();

    assertDeletedWithFinalizers(readCluster("de").orElseThrow(), Resources.CASCADE_DELETION);
    assertThat(krake.clouds().get(NS, "os-cloud-1")).isPresent();

    krake
        .applications()
        .modify(NS, "a1", a -> a.withMetadata(a.metadata().withFinalizers(List.of())));
    settle();
    assertThat(readCluster("de")).isEmpty();
    assertThat(krake.clouds().get(NS, "os-cloud-1")).isEmpty();
  }

  @Test
  void aDeletionCascadesThroughSeveralLayers() {
    ResourceRef de = ResourceRef.to(cluster("de"));
    app("parent", de);
    app("child", appRef("parent"));
    app("grandchild", appRef("child"));
    settle();

    krake.clusters().delete(NS, "de");
    settle();

    assertThat(readCluster("de")).isEmpty();
    assertThat(readApp("parent")).isEmpty();
    assertThat(readApp("child")).isEmpty();
    assertThat(readApp("grandchild")).isEmpty();
  }

  @Test
  void oneOfSeveralDependentsDeletedFirstLeavesTheOwnerAndTheOthersAlone() {
    Cluster de = cluster("de");
    app("a1", ResourceRef.to(de));
    Application a2 = app("a2", ResourceRef.to(de));
    settle();

    krake.applications().delete(NS, "a1");
    settle();

    assertThat(readApp("a1")).isEmpty();
    assertThat(readCluster("de").orElseThrow().metadata().revision())
        .isEqualTo(de.metadata().revision());
    assertThat(readApp("a2").orElseThrow().metadata().revision())
        .isEqualTo(a2.metadata().revision());

    krake.clusters().delete(NS, "de");
    settle();

    assertThat(readApp("a2")).isEmpty();
    assertThat(readCluster("de")).isEmpty();
  }

  @Test
  void aGlobalOwnerCascadesToGlobalAndNamespacedDependents() {
    GlobalMetricsProvider prom =
        krake
            .globalMetricsProviders()
            .create(
                KrakeJson.read(
                    """
                    metadata: {name: prom}
                    spec: {type: prometheus, prometheus: {url: "http://127.0.0.1:9"}}
                    """,
                    GlobalMetricsProvider.class));
    GlobalMetric heat =
        KrakeJson.read(
            """
            metadata: {name: heat}
            spec: {min: 0.0, max: 1.0, provider: {name: prom, metric: heat}}
            """,
            GlobalMetric.class);
    krake
        .globalMetrics()
        .create(heat.withMetadata(heat.metadata().withOwners(List.of(ResourceRef.to(prom)))));
    Metric load =
        KrakeJson.read(
            """
            metadata: {name: load, namespace: tenant}
            spec: {min: 0.0, max: 1.0, provider: {name: prom, metric: load}}
            """,
            Metric.class);
    // A reference naming a namespace for a global owner still points to the global owner.
    ResourceRef promWithNamespace =
        ResourceRef.of(GlobalMetricsProvider.API, NS, GlobalMetricsProvider.KIND, "prom");
    krake
        .metrics()
        .create(load.withMetadata(load.metadata().withOwners(List.of(promWithNamespace))));
    settle();

    krake.globalMetricsProviders().delete("", "prom");
    settle();

    assertThat(krake.globalMetrics().get("", "heat")).isEmpty();
    assertThat(krake.metrics().get(NS, "load")).isEmpty();
    assertThat(krake.globalMetricsProviders().get("", "prom")).isEmpty();
  }

  @Test
  void anOwnerThatDoesNotExistBlocksNothing() {
    app("orphan", ResourceRef.of(Cluster.API, NS, Cluster.KIND, "gone"));
    settle();

    krake.applications().delete(NS, "orphan");
    settle();

    assertThat(readApp("orphan")).isEmpty();
  }

  @Test
  void aCycleIsReportedAndNothingCascadesWithinItUntilItIsBroken() {
    app("a1", appRef("a2"));
    app("a2", appRef("a1"));
    settle();

    assertThat(gc.cycles()).hasSize(1);
    assertThat(gc.cycles().get(0)).containsExactlyInAnyOrder(appRef("a1"), appRef("a2"));

    krake.applications().delete(NS, "a1");
    settle();

    assertDeletedWithFinalizers(readApp("a1").orElseThrow(), Resources.CASCADE_DELETION);
    assertThat(readApp("a2").orElseThrow().metadata().deleted()).isEmpty();
    assertThat(gc.queued()).isZero();
    assertThat(timers.pendingDueTimes()).isEmpty();

    // Breaking the cycle: a1 no longer depends on a2, which still depends on the deleted a1.
    krake.applications().modify(NS, "a1", a -> a.withMetadata(a.metadata().withOwners(List.of())));
    settle();

    assertThat(gc.cycles()).isEmpty();
    assertThat(readApp("a2")).isEmpty();
    assertThat(readApp("a1")).isEmpty();
  }

  @Test
  void aResourceOwningItselfIsACycleAndIsLeftAlone() {
    app("narcissus", appRef("narcissus"));
    settle();

    krake.applications().delete(NS, "narcissus");
    settle();

    assertThat(gc.cycles()).containsExactly(List.of(appRef("narcissus")));
    assertDeletedWithFinalizers(readApp("narcissus").orElseThrow(), Resources.CASCADE_DELETION);
    assertThat(gc.queued()).isZero();
  }

  @Test
  void aDependentThatStopsNamingItsOwnerReleasesTheOwner() {
    ResourceRef de = ResourceRef.to(cluster("de"));
    appliedApp("echo", de);
    settle();
    krake.clusters().delete(NS, "de");
    settle();
    assertThat(readCluster("de")).isPresent();

    // The application controller deletes the application's resources on the cluster and drops
    // the cluster from the owners before its own finalizer.
    krake
        .applications()
        .modify(NS, "echo", a -> a.withMetadata(a.metadata().withOwners(List.of())));
    settle();

    assertThat(readCluster("de")).isEmpty();
    assertDeletedWithFinalizers(readApp("echo").orElseThrow(), K8S_FINALIZER);
  }

  @Test
  void aNewCollectorOnTheSameStoreCompletesAHalfDoneCascade() {
    ResourceRef de = ResourceRef.to(cluster("de"));
    app("a1", de);
    app("a2", de);
    settle();
    krake.clusters().delete(NS, "de");
    await().atMost(Duration.ofSeconds(10)).until(() -> gc.queued() > 0);

    assertThat(gc.runOnce()).isTrue(); // the cluster: its applications are marked, no more
    gc.close();

    assertDeletedWithFinalizers(readApp("a1").orElseThrow(), Resources.CASCADE_DELETION);
    assertDeletedWithFinalizers(readApp("a2").orElseThrow(), Resources.CASCADE_DELETION);
    assertThat(readCluster("de")).isPresent();

    gc = new GarbageCollector(krake, timers, 1);
    gc.watch();
    settle();

    assertThat(readApp("a1")).isEmpty();
    assertThat(readApp("a2")).isEmpty();
    assertThat(readCluster("de")).isEmpty();
  }

  @Test
  void aConcurrentWriterMakesTheCollectorReReadAndRetryWithoutLosingItsWrite() {
    gc.close();
    InterposingStore interposing = new InterposingStore(store);
    Krake gcKrake = Krake.builder().store(interposing).clock(clock).build();
    gc = new GarbageCollector(gcKrake, timers, 1);
    gc.watch();
    cluster("de", "other");
    settle();
    krake.clusters().delete(NS, "de");
    AtomicInteger interposed = new AtomicInteger();
    interposing.beforeNextUpdate(
        StoreKeys.CLUSTERS.key(NS, "de"),
        () -> {
          krake
              .clusters()
              .modify(
                  NS, "de", c -> c.withMetadata(c.metadata().withLabels(Map.of("touched", "yes"))));
          interposed.incrementAndGet();
        });

    settle();

    assertThat(interposed).hasValue(1);
    Cluster de = readCluster("de").orElseThrow();
    assertDeletedWithFinalizers(de, "other");
    assertThat(de.metadata().labels()).containsEntry("touched", "yes");
  }

  @Test
  void anOwnerIsNotReleasedBeforeEveryKindIsListed() {
    ResourceRef de = ResourceRef.to(cluster("de"));
    app("echo", de);
    krake.clusters().delete(NS, "de");
    gc.close();
    InterposingStore interposing = new InterposingStore(store);
    interposing.failLists(StoreKeys.APPLICATIONS.prefix());
    gc = new GarbageCollector(Krake.builder().store(interposing).clock(clock).build(), timers, 1);
    gc.watch();

    settle();

    assertDeletedWithFinalizers(readCluster("de").orElseThrow(), Resources.CASCADE_DELETION);
    assertThat(readApp("echo").orElseThrow().metadata().deleted()).isEmpty();

    interposing.failLists("");
    timers.advance(Duration.ofSeconds(1)); // the applications' listing is retried, then de
    settle();

    assertThat(readApp("echo")).isEmpty();
    assertThat(readCluster("de")).isEmpty();
  }

  /**
   * Runs a write of another client just before the next update of a key (the CAS then loses), and
   * fails listings of a prefix.
   */
  private static final class InterposingStore extends ForwardingStore {
    private final Map<String, Runnable> beforeUpdate = new ConcurrentHashMap<>();
    private volatile String failingPrefix = "";

    InterposingStore(Store delegate) {
      super(delegate);
    }

    void beforeNextUpdate(String key, Runnable write) {
      beforeUpdate.put(key, write);
    }

    /** Makes listings of a prefix fail as an unreachable store; {@code ""} for none. */
    void failLists(String prefix) {
      failingPrefix = prefix;
    }

    @Override
    public Page list(String prefix, PageRequest request) {
      if (!failingPrefix.isEmpty() && prefix.startsWith(failingPrefix)) {
        throw new StoreUnavailableException("listing " + prefix, new IOException("injected"));
      }
      return delegate.list(prefix, request);
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedRevision) {
      Runnable write = beforeUpdate.remove(key);
      if (write != null) {
        write.run();
      }
      return delegate.update(key, value, expectedRevision);
    }
  }
}
