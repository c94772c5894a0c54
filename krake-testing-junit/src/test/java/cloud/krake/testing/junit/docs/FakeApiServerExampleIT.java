package cloud.krake.testing.junit.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.k8s.ClusterClient;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesException;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.StringReader;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The examples of docs/testing.md: {@code FakeKubernetesApiServer}. */
class FakeApiServerExampleIT {

  @Test
  void servesTheOfficialClientAndInjectsFaults() throws Exception {
    // tag::official-client[]
    try (FakeKubernetesApiServer cluster =
        FakeKubernetesApiServer.builder().name("edge-1").build()) {
      ApiClient client =
          ClientBuilder.kubeconfig(
                  KubeConfig.loadKubeConfig(new StringReader(cluster.kubeconfig())))
              .build();
      CoreV1Api core = new CoreV1Api(client);

      core.createNamespacedConfigMap(
              "default",
              new V1ConfigMap()
                  .metadata(new V1ObjectMeta().name("settings"))
                  .data(Map.of("mode", "fast")))
          .execute();
      assertThat(cluster.get("v1", "ConfigMap", "default", "settings")).isPresent();

      // Fault injection: the next request is answered 503, as an overloaded API server would.
      cluster.failNext(1, 503);
      assertThatThrownBy(() -> core.listNamespacedConfigMap("default").execute())
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(503));
      assertThat(core.listNamespacedConfigMap("default").execute().getItems()).hasSize(1);
    }
    // end::official-client[]
  }

  @Test
  void servesKrakesClusterClient() {
    // tag::cluster-client[]
    try (FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name("edge-1").build();
        KubeconfigClusterConnector connector = KubeconfigClusterConnector.builder().build()) {
      Cluster cluster =
          Cluster.of(
              Metadata.of("tenant", "edge-1"),
              ClusterSpec.ofKubeconfig(KrakeJson.read(fake.kubeconfig(), ObjectNode.class)));
      ClusterClient client = connector.connect(cluster);

      client.apply(
          KrakeJson.read(
              "{apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: default}}",
              ObjectNode.class));
      assertThat(fake.get("v1", "ConfigMap", "default", "settings")).isPresent();

      // Every PATCH (server-side apply) fails until the rule is cleared.
      fake.failRequests("PATCH", null, 500);
      assertThatThrownBy(
              () ->
                  client.apply(
                      KrakeJson.read(
                          "{apiVersion: v1, kind: ConfigMap,"
                              + " metadata: {name: other, namespace: default}}",
                          ObjectNode.class)))
          .isInstanceOfSatisfying(
              KubernetesException.class, e -> assertThat(e.status()).hasValue(500));
      fake.clearFailures();
      assertThat(client.list("v1", "ConfigMap", Optional.of("default"))).hasSize(1);
    }
    // end::cluster-client[]
  }
}
