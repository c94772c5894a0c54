package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The driver-side aggregation of several host instances: shards, usage, hook call spreading. */
class LoadInstancesTest {

  @Test
  void partitionedWhenEveryInstanceSeesAllPeersAndTheSharesAreDisjointAndComplete() {
    assertThat(LoadInstances.partitioned(List.of("i0 i0,i1 0,2", "i1 i0,i1 1,3"), 4)).isTrue();
    assertThat(LoadInstances.partitioned(List.of("i0 i0 0,1,2,3"), 4)).isTrue();
  }

  @Test
  void notPartitionedWhileAPeerIsMissingAShardIsOwnedTwiceOrOneIsUnowned() {
    // i1 does not see i0 yet
    assertThat(LoadInstances.partitioned(List.of("i0 i0,i1 0,2", "i1 i1 1,3"), 4)).isFalse();
    // shard 2 owned by both
    assertThat(LoadInstances.partitioned(List.of("i0 i0,i1 0,2", "i1 i0,i1 1,2,3"), 4)).isFalse();
    // shard 3 owned by none
    assertThat(LoadInstances.partitioned(List.of("i0 i0,i1 0,2", "i1 i0,i1 1"), 4)).isFalse();
    // a shard out of range, an instance with no share
    assertThat(LoadInstances.partitioned(List.of("i0 i0 0,1,2,4"), 4)).isFalse();
    assertThat(LoadInstances.partitioned(List.of("i0 i0,i1 0,1,2,3", "i1 i0,i1 "), 4)).isTrue();
    assertThat(LoadInstances.partitioned(List.of("i0"), 4)).isFalse();
  }

  @Test
  void usageOfSeveralHostsIsSummed() {
    JvmUsage a = new JvmUsage(100, Map.of("G1 Young Generation", new long[] {2, 30}), 1_000, 20);
    JvmUsage b =
        new JvmUsage(
            50,
            Map.of(
                "G1 Young Generation", new long[] {1, 5}, "G1 Old Generation", new long[] {1, 9}),
            500,
            10);

    JvmUsage sum = JvmUsage.sum(List.of(a, b));

    assertThat(sum.heapPeakBytes()).isEqualTo(150);
    assertThat(sum.cpuNanos()).isEqualTo(1_500);
    assertThat(sum.peakThreads()).isEqualTo(30);
    assertThat(sum.collections().get("G1 Young Generation")).containsExactly(3, 35);
    assertThat(sum.collections().get("G1 Old Generation")).containsExactly(1, 9);
    assertThat(JvmUsage.sum(List.of(a, new JvmUsage(0, Map.of(), -1, 1))).cpuNanos()).isEqualTo(-1);
    assertThatThrownBy(() -> JvmUsage.sum(List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hookCallsAreSpreadRoundRobinOverTheEndpointsKeepingPathTokenAndCertificate() {
    List<HookCall> calls =
        List.of(
            new HookCall("app-00000", URI.create("https://127.0.0.1:4000/complete"), "t0", null),
            new HookCall("app-00001", URI.create("https://127.0.0.1:4000/complete"), "t1", null),
            new HookCall("app-00002", URI.create("https://127.0.0.1:4001/complete"), "t2", null));

    List<HookCall> spread =
        LoadPhases.spread(
            calls,
            List.of(URI.create("https://127.0.0.1:5000"), URI.create("https://127.0.0.1:5001")));

    assertThat(spread)
        .extracting(c -> c.url().toString())
        .containsExactly(
            "https://127.0.0.1:5000/complete",
            "https://127.0.0.1:5001/complete",
            "https://127.0.0.1:5000/complete");
    assertThat(spread).extracting(HookCall::token).containsExactly("t0", "t1", "t2");
    assertThat(spread)
        .extracting(HookCall::name)
        .containsExactly("app-00000", "app-00001", "app-00002");
  }
}
