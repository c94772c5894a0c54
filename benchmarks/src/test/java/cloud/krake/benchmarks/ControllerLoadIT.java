package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The load program on a few applications: the whole path runs and every check passes. */
class ControllerLoadIT {

  @Test
  void aSmallRunCreatesCompletesAndLeavesNothingBehind() {
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    ControllerLoad load =
        new ControllerLoad(
            new ControllerLoad.Options(10, 2, 4, Duration.ofMinutes(2), Optional.empty()),
            new PrintStream(progress, true, StandardCharsets.UTF_8));

    ControllerLoad.Result result = load.run();

    ByteArrayOutputStream report = new ByteArrayOutputStream();
    result.print(new PrintStream(report, true, StandardCharsets.UTF_8));
    String text = report.toString(StandardCharsets.UTF_8);
    assertThat(result.problems()).as(text).isEmpty();
    assertThat(result.ok()).isTrue();
    assertThat(result.createToRunning())
        .hasValueSatisfying(l -> assertThat(l.count()).isEqualTo(10));
    assertThat(result.sentToGone()).hasValueSatisfying(l -> assertThat(l.count()).isEqualTo(10));
    assertThat(result.phase1PerSecond()).isPositive();
    assertThat(result.phase2PerSecond()).isPositive();
    assertThat(text).contains("hot frames, self time", "result: OK").doesNotContain("token\":");
  }
}
