package cloud.krake.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualTimerTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final ManualClock clock = new ManualClock(T0);
  private final ManualTimer scheduler = new ManualTimer(clock);

  @Test
  void runsDueTasksInDueOrderWithTheClockAtEachDueInstant() {
    List<String> ran = new ArrayList<>();
    scheduler.schedule(() -> ran.add("b@" + clock.instant()), Duration.ofSeconds(2));
    scheduler.schedule(() -> ran.add("a@" + clock.instant()), Duration.ofSeconds(1));
    scheduler.schedule(() -> ran.add("c@" + clock.instant()), Duration.ofSeconds(5));

    int count = scheduler.advance(Duration.ofSeconds(3));

    assertThat(count).isEqualTo(2);
    assertThat(ran).containsExactly("a@" + T0.plusSeconds(1), "b@" + T0.plusSeconds(2));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(3));
    assertThat(scheduler.pendingDueTimes()).containsExactly(T0.plusSeconds(5));
  }

  @Test
  void runsTasksScheduledByTasksWhenTheyComeDueWithinTheWindow() {
    List<Instant> ran = new ArrayList<>();
    scheduler.schedule(
        () -> {
          ran.add(clock.instant());
          scheduler.schedule(() -> ran.add(clock.instant()), Duration.ofSeconds(1));
        },
        Duration.ofSeconds(1));

    scheduler.advance(Duration.ofSeconds(2));

    assertThat(ran).containsExactly(T0.plusSeconds(1), T0.plusSeconds(2));
  }

  @Test
  void cancelledTasksNeverRun() {
    List<String> ran = new ArrayList<>();
    var handle = scheduler.schedule(() -> ran.add("x"), Duration.ofSeconds(1));

    assertThat(handle.cancel()).isTrue();
    assertThat(handle.cancel()).isFalse();
    scheduler.advance(Duration.ofSeconds(1));

    assertThat(ran).isEmpty();
    assertThat(scheduler.nextDue()).isEmpty();
  }
}
