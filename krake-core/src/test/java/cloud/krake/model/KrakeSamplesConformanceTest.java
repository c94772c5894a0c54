package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The model against Krake's own sample files (manifests, observer schemas, metrics documents), read
 * from the directory the {@code krake-samples} Maven profile gives as {@code krake.samples.dir}:
 * what Krake users actually write loads, validates and gets the observer schema Krake generates.
 */
class KrakeSamplesConformanceTest {

  private static List<ObjectNode> sample(String file) {
    return KrakeJson.readAll(Fixtures.krakeSample(file), ObjectNode.class);
  }

  @Test
  void defaultSchemaOfEchoDemoEqualsKrakesStandardSchema() {
    List<ObjectNode> resources = sample("echo-demo.yaml");
    List<ObjectNode> standard = sample("echo-demo-observer-schema-standard.yaml");

    assertThat(resources).hasSameSizeAs(standard);
    for (int i = 0; i < resources.size(); i++) {
      ObjectNode expected = standard.get(i).deepCopy();
      // Krake's file was written for a namespaced copy: it observes metadata.namespace
      ((ObjectNode) expected.get("metadata")).remove("namespace");
      assertThat(ObserverSchemas.defaultSchema(resources.get(i))).isEqualTo(expected);
    }
  }

  @Test
  void defaultSchemasOfEveryKrakeSampleManifestPassTheObserverSchemaValidation() {
    for (String file :
        List.of(
            "echo-demo.yaml",
            "echo-demo-update.yaml",
            "hook-complete.yaml",
            "hook-shutdown.yaml",
            "hook-shutdown-service.yaml",
            "pvc-pod.yaml")) {
      List<ObjectNode> resources = sample(file);
      List<ObjectNode> schemas = new ArrayList<>();
      resources.forEach(r -> schemas.add(ObserverSchemas.defaultSchema(r)));

      assertThat(Manifests.validateObserverSchema("observer_schema", schemas, resources))
          .as(file)
          .isEmpty();
    }
  }

  @Test
  void loadsEveryKrakeSampleManifestWithItsObserverSchema() throws IOException {
    int checked =
        ApplicationTest.assertEveryManifestLoadsWithItsObserverSchema(
            Fixtures.krakeSamples(),
            Map.of(
                "echo-demo-observer-schema-standard.yaml", "echo-demo.yaml",
                "echo-demo-observer-schema-custom-1.yaml", "echo-demo.yaml",
                "hook-shutdown-observer.yaml", "hook-shutdown.yaml",
                "pvc-pod-observer-schema.yaml", "pvc-pod.yaml"));

    assertThat(checked).isGreaterThanOrEqualTo(11);
  }

  @Test
  void loadsKrakesStaticMetricsSample() {
    List<Resource<?>> resources =
        KrakeJson.readAllResources(Fixtures.krakeSample("static_metrics.yaml"));

    assertThat(resources).hasSize(3);
    GlobalMetricsProvider provider = (GlobalMetricsProvider) resources.get(0);
    assertThat(provider.metadata().name()).isEqualTo("static_provider");
    assertThat(provider.spec().staticSpec().orElseThrow().metrics())
        .isEqualTo(Map.of("electricity_cost_1", 0.9, "green_energy_ratio_1", 0.1));
    assertThat(((GlobalMetric) resources.get(1)).spec().provider())
        .isEqualTo(new MetricProviderRef("static_provider", "electricity_cost_1"));
    assertThat(resources).allSatisfy(r -> assertThat(r.validate()).isEmpty());
  }

  @Test
  void loadsKrakesPrometheusMetricsSample() {
    List<Resource<?>> resources =
        KrakeJson.readAllResources(Fixtures.krakeSample("prometheus_metrics.yaml"));

    assertThat(resources).hasSize(7);
    assertThat(resources.subList(0, 6)).allMatch(r -> r instanceof GlobalMetric);
    assertThat(((GlobalMetric) resources.get(5)).spec().allowedValues())
        .containsExactly(0, 1, 4, 5);
    assertThat(((GlobalMetricsProvider) resources.get(6)).spec().prometheus())
        .contains(new PrometheusSpec("http://localhost:9090"));
    assertThat(resources).allSatisfy(r -> assertThat(r.validate()).isEmpty());
    for (Resource<?> metric : resources) {
      assertThat(KrakeJson.read(KrakeJson.write(metric), metric.getClass())).isEqualTo(metric);
    }
  }
}
