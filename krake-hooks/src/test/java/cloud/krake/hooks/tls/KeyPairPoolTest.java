package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.hooks.KeyAlgorithm;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class KeyPairPoolTest {

  /** An executor whose tasks run only when the test says so. */
  private static final class ManualExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        task.run();
      }
    }
  }

  private final ManualExecutor executor = new ManualExecutor();

  private KeyPairPool pool(int capacity) {
    return KeyPairPool.create(
        KeyAlgorithm.EC_P256, HookCrypto.jdk(), new SecureRandom(), capacity, executor);
  }

  @Test
  void startsNothingUntilTheFirstTake() {
    KeyPairPool pool = pool(4);

    assertThat(executor.tasks).isEmpty();
    assertThat(pool.available()).isZero();
  }

  @Test
  void theFirstTakeGeneratesInlineAndStartsOneRefillThatFillsThePool() {
    KeyPairPool pool = pool(4);

    KeyPair first = pool.take();

    assertThat(first).isNotNull();
    assertThat(pool.inlineGenerations()).isEqualTo(1);
    assertThat(executor.tasks).hasSize(1);
    executor.runAll();
    assertThat(pool.available()).isEqualTo(4);
  }

  @Test
  void takesFromAFullPoolWithoutGeneratingInlineAndRefillsInTheBackground() {
    KeyPairPool pool = pool(4);
    pool.take();
    executor.runAll();

    KeyPair a = pool.take();
    KeyPair b = pool.take();

    assertThat(a).isNotSameAs(b);
    assertThat(pool.inlineGenerations()).isEqualTo(1);
    assertThat(pool.available()).isEqualTo(2);
    assertThat(executor.tasks).as("one refill at a time").hasSize(1);
    executor.runAll();
    assertThat(pool.available()).isEqualTo(4);
  }

  @Test
  void anEmptyPoolNeverWaitsForTheRefillItGeneratesOnTheCallersThreadAndCounts() {
    KeyPairPool pool = pool(2);

    // The refill never runs: every take finds the pool empty.
    for (int i = 0; i < 3; i++) {
      assertThat(pool.take()).isNotNull();
    }

    assertThat(pool.inlineGenerations()).isEqualTo(3);
    assertThat(executor.tasks).as("one refill queued, not one per take").hasSize(1);
  }

  @Test
  void capacityZeroGeneratesEveryPairInlineAndNeverRefills() {
    KeyPairPool pool = pool(0);

    pool.take();
    pool.take();

    assertThat(pool.inlineGenerations()).isEqualTo(2);
    assertThat(executor.tasks).isEmpty();
  }

  @Test
  void closeDropsTheReadyPairsStopsRefillingAndLaterTakesStillWork() {
    KeyPairPool pool = pool(3);
    pool.take();
    executor.runAll();
    assertThat(pool.available()).isEqualTo(3);

    pool.close();
    pool.close();

    assertThat(pool.available()).isZero();
    assertThat(pool.take()).isNotNull();
    assertThat(pool.inlineGenerations()).isEqualTo(2);
    assertThat(executor.tasks).isEmpty();
  }

  @Test
  void aRefillQueuedBeforeCloseAddsNothing() {
    KeyPairPool pool = pool(3);
    pool.take();

    pool.close();
    executor.runAll();

    assertThat(pool.available()).isZero();
  }

  @Test
  void itsOwnDaemonThreadIsNamedFillsThePoolAndEndsOnClose() {
    KeyPairPool pool =
        KeyPairPool.create(KeyAlgorithm.EC_P256, HookCrypto.jdk(), new SecureRandom(), 8);
    try {
      pool.take();

      await().atMost(Duration.ofSeconds(30)).until(() -> pool.available() == 8);
      // Other tests' pools may run threads of the same name at the same time: any will do here.
      assertThat(Thread.getAllStackTraces().keySet())
          .anyMatch(t -> t.getName().equals(KeyPairPool.THREAD_NAME + "-1") && t.isDaemon());
      assertThat(pool.refillStopped()).isFalse();
    } finally {
      pool.close();
    }
    await().atMost(Duration.ofSeconds(30)).until(pool::refillStopped);
    assertThat(pool.available()).isZero();
  }

  @Test
  void toStringShowsCountsButNoKey() {
    KeyPairPool pool = pool(2);
    KeyPair pair = pool.take();
    executor.runAll();

    String text = pool.toString();

    assertThat(text).contains("EC_P256", "capacity=2", "available=2", "inlineGenerations=1");
    assertThat(text)
        .doesNotContain(Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()))
        .doesNotContain("PRIVATE");
  }

  @Test
  void aNegativeCapacityIsRejected() {
    assertThatThrownBy(() -> pool(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity");
  }
}
