package cloud.krake.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several {@link Krake} instances on one {@link MemoryStore}, each with its own store client, clock
 * and timer; the store's leases expire by its own manual clock.
 */
class MembershipTest {

  private static final Duration TTL = Duration.ofSeconds(6);
  private static final int SHARDS = 16;

  private final ManualClock storeClock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final ManualTimer storeTimer = new ManualTimer(storeClock);
  private final MemoryStore store =
      MemoryStore.builder().clock(storeClock).timer(storeTimer).build();
  private final MembershipConfig config =
      MembershipConfig.defaults()
          .withLeaseTtl(TTL)
          .withShardCount(SHARDS)
          .withReleaseTimeout(Duration.ofSeconds(30));
  private final GroupMember.Overlaps overlaps = new GroupMember.Overlaps();
  private final List<GroupMember> members = new ArrayList<>();

  @AfterEach
  void close() {
    members.forEach(GroupMember::close);
    store.close();
  }

  private GroupMember join(String id) {
    GroupMember m = new GroupMember(id, store, config, overlaps);
    members.add(m);
    m.krake.start();
    return m;
  }

  private static Set<Integer> expectedShards(String id, List<String> live) {
    Set<Integer> shards = new HashSet<>();
    for (int n = 0; n < SHARDS; n++) {
      if (Shards.ownerOf(n, live).orElseThrow().equals(id)) {
        shards.add(n);
      }
    }
    return shards;
  }

  private void awaitAssignment(GroupMember... live) {
    List<String> ids = java.util.Arrays.stream(live).map(m -> m.id).sorted().toList();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (GroupMember m : live) {
                assertThat(m.krake.membership().peers()).isEqualTo(ids);
                assertThat(new HashSet<>(m.krake.membership().ownedShards()))
                    .isEqualTo(expectedShards(m.id, ids));
              }
            });
  }

  /** Keeps the named members' leases alive while the store's time moves on by {@code d}. */
  private void passTime(Duration d, GroupMember... alive) {
    Duration step = config.keepAliveInterval();
    for (Duration done = Duration.ZERO; done.compareTo(d) < 0; done = done.plus(step)) {
      for (GroupMember m : alive) {
        int before = m.client.keepAlives.get();
        m.advance(step);
        await().atMost(Duration.ofSeconds(10)).until(() -> m.client.keepAlives.get() > before);
      }
      storeTimer.advance(step);
    }
  }

  private Application app(String name) {
    return members
        .get(0)
        .krake
        .applications()
        .create(
            KrakeJson.read(
                """
                metadata: {name: %s, namespace: tenant}
                spec:
                  manifest: [{apiVersion: v1, kind: Pod, metadata: {name: %s}}]
                  constraints: {cluster: {labels: ["location is DE"]}}
                """
                    .formatted(name, name),
                Application.class));
  }

  @Test
  void sharesPartitionTheShardsByRendezvousHashing() {
    GroupMember a = join("a");
    GroupMember b = join("b");
    GroupMember c = join("c");

    awaitAssignment(a, b, c);

    List<Integer> all = new ArrayList<>();
    for (GroupMember m : List.of(a, b, c)) {
      all.addAll(m.krake.membership().ownedShards());
    }
    assertThat(all)
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, SHARDS).boxed().toList());
    for (int n = 0; n < SHARDS; n++) {
      String owner = Shards.ownerOf(n, List.of("a", "b", "c")).orElseThrow();
      assertThat(store.get(KrakeMembership.SHARDS_PREFIX + n).map(KeyValue::value).map(String::new))
          .contains(owner);
    }
    assertThat(store.get(KrakeMembership.MEMBERS_PREFIX + "a")).isPresent();
  }

  @Test
  void aJoinMovesOnlyTheShardsTheJoinerWins() {
    GroupMember a = join("a");
    awaitAssignment(a);
    assertThat(a.krake.membership().ownedShards()).hasSize(SHARDS);
    Map<Integer, Guard> claims = new HashMap<>();
    for (int n = 0; n < SHARDS; n++) {
      claims.put(n, a.krake.membership().guard(n).orElseThrow());
    }

    GroupMember b = join("b");
    awaitAssignment(a, b);

    // the shards a kept were never given up: its claims are the same
    for (int n : a.krake.membership().ownedShards()) {
      assertThat(a.krake.membership().guard(n)).contains(claims.get(n));
    }
    assertThat(b.krake.membership().ownedShards()).isNotEmpty();
  }

  @Test
  void aLeavingInstanceHandsItsShardsOverAtOnce() {
    GroupMember a = join("a");
    GroupMember b = join("b");
    awaitAssignment(a, b);

    members.remove(b);
    b.close();

    awaitAssignment(a);
    assertThat(store.get(KrakeMembership.MEMBERS_PREFIX + "b")).isEmpty();
  }

  @Test
  void aKilledInstancesShardsAreTakenOverOnceItsLeaseExpires() {
    GroupMember a = join("a");
    GroupMember b = join("b");
    awaitAssignment(a, b);
    List<Integer> bShards = b.krake.membership().ownedShards();

    // b stops (its keep-alives no longer run): nothing moves while its lease lives
    passTime(TTL.minusSeconds(2), a);
    assertThat(a.krake.membership().ownedShards()).doesNotContainAnyElementsOf(bShards);

    passTime(Duration.ofSeconds(3), a);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(a.krake.membership().ownedShards()).hasSize(SHARDS));
    assertThat(a.krake.membership().peers()).containsExactly("a");
  }

  @Test
  void aDeposedWritersWriteIsRefusedByTheStoreAndItsClusterCheckFails() {
    GroupMember a = join("a");
    GroupMember b = join("b");
    awaitAssignment(a, b);
    String name = appOfShardOwnedBy(b);
    Application created = app(name);
    await().until(() -> overlaps.reconciledBy.containsKey(new ResourceKey("tenant", name)));

    // b is cut off from the store: it does not learn of the take-over and its clock stands still,
    // so it still believes it holds the shard (a paused process)
    b.client.cutOff = true;
    passTime(TTL.plusSeconds(2), a);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(a.krake.membership().ownedShards()).hasSize(SHARDS));
    assertThat(b.krake.membership().owns("tenant", name)).isTrue();
    // a relabels the application once it has taken the shard over: read it after that write
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "a"
                    .equals(
                        a.krake
                            .applications()
                            .require("tenant", name)
                            .metadata()
                            .labels()
                            .get("reconciled-by")));
    Application read = a.krake.applications().require("tenant", name);

    // its write through its components' store is refused by the store: the shard key changed
    String shardKey = KrakeMembership.SHARDS_PREFIX + b.krake.membership().shardOf("tenant", name);
    assertThatThrownBy(
            () ->
                b.context
                    .applications()
                    .update(
                        read.withMetadata(read.metadata().withLabels(Map.of("stale", "write")))))
        .isInstanceOf(ShardNotHeldException.class)
        .hasCauseInstanceOf(ConflictException.class)
        .satisfies(e -> assertThat(((ConflictException) e.getCause()).key()).isEqualTo(shardKey));
    assertThat(a.krake.applications().require("tenant", name).metadata().labels())
        .doesNotContainKey("stale");
    assertThat(created).isNotNull();

    // once its own clock passes the TTL without a successful keep-alive, it holds nothing and
    // refuses cluster operations and writes at once, without asking the store
    b.advance(TTL);
    assertThat(b.krake.membership().ownedShards()).isEmpty();
    assertThatThrownBy(() -> b.krake.membership().checkHolds("tenant", name))
        .isInstanceOf(ShardNotHeldException.class)
        .hasMessageContaining("instance b does not hold shard");
    assertThatThrownBy(
            () ->
                b.context
                    .applications()
                    .update(read.withMetadata(read.metadata().withLabels(Map.of("x", "y")))))
        .isInstanceOf(ShardNotHeldException.class);

    // reconnected, it finds its lease gone, rejoins and gets its share back
    b.client.reconnect();
    b.advance(config.keepAliveInterval());
    awaitAssignment(a, b);
  }

  /**
   * A keep-alive whose answer comes late (a slow store, a loaded machine) lets the lease lapse
   * locally although the store kept it: while it lapses the instance owns nothing, so the events of
   * its shards are ignored. Once the keep-alive succeeds the instance must queue its shards' keys
   * again: nothing tells it of those events otherwise (its owned shards before and after are the
   * same, so no change was published), and such an application waited forever.
   */
  @Test
  void anEventIgnoredWhileTheLeaseLapsedLocallyIsReconciledOnceTheKeepAliveSucceeds() {
    GroupMember a = join("a");
    awaitAssignment(a);
    int before = a.client.keepAlives.get();
    a.client.keepAliveAnswer = new CountDownLatch(1);

    // the keep-alive is sent, its answer is late: a's own clock passes the TTL meanwhile
    a.advance(TTL.plusSeconds(1));
    assertThat(a.krake.membership().ownedShards()).isEmpty();
    app("late");
    ResourceKey key = new ResourceKey("tenant", "late");
    await().atMost(Duration.ofSeconds(10)).until(() -> a.recorder.offered.contains(key));

    // the answer arrives: the store had kept the lease, a holds every shard again
    a.client.keepAliveAnswer.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> a.client.keepAlives.get() > before);
    assertThat(a.krake.membership().ownedShards()).hasSize(SHARDS);

    await("the application created while the lease lapsed, reconciled by a")
        .atMost(Duration.ofSeconds(10))
        .until(() -> overlaps.reconciledBy.getOrDefault(key, Set.of()).contains("a"));
  }

  @Test
  void aReleasingOwnerWaitsForItsReconcileInProgress() {
    GroupMember a = join("a");
    awaitAssignment(a);
    String name = appOfShardOwnedBy("b", List.of("a", "b"));
    a.recorder.release = new CountDownLatch(1);
    a.recorder.entered = new CountDownLatch(1);
    app(name);
    await().until(() -> a.recorder.entered.getCount() == 0);
    int shard = a.krake.membership().shardOf("tenant", name);

    GroupMember b = join("b");
    await().atMost(Duration.ofSeconds(10)).until(() -> !a.krake.membership().owns(shard));
    // a hands the shard over but still holds it while its reconcile runs; b waits
    assertThat(a.krake.membership().holds(shard)).isTrue();
    assertThat(b.krake.membership().owns(shard)).isFalse();
    assertThat(store.get(KrakeMembership.SHARDS_PREFIX + shard).map(kv -> new String(kv.value())))
        .contains("a");

    a.recorder.release.countDown();
    awaitAssignment(a, b);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                overlaps
                    .reconciledBy
                    .getOrDefault(new ResourceKey("tenant", name), Set.of())
                    .contains("b"));
    assertThat(overlaps.overlaps).hasValue(0);
  }

  @Test
  void noApplicationIsReconciledByTwoInstancesAtOnceWhileMembersComeAndGo() {
    GroupMember a = join("a");
    awaitAssignment(a);
    for (int i = 0; i < 60; i++) {
      app("app-" + i);
    }
    GroupMember b = join("b");
    GroupMember c = join("c");
    awaitAssignment(a, b, c);
    members.remove(b);
    b.close();
    awaitAssignment(a, c);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (int i = 0; i < 60; i++) {
                Application read = a.krake.applications().require("tenant", "app-" + i);
                String owner =
                    Shards.ownerOf(
                            a.krake.membership().shardOf("tenant", "app-" + i), List.of("a", "c"))
                        .orElseThrow();
                assertThat(read.metadata().labels()).containsEntry("reconciled-by", owner);
              }
            });
    assertThat(overlaps.overlaps).hasValue(0);
  }

  @Test
  void refusesToJoinAGroupWithAnotherShardCount() {
    join("a");
    GroupMember odd = new GroupMember("odd", store, config.withShardCount(SHARDS * 2), overlaps);
    members.add(odd);

    assertThatThrownBy(odd.krake::start)
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("membership.shardCount")
        .hasMessageContaining("member a of the group uses " + SHARDS);
  }

  @Test
  void refusesAnInstanceIdALiveMemberHas() {
    join("a");
    GroupMember twin = new GroupMember("a", store, config, overlaps);
    members.add(twin);

    assertThatThrownBy(twin.krake::start)
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("membership.instanceId");
  }

  @Test
  void aStandaloneInstanceWritesNoMembershipKeys() {
    try (Krake alone = Krake.builder().store(store).build()) {
      alone.start();
      assertThat(alone.membership().grouped()).isFalse();
      assertThat(alone.membership().ownedShards()).containsExactly(0);
      assertThat(store.listAll("/krake/")).isEmpty();
    }
  }

  private String appOfShardOwnedBy(GroupMember m) {
    return appOfShardOwnedBy(m.id, m.krake.membership().peers());
  }

  private String appOfShardOwnedBy(String id, List<String> live) {
    for (int i = 0; ; i++) {
      String name = "app-" + i;
      if (Shards.ownerOf(Shards.shardOf("tenant", name, SHARDS), live).orElseThrow().equals(id)) {
        return name;
      }
    }
  }
}
