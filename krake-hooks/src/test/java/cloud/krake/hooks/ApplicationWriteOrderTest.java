package cloud.krake.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ApplicationWriteOrderTest {

  @Test
  void aSecondRunForTheSameApplicationWaitsUntilTheFirstHasEnded() throws Exception {
    CountDownLatch firstInside = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    Thread first =
        new Thread(
            () ->
                ApplicationWriteOrder.inOrder(
                    "ns",
                    "echo",
                    () -> {
                      firstInside.countDown();
                      try {
                        return releaseFirst.await(1, TimeUnit.MINUTES);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                      }
                    }));
    first.start();
    assertThat(firstInside.await(1, TimeUnit.MINUTES)).isTrue();

    AtomicBoolean secondRan = new AtomicBoolean();
    Thread second =
        new Thread(
            () -> ApplicationWriteOrder.inOrder("ns", "echo", () -> secondRan.getAndSet(true)));
    second.start();
    await().atMost(Duration.ofMinutes(1)).until(() -> second.getState() == Thread.State.BLOCKED);
    assertThat(secondRan).isFalse();

    // another application (on another lock) is not held up meanwhile
    String other = otherStripe("ns", "echo");
    assertThat(ApplicationWriteOrder.inOrder("ns", other, () -> "ran")).isEqualTo("ran");

    releaseFirst.countDown();
    second.join(TimeUnit.MINUTES.toMillis(1));
    first.join(TimeUnit.MINUTES.toMillis(1));
    assertThat(secondRan).isTrue();
  }

  @Test
  void returnsWhatTheRunReturnedAndThrowsWhatItThrew() {
    assertThat(ApplicationWriteOrder.inOrder("ns", "a", () -> 42)).isEqualTo(42);
    IllegalStateException thrown = new IllegalStateException("lost");
    assertThatThrownBy(
            () ->
                ApplicationWriteOrder.inOrder(
                    "ns",
                    "a",
                    () -> {
                      throw thrown;
                    }))
        .isSameAs(thrown);
    // the lock was released: a later run goes in
    assertThat(ApplicationWriteOrder.inOrder("ns", "a", () -> "again")).isEqualTo("again");
  }

  private static String otherStripe(String namespace, String name) {
    int stripe = Math.floorMod(Objects.hash(namespace, name), ApplicationWriteOrder.STRIPES);
    for (int i = 0; ; i++) {
      String candidate = "other-" + i;
      if (Math.floorMod(Objects.hash(namespace, candidate), ApplicationWriteOrder.STRIPES)
          != stripe) {
        return candidate;
      }
    }
  }
}
