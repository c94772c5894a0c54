package cloud.krake.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.store.Lease;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Krake.Builder#groupFingerprint}: instances whose shared configuration differs (the hook
 * address and CA, declared by the hooks as {@code hooks}) do not form one group. The instances' and
 * the store's manual clocks never move, so no lease lapses during a test.
 */
class GroupFingerprintTest {

  private static final int SHARDS = 8;
  private static final String HOOKS_A =
      "complete https://krake.example.com:8443 ca-bundle.pem sha256:1111111111111111";
  private static final String HOOKS_B =
      "complete https://krake-0.example.com:8443 ca-bundle.pem sha256:2222222222222222";

  private final ManualClock storeClock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
  private final MemoryStore store =
      MemoryStore.builder().clock(storeClock).timer(new ManualTimer(storeClock)).build();
  private final List<Krake> instances = new ArrayList<>();

  @AfterEach
  void close() {
    instances.forEach(Krake::close);
    store.close();
  }

  /** An instance of the group, not started; {@code hooks} is its fingerprint, or none if null. */
  private Krake instance(String id, String hooks) {
    ManualClock clock = new ManualClock(storeClock.instant());
    Krake.Builder builder =
        Krake.builder()
            .store(store)
            .clock(clock)
            .timer(new ManualTimer(clock))
            .builtInControllers(false)
            .membership(
                MembershipConfig.defaults()
                    .withInstanceId(id)
                    .withShardCount(SHARDS)
                    .withLeaseTtl(Duration.ofSeconds(6)));
    if (hooks != null) {
      builder.groupFingerprint("hooks", hooks);
    }
    Krake krake = builder.build();
    instances.add(krake);
    return krake;
  }

  private Krake started(String id, String hooks) {
    Krake krake = instance(id, hooks);
    krake.start();
    return krake;
  }

  /** Writes a member record as another process would, with a lease of its own. */
  private void member(String id, String json) {
    Lease lease = store.grantLease(Duration.ofSeconds(60));
    store.create(KrakeMembership.MEMBERS_PREFIX + id, json.getBytes(StandardCharsets.UTF_8), lease);
  }

  @Test
  void theMemberRecordCarriesTheFingerprints() {
    started("a", HOOKS_A);

    assertThat(
            new String(
                store.get(KrakeMembership.MEMBERS_PREFIX + "a").orElseThrow().value(),
                StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"instance_id\":\"a\",\"shard_count\":8,\"fingerprints\":{\"hooks\":\""
                + HOOKS_A
                + "\"}}");
  }

  @Test
  void aSecondMemberWithAnotherFingerprintIsRefusedNamingTheFieldAndBothValues() {
    started("a", HOOKS_A);
    Krake b = instance("b", HOOKS_B);

    assertThatThrownBy(b::start)
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage(
            "invalid configuration: hooks: is '"
                + HOOKS_B
                + "' but member a of the group uses '"
                + HOOKS_A
                + "'; every instance sharing a store must use the same hooks configuration");
    assertThat(store.get(KrakeMembership.MEMBERS_PREFIX + "b")).isEmpty();
  }

  @Test
  void aMemberWithoutTheFingerprintIsRefusedByOneWithIt() {
    started("a", null);
    Krake b = instance("b", HOOKS_A);

    assertThatThrownBy(b::start)
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("hooks: is '" + HOOKS_A + "' but member a of the group uses none");
  }

  @Test
  void aSecondMemberWithTheSameFingerprintJoins() {
    Krake a = started("a", HOOKS_A);
    Krake b = started("b", HOOKS_A);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(a.membership().peers()).containsExactly("a", "b");
              assertThat(b.membership().peers()).containsExactly("a", "b");
              assertThat(a.membership().ownedShards().size() + b.membership().ownedShards().size())
                  .isEqualTo(SHARDS);
            });
  }

  @Test
  void aMemberRecordWithoutFingerprintsIsComparedByItsShardCountOnly() {
    // as written before the fingerprints existed
    member("old", "{\"instance_id\":\"old\",\"shard_count\":8}");

    Krake b = started("b", HOOKS_A);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(b.membership().peers()).containsExactly("b", "old"));
  }

  @Test
  void aMemberWithAnotherFingerprintSeenAfterTheStartIsLeftOutOfTheGroup() {
    Krake a = started("a", HOOKS_A);

    member("odd", "{\"instance_id\":\"odd\",\"shard_count\":8,\"fingerprints\":{\"hooks\":\"x\"}}");
    // seen after "odd" (one watch, in order): once "c" is a peer, "odd" was judged
    member(
        "c",
        "{\"instance_id\":\"c\",\"shard_count\":8,\"fingerprints\":{\"hooks\":\""
            + HOOKS_A
            + "\"}}");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(a.membership().peers()).containsExactly("a", "c"));
  }
}
