package cloud.krake.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The real-sized stored RUNNING application (23,580 bytes) decoded into read-only trees and written
 * again: the same bytes as stored, on the first write (the tree walk) and on later ones (the
 * memoised store forms), and the same as an ordinary mapper's tree walk.
 */
class SampleDocumentsStoreFormTest {

  @Test
  void aStoredRunningApplicationIsWrittenBackByteForByteOnEveryWrite() throws Exception {
    byte[] stored = SampleDocuments.runningApplication();
    Application app = KrakeJson.read(stored, Application.class);
    assertThat(app.status().state()).isEqualTo(ApplicationState.RUNNING);
    byte[] walked = KrakeJson.mapper().writeValueAsBytes(app);

    assertThat(new String(walked, UTF_8)).isEqualTo(new String(stored, UTF_8));
    for (int i = 0; i < 3; i++) {
      assertThat(new String(KrakeJson.writeBytes(app), UTF_8))
          .as("write #" + i)
          .isEqualTo(new String(stored, UTF_8));
    }
    Application updated = app.withStatus(app.status().withRetries(Optional.of(1)));
    assertThat(KrakeJson.writeBytes(updated))
        .isEqualTo(KrakeJson.mapper().writeValueAsBytes(updated));
  }
}
