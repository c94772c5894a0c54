package cloud.krake.testing.junit.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ResourceRef;
import cloud.krake.testing.junit.KrakeTestExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of docs/testing.md: {@code KrakeTestExtension}. */
// tag::krake-test-extension[]
class EchoOnTheEdgeIT {

  static final String ECHO =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: echo}
      spec:
        selector: {matchLabels: {app: echo}}
        template:
          metadata: {labels: {app: echo}}
          spec:
            containers:
            - name: echo
              image: registry.k8s.io/echoserver:1.10
      """;

  @RegisterExtension
  final KrakeTestExtension krake =
      KrakeTestExtension.builder()
          .cluster("edge-1", Map.of("location", "edge"))
          .cluster("core-1", Map.of("location", "core"))
          .build();

  @Test
  void echoRunsOnTheEdgeAndLeavesNothingBehind() {
    krake.createApplication("echo", ECHO, "location is edge");

    Application running = krake.awaitState("echo", ApplicationState.RUNNING);
    assertThat(running.status().runningOn()).map(ResourceRef::name).contains("edge-1");
    assertThat(krake.cluster("core-1").objects()).isEmpty();

    krake.krake().applications().delete(krake.namespace(), "echo");
    krake.awaitGone("echo");
    // the Pod's command (sleep, PID 1 of its sandbox) ignores SIGTERM, so the kubelet kills it
    // when the Pod's 30 s grace period ends, as a real kubelet does
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(() -> assertThat(krake.cluster("edge-1").objects()).isEmpty());
  }
}
// end::krake-test-extension[]
