package cloud.krake.hooks.mangling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.mangling.Mangling.FakeIssuer;
import cloud.krake.membership.KrakeMembership;
import cloud.krake.membership.MembershipConfig;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HookMangling#register} declares the hooks configuration's group fingerprint: replicas that
 * would write different hook Secrets (here: another hook address) do not form one group.
 */
class HookManglingGroupTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
  private final MemoryStore store =
      MemoryStore.builder().clock(clock).timer(new ManualTimer(clock)).build();
  private final List<Krake> instances = new ArrayList<>();

  @AfterEach
  void close() {
    instances.forEach(Krake::close);
    store.close();
  }

  private Krake instance(String id, String endpoint) {
    HooksConfig hooks = HooksConfig.builder().endpoint(URI.create(endpoint)).build();
    Krake krake =
        HookMangling.register(
                Krake.builder()
                    .store(store)
                    .clock(clock)
                    .timer(new ManualTimer(clock))
                    .builtInControllers(false)
                    .membership(MembershipConfig.defaults().withInstanceId(id)),
                hooks,
                new FakeIssuer())
            .build();
    instances.add(krake);
    return krake;
  }

  @Test
  void aReplicaAdvertisingAnotherHookAddressIsRefusedNamingHooks() {
    instance("a", "http://krake:8080").start();
    Krake b = instance("b", "http://krake-b:8080");

    assertThatThrownBy(b::start)
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining(
            "hooks: is 'complete http://krake-b:8080; shutdown http://krake-b:8080' but member a"
                + " of the group uses 'complete http://krake:8080; shutdown http://krake:8080'");
  }

  @Test
  void theMemberRecordCarriesTheHooksFingerprint() {
    instance("a", "http://krake:8080").start();

    assertThat(
            new String(
                store.get(KrakeMembership.MEMBERS_PREFIX + "a").orElseThrow().value(),
                StandardCharsets.UTF_8))
        .contains(
            "\"fingerprints\":{\"hooks\":\"complete http://krake:8080; shutdown"
                + " http://krake:8080\"}");
  }
}
