package cloud.krake.examples.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.examples.metrics.MetricsScheduling.Outcome;
import cloud.krake.testing.PrometheusServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Placement by Prometheus and static metrics, and a migration when a metric changes. */
class MetricsSchedulingIT {

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

  @Test
  void placesByThePrometheusMetricsAndMovesWhenTheStaticOnesChange() {
    // tag::prometheus[]
    try (PrometheusServer prometheus =
        PrometheusServer.builder()
            .gauge("green_energy_de", 0.9)
            .gauge("green_energy_fr", 0.3)
            .build()
            .start()) {
      Outcome outcome = MetricsScheduling.run(out, Optional.of(prometheus.url()));

      assertThat(outcome).isEqualTo(new Outcome("de", "fr"));
    }
    // end::prometheus[]
    assertThat(buffer.toString(StandardCharsets.UTF_8))
        .startsWith("grid metrics from Prometheus at http://127.0.0.1:")
        .endsWith(
            String.join(
                System.lineSeparator(),
                "render-farm: placed on de (spare capacity 0.5 on both)",
                "inventory: spare capacity of de 0.0, of fr 1.0",
                "render-farm: migrated to fr",
                "render-farm: left behind on de: false",
                ""));
  }

  @Test
  void placesByStaticMetricsAloneWhenNoPrometheusIsGiven() {
    Outcome outcome = MetricsScheduling.run(out, Optional.empty());

    assertThat(outcome).isEqualTo(new Outcome("de", "fr"));
    assertThat(buffer.toString(StandardCharsets.UTF_8))
        .startsWith("grid metrics from a static provider");
  }
}
