package cloud.krake.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ResourceRef;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Krake's echo demo on two fake clusters whose Pods really run, through the extension. */
class TwoClustersIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @RegisterExtension
  final KrakeTestExtension krake =
      KrakeTestExtension.builder()
          .cluster("a", Map.of("location", "a"))
          .cluster("b", Map.of("location", "b"))
          .build();

  static String sample(String file) throws IOException {
    return Files.readString(
        Path.of(URI.create(TwoClustersIT.class.getResource("/manifests/" + file).toString())));
  }

  @Test
  void echoDemoRunsOnTheLabelledClusterWithRealPodsAndLeavesNothingBehindWhenDeleted()
      throws IOException {
    krake.createApplication("echo", sample("echo.yaml"), "location is b");

    Application running = krake.awaitState("echo", ApplicationState.RUNNING);

    assertThat(running.status().runningOn()).map(ResourceRef::name).contains("b");
    FakeKubernetesApiServer b = krake.cluster("b");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(b.list("v1", "Pod"))
                    .singleElement()
                    .satisfies(pod -> assertThat(phase(pod)).isEqualTo("Running")));
    String pod = b.list("v1", "Pod").get(0).at("/metadata/name").asText();
    assertThat(krake.kubelet("b").logs("default", pod, "http")).isNotNull();
    assertThat(krake.cluster("a").objects()).isEmpty();

    krake.krake().applications().delete(krake.namespace(), "echo");
    krake.awaitGone("echo");

    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(b.objects()).isEmpty());
  }

  private static String phase(ObjectNode pod) {
    return pod.at("/status/phase").asText();
  }
}
