package cloud.krake.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KrakeExecutorsTest {

  @Test
  void createsAPoolOnFirstUseAndReturnsTheSameOneByName() {
    AtomicInteger made = new AtomicInteger();
    try (KrakeExecutors executors = KrakeExecutors.create()) {
      assertThat(executors.created()).isEmpty();

      ExecutorService first =
          executors.executor(
              "work",
              ExecutorService.class,
              () -> {
                made.incrementAndGet();
                return Executors.newSingleThreadExecutor();
              });
      ExecutorService second =
          executors.executor("work", ExecutorService.class, Executors::newSingleThreadExecutor);

      assertThat(second).isSameAs(first);
      assertThat(made).hasValue(1);
      assertThat(executors.created()).containsExactly("work");
    }
  }

  @Test
  void closeShutsDownWhatItCreatedAndLeavesTheHostsPoolsAlone() {
    ScheduledExecutorService host = Executors.newSingleThreadScheduledExecutor();
    try {
      KrakeExecutors executors =
          KrakeExecutors.builder().executor(KrakeExecutors.TIMER, host).build();
      ExecutorService owned =
          executors.executor("work", ExecutorService.class, Executors::newSingleThreadExecutor);

      assertThat(executors.timer()).isSameAs(host);
      executors.close();

      assertThat(owned.isShutdown()).isTrue();
      assertThat(host.isShutdown()).isFalse();
      assertThat(executors.created()).containsExactly("work");
    } finally {
      host.shutdownNow();
    }
  }

  @Test
  void releasesSharedObjectsInReverseOrderOfCreationOnce() {
    List<String> released = new ArrayList<>();
    KrakeExecutors executors = KrakeExecutors.create();
    String a = executors.shared("a", String.class, () -> "A", released::add);
    executors.shared("b", String.class, () -> "B", released::add);
    assertThat(executors.shared("a", String.class, () -> "other", released::add)).isSameAs(a);

    executors.close();
    executors.close();

    assertThat(released).containsExactly("B", "A");
  }

  @Test
  void defaultTimerRunsOnOneDaemonThreadNamedKrakeTimer() throws Exception {
    try (KrakeExecutors executors = KrakeExecutors.create()) {
      Thread thread = executors.timer().submit(Thread::currentThread).get();

      assertThat(thread.getName()).isEqualTo("krake-timer-1");
      assertThat(thread.isDaemon()).isTrue();
      assertThat(executors.timer()).isSameAs(executors.timer());
    }
  }

  @Test
  void refusesANewPoolAfterClose() {
    KrakeExecutors executors = KrakeExecutors.create();
    executors.close();

    assertThatThrownBy(executors::timer)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("timer");
  }

  @Test
  void rejectsAPoolOfAnotherTypeUnderATakenName() {
    try (KrakeExecutors executors =
        KrakeExecutors.builder().executor("work", Executors.newSingleThreadExecutor()).build()) {
      assertThatThrownBy(
              () ->
                  executors.executor(
                      "work",
                      ScheduledExecutorService.class,
                      Executors::newSingleThreadScheduledExecutor))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("work");
    }
  }

  @Test
  void namesThreadsWithAPrefixAndACount() {
    var factory = KrakeExecutors.namedThreads("krake-x-", true, false);

    Thread first = factory.newThread(() -> {});
    Thread second = factory.newThread(() -> {});

    assertThat(first.getName()).isEqualTo("krake-x-1");
    assertThat(second.getName()).isEqualTo("krake-x-2");
    assertThat(first.isDaemon()).isFalse();
    assertThat(KrakeExecutors.namedThreads("solo", false, true).newThread(() -> {}).getName())
        .isEqualTo("solo");
  }
}
