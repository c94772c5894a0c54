package cloud.krake.hooks.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.dispatcher.HookException;
import org.junit.jupiter.api.Test;

/** Kanister's {@code ###Phase-output###:} lines. */
class PhaseOutputTest {

  @Test
  void readsMarkerLinesAsKandoOutputPrintsThem() {
    String log =
        "starting\n"
            + PhaseOutput.line("path", "/backups/1")
            + "\n  ###Phase-output###: {\"key\":\"size\",\"value\":\"42\"}  \r\n"
            + "###Phase-output###:{\"key\":\"path\",\"value\":\"/backups/2\"}\n"
            + "done";

    assertThat(PhaseOutput.parse(log).outputs())
        .containsEntry("path", "/backups/2")
        .containsEntry("size", "42")
        .hasSize(2);
    assertThat(PhaseOutput.line("k", "v"))
        .isEqualTo("###Phase-output###: {\"key\":\"k\",\"value\":\"v\"}");
  }

  @Test
  void rejectsMalformedOutputLinesNamingTheLine() {
    assertThatThrownBy(() -> PhaseOutput.parse("a\n###Phase-output###: {nope"))
        .isInstanceOf(HookException.class)
        .hasMessageContaining("line 2");
    assertThatThrownBy(
            () -> PhaseOutput.parse("###Phase-output###: {\"key\":\"a-b\",\"value\":\"v\"}"))
        .hasMessageContaining("[a-zA-Z0-9_]+");
    assertThatThrownBy(() -> PhaseOutput.parse("###Phase-output###: {\"key\":\"a\",\"value\":1}"))
        .hasMessageContaining("string \"value\"");
  }

  @Test
  void showsKeysOnly() {
    assertThat(PhaseOutput.of(java.util.Map.of("token", "s3cr3t")).toString())
        .doesNotContain("s3cr3t")
        .contains("token");
  }
}
