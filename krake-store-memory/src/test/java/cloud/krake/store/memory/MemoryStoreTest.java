package cloud.krake.store.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.CompactedException;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Lease;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import cloud.krake.testing.RecordingWatchListener;
import cloud.krake.testing.StoreContract;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemoryStoreTest extends StoreContract {

  private final ManualTimer timer = new ManualTimer(new ManualClock(Instant.EPOCH));

  @Override
  protected Store createStore() {
    return MemoryStore.builder().clock(timer.clock()).timer(timer).build();
  }

  @Override
  protected void passTime(Duration duration) {
    timer.advance(duration);
  }

  @Test
  void leaseKeptAliveOutlivesItsFirstDeadlineAndExpiresAtItsNewOne() {
    ManualTimer manual = new ManualTimer(new ManualClock(Instant.EPOCH));
    try (MemoryStore leased = MemoryStore.builder().clock(manual.clock()).timer(manual).build()) {
      Lease lease = leased.grantLease(Duration.ofSeconds(10));
      leased.create("/member", "1".getBytes(UTF_8), lease);

      manual.advance(Duration.ofSeconds(6));
      leased.keepAliveLease(lease); // new deadline: 16 s
      manual.advance(Duration.ofSeconds(6)); // the first check, at 10 s, finds it alive
      assertThat(leased.get("/member")).isPresent();
      assertThat(leased.leaseTimeToLive(lease)).contains(Duration.ofSeconds(4));

      manual.advance(Duration.ofSeconds(4));
      assertThat(leased.get("/member")).isEmpty();
      assertThat(manual.pendingDueTimes()).isEmpty();
    }
  }

  @Test
  void leaseGrantRoundsTheTtlUpToWholeSeconds() {
    try (MemoryStore plain = MemoryStore.create()) {
      assertThat(plain.grantLease(Duration.ofMillis(1500)).ttl()).isEqualTo(Duration.ofSeconds(2));
    }
  }

  @Test
  void compactsHistoryAutomaticallyBeyondTheRetainedRevisions() {
    try (MemoryStore small = MemoryStore.builder().retainedRevisions(10).build()) {
      KeyValue kv = small.create("/k", "0".getBytes(UTF_8));
      long first = kv.modRevision();
      for (int i = 1; i <= 100; i++) {
        kv = small.update("/k", Integer.toString(i).getBytes(UTF_8), kv.modRevision());
      }

      assertThatThrownBy(() -> small.list("/", new PageRequest(1, "", first)))
          .isInstanceOf(CompactedException.class);
      assertThat(small.list("/", new PageRequest(1, "", kv.modRevision() - 9)).items())
          .singleElement()
          .satisfies(old -> assertThat(old.valueAsString()).isEqualTo("91"));
      RecordingWatchListener listener = new RecordingWatchListener();
      small.watch("/", first, listener);
      await().atMost(AWAIT).until(() -> listener.compacted().isPresent());
    }
  }

  @Test
  void compactsHistoryBeyondTwiceTheRetainedBytesBackToThem() {
    // each write: key "/k" (2 bytes) + a 98-byte value = 100 bytes; bound 1,000 bytes
    try (MemoryStore small = MemoryStore.builder().retainedBytes(1_000).build()) {
      byte[] value = new byte[98];
      KeyValue kv = small.create("/k", value);
      long first = kv.modRevision();
      for (int i = 1; i < 20; i++) { // 20 writes: 2,000 bytes, not more than twice the bound
        kv = small.update("/k", value, kv.modRevision());
      }
      assertThat(small.list("/", new PageRequest(1, "", first)).items()).hasSize(1);

      kv = small.update("/k", value, kv.modRevision()); // 2,100 bytes: back to the newest 1,000

      long last = kv.modRevision();
      assertThatThrownBy(() -> small.list("/", new PageRequest(1, "", last - 10)))
          .isInstanceOf(CompactedException.class);
      assertThat(small.list("/", new PageRequest(1, "", last - 9)).items()).hasSize(1);
      RecordingWatchListener listener = new RecordingWatchListener();
      small.watch("/", first, listener);
      await().atMost(AWAIT).until(() -> listener.compacted().isPresent());
    }
  }

  @Test
  void keepsTheNewestWriteEvenWhenItAloneExceedsTheRetainedBytes() {
    try (MemoryStore small = MemoryStore.builder().retainedBytes(10).build()) {
      KeyValue kv = small.create("/k", new byte[100]);

      assertThat(small.list("/", new PageRequest(1, "", kv.modRevision())).items())
          .singleElement()
          .satisfies(only -> assertThat(only.value()).hasSize(100));
    }
  }

  @Test
  void compactsHistoryOlderThanTwiceTheRetainedAgeBackToIt() {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-06T12:00:00Z"));
    try (MemoryStore store =
        MemoryStore.builder().retainedAge(Duration.ofMinutes(5)).clock(clock).build()) {
      KeyValue kv = store.create("/k", "0".getBytes(UTF_8));
      long first = kv.modRevision();
      clock.advance(Duration.ofMinutes(6));
      kv = store.update("/k", "1".getBytes(UTF_8), kv.modRevision());
      long sixMinutesLater = kv.modRevision();
      clock.advance(Duration.ofMinutes(3)); // the first write is 9 minutes old: kept (< 10)
      kv = store.update("/k", "2".getBytes(UTF_8), kv.modRevision());
      assertThat(store.list("/", new PageRequest(1, "", first)).items()).hasSize(1);

      clock.advance(Duration.ofMinutes(3)); // 12 minutes: back to the revision visible at 12:07
      store.update("/k", "3".getBytes(UTF_8), kv.modRevision());

      assertThatThrownBy(() -> store.list("/", new PageRequest(1, "", sixMinutesLater)))
          .isInstanceOf(CompactedException.class);
      assertThatThrownBy(() -> store.list("/", new PageRequest(1, "", first)))
          .isInstanceOf(CompactedException.class);
      assertThat(store.list("/", new PageRequest(1, "", kv.modRevision())).items())
          .singleElement()
          .satisfies(v -> assertThat(v.valueAsString()).isEqualTo("2"));
    }
  }

  @Test
  void rejectsNonPositiveRetainedBytesAndAge() {
    assertThatThrownBy(() -> MemoryStore.builder().retainedBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retainedBytes");
    assertThatThrownBy(() -> MemoryStore.builder().retainedAge(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retainedAge");
  }

  @Test
  void rejectsNonPositiveRetainedRevisions() {
    assertThatThrownBy(() -> MemoryStore.builder().retainedRevisions(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retainedRevisions");
  }

  @Test
  void ordersKeysByTheirUtf8Bytes() {
    try (MemoryStore store = MemoryStore.create()) {
      String bmpHigh = "/k/\uFF21"; // U+FF21: UTF-8 EF BC A1
      String supplementary = "/k/\uD83D\uDE00"; // U+1F600: UTF-8 F0 9F 98 80
      store.create(supplementary, new byte[0]);
      store.create(bmpHigh, new byte[0]);

      assertThat(store.listAll("/k/"))
          .extracting(KeyValue::key)
          .containsExactly(bmpHigh, supplementary);
    }
  }
}
