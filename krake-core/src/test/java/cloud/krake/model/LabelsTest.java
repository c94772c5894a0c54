package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelsTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "zone", "my-key_1.x", "example.com/zone", "a/b", "A_9"})
  void acceptsValidKeys(String key) {
    assertThat(Labels.isValidKey(key)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "-a", "a-", "a/", "/a", "a/b/c", "ex:ample/zone", "zo ne", "zöne", "a$"})
  void rejectsInvalidKeys(String key) {
    assertThat(Labels.isValidKey(key)).isFalse();
  }

  @Test
  void limitsKeyNameTo63AndPrefixTo253Characters() {
    assertThat(Labels.isValidKey("k".repeat(63))).isTrue();
    assertThat(Labels.isValidKey("k".repeat(64))).isFalse();
    assertThat(Labels.isValidKey("p".repeat(253) + "/k")).isTrue();
    assertThat(Labels.isValidKey("p".repeat(254) + "/k")).isFalse();
  }

  @Test
  void limitsValuesTo63CharactersAndRejectsEmptyOnes() {
    assertThat(Labels.isValidValue("v".repeat(63))).isTrue();
    assertThat(Labels.isValidValue("v".repeat(64))).isFalse();
    assertThat(Labels.isValidValue("")).isFalse();
    assertThat(Labels.isValidValue("a/b")).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "echo-demo", "my.app:v1", "x_y"})
  void acceptsValidResourceNames(String name) {
    assertThat(Labels.isValidResourceName(name)).isTrue();
    assertThat(Labels.isValidResourceName("n".repeat(255))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-a", "a-", "a b", "a/b", "é"})
  void rejectsInvalidResourceNames(String name) {
    assertThat(Labels.isValidResourceName(name)).isFalse();
    assertThat(Labels.isValidResourceName("n".repeat(256))).isFalse();
  }

  @Test
  void collectsEveryViolation() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("ok", "fine");
    labels.put("$$", "fine");
    labels.put("zone", "-bad");
    labels.put("-both", "bad-");

    assertThat(Labels.validate("metadata.labels", labels))
        .extracting(FieldError::field)
        .containsExactly(
            "metadata.labels.$$",
            "metadata.labels.zone",
            "metadata.labels.-both",
            "metadata.labels.-both");
  }
}
