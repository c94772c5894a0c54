package cloud.krake.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KeyedWorkQueueTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ResourceKey A = new ResourceKey("ns", "a");
  private static final ResourceKey B = new ResourceKey("ns", "b");

  private final ManualClock clock = new ManualClock(T0);
  private final ManualTimer scheduler = new ManualTimer(clock);
  private final KeyedWorkQueue<ResourceKey> queue = new KeyedWorkQueue<>(clock, scheduler);

  @Test
  void addingAQueuedKeyAgainQueuesItOnce() {
    queue.add(A);
    queue.add(B);
    queue.add(A);

    assertThat(queue.size()).isEqualTo(2);
    assertThat(queue.poll()).contains(A);
    assertThat(queue.poll()).contains(B);
    assertThat(queue.poll()).isEmpty();
  }

  @Test
  void aKeyAddedWhileProcessedIsQueuedOnceMoreWhenDone() {
    queue.add(A);
    ResourceKey taken = queue.poll().orElseThrow();

    queue.add(A);
    queue.add(A);

    assertThat(queue.poll()).as("not handed out while processed").isEmpty();
    queue.done(taken);
    assertThat(queue.poll()).contains(A);
    queue.done(A);
    assertThat(queue.poll()).isEmpty();
  }

  @Test
  void aKeyDoneWithoutNewAddIsNotQueuedAgain() {
    queue.add(A);
    queue.done(queue.poll().orElseThrow());

    assertThat(queue.size()).isZero();
  }

  @Test
  void addAfterQueuesTheKeyWhenTheDelayHasPassed() {
    queue.addAfter(A, Duration.ofSeconds(10));

    scheduler.advance(Duration.ofSeconds(9));
    assertThat(queue.poll()).isEmpty();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(queue.poll()).contains(A);
  }

  @Test
  void theEarliestOfSeveralDelayedAddsOfAKeyWins() {
    queue.addAfter(A, Duration.ofSeconds(10));
    queue.addAfter(A, Duration.ofSeconds(3));
    queue.addAfter(A, Duration.ofSeconds(20));

    assertThat(scheduler.pendingDueTimes()).containsExactly(T0.plusSeconds(3));
  }

  @Test
  void backoffDoublesFromTheBaseDelayUpToTheMaximumAndForgetResetsIt() {
    KeyedWorkQueue<ResourceKey> q =
        new KeyedWorkQueue<>(clock, scheduler, Duration.ofMillis(5), Duration.ofMillis(40));

    assertThat(q.requeueWithBackoff(A)).isEqualTo(Duration.ofMillis(5));
    assertThat(scheduler.nextDue()).contains(T0.plusMillis(5));
    scheduler.advance(Duration.ofMillis(5));
    q.done(q.poll().orElseThrow());
    assertThat(q.requeueWithBackoff(A)).isEqualTo(Duration.ofMillis(10));
    assertThat(scheduler.nextDue()).contains(T0.plusMillis(15));
    scheduler.advance(Duration.ofMillis(10));
    q.done(q.poll().orElseThrow());
    assertThat(q.requeueWithBackoff(A)).isEqualTo(Duration.ofMillis(20));
    scheduler.advance(Duration.ofMillis(20));
    q.done(q.poll().orElseThrow());
    assertThat(q.requeueWithBackoff(A)).isEqualTo(Duration.ofMillis(40));
    scheduler.advance(Duration.ofMillis(40));
    q.done(q.poll().orElseThrow());
    assertThat(q.requeueWithBackoff(A)).isEqualTo(Duration.ofMillis(40));
    assertThat(q.failures(A)).isEqualTo(5);

    q.forget(A);

    assertThat(q.failures(A)).isZero();
    assertThat(q.requeueWithBackoff(B)).as("per key").isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void backoffNeverOverflowsAfterManyFailures() {
    for (int i = 0; i < 200; i++) {
      queue.requeueWithBackoff(A);
    }

    assertThat(queue.requeueWithBackoff(A)).isEqualTo(KeyedWorkQueue.DEFAULT_MAX_DELAY);
  }

  @Test
  void shutdownReleasesAWaitingTakeAndDropsQueuedAndDelayedKeys() throws Exception {
    CompletableFuture<Object> taken = new CompletableFuture<>();
    Thread worker =
        new Thread(
            () -> {
              try {
                taken.complete(queue.take());
              } catch (InterruptedException e) {
                taken.complete(e);
              }
            },
            "test-worker");
    worker.start();
    queue.addAfter(B, Duration.ofSeconds(1));

    queue.shutdown();
    queue.add(A);

    assertThat(taken.get(10, TimeUnit.SECONDS)).isEqualTo(java.util.Optional.empty());
    assertThat(scheduler.pendingDueTimes()).isEmpty();
    assertThat(queue.poll()).isEmpty();
    assertThat(queue.isShutdown()).isTrue();
  }
}
