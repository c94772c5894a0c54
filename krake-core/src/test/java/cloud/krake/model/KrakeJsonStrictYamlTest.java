package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The strict reading of YAML and JSON text (issue 19): what YAML would accept by accident. */
class KrakeJsonStrictYamlTest {

  private static List<FieldError> errorsOf(ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(InvalidResourceException.class);
    return ((InvalidResourceException) thrown).errors();
  }

  @Test
  void rejectsGarbageThatYamlWouldReadAsAMapping() {
    List<FieldError> errors = errorsOf(() -> KrakeJson.read("::: not yaml [", ObjectNode.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("document");
    assertThat(errors.get(0).message()).contains("line 1, column 5").contains("'['");
  }

  @Test
  void rejectsAnUnclosedFlowListInAMultiDocumentStream() {
    String yaml =
        """
        api: core
        kind: GlobalMetric
        metadata: {name: heat}
        spec:
          min: 0
          max: 1
          provider: {name: prometheus, metric: heat}
        ---
        api: core
        kind: GlobalMetric
        metadata:
          name: heat2
          labels: key [unclosed
        """;

    List<FieldError> errors = errorsOf(() -> KrakeJson.readAllResources(yaml));

    assertThat(errors).extracting(FieldError::field).containsExactly("document");
    assertThat(errors.get(0).message()).contains("line 13, column 11");
  }

  @Test
  void keepsBalancedAndQuotedBracketsInScalars() {
    ObjectNode node =
        KrakeJson.read(
            """
            command: test -f /tmp/ready && [ -d /data ]
            query: sum(rate(http{job="a"}[5m]))
            quoted: "echo [ unclosed"
            single: 'echo { unclosed'
            block: |
              echo [ unclosed
            list: [a, b]
            """,
            ObjectNode.class);

    assertThat(node.path("command").asText()).isEqualTo("test -f /tmp/ready && [ -d /data ]");
    assertThat(node.path("quoted").asText()).isEqualTo("echo [ unclosed");
    assertThat(node.path("block").asText()).isEqualTo("echo [ unclosed\n");
    assertThat(node.path("list")).hasSize(2);
  }

  @Test
  void rejectsDuplicateKeysInYamlNamingKeyAndPosition() {
    List<FieldError> errors =
        errorsOf(
            () ->
                KrakeJson.read(
                    "metadata:\n  name: a\n  labels: {}\n  name: b\n", Application.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("document");
    assertThat(errors.get(0).message()).contains("duplicate key 'name'").contains("line 4");
  }

  @Test
  void rejectsDuplicateKeysInJsonText() {
    List<FieldError> errors =
        errorsOf(
            () ->
                KrakeJson.read(
                    "{\"metadata\": {\"name\": \"a\", \"name\": \"b\"}}", Application.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("document");
    assertThat(errors.get(0).message()).contains("line 1, column");
  }

  @Test
  void rejectsADocumentThatIsNotAMappingNamingItsIndex() {
    String yaml =
        """
        api: core
        kind: GlobalMetric
        metadata: {name: heat}
        spec: {min: 0, max: 1, provider: {name: prometheus, metric: heat}}
        ---
        - api: core
        - kind: GlobalMetric
        ---
        just a string
        """;

    List<FieldError> errors = errorsOf(() -> KrakeJson.readAllResources(yaml));

    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly("[1].document", "[2].document");
    assertThat(errors.get(0).message()).contains("must be a mapping").contains("a list");
    assertThat(errors.get(1).message()).contains("must be a mapping").contains("a scalar");
  }

  @Test
  void storedJsonBytesAreReadAsBefore() {
    byte[] stored = "{\"a\": 1, \"a\": 2}".getBytes(StandardCharsets.UTF_8);

    assertThat(KrakeJson.read(stored, ObjectNode.class).path("a").asInt()).isEqualTo(2);
  }
}
