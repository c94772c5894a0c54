package cloud.krake.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.KrakeContext;
import cloud.krake.runtime.Component;
import cloud.krake.store.ConflictException;
import cloud.krake.store.Guard;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.testing.EtcdCluster;
import cloud.krake.testing.ForwardingStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several {@link Krake} instances, each with its own {@link EtcdStore} client and the system clock,
 * on a three-member etcd cluster: the shares, a hand-over, and a frozen instance whose lease
 * expires on the server and whose writes are then refused.
 */
class MembershipOnEtcdIT {

  private static final int SHARDS = 16;
  private static EtcdCluster cluster;

  private final List<Instance> instances = new ArrayList<>();
  private final MembershipConfig config =
      MembershipConfig.defaults().withLeaseTtl(Duration.ofSeconds(2)).withShardCount(SHARDS);

  @BeforeAll
  static void startCluster() {
    cluster = EtcdCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeInstances() {
    for (Instance i : instances) {
      i.krake.close();
      i.etcd.close();
    }
    try (EtcdStore cleanup = EtcdStore.builder().endpoints(cluster.endpoints()).build()) {
      for (KeyValue kv : cleanup.listAll("/")) {
        try {
          cleanup.delete(kv.key(), kv.modRevision());
        } catch (ConflictException gone) {
          // a lease expired meanwhile
        }
      }
    }
  }

  /** One instance: its own etcd client, which the test can cut off from the store. */
  private final class Instance {
    final String id;
    final EtcdStore etcd = EtcdStore.builder().endpoints(cluster.endpoints()).build();
    final Client client = new Client(etcd);
    final Krake krake;
    volatile KrakeContext context;

    Instance(String id) {
      this.id = id;
      this.krake =
          Krake.builder()
              .store(client)
              .builtInControllers(false)
              .membership(config.withInstanceId(id))
              .component(
                  ctx -> {
                    context = ctx;
                    return new Idle();
                  })
              .build();
    }
  }

  private Instance start(String id) {
    Instance i = new Instance(id);
    instances.add(i);
    i.krake.start();
    return i;
  }

  private static void awaitAssignment(Instance... live) {
    List<String> ids = java.util.Arrays.stream(live).map(i -> i.id).sorted().toList();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Set<Integer> all = new HashSet<>();
              for (Instance i : live) {
                assertThat(i.krake.membership().peers()).isEqualTo(ids);
                List<Integer> owned = i.krake.membership().ownedShards();
                for (int n : owned) {
                  assertThat(Shards.ownerOf(n, ids)).contains(i.id);
                }
                all.addAll(owned);
              }
              assertThat(all).isEqualTo(new HashSet<>(IntStream.range(0, SHARDS).boxed().toList()));
            });
  }

  @Test
  void instancesShareTheShardsAndTakeOverALeaversShare() {
    Instance a = start("a");
    Instance b = start("b");
    Instance c = start("c");
    awaitAssignment(a, b, c);

    instances.remove(b);
    b.krake.close();
    b.etcd.close();

    awaitAssignment(a, c);
  }

  @Test
  void aFrozenInstancesShareMovesAfterItsLeaseAndItsStaleWritesAreRefused() {
    Instance a = start("a");
    Instance b = start("b");
    awaitAssignment(a, b);
    int shard = b.krake.membership().ownedShards().get(0);
    Guard stale = b.krake.membership().guard(shard).orElseThrow();
    String key = "/test/records/" + shard;
    KeyValue record = b.context.store().create(key, "by b".getBytes(StandardCharsets.UTF_8), stale);

    // b is frozen: no keep-alive reaches etcd, no watch event reaches b
    b.client.cutOff = true;

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(a.krake.membership().ownedShards()).hasSize(SHARDS));
    // the stale writer's guarded write is refused by etcd: the shard key is a's claim now
    assertThatThrownBy(
            () ->
                b.etcd.update(
                    key, "stale".getBytes(StandardCharsets.UTF_8), record.modRevision(), stale))
        .isInstanceOf(ConflictException.class)
        .satisfies(e -> assertThat(((ConflictException) e).key()).isEqualTo(stale.key()));
    // and b, past its TTL by its own clock, refuses by itself
    assertThat(b.krake.membership().ownedShards()).isEmpty();
    assertThatThrownBy(
            () ->
                b.context
                    .store()
                    .create("/kubernetes/applications/tenant/x", new byte[] {'{', '}'}))
        .isInstanceOfAny(ShardNotHeldException.class, ConflictException.class);
    assertThat(new String(a.etcd.get(key).orElseThrow().value(), StandardCharsets.UTF_8))
        .isEqualTo("by b");

    // resumed, b finds its lease gone, rejoins and gets its share back
    b.client.reconnect();
    awaitAssignment(a, b);
  }

  /** A store client that can be cut off: keep-alives fail and watch events are held back. */
  static final class Client extends ForwardingStore {
    volatile boolean cutOff;
    private final List<Runnable> held = new ArrayList<>();

    Client(Store delegate) {
      super(delegate);
    }

    @Override
    public Lease keepAliveLease(Lease lease) {
      if (cutOff) {
        throw new StoreUnavailableException("cut off by the test", new IOException("cut off"));
      }
      return super.keepAliveLease(lease);
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
      return super.watch(
          prefix,
          fromRevision,
          interceptingEvents(
              listener,
              event -> {
                synchronized (held) {
                  if (cutOff) {
                    held.add(() -> listener.onEvent(event));
                    return;
                  }
                }
                listener.onEvent(event);
              }));
    }

    void reconnect() {
      List<Runnable> deliver;
      synchronized (held) {
        cutOff = false;
        deliver = new ArrayList<>(held);
        held.clear();
      }
      deliver.forEach(Runnable::run);
    }
  }

  /** A component that does nothing: the test only wants the context. */
  private static final class Idle implements Component {
    @Override
    public String name() {
      return "idle";
    }

    @Override
    public void watch() {}

    @Override
    public void start() {}

    @Override
    public int drain() {
      return 0;
    }

    @Override
    public int queued() {
      return 0;
    }

    @Override
    public void close() {}
  }
}
