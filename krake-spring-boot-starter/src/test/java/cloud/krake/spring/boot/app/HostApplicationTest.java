package cloud.krake.spring.boot.app;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.micrometer.MicrometerKrakeMetrics;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.ResourceRef;
import cloud.krake.spring.boot.KrakeLifecycle;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * A Spring Boot web application with the starter deploys an application to a fake cluster, and the
 * application's {@code complete} hook call, made through the application's own web server (plain
 * HTTP: {@code krake.hooks.tls=false}), reaches Krake's hook endpoint.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "krake.hooks.enabled=true",
      "krake.workers=1",
      "management.endpoint.health.show-details=always"
    })
class HostApplicationTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  @Autowired Krake krake;

  @Autowired KrakeLifecycle lifecycle;

  @Autowired MeterRegistry registry;

  @LocalServerPort int port;

  @Test
  void deploysAnApplicationToAFakeClusterAndTakesItsCompleteCallOnTheAppServer() throws Exception {
    assertThat(lifecycle.isRunning()).isTrue();
    try (FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name("edge-1").build()) {
      ObjectNode cluster = JsonNodeFactory.instance.objectNode();
      cluster.putObject("metadata").put("name", "edge-1").put("namespace", "default");
      cluster
          .putObject("spec")
          .set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
      krake.clusters().create(KrakeJson.convert(cluster, Cluster.class));
      krake.awaitCluster(
          "default", "edge-1", c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);

      krake
          .applications()
          .create(
              KrakeJson.read(
                  """
                  metadata: {name: job, namespace: default}
                  spec:
                    hooks: [complete]
                    constraints: {cluster: {labels: []}}
                    manifest:
                    - apiVersion: v1
                      kind: ConfigMap
                      metadata: {name: settings}
                      data: {mode: batch}
                  """,
                  Application.class));
      Application running =
          krake.awaitApplication(
              "default", "job", a -> a.status().state() == ApplicationState.RUNNING, TIMEOUT);
      assertThat(running.status().runningOn().map(ResourceRef::name))
          .isEqualTo(Optional.of("edge-1"));
      String token = running.status().complete().token().orElseThrow();

      HttpClient http = HttpClient.newHttpClient();
      URI hook =
          URI.create(
              "http://127.0.0.1:"
                  + port
                  + "/kubernetes/namespaces/default/applications/job/complete");
      HttpResponse<String> wrong =
          http.send(
              HttpRequest.newBuilder(hook)
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"token\":\"not-it\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).isEqualTo(401);
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(hook)
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).contains("\"name\":\"job\"");
      krake.awaitApplicationGone("default", "job", TIMEOUT);

      // The starter's meters and health indicator, through Actuator.
      assertThat(
              registry
                  .get(MicrometerKrakeMetrics.HOOK_ENDPOINT_CALLS)
                  .tags("hook", "complete", "status", "200")
                  .counter()
                  .count())
          .isEqualTo(1.0);
      HttpResponse<String> health =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port + "/actuator/health/krake"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).contains("\"status\":\"UP\"", "\"store\"", "\"controllers\"");
    }
  }
}
