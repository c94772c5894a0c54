package cloud.krake.examples.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.examples.dispatcher.PlatformPolicy.Outcome;
import cloud.krake.model.ReasonCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The platform's handlers label what reaches the cluster and veto untrusted images. */
class PlatformPolicyIT {

  @Test
  void labelsEveryAppliedResourceAndVetoesUntrustedImages() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    Outcome outcome = PlatformPolicy.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));

    assertThat(outcome.deployed().at("/metadata/labels").path(PlatformPolicy.TENANT_LABEL).asText())
        .isEqualTo("tenant-a");
    assertThat(outcome.rejection().code()).isEqualTo(ReasonCode.INVALID_RESOURCE);
    assertThat(outcome.rejection().message())
        .contains("spec.manifest[0].spec.template.spec.containers[0].image")
        .contains("docker.io/library/cryptominer:latest is not from the platform's registry");
    assertThat(outcome.objectsOfMiner()).isZero();
    assertThat(buffer.toString(StandardCharsets.UTF_8)).contains("objects left on edge-1: 0");
  }
}
