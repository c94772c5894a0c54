package cloud.krake.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualScheduler;
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
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private Controller<ResourceKey> controller(Reconciler<ResourceKey> reconciler) {
    return Controller.builder("test", reconciler).clock(clock).scheduler(scheduler).build();
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
  void aFailingKeyIsRetriedWithExponentialBackoffUntilItSucceeds() {
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
    assertThat(scheduler.nextDue()).contains(T0.plusMillis(5));
    scheduler.advance(Duration.ofMillis(5));
    c.drain();
    assertThat(scheduler.nextDue()).contains(T0.plusMillis(15));
    scheduler.advance(Duration.ofMillis(10));
    c.drain();
    assertThat(scheduler.nextDue()).contains(T0.plusMillis(35));
    assertThat(c.queue().failures(A)).isEqualTo(3);
    scheduler.advance(Duration.ofMillis(20));
    c.drain();

    assertThat(calls).hasValue(4);
    assertThat(c.queue().failures(A)).isZero();
    assertThat(scheduler.nextDue()).isEmpty();
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
