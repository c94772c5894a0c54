package cloud.krake.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.metrics.HttpMetricsProviders;
import cloud.krake.scheduler.SchedulerConfig;
import cloud.krake.scheduler.metrics.MetricsProviders;
import cloud.krake.scheduler.metrics.StaticMetricsProvider;
import cloud.krake.store.Store;
import cloud.krake.store.memory.MemoryStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The snippet of docs/scheduler.md, run: the scheduler's settings on the builder. */
class SchedulerDocTest {

  @Test
  void schedulerSettingsAndHttpMetricsProvidersBuildAndStart() {
    try (Store store = MemoryStore.create()) {
      // tag::wiring[]
      HttpMetricsProviders http = HttpMetricsProviders.builder().build(); // krake-metrics
      MetricsProviders providers =
          MetricsProviders.builder()
              .register(StaticMetricsProvider.TYPE, StaticMetricsProvider.FACTORY)
              .register("prometheus", http)
              .register("kafka", http)
              .register("influx", http)
              .build();
      Krake krake =
          Krake.builder()
              .store(store)
              .metricsProviders(providers) // default: static only
              .metricsCacheTtl(Duration.ofSeconds(10)) // default 10 s; zero = no cache
              .schedulerConfig(SchedulerConfig.DEFAULTS.withRescheduleAfter(Duration.ofMinutes(5)))
              .build();
      krake.start(); // the scheduler and the garbage collector run built in
      // end::wiring[]
      assertThat(krake.applications().list("default").items()).isEmpty();
      krake.close();
      http.close();
    }
  }
}
