package cloud.krake.testing.junit.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.KrakeJson;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The example of docs/testing.md: {@code LocalKubelet}. */
class LocalKubeletExampleIT {

  @Test
  void runsAPodAsASandboxedProcess() {
    // tag::local-kubelet[]
    try (FakeKubernetesApiServer cluster =
            FakeKubernetesApiServer.builder().name("edge-1").build();
        LocalKubelet kubelet = LocalKubelet.builder(cluster).build()) {
      cluster.put(
          KrakeJson.read(
              """
              apiVersion: v1
              kind: Pod
              metadata: {name: hello, namespace: default}
              spec:
                restartPolicy: Never
                containers:
                - name: main
                  image: busybox
                  command: [sh, -c, 'echo "hello from $GREETING"']
                  env: [{name: GREETING, value: the sandbox}]
              """,
              ObjectNode.class));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  cluster
                      .get("v1", "Pod", "default", "hello")
                      .map(pod -> pod.at("/status/phase").asText())
                      .orElse(""),
              "Succeeded"::equals);
      assertThat(kubelet.logs("default", "hello", "main")).contains("hello from the sandbox");
    }
    // end::local-kubelet[]
  }
}
