package cloud.krake.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ResourceRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The minimal builder runs an application on the fake cluster and removes it again. */
class MinimalHostIT {

  @Test
  void runsTheApplicationOnTheClusterAndRemovesItAgain() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    Application running = MinimalHost.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));

    assertThat(running.status().state()).isEqualTo(ApplicationState.RUNNING);
    assertThat(running.status().runningOn().map(ResourceRef::name)).contains("edge-1");
    assertThat(buffer.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            String.join(
                System.lineSeparator(),
                "echo: state=RUNNING running_on=edge-1",
                "echo: deleted; objects left on edge-1: 0",
                ""));
  }
}
