package cloud.krake.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.testing.EtcdCluster;
import cloud.krake.testing.RecordingWatchListener;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EtcdStore} on a three-member etcd cluster ({@link EtcdCluster}) whose serving member is
 * killed (SIGKILL) and restarted while the store writes and watches: no acknowledged write is lost,
 * a watch open across the kills follows the writes on a live member while the killed one is down
 * and receives every event once and in order, leases live on.
 */
class EtcdClusterIT {
  private static final Logger log = LoggerFactory.getLogger(EtcdClusterIT.class);
  private static final Duration AWAIT = Duration.ofSeconds(60);

  private static EtcdCluster cluster;

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

  private static EtcdStore store() {
    return EtcdStore.builder().endpoints(cluster.endpoints()).build();
  }

  @Test
  void writesAndAWatchSurviveKillingAndRestartingTheServingMemberTwice() {
    String prefix = "/cluster/writes/";
    int writes = 200;
    try (EtcdStore store = store()) {
      RecordingWatchListener listener = new RecordingWatchListener();
      Watch watch = store.watch(prefix, store.revision() + 1, listener);
      try {
        List<Long> revisions = new ArrayList<>();
        List<Long> failoverMillis = new ArrayList<>();
        long killedAt = 0;
        int ambiguous = 0;
        for (int i = 0; i < writes; i++) {
          if (i == 50 || i == 130) {
            int serving = store.currentMember();
            cluster.member(serving).kill();
            killedAt = System.nanoTime();
            log.info("killed member {} ({}) before write {}", serving, store.member(serving), i);
          }
          if (i == 100 || i == 170) {
            // The watch moved to a live member: it sees every write while the killed one is down.
            int seen = i;
            await().atMost(AWAIT).until(() -> listener.count() == seen);
            cluster.members().forEach(m -> m.start()); // the killed one rejoins with its data
          }
          String key = prefix + String.format("%03d", i);
          byte[] value = Integer.toString(i).getBytes(UTF_8);
          KeyValue written = null;
          while (written == null) {
            try {
              written = store.create(key, value);
            } catch (StoreUnavailableException e) {
              // It may have been applied: re-read, as the Store contract asks.
              ambiguous++;
              Optional<KeyValue> current = readWithRetries(store, key);
              if (current.isPresent()) {
                written = current.get();
              }
            }
          }
          if (killedAt != 0) {
            failoverMillis.add((System.nanoTime() - killedAt) / 1_000_000);
            killedAt = 0;
          }
          revisions.add(written.modRevision());
        }
        log.info(
            "failover: first write after each kill took {} ms; {} calls failed and were re-read",
            failoverMillis,
            ambiguous);

        List<KeyValue> stored = store.listAll(prefix);
        assertThat(stored).hasSize(writes);
        for (int i = 0; i < writes; i++) {
          assertThat(stored.get(i).valueAsString()).isEqualTo(Integer.toString(i));
        }
        await().atMost(AWAIT).until(() -> listener.count() >= writes);
        await()
            .during(Duration.ofMillis(500))
            .atMost(AWAIT)
            .until(() -> listener.count() == writes);
        assertThat(listener.events())
            .extracting(WatchEvent::revision)
            .containsExactlyElementsOf(revisions);
        assertThat(listener.events()).allMatch(e -> e.type() == WatchEvent.Type.ADDED);
        assertThat(listener.closed()).isEmpty();
      } finally {
        watch.close();
      }
    }
  }

  @Test
  void aLeaseIsKeptAliveThroughTheOtherMembersWhileOneIsDown() {
    String key = "/cluster/lease/member";
    try (EtcdStore store = store()) {
      Lease lease = store.grantLease(Duration.ofSeconds(30));
      store.create(key, "1".getBytes(UTF_8), lease);
      int serving = store.currentMember();
      cluster.member(serving).kill();
      try {
        Lease kept =
            await()
                .atMost(AWAIT)
                .ignoreExceptions()
                .until(() -> keepAlive(store, lease), k -> k != null);

        assertThat(kept.ttl()).isEqualTo(lease.ttl());
        assertThat(store.currentMember()).isNotEqualTo(serving);
        assertThat(store.leaseId(key)).hasValue(lease.id());
        store.revokeLease(lease);
        assertThat(store.get(key)).isEmpty();
      } finally {
        cluster.member(serving).start();
      }
    }
  }

  @Test
  void readsGoToTheNextMemberWhenTheFirstIsDown() {
    cluster.member(2).stop();
    try {
      List<URI> downFirst =
          List.of(
              cluster.member(2).endpoint(),
              cluster.member(0).endpoint(),
              cluster.member(1).endpoint());
      try (EtcdStore store = EtcdStore.builder().endpoints(downFirst).build()) {
        store.create("/cluster/reads/a", "1".getBytes(UTF_8)); // refused by the first: not sent
        assertThat(store.get("/cluster/reads/a")).isPresent();
        assertThat(store.currentMember()).isEqualTo(1);
      }
    } finally {
      cluster.member(2).start();
    }
  }

  @Test
  void writesGoOnAfterTheLeaderIsKilled() throws Exception {
    int leader = leaderIndex();
    List<URI> leaderFirst = new ArrayList<>(cluster.endpoints());
    leaderFirst.add(0, leaderFirst.remove(leader));
    try (EtcdStore store = EtcdStore.builder().endpoints(leaderFirst).build()) {
      store.create("/cluster/leader/before", "1".getBytes(UTF_8));
      cluster.member(leader).kill();
      long killedAt = System.nanoTime();
      int failed = 0;
      KeyValue written = null;
      try {
        while (written == null) {
          try {
            written = store.create("/cluster/leader/after", "2".getBytes(UTF_8));
          } catch (StoreUnavailableException e) {
            failed++;
            written = readWithRetries(store, "/cluster/leader/after").orElse(null);
          }
        }
        log.info(
            "leader killed: the first write succeeded {} ms later, after {} failed attempts",
            (System.nanoTime() - killedAt) / 1_000_000,
            failed);
        assertThat(store.get("/cluster/leader/before")).isPresent();
        assertThat(written.valueAsString()).isEqualTo("2");
      } finally {
        cluster.member(leader).start();
      }
    }
  }

  /** Asks each member for its status; returns the index of the member that is the leader. */
  private static int leaderIndex() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < cluster.members().size(); i++) {
      HttpRequest request =
          HttpRequest.newBuilder(cluster.member(i).endpoint().resolve("/v3/maintenance/status"))
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build();
      JsonNode status =
          new ObjectMapper()
              .readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
      if (status.path("leader").asText().equals(status.path("header").path("member_id").asText())) {
        return i;
      }
    }
    throw new AssertionError("no member is the leader");
  }

  private static Lease keepAlive(EtcdStore store, Lease lease) {
    return store.keepAliveLease(lease);
  }

  private static Optional<KeyValue> readWithRetries(EtcdStore store, String key) {
    return await()
        .atMost(AWAIT)
        .ignoreException(StoreUnavailableException.class)
        .until(() -> store.get(key), r -> true);
  }
}
