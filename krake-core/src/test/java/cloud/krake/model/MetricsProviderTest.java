package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsProviderTest {

  @Test
  void rejectsUnknownProviderType() {
    MetricsProvider provider =
        KrakeJson.read(
            "kind: MetricsProvider\nmetadata: {name: p, namespace: ns}\nspec: {type: graphite}",
            MetricsProvider.class);

    assertThat(provider.validate()).extracting(FieldError::field).containsExactly("spec.type");
  }

  @Test
  void requiresSettingsOfTheNamedType() {
    GlobalMetricsProvider provider =
        KrakeJson.read(
            "metadata: {name: p}\nspec: {type: static, prometheus: {url: 'http://x'}}",
            GlobalMetricsProvider.class);

    assertThat(provider.validate()).extracting(FieldError::field).containsExactly("spec.static");
  }

  @Test
  void requiresConnectionFieldsOfKafkaAndInflux() {
    MetricsProviderSpec kafka = MetricsProviderSpec.of(new KafkaSpec("name", null, "t", "u"));
    MetricsProviderSpec influx = MetricsProviderSpec.of(new InfluxSpec("u", "", "o", null));

    assertThat(kafka.validate("spec"))
        .containsExactly(new FieldError("spec.kafka.value_column", "is required"));
    assertThat(influx.validate("spec"))
        .extracting(FieldError::field)
        .containsExactly("spec.influx.bucket", "spec.influx.token");
  }

  @Test
  void writesOnlyTheSettingsOfItsType() {
    String json =
        KrakeJson.write(
            GlobalMetricsProvider.of(
                Metadata.global("p"),
                MetricsProviderSpec.of(new PrometheusSpec("http://localhost:9090"))));

    assertThat(json)
        .contains(
            "\"spec\":{\"type\":\"prometheus\",\"prometheus\":{\"url\":\"http://localhost:9090\"}}")
        .doesNotContain("influx", "kafka", "static");
  }

  @Test
  void roundTripsEveryProviderType() {
    List<MetricsProviderSpec> specs =
        List.of(
            MetricsProviderSpec.of(new PrometheusSpec("http://p")),
            MetricsProviderSpec.of(new InfluxSpec("http://i", "t0k", "org", "bucket")),
            MetricsProviderSpec.of(new KafkaSpec("name", "value", "table", "http://k")),
            MetricsProviderSpec.of(new StaticSpec(Map.of("a", 0.5))));
    for (MetricsProviderSpec spec : specs) {
      MetricsProvider provider = MetricsProvider.of(Metadata.of("ns", "p"), spec);

      assertThat(KrakeJson.read(KrakeJson.write(provider), MetricsProvider.class))
          .isEqualTo(provider);
      assertThat(provider.validate()).isEmpty();
    }
  }

  @Test
  void redactsInfluxTokenInToString() {
    MetricsProvider provider =
        MetricsProvider.of(
            Metadata.of("ns", "p"),
            MetricsProviderSpec.of(new InfluxSpec("http://i", "influx-secret-token", "o", "b")));

    assertThat(provider.toString()).doesNotContain("influx-secret-token").contains("<redacted>");
    assertThat(KrakeJson.write(provider)).contains("influx-secret-token");
  }

  @Test
  void checksMetricRangeAndAllowedValues() {
    GlobalMetric metric =
        KrakeJson.read(
            "metadata: {name: m, namespace: ns}\n"
                + "spec: {min: 2, max: 1, allowed_values: [5], provider: {name: p}}",
            GlobalMetric.class);

    assertThat(metric.validate())
        .extracting(FieldError::field)
        .containsExactly(
            "metadata.namespace", "spec.max", "spec.allowed_values[0]", "spec.provider.metric");
  }

  @Test
  void readsNamespacedMetric() {
    Metric metric =
        KrakeJson.read(
            "{\"api\": \"core\", \"kind\": \"Metric\", \"metadata\": {\"name\": \"m\","
                + " \"namespace\": \"ns\"}, \"spec\": {\"min\": 0, \"max\": 10,"
                + " \"provider\": {\"name\": \"p\", \"metric\": \"x\"}}}",
            Metric.class);

    assertThat(metric.validate()).isEmpty();
    assertThat(KrakeJson.readResource(KrakeJson.write(metric))).isEqualTo(metric);
  }
}
