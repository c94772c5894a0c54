package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link KrakeJson#read(byte[], Class)} binds a JSON object's bytes in one pass; these tests check
 * that it reads the same values and refuses with the same errors as the text path.
 */
class KrakeJsonBytesTest {

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Throwable refusal(Runnable read) {
    Throwable thrown = catchThrowable(read::run);
    assertThat(thrown).isInstanceOf(InvalidResourceException.class);
    return thrown;
  }

  @Test
  void aStoredApplicationReadsEqualFromBytesAndFromText() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);
    byte[] stored = KrakeJson.writeBytes(app);

    Application fromBytes = KrakeJson.read(stored, Application.class);

    assertThat(fromBytes)
        .isEqualTo(app)
        .isEqualTo(KrakeJson.read(new String(stored, StandardCharsets.UTF_8), Application.class));
    assertThat(KrakeJson.writeBytes(fromBytes)).isEqualTo(stored);
  }

  @Test
  void leadingWhitespaceStillReadsAsJson() {
    byte[] stored = KrakeJson.writeBytes(KrakeJson.read(Fixtures.APPLICATION, Application.class));
    byte[] padded = new byte[stored.length + 3];
    padded[0] = ' ';
    padded[1] = '\n';
    padded[2] = '\t';
    System.arraycopy(stored, 0, padded, 3, stored.length);

    assertThat(KrakeJson.read(padded, Application.class))
        .isEqualTo(KrakeJson.read(stored, Application.class));
  }

  @Test
  void aDuplicateKeyKeepsTheLastValueOnTheStoresPathWhileTextIsRefused() {
    String json =
        """
        {"metadata": {"name": "first", "name": "last"},
         "spec": {"manifest": [{"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "cm"}}]}}
        """;

    Application fromBytes = KrakeJson.read(utf8(json), Application.class);

    // Stored documents are read as before (lenient, the last value wins); a user's text is read
    // strictly (issue 19) and refused.
    assertThat(fromBytes.metadata().name()).isEqualTo("last");
    assertThat(refusal(() -> KrakeJson.read(json, Application.class)))
        .hasMessageContaining("duplicate key 'name'");
  }

  @Test
  void aDocumentOfAnotherKindIsRefusedNamingKindAsFromText() {
    String json =
        """
        {"api": "kubernetes", "kind": "Cluster", "metadata": {"name": "c"}, "spec": {}}
        """;

    Throwable fromBytes = refusal(() -> KrakeJson.read(utf8(json), Application.class));
    Throwable fromText = refusal(() -> KrakeJson.read(json, Application.class));

    assertThat(((InvalidResourceException) fromBytes).errors())
        .isEqualTo(((InvalidResourceException) fromText).errors())
        .extracting(FieldError::field)
        .contains("kind");
  }

  @Test
  void aFieldThatDoesNotFitIsRefusedWithTheSameErrorsAsFromText() {
    String json =
        """
        {"metadata": {"name": "a"},
         "spec": {"backoff": "often",
                  "manifest": [{"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"name": "cm"}}]}}
        """;

    Throwable fromBytes = refusal(() -> KrakeJson.read(utf8(json), Application.class));
    Throwable fromText = refusal(() -> KrakeJson.read(json, Application.class));

    assertThat(((InvalidResourceException) fromBytes).errors())
        .isEqualTo(((InvalidResourceException) fromText).errors())
        .extracting(FieldError::field)
        .contains("spec.backoff");
  }

  @Test
  void trailingTokensAreRefusedAsFromText() {
    String json = "{\"metadata\": {\"name\": \"a\"}} {}";

    Throwable fromBytes = refusal(() -> KrakeJson.read(utf8(json), Application.class));
    Throwable fromText = refusal(() -> KrakeJson.read(json, Application.class));

    assertThat(fromBytes).hasMessage(fromText.getMessage());
  }
}
