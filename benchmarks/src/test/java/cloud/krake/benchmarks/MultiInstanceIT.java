package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.membership.MembershipConfig;
import cloud.krake.testing.EtcdServer;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Host instances as separate JVMs ({@link HostInstances}: {@link LoadHost} on an {@code EtcdStore})
 * on one etcd, with the two fake clusters and the applications' shutdown services in this JVM,
 * which outlive the instances (issue 17).
 */
class MultiInstanceIT {

  private static final List<String> HOST_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");

  private final List<FakeKubernetesApiServer> clusters = new ArrayList<>();
  private final List<AutoCloseable> closeLast = new ArrayList<>();

  @BeforeEach
  void startClusters() {
    HookCall.allowConnectionHeader();
    for (String location : LoadProtocol.LOCATIONS) {
      clusters.add(
          FakeKubernetesApiServer.builder()
              .name(location)
              .requestLogLimit(1_000_000)
              .enforceNamespaces(
                  false) // each application's shutdown Service has a namespace of its own
              .build());
    }
  }

  @AfterEach
  void stopAll() throws Exception {
    for (int i = closeLast.size() - 1; i >= 0; i--) {
      closeLast.get(i).close();
    }
    clusters.forEach(FakeKubernetesApiServer::close);
  }

  private <T extends AutoCloseable> T closing(T resource) {
    closeLast.add(resource);
    return resource;
  }

  private MultiInstanceLoad.Figures run(
      List<URI> etcd, int instances, int applications, List<String> hooks, int leaseTtl) {
    try (HostInstances hosts = new HostInstances(etcd, 2, HOST_JVM, clusters).grouped(leaseTtl);
        ShutdownServices services =
            new ShutdownServices(
                applications, i -> clusters.get(i % clusters.size()), hosts::liveHookEndpoint)) {
      hosts.start(instances);
      if (leaseTtl > 0) {
        awaitPartitioned(hosts);
      }
      MultiInstanceLoad.Figures figures =
          new MultiInstanceLoad(hosts, clusters, services, applications, hooks)
              .run(() -> {}, () -> {});
      System.out.println("multi-instance: " + figures + " (load " + loadAverage() + ")");
      return figures;
    }
  }

  /**
   * The measurement: 100 applications with the shutdown hook, created then deleted, by one
   * instance (standalone) and then by two on one etcd. Two instances must not both do the work: no
   * object is written twice, and no shutdown service is called twice for one attempt. Before
   * membership (two standalone instances, main before issue 17) the second run wrote 25 DELETEs and
   * 250 PATCHes twice and met 46 compare-and-set conflicts.
   */
  @Test
  void twoInstancesOnOneEtcdWriteEachObjectOnceAndCallEachShutdownAttemptOnce() {
    EtcdServer etcd = closing(EtcdServer.builder().build().start());
    List<URI> endpoints = List.of(etcd.endpoint());

    MultiInstanceLoad.Figures one = run(endpoints, 1, 100, List.of("shutdown"), 0);
    MultiInstanceLoad.Figures two = run(endpoints, 2, 100, List.of("shutdown"), TTL);

    assertThat(one.shutdownCalled()).isEqualTo(100);
    assertThat(two.shutdownCalled()).isEqualTo(100);
    assertThat(two.shutdownCalledTwice()).as(two.toString()).isEmpty();
    assertThat(two.duplicateWrites()).as(two.toString()).isEmpty();
  }

  // ------------------------------------------------------------------ with membership (issue 17)

  /** The tests' lease TTL, seconds: short, so that a takeover is quick. */
  private static final int TTL = 2;

  /**
   * Waits until the live instances see each other and own disjoint shares of every shard; returns
   * when that was first seen ({@link System#nanoTime()}).
   */
  private static long awaitPartitioned(HostInstances hosts) {
    await("the live instances partition the shards")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> partitioned(hosts));
    return System.nanoTime();
  }

  private static boolean partitioned(HostInstances hosts) {
    List<HostInstances.Instance> live = hosts.live();
    Set<Integer> owned = new HashSet<>();
    int total = 0;
    int shards = 0;
    for (HostInstances.Instance instance : live) {
      String[] m = hosts.membership(instance.index);
      List<String> peers = m[1].isEmpty() ? List.of() : List.of(m[1].split(","));
      if (peers.size() != live.size()) {
        return false;
      }
      for (String shard : m[2].isEmpty() ? new String[0] : m[2].split(",")) {
        owned.add(Integer.valueOf(shard));
        total++;
      }
      shards = MembershipConfig.DEFAULT_SHARD_COUNT;
    }
    return total == owned.size() && owned.size() == shards;
  }

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
