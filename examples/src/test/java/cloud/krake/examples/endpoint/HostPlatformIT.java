package cloud.krake.examples.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The hook endpoint mounted in the host's own HTTPS server deletes a completed application. */
class HostPlatformIT {

  @Test
  void completeCallThroughTheHostsServerMakesKrakeDeleteTheApplication() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    int status = HostPlatform.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));

    String output = buffer.toString(StandardCharsets.UTF_8);
    assertThat(status).as(output).isEqualTo(200);
    assertThat(output)
        .startsWith("host platform serving on https://127.0.0.1:")
        .endsWith(
            String.join(
                System.lineSeparator(),
                "nightly-report: RUNNING on edge-1",
                "[pod] PUT complete hook -> HTTP 200"
                    + " {\"name\":\"nightly-report\",\"namespace\":\"default\","
                    + "\"state\":\"READY_FOR_ACTION\"}",
                "nightly-report: deleted by Krake; objects left on edge-1: 0",
                ""))
        .doesNotContain("PRIVATE KEY");
  }
}
