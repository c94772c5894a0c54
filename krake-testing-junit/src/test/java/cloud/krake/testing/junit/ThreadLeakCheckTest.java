package cloud.krake.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadLeakCheckTest {

  private static Thread waitingOn(CountDownLatch latch, String name) {
    Thread t =
        new Thread(
            () -> {
              try {
                latch.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void reportsAThreadStartedAfterTheSnapshotThatIsStillAlive() throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(1);
    ThreadLeakCheck check = ThreadLeakCheck.snapshot(t -> false);
    Thread leaked = waitingOn(latch, "leaky-worker");
    try {

      assertThat(check.awaitLeaks(Duration.ofMillis(50))).containsExactly(leaked);
      assertThat(ThreadLeakCheck.describe(check.leaked()))
          .contains("leaky-worker (WAITING, daemon)")
          .contains("at ");
    } finally {
      latch.countDown();
      leaked.join();
    }
  }

  @Test
  void ignoresThreadsAliveAtTheSnapshot() throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(1);
    Thread older = waitingOn(latch, "older-worker");
    try {
      ThreadLeakCheck check = ThreadLeakCheck.snapshot(t -> false);

      assertThat(check.awaitLeaks(Duration.ZERO)).doesNotContain(older);
    } finally {
      latch.countDown();
      older.join();
    }
  }

  @Test
  void ignoresThreadsTheFilterExcludes() throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(1);
    ThreadLeakCheck check = ThreadLeakCheck.snapshot(t -> t.getName().startsWith("shared-pool"));
    Thread shared = waitingOn(latch, "shared-pool-1");
    try {

      assertThat(check.awaitLeaks(Duration.ZERO)).doesNotContain(shared);
    } finally {
      latch.countDown();
      shared.join();
    }
  }

  @Test
  void waitsForThreadsThatEndWithinTheGracePeriod() {
    CountDownLatch latch = new CountDownLatch(1);
    ThreadLeakCheck check = ThreadLeakCheck.snapshot(t -> false);
    Thread ending = waitingOn(latch, "ending-worker");
    latch.countDown();

    assertThat(check.awaitLeaks(Duration.ofSeconds(30))).doesNotContain(ending);
  }
}
