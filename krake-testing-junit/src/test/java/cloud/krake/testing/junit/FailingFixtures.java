package cloud.krake.testing.junit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Test classes that misbehave on purpose, run by {@link FixtureFailuresIT} through the JUnit
 * launcher (their names match neither {@code *Test} nor {@code *IT}, so the build does not run them
 * itself).
 */
final class FailingFixtures {

  /** Released by the launching test once it has seen the leak reported. */
  static final CountDownLatch RELEASE = new CountDownLatch(1);

  static final String LEAKED_THREAD = "deliberately-leaked";
  static final String DYING_THREAD = "dies-with-an-exception";

  private FailingFixtures() {}

  private static KrakeTestExtension fixture() {
    return KrakeTestExtension.builder()
        .cluster("a")
        .kubelet(false)
        .leakGrace(Duration.ofMillis(200))
        .build();
  }

  static void dieOnAThread() throws InterruptedException {
    Thread t =
        new Thread(
            () -> {
              throw new IllegalStateException("boom on a library thread");
            },
            DYING_THREAD);
    t.start();
    t.join();
  }

  static class LeaksAThread {
    @RegisterExtension final KrakeTestExtension krake = fixture();

    @Test
    void startsAThreadAndLeavesItRunning() {
      Thread t =
          new Thread(
              () -> {
                try {
                  RELEASE.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              LEAKED_THREAD);
      t.setDaemon(true);
      t.start();
    }
  }

  static class ThrowsOnAThread {
    @RegisterExtension final KrakeTestExtension krake = fixture();

    @Test
    void aThreadDiesWithAnException() throws InterruptedException {
      dieOnAThread();
    }
  }

  static class RecordsAnError {
    @RegisterExtension final KrakeTestExtension krake = fixture();

    @Test
    void reportsAnErrorFromAListener() {
      krake.recordError(new IllegalArgumentException("seen by a watch listener"));
    }
  }

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class SharedFixtureThrowsInOneTest {
    @RegisterExtension static final KrakeTestExtension krake = fixture();

    @Test
    @Order(1)
    void aThreadDiesWithAnException() throws InterruptedException {
      dieOnAThread();
    }

    @Test
    @Order(2)
    void theNextTestIsNotBlamed() {
      krake.krake().applications().list();
    }
  }

  static class Clean {
    @RegisterExtension final KrakeTestExtension krake = fixture();

    @Test
    void doesNothingWrong() {
      krake.krake().clusters().list();
    }
  }
}
