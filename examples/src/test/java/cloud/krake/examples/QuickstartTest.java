package cloud.krake.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The README's main job: every scenario reaches its expected end. */
class QuickstartTest {

  @Test
  void everyScenarioReachesItsExpectedEnd() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    int code = Quickstart.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));

    String output = buffer.toString(StandardCharsets.UTF_8);
    assertThat(code).as(output).isZero();
    assertThat(output)
        .contains("All scenarios reached their expected end.")
        .contains("called its complete hook: HTTP 200")
        .contains("acknowledged: HTTP 200")
        .contains("MIGRATING")
        .contains("DEGRADED")
        .doesNotContain("-----BEGIN PRIVATE KEY-----")
        .doesNotContain("FAILED");
  }
}
