package cloud.krake.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.store.StoreUnavailableException;
import cloud.krake.testing.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DependencyAvailabilityTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final DependencyAvailability etcd =
      new DependencyAvailability(
          "etcd at http://127.0.0.1:2379",
          LoggerFactory.getLogger(DependencyAvailabilityTest.class),
          clock);

  @Test
  void aDependencyFailingManyTimesIsOneWarningDownAndOneLineBack() {
    String log =
        LogLines.captureStandardError(
            () -> {
              etcd.available();
              for (int i = 0; i < 100; i++) {
                etcd.unavailable(
                    new StoreUnavailableException(
                        "etcd at http://127.0.0.1:2379: get /a failed",
                        new IOException("Connection refused")));
                clock.advance(Duration.ofMillis(100));
              }
              etcd.available();
              etcd.available();
            });

    assertThat(LogLines.at("WARN", log))
        .singleElement()
        .asString()
        .contains("etcd at http://127.0.0.1:2379 is unavailable")
        .contains("get /a failed");
    assertThat(LogLines.at("INFO", log))
        .singleElement()
        .asString()
        .contains("available again after 10000 ms");
    assertThat(LogLines.of(log)).as("no stack trace").hasSize(2);
    assertThat(etcd.isAvailable()).isTrue();
  }

  @Test
  void reportsTransitionsOnly() {
    LogLines.captureStandardError(
        () -> {
          assertThat(etcd.available()).isFalse();
          assertThat(etcd.unavailable(new IOException("refused"))).isTrue();
          assertThat(etcd.unavailable(new IOException("refused"))).isFalse();
          assertThat(etcd.isAvailable()).isFalse();
          assertThat(etcd.available()).isTrue();
          assertThat(etcd.available()).isFalse();
        });
  }
}
