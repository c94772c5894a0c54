package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.membership.MembershipConfig;
import cloud.krake.testing.EtcdCluster;
import cloud.krake.testing.EtcdServer;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  private static final List<String> BOTH_HOOKS = List.of("complete", "shutdown");

  private interface Scenario {
    MultiInstanceLoad.Figures run(HostInstances hosts, MultiInstanceLoad load);
  }

  private MultiInstanceLoad.Figures grouped(
      List<URI> etcd, int instances, int applications, Scenario scenario) {
    try (HostInstances hosts =
            new HostInstances(etcd, 2, HOST_JVM, clusters).grouped(TTL).start(instances);
        ShutdownServices services =
            new ShutdownServices(
                applications, i -> clusters.get(i % clusters.size()), hosts::liveHookEndpoint)) {
      awaitPartitioned(hosts);
      MultiInstanceLoad load =
          new MultiInstanceLoad(hosts, clusters, services, applications, BOTH_HOOKS);
      MultiInstanceLoad.Figures figures = scenario.run(hosts, load);
      System.out.println("multi-instance: " + figures + " (load " + loadAverage() + ")");
      assertThat(figures.shutdownCalled()).as(figures.toString()).isEqualTo(applications);
      assertThat(figures.shutdownCalledTwice()).as(figures.toString()).isEmpty();
      return figures;
    }
  }

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
    List<String> answers = new ArrayList<>();
    for (HostInstances.Instance instance : hosts.live()) {
      answers.add(String.join(" ", hosts.membership(instance.index)));
    }
    return LoadInstances.partitioned(answers, MembershipConfig.DEFAULT_SHARD_COUNT);
  }

  /**
   * Issue 17's main case: three instances on a three-member etcd, 300 applications with both hooks,
   * created then deleted. Each application is reconciled by its shard's owner only: no object is
   * written twice, each shutdown service is called once.
   */
  @Test
  void threeInstancesOnAThreeMemberEtcdShareThreeHundredApplicationsAndWriteEachObjectOnce() {
    EtcdCluster etcd = closing(EtcdCluster.start(3));
    MultiInstanceLoad.Figures figures =
        grouped(etcd.endpoints(), 3, 300, (hosts, load) -> load.run(() -> {}, () -> {}));
    assertThat(figures.duplicateWrites()).as(figures.toString()).isEmpty();
  }

  /**
   * {@code kill -9} of one instance while applications are created: its shards are taken over
   * within the lease TTL and one reconcile, every application converges, nothing is left, and no
   * shutdown service is called twice for one attempt.
   */
  @Test
  void anInstanceKilledMidRunHasItsShareTakenOverAndNothingIsStuck() {
    EtcdCluster etcd = closing(EtcdCluster.start(3));
    long[] takeover = new long[1];
    grouped(
        etcd.endpoints(),
        3,
        60,
        (hosts, load) ->
            load.run(
                () -> {
                  long killed = System.nanoTime();
                  hosts.kill(1);
                  await("the survivors take over the shards")
                      .atMost(Duration.ofSeconds(TTL + 15))
                      .pollInterval(Duration.ofMillis(100))
                      .until(() -> partitioned(hosts));
                  takeover[0] = System.nanoTime() - killed;
                },
                () -> {}));
    System.out.printf("multi-instance: takeover after kill -9 %d ms%n", takeover[0] / 1_000_000);
  }

  /**
   * An instance frozen ({@code SIGSTOP}) past its lease: the others take its shards; resumed, it
   * finds itself deposed (its writes for those shards are refused) and rejoins the group.
   */
  @Test
  void anInstanceFrozenPastItsLeaseIsFencedAndRejoins() {
    EtcdCluster etcd = closing(EtcdCluster.start(3));
    grouped(
        etcd.endpoints(),
        3,
        40,
        (hosts, load) -> {
          hosts.freeze(2);
          awaitPartitioned(hosts);
          MultiInstanceLoad.Figures figures = load.run(() -> {}, () -> hosts.resume(2));
          await("the resumed instance rejoins")
              .atMost(Duration.ofMinutes(1))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> partitioned(hosts) && hosts.live().size() == 3);
          assertThat(HostInstances.logLines(hosts.instance(2), "was deposed")).isPositive();
          return figures;
        });
  }

  /**
   * One etcd member killed while applications are created and restarted while they are deleted: no
   * write is lost (all converge) and every instance's store watch reports every application's
   * RUNNING and deletion (no event lost).
   */
  @Test
  void anEtcdMemberKilledAndRestartedLosesNoWriteAndNoWatchEvent() {
    EtcdCluster etcd = closing(EtcdCluster.start(3));
    grouped(
        etcd.endpoints(),
        3,
        60,
        (hosts, load) -> {
          MultiInstanceLoad.Figures figures =
              load.run(() -> etcd.member(0).kill(), () -> etcd.member(0).start());
          for (int i = 0; i < hosts.size(); i++) {
            HostInstances.Instance instance = hosts.instance(i);
            await(instance + " saw every event")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(200))
                .until(
                    () ->
                        instance.sawRunning.size() == figures.applications()
                            && instance.sawGone.size() == figures.applications());
          }
          return figures;
        });
  }

  /**
   * A rolling restart of all three instances while applications are created and deleted: all
   * converge, and each new owner of a shard takes over its converged applications without writing
   * their objects again. The instances advertise one hook address ({@link
   * HostInstances#GROUP_HOOK_URL}), as replicas must: when each advertised its own, every new owner
   * rewrote the token Secrets it took over (268 duplicate PATCHes for 60 applications).
   */
  @Test
  void aRollingRestartOfEveryInstanceWhileApplicationsComeAndGoConverges() {
    EtcdCluster etcd = closing(EtcdCluster.start(3));
    MultiInstanceLoad.Figures figures =
        grouped(
            etcd.endpoints(),
            3,
            60,
            (hosts, load) ->
                load.run(
                    () -> {
                      for (int i = 0; i < hosts.size(); i++) {
                        hosts.restart(i);
                      }
                    },
                    () -> hosts.restart(0)));
    assertThat(figures.duplicateWrites()).as(figures.toString()).isEmpty();
  }

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}
