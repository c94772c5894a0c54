package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatenciesTest {

  private static final long MS = 1_000_000;

  @Test
  void percentilesAreNearestRankValuesOfTheSortedLatencies() {
    long[] nanos = LongStream.rangeClosed(1, 100).map(i -> (101 - i) * MS).toArray();

    Latencies latencies = Latencies.of(nanos);

    assertThat(latencies.percentileMillis(50)).isEqualTo(50.0);
    assertThat(latencies.percentileMillis(99)).isEqualTo(99.0);
    assertThat(latencies.maxMillis()).isEqualTo(100.0);
    assertThat(nanos[0]).as("the input is not sorted in place").isEqualTo(100 * MS);
  }

  @Test
  void aSingleValueIsEveryPercentile() {
    Latencies latencies = Latencies.of(new long[] {7 * MS});

    assertThat(latencies.percentileMillis(1)).isEqualTo(7.0);
    assertThat(latencies.percentileMillis(99)).isEqualTo(7.0);
  }

  @Test
  void rejectsPercentilesOutsideTheRangeAndEmptySets() {
    assertThatThrownBy(() -> Latencies.of(new long[] {1}).percentileMillis(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Latencies.of(new long[0]).percentileMillis(50))
        .isInstanceOf(IllegalStateException.class);
  }
}
