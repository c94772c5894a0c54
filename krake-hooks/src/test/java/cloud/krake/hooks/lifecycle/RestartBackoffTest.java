package cloud.krake.hooks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

  @Test
  void doublesFromTenSecondsToFiveMinutesAsTheKubeletsCrashLoopBackOff() {
    assertThat(IntStream.rangeClosed(1, 8).mapToObj(RestartBackoff.DEFAULT::delay))
        .containsExactly(
            Duration.ofSeconds(10),
            Duration.ofSeconds(20),
            Duration.ofSeconds(40),
            Duration.ofSeconds(80),
            Duration.ofSeconds(160),
            Duration.ofSeconds(300),
            Duration.ofSeconds(300),
            Duration.ofSeconds(300));
    assertThat(RestartBackoff.DEFAULT.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
    assertThat(RestartBackoff.DEFAULT.resetAfter()).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void rejectsFailureCountsBelowOneAndAnInitialAboveTheMaximum() {
    assertThatThrownBy(() -> RestartBackoff.DEFAULT.delay(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RestartBackoff(Duration.ofMinutes(6), Duration.ofMinutes(5)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
