package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Krake's own {@code hook-complete.yaml} sample run for real by the local kubelet: its unmodified
 * script (Python with {@code requests}) PUTs its token to the hook endpoint. The sample directory
 * is the one the {@code krake-samples} Maven profile gives as {@code krake.samples.dir}.
 */
class LocalKubeletSamplesConformanceIT {

  @Test
  void runsKrakesHookCompleteSampleScriptAgainstAHookEndpoint() throws Exception {
    String dir = System.getProperty("krake.samples.dir");
    assertThat(dir).as("krake.samples.dir (set by the krake-samples profile)").isNotBlank();
    try (FakeKubernetesApiServer cluster = FakeKubernetesApiServer.builder().build();
        LocalKubelet kubelet = LocalKubelet.builder(cluster).build()) {
      LocalKubeletIT.runCompleteHookScript(
          cluster, kubelet, Path.of(dir, "hook-complete.yaml"), "Deployment");
    }
  }
}
