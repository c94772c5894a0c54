package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.Metadata;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every Kubernetes manifest of Krake's own sample files applied through the backend's client to the
 * fake API server, read from the directory the {@code krake-samples} Maven profile gives as {@code
 * krake.samples.dir}.
 */
class FakeClusterClientSamplesConformanceTest {

  @Test
  void appliesEveryKubernetesManifestOfTheKrakeSamples() {
    List<Path> samples = Manifests.kubernetesManifests(Manifests.krakeSamples());
    assertThat(samples).extracting(p -> p.getFileName().toString()).contains("echo-demo.yaml");
    try (FakeKubernetesApiServer server = FakeKubernetesApiServer.builder().name("fake").build();
        KubeconfigClusterConnector connector = KubeconfigClusterConnector.builder().build()) {
      server.createNamespace("secondary");
      ClusterClient client =
          connector.connect(
              Cluster.of(
                  Metadata.of("testing", "fake"),
                  ClusterSpec.ofKubeconfig(Manifests.yaml(server.kubeconfig()))));

      for (Path sample : samples) {
        for (ObjectNode resource : Manifests.read(sample)) {
          ObjectNode stored = client.apply(resource);

          assertThat(Manifests.name(stored))
              .as(sample + " name")
              .isEqualTo(Manifests.name(resource));
          assertThat(stored.path("kind").asText()).isEqualTo(resource.path("kind").asText());
          assertThat(stored.path("metadata").path("uid").asText()).as(sample + " uid").isNotEmpty();
          assertThat(client.get(resource)).as(sample + " read back").isPresent();
        }
      }
    }
  }
}
