package cloud.krake.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.ConflictException;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class ControllerTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ResourceKey A = new ResourceKey("ns", "a");

  private final ManualClock clock = new ManualClock(T0);
  private final ManualTimer scheduler = new ManualTimer(clock);

  private Controller<ResourceKey> controller(Reconciler<ResourceKey> reconciler) {
    return Controller.builder("test", reconciler).clock(clock).timer(scheduler).build();
  }

  @Test
  void drainReconcilesEveryReadyKeyOnce() {
    List<ResourceKey> seen = new ArrayList<>();
    Controller<ResourceKey> c =
        controller(
            key -> {
              seen.add(key);
              return ReconcileResult.done();
            });
    ResourceKey global = new ResourceKey("", "global");
    c.queue().add(A);
    c.queue().add(global);
    c.queue().add(A);

    int processed = c.drain();

    assertThat(processed).isEqualTo(2);
    assertThat(seen).containsExactly(A, global);
    assertThat(MDC.get(Controller.MDC_KEY)).as("MDC cleared").isNull();
  }

  @Test
  void aFailingKeyIsRetriedAfterOneTwoAndFourSecondsUntilItSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    Controller<ResourceKey> c =
        controller(
            key -> {
              if (calls.incrementAndGet() <= 3) {
                throw new IllegalStateException("cluster unreachable");
              }
              return ReconcileResult.done();
            });
    c.queue().add(A);

    assertThat(c.runOnce()).isTrue();
    assertThat(scheduler.nextDue()).contains(T0.plusSeconds(1));
    scheduler.advance(Duration.ofMillis(999));
    assertThat(c.drain()).as("not before its back-off").isZero();
    scheduler.advance(Duration.ofMillis(1));
    c.drain();
    assertThat(scheduler.nextDue()).contains(T0.plusSeconds(3));
    scheduler.advance(Duration.ofSeconds(2));
    c.drain();
    assertThat(scheduler.nextDue()).contains(T0.plusSeconds(7));
    assertThat(c.queue().failures(A)).isEqualTo(3);
    scheduler.advance(Duration.ofSeconds(4));
    c.drain();

    assertThat(calls).hasValue(4);
    assertThat(c.queue().failures(A)).isZero();
    assertThat(scheduler.nextDue()).isEmpty();
  }

  @Test
  void theDefaultBackOffDoublesFromOneSecondUpToFiveMinutes() {
    KeyedWorkQueue<ResourceKey> q = new KeyedWorkQueue<>(clock, scheduler);
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      delays.add(q.requeueWithBackoff(A));
    }
    assertThat(delays)
        .containsExactly(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(16),
            Duration.ofSeconds(32),
            Duration.ofSeconds(64),
            Duration.ofSeconds(128),
            Duration.ofSeconds(256),
            Duration.ofMinutes(5),
            Duration.ofMinutes(5),
            Duration.ofMinutes(5));
  }

  @Test
  void aFailingKeyIsLoggedOnceAtWarnWithoutStackTraceAndOnceWhenItRecovers() {
    AtomicInteger calls = new AtomicInteger();
    Controller<ResourceKey> c =
        controller(
            key -> {
              if (calls.incrementAndGet() <= 5) {
                throw new IllegalStateException("cluster unreachable");
              }
              return ReconcileResult.done();
            });
    c.queue().add(A);

    String log =
        LogLines.captureStandardError(
            () -> {
              c.drain();
              for (int i = 0; i < 5; i++) {
                scheduler.advance(
                    Duration.between(clock.instant(), scheduler.nextDue().orElseThrow()));
                c.drain();
              }
            });

    assertThat(calls).hasValue(6);
    assertThat(LogLines.at("WARN", log))
        .singleElement()
        .asString()
        .contains("ns/a")
        .contains("cluster unreachable")
        .contains("retrying in PT1S");
    assertThat(LogLines.at("INFO", log))
        .singleElement()
        .asString()
        .contains("after 5 failed attempts");
    assertThat(LogLines.of(log)).noneMatch(line -> line.startsWith("\tat "));
  }

  @Test
  void lostCompareAndSetsAreNotWarningsAndAreReadAgainAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    Controller<ResourceKey> c =
        controller(
            key -> {
              if (calls.incrementAndGet() <= 20) {
                throw new ConflictException("/k/" + key.name(), calls.get(), calls.get() + 1);
              }
              return ReconcileResult.done();
            });
    c.queue().add(A);

    String log = LogLines.captureStandardError(c::drain);

    assertThat(calls).as("read again without a back-off").hasValue(21);
    assertThat(scheduler.nextDue()).isEmpty();
    assertThat(c.queue().failures(A)).isZero();
    assertThat(LogLines.at("WARN", log)).isEmpty();
  }

  @Test
  void anUnavailableStoreIsNotAWarningPerKey() {
    Controller<ResourceKey> c =
        controller(
            key -> {
              throw new StoreUnavailableException("etcd at http://127.0.0.1:1: get failed", null);
            });
    for (int i = 0; i < 50; i++) {
      c.queue().add(new ResourceKey("ns", "app-" + i));
    }

    String log =
        LogLines.captureStandardError(
            () -> {
              c.drain();
              scheduler.advance(Duration.ofSeconds(1));
              c.drain();
            });

    assertThat(LogLines.at("WARN", log)).isEmpty();
    assertThat(scheduler.nextDue()).as("still backing off").contains(T0.plusSeconds(3));
  }

  @Test
  void requeueAfterReconcilesTheKeyAgainAfterTheDelay() {
    AtomicInteger calls = new AtomicInteger();
    Controller<ResourceKey> c =
        controller(
            key ->
                calls.incrementAndGet() == 1
                    ? ReconcileResult.requeueAfter(Duration.ofSeconds(30))
                    : ReconcileResult.done());
    c.queue().add(A);

    c.drain();
    scheduler.advance(Duration.ofSeconds(29));
    assertThat(c.drain()).isZero();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(c.drain()).isEqualTo(1);
    assertThat(calls).hasValue(2);
  }

  @Test
  void reconcileResultRejectsANegativeDelayAndComparesByValue() {
    assertThatThrownBy(() -> ReconcileResult.requeueAfter(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(ReconcileResult.requeueAfter(Duration.ofSeconds(1)))
        .isEqualTo(ReconcileResult.requeueAfter(Duration.ofSeconds(1)));
    assertThat(ReconcileResult.done().requeueDelay()).isEmpty();
  }

  @Test
  void neverReconcilesOneKeyOnTwoWorkersAtOnceUnderConcurrentAdds() throws Exception {
    Map<ResourceKey, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger reconciles = new AtomicInteger();
    Set<String> threadNames = ConcurrentHashMap.newKeySet();
    Controller<ResourceKey> c =
        Controller.<ResourceKey>builder(
                "hammer",
                key -> {
                  threadNames.add(Thread.currentThread().getName());
                  AtomicInteger n = inFlight.computeIfAbsent(key, k -> new AtomicInteger());
                  if (n.incrementAndGet() > 1) {
                    overlaps.incrementAndGet();
                  }
                  Thread.yield();
                  n.decrementAndGet();
                  reconciles.incrementAndGet();
                  return ReconcileResult.done();
                })
            .workerCount(8)
            .build();
    c.start();
    int producers = 8;
    CountDownLatch finished = new CountDownLatch(producers);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < 5_000; i++) {
                  c.queue().add(new ResourceKey("ns", "k" + (i % 4)));
                }
                finished.countDown();
              });
      threads.add(t);
      t.start();
    }
    finished.await();

    await().atMost(Duration.ofSeconds(20)).until(() -> c.queue().size() == 0);
    c.close();

    assertThat(overlaps).hasValue(0);
    assertThat(reconciles.get()).isPositive();
    assertThat(threadNames).allMatch(n -> n.matches("krake-hammer-[1-8]"));
  }

  @Test
  void closeStopsTheWorkersAndIsIdempotent() {
    Controller<ResourceKey> c = controller(key -> ReconcileResult.done());
    c.start();
    List<Thread> workers =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("krake-test-"))
            .toList();
    assertThat(workers).hasSize(Controller.DEFAULT_WORKER_COUNT);

    c.close();
    c.close();

    assertThat(workers).noneMatch(Thread::isAlive);
    assertThatThrownBy(c::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aStartedControllerCannotBeDrivenStepByStep() {
    try (Controller<ResourceKey> c = controller(key -> ReconcileResult.done())) {
      c.start();

      assertThatThrownBy(c::runOnce).isInstanceOf(IllegalStateException.class);
      assertThatThrownBy(c::start).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void rejectsAnInvalidNameOrWorkerCount() {
    assertThatThrownBy(() -> Controller.builder("Bad Name", key -> ReconcileResult.done()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Controller.builder("ok", key -> ReconcileResult.done()).workerCount(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
