package cloud.krake.scheduler.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.Constraints;
import cloud.krake.model.ReasonCode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SchedulingRetryTest {
  static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

  static ApplicationSpec spec(int backoff, int delay, int limit) {
    return ApplicationSpec.of(List.of(), Constraints.NONE).withBackoff(backoff, delay, limit);
  }

  @Test
  void degradesFirstAndFailsAfterTheRetryWithBackoffLimitOne() {
    ApplicationSpec spec = spec(1, 1, 1);

    SchedulingRetry first = SchedulingRetry.afterNoFit(spec, ApplicationStatus.initial(), NOW);
    ApplicationStatus degraded = first.applyTo(ApplicationStatus.initial());
    SchedulingRetry second = SchedulingRetry.afterNoFit(spec, degraded, NOW.plusSeconds(1));

    assertThat(first.state()).isEqualTo(ApplicationState.DEGRADED);
    assertThat(first.nextRetry()).contains(NOW.plusSeconds(1));
    assertThat(first.remainingRetries()).contains(0);
    assertThat(degraded.state()).isEqualTo(ApplicationState.DEGRADED);
    assertThat(degraded.reason().orElseThrow().code()).isEqualTo(ReasonCode.NO_SUITABLE_RESOURCE);
    assertThat(degraded.scheduledRetry()).contains(NOW.plusSeconds(1));
    assertThat(second.exhausted()).isTrue();
    assertThat(second.applyTo(degraded).state()).isEqualTo(ApplicationState.FAILED);
    assertThat(second.applyTo(degraded).scheduledRetry()).isEmpty();
  }

  @Test
  void failsAtOnceWithBackoffLimitZero() {
    assertThat(SchedulingRetry.afterNoFit(spec(1, 1, 0), ApplicationStatus.initial(), NOW).state())
        .isEqualTo(ApplicationState.FAILED);
  }

  @Test
  void retriesForeverWithBackoffLimitMinusOne() {
    ApplicationStatus status = ApplicationStatus.initial();
    for (int i = 0; i < 100; i++) {
      SchedulingRetry retry = SchedulingRetry.afterNoFit(spec(1, 1, -1), status, NOW);
      assertThat(retry.state()).isEqualTo(ApplicationState.DEGRADED);
      assertThat(retry.remainingRetries()).isEmpty();
      status = retry.applyTo(status);
    }
  }

  @Test
  void waitsBackoffDelayTimesBackoffSeconds() {
    SchedulingRetry retry =
        SchedulingRetry.afterNoFit(spec(3, 5, 2), ApplicationStatus.initial(), NOW);

    assertThat(retry.nextRetry()).contains(NOW.plusSeconds(15));
    assertThat(retry.remainingRetries()).contains(1);
  }

  @Test
  void capsAStoredRetryCountAboveALoweredLimit() {
    ApplicationStatus status = ApplicationStatus.initial().withRetries(Optional.of(10));

    assertThat(SchedulingRetry.afterNoFit(spec(1, 1, 1), status, NOW).remainingRetries())
        .contains(0);
  }

  @Test
  void clearsTheRetryBookkeepingAfterASuccessfulPass() {
    ApplicationStatus status =
        SchedulingRetry.afterNoFit(spec(1, 1, 3), ApplicationStatus.initial(), NOW)
            .applyTo(ApplicationStatus.initial());

    ApplicationStatus cleared = SchedulingRetry.cleared(status);

    assertThat(cleared.retries()).isEmpty();
    assertThat(cleared.scheduledRetry()).isEmpty();
    assertThat(SchedulingRetry.cleared(cleared)).isSameAs(cleared);
  }
}
