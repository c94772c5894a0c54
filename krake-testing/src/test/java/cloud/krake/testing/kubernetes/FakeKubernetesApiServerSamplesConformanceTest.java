package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Every Kubernetes manifest of Krake's own sample files applied to the fake API server, read from
 * the directory the {@code krake-samples} Maven profile gives as {@code krake.samples.dir}.
 */
class FakeKubernetesApiServerSamplesConformanceTest {

  @Test
  void appliesEveryKrakeSampleManifest() throws Exception {
    String dir = System.getProperty("krake.samples.dir");
    assertThat(dir).as("krake.samples.dir (set by the krake-samples profile)").isNotBlank();
    try (FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name("edge").build()) {
      fake.createNamespace("secondary");

      int applied =
          FakeKubernetesApiServerTest.applyEveryManifest(
              FakeKubernetesApiServerTest.clientFor(fake), Path.of(dir));

      assertThat(applied).isGreaterThanOrEqualTo(10);
      assertThat(fake.get("apps/v1", "Deployment", "secondary", "echo-demo")).isPresent();
      assertThat(fake.get("v1", "PersistentVolume", null, "pv")).isPresent();
      ObjectNode service = fake.get("v1", "Service", "default", "echo-demo").orElseThrow();
      assertThat(service.path("spec").path("ports").get(0).path("nodePort").asInt())
          .isBetween(30000, 32767);
    }
  }
}
