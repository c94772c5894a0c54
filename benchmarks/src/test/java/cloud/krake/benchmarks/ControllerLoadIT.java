package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The load program on a few applications, in its three processes: the whole path runs, every check
 * passes, and the baseline sends the same writes as the library.
 */
class ControllerLoadIT {

  @Test
  void aSmallRunCreatesCompletesLeavesNothingBehindAndMeasuresTheBaseline() {
    LoadResult result =
        run(
            new LoadOptions(
                10, 2, 4, Duration.ofMinutes(2), Optional.empty(), List.of("-Xmx256m")));

    String text = report(result);
    assertThat(result.problems()).as(text).isEmpty();
    assertThat(result.ok()).isTrue();
    assertThat(result.hostPid).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(result.createToRunning())
        .hasValueSatisfying(l -> assertThat(l.count()).isEqualTo(10));
    assertThat(result.sentToGone()).hasValueSatisfying(l -> assertThat(l.count()).isEqualTo(10));
    assertThat(result.phase1PerSecond()).isPositive();
    assertThat(result.phase2PerSecond()).isPositive();
    assertThat(result.baseline).hasSize(ControllerLoad.BASELINE_ROUNDS);
    assertThat(result.callDifferences()).as(text).isEmpty();
    assertThat(result.libraryRequests)
        .hasEntrySatisfying(
            "PATCH /apis/apps/v1/namespaces/{namespace}/deployments/{name}",
            c -> assertThat(c.requests()).isEqualTo(10));
    assertThat(result.wallRatio()).isPositive();
    assertThat(result.cpuRatio()).isPositive();
    assertThat(result.heapRunning).isPositive();
    assertThat(text)
        .contains("hot frames, self time", "library / baseline", "result: OK")
        .doesNotContain("token\":");
  }

  @Test
  void
      aWarmUpRoundTakesTheSameApplicationsThroughBothPhasesFirstAndTheMeasuredRoundCountsOnlyItself() {
    LoadResult result =
        run(
            new LoadOptions(6, 2, 4, Duration.ofMinutes(2), Optional.empty(), List.of("-Xmx256m"))
                .withWarmupRounds(1));

    String text = report(result);
    assertThat(result.problems()).as(text).isEmpty();
    assertThat(result.warmup).hasSize(1);
    assertThat(result.warmup.get(0).sentToGone())
        .hasValueSatisfying(l -> assertThat(l.count()).isEqualTo(6));
    // the measured round's requests are its own: 6 applications' Deployments, not 12
    assertThat(result.libraryRequests)
        .hasEntrySatisfying(
            "PATCH /apis/apps/v1/namespaces/{namespace}/deployments/{name}",
            c -> assertThat(c.requests()).isEqualTo(6));
    assertThat(result.callDifferences()).as(text).isEmpty();
    assertThat(result.heapOfFirstRound).isTrue();
    assertThat(result.heapRunning).isEqualTo(result.warmup.get(0).heapRunning);
    assertThat(text)
        .contains(
            "warm-up round 1 (cold JVM, not measured)",
            "measured round (warm JVM)",
            "library's cold round (warm-up round 1) / baseline's cold round",
            "result: OK");
  }

  @Test
  void moreWarmUpRoundsThanAllowedAreRefusedNamingTheProperty() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                new LoadOptions(6, 2, 4, Duration.ofMinutes(2), Optional.empty(), List.of())
                    .withWarmupRounds(ControllerLoad.MAX_WARMUP_ROUNDS + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("krake.load.warmup");
  }

  /** Runs the load program; its progress lines are not kept. */
  private static LoadResult run(LoadOptions options) {
    return new ControllerLoad(
            options, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .run();
  }

  /** The report {@link LoadResult#print} writes. */
  private static String report(LoadResult result) {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    result.print(new PrintStream(report, true, StandardCharsets.UTF_8));
    return report.toString(StandardCharsets.UTF_8);
  }
}
