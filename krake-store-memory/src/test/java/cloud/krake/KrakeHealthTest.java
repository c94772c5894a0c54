package cloud.krake;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.KrakeHealth.HealthCheck;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ForwardingStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Krake#health()}: the store, watches and controllers checks, ready and live. */
class KrakeHealthTest {

  private final MemoryStore memory = MemoryStore.create();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ControlledStore store = new ControlledStore(memory);

  @AfterEach
  void closeStore() {
    store.release.countDown();
    memory.close();
  }

  private Krake krake() {
    return Krake.builder().store(store).clock(clock).timer(new ManualTimer(clock)).build();
  }

  @Test
  void watchedInstanceWithAReachableStoreIsUpReadyAndLive() {
    try (Krake krake = krake()) {
      krake.watch();

      KrakeHealth health = krake.health();

      assertThat(health.up()).as(health.toString()).isTrue();
      assertThat(health.ready()).isTrue();
      assertThat(health.live()).isTrue();
      assertThat(health.checks())
          .extracting(HealthCheck::name)
          .containsExactly(KrakeHealth.STORE, KrakeHealth.WATCHES, KrakeHealth.CONTROLLERS);
      assertThat(health.check(KrakeHealth.WATCHES).orElseThrow().detail()).endsWith(" watching");
      assertThat(health.checkedAt()).isEqualTo(clock.instant());
    }
  }

  @Test
  void startedInstanceCountsItsLiveWorkers() {
    try (Krake krake = Krake.builder().store(store).workers(3).build()) {
      krake.start();

      KrakeHealth health = krake.health();

      assertThat(health.up()).as(health.toString()).isTrue();
      // scheduler and garbage collector, 3 workers each
      assertThat(health.check(KrakeHealth.CONTROLLERS).orElseThrow().detail())
          .isEqualTo("2 components, 6 of 6 workers alive");
    }
  }

  @Test
  void unreachableStoreIsDownNamingTheStoreCheckButStillLive() {
    try (Krake krake = krake()) {
      krake.watch();
      store.unavailable = true;

      KrakeHealth health = krake.health();

      assertThat(health.up()).isFalse();
      assertThat(health.ready()).isFalse();
      assertThat(health.live()).isTrue();
      assertThat(health.failed()).extracting(HealthCheck::name).containsExactly(KrakeHealth.STORE);
      assertThat(health.toString())
          .startsWith("KrakeHealth{DOWN, store: DOWN (StoreUnavailableException: etcd is away)");
    }
  }

  @Test
  void storeThatDoesNotAnswerWithinTheTimeoutIsDownAndNotCalledAgainWhileItHangs() {
    try (Krake krake = krake()) {
      krake.watch();
      store.revisionCalls.set(0);
      store.hang = true;

      KrakeHealth first = krake.health(Duration.ofMillis(50));
      KrakeHealth second = krake.health(Duration.ofMillis(50));

      assertThat(first.check(KrakeHealth.STORE).orElseThrow())
          .isEqualTo(new HealthCheck(KrakeHealth.STORE, false, false, "no answer within PT0.05S"));
      assertThat(second.check(KrakeHealth.STORE).orElseThrow().detail())
          .isEqualTo("the previous check's call has not returned yet");
      assertThat(store.revisionCalls).hasValue(1);
    }
  }

  @Test
  void watchEndedByTheStoreMakesTheInstanceNotReadyNamingTheReflector() {
    try (Krake krake = krake()) {
      krake.watch();
      assertThat(krake.health().ready()).isTrue();

      store.listeners.get(0).onClosed(new KrakeException("the store closed the watch"));
      KrakeHealth health = krake.health();

      assertThat(health.ready()).isFalse();
      assertThat(health.live()).isTrue();
      assertThat(health.failed())
          .extracting(HealthCheck::name)
          .containsExactly(KrakeHealth.WATCHES);
      assertThat(health.check(KrakeHealth.WATCHES).orElseThrow().detail())
          .startsWith("not watching: [scheduler/");
    }
  }

  @Test
  void instanceNotStartedOrClosedIsNeitherReadyNorLive() {
    Krake krake = krake();
    KrakeHealth before = krake.health();
    krake.close();
    KrakeHealth after = krake.health();

    assertThat(before.live()).isFalse();
    assertThat(before.check(KrakeHealth.CONTROLLERS).orElseThrow().detail())
        .isEqualTo("not started: neither start() nor watch() was called");
    assertThat(after.live()).isFalse();
    assertThat(after.failed())
        .extracting(HealthCheck::detail)
        .containsOnly("this Krake instance is closed");
  }

  /** A store whose revision() can fail or hang, and which hands out its watch listeners. */
  private static final class ControlledStore extends ForwardingStore {
    volatile boolean unavailable;
    volatile boolean hang;
    final AtomicInteger revisionCalls = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final List<WatchListener> listeners = new CopyOnWriteArrayList<>();

    ControlledStore(MemoryStore delegate) {
      super(delegate);
    }

    @Override
    public long revision() {
      revisionCalls.incrementAndGet();
      if (unavailable) {
        throw new StoreUnavailableException("etcd is away", new IOException("connection refused"));
      }
      if (hang) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.revision();
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
      listeners.add(listener);
      return super.watch(prefix, fromRevision, listener);
    }
  }
}
