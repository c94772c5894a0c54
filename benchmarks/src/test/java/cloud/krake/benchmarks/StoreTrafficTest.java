package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreTrafficTest {

  @Test
  void parsesAStoreCountsAnswer() {
    StoreTraffic t = StoreTraffic.parse("{\"get\":3,\"update-guarded\":5,\"conflicts\":1}");

    assertThat(t.count("get")).isEqualTo(3);
    assertThat(t.count("update-guarded")).isEqualTo(5);
    assertThat(t.count("list")).isZero();
    assertThat(t.conflicts()).isEqualTo(1);
  }

  @Test
  void sumsInstancesByKindAndSubtractsAnEarlierSnapshot() {
    StoreTraffic a = StoreTraffic.parse("{\"get\":3,\"conflicts\":1}");
    StoreTraffic b = StoreTraffic.parse("{\"get\":4,\"lease-keep-alive\":2,\"conflicts\":0}");

    StoreTraffic sum = StoreTraffic.sum(List.of(a, b));
    StoreTraffic later = StoreTraffic.parse("{\"get\":10,\"lease-keep-alive\":5,\"conflicts\":3}");

    assertThat(sum.calls())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("get", 7L, "lease-keep-alive", 2L, "conflicts", 1L));
    assertThat(later.minus(sum).calls())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("get", 3L, "lease-keep-alive", 3L, "conflicts", 2L));
    assertThat(StoreTraffic.sum(List.of())).isEqualTo(StoreTraffic.NONE);
  }

  @Test
  void groupsReadsWritesGuardedWritesLeaseTrafficAndWatchesAndLeavesConflictsOutOfTheTotal() {
    StoreTraffic t =
        StoreTraffic.parse(
            "{\"get\":1,\"list\":2,\"revision\":3,\"lease-id\":4,"
                + "\"create\":10,\"update\":20,\"delete\":30,"
                + "\"create-guarded\":100,\"update-guarded\":200,\"delete-guarded\":300,"
                + "\"lease-grant\":1000,\"lease-keep-alive\":2000,\"lease-revoke\":3000,"
                + "\"lease-ttl\":4000,\"create-with-lease\":5000,"
                + "\"watch\":7,\"something-new\":8,\"conflicts\":99}");

    assertThat(t.groups())
        .containsExactly(
            Map.entry("reads", 10L),
            Map.entry("writes", 60L),
            Map.entry("guarded writes", 600L),
            Map.entry("lease", 15000L),
            Map.entry("watches", 7L),
            Map.entry("total", 10L + 60 + 600 + 15000 + 7 + 8));
  }

  @Test
  void refusesAnswersThatAreNotObjectsOfWholeNumbersNamingTheKind() {
    assertThatThrownBy(() -> StoreTraffic.parse("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> StoreTraffic.parse("{\"get\":\"many\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("get");
    assertThatThrownBy(() -> StoreTraffic.parse("{\"get\":1.5}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("get");
    assertThatThrownBy(() -> StoreTraffic.parse("not json"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
