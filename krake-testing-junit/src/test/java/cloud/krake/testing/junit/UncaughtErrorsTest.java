package cloud.krake.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UncaughtErrorsTest {

  @Test
  void recordsWhatEndsAThreadAndPassesItOnToTheHandlerItReplaced() throws InterruptedException {
    Thread.UncaughtExceptionHandler original = Thread.getDefaultUncaughtExceptionHandler();
    List<Throwable> passedOn = new ArrayList<>();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> passedOn.add(e));
    try (UncaughtErrors errors = UncaughtErrors.install()) {
      RuntimeException boom = new RuntimeException("boom");
      Thread t =
          new Thread(
              () -> {
                throw boom;
              },
              "dying");
      t.start();
      t.join();

      assertThat(errors.drain())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.thread()).isEqualTo("dying");
                assertThat(r.error()).isSameAs(boom);
              });
      assertThat(passedOn).containsExactly(boom);
      assertThat(errors.drain()).isEmpty();
    } finally {
      Thread.setDefaultUncaughtExceptionHandler(original);
    }
  }

  @Test
  void closingRestoresTheHandlerItReplaced() {
    Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
    UncaughtErrors errors = UncaughtErrors.install();
    assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(errors);

    errors.close();

    assertThat(Thread.getDefaultUncaughtExceptionHandler()).isSameAs(before);
  }
}
