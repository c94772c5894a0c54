package cloud.krake.benchmarks;

import java.util.Arrays;

/**
 * Percentiles of a set of latencies in nanoseconds, by the nearest-rank method (the p-th percentile
 * of n sorted values is the value at rank ⌈p/100 · n⌉), so every reported value was measured.
 *
 * @param sortedNanos the latencies in ascending order
 */
record Latencies(long[] sortedNanos) {

  /** Sorts a copy of the values. */
  static Latencies of(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Latencies(sorted);
  }

  /** Returns how many values there are. */
  int count() {
    return sortedNanos.length;
  }

  /**
   * Returns the nearest-rank percentile in milliseconds.
   *
   * @param p in (0, 100]
   * @throws IllegalArgumentException if {@code p} is out of range
   * @throws IllegalStateException if there are no values
   */
  double percentileMillis(double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100]: " + p);
    }
    if (sortedNanos.length == 0) {
      throw new IllegalStateException("no values");
    }
    int rank = (int) Math.ceil(p / 100 * sortedNanos.length);
    return sortedNanos[Math.max(rank, 1) - 1] / 1e6;
  }

  /** Returns the largest value in milliseconds. */
  double maxMillis() {
    return percentileMillis(100);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Latencies l && Arrays.equals(sortedNanos, l.sortedNanos);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(sortedNanos);
  }

  @Override
  public String toString() {
    return sortedNanos.length == 0
        ? "Latencies[none]"
        : String.format(
            "Latencies[n=%d, p50=%.1f ms, p99=%.1f ms, max=%.1f ms]",
            count(), percentileMillis(50), percentileMillis(99), maxMillis());
  }
}
