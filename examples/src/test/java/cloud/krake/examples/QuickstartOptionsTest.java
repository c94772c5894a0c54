package cloud.krake.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The quickstart's command line: help, and bad options rejected before anything starts. */
class QuickstartOptionsTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Quickstart.run(
        args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
  }

  @Test
  void helpPrintsTheUsageAndExitsZero() {
    int code = run("--help");

    assertThat(code).isZero();
    assertThat(out.toString(UTF_8))
        .contains("--kubeconfig FILE")
        .contains("--etcd URL")
        .contains("--control-plane fake|real")
        .contains("the migration of scenario 3 is skipped");
    assertThat(err.toString(UTF_8)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--verbose                          | unknown option --verbose",
        "extra                              | unexpected argument extra",
        "--etcd                             | --etcd needs a value",
        "--kubeconfig                       | --kubeconfig needs a value",
        "--kubeconfig /nonexistent/kube.yaml | --kubeconfig /nonexistent/kube.yaml: no such readable file",
        "--etcd ftp://127.0.0.1:2379        | not an http(s) URL",
        "--etcd=localhost:2379              | not an http(s) URL",
        "--control-plane                    | --control-plane needs a value",
        "--control-plane=cloud              | --control-plane cloud: neither fake nor real",
        "--control-plane real --control-plane=fake | --control-plane given twice",
      })
  void rejectsABadCommandLineWithTheReasonAndTheUsage(String args, String reason) {
    int code = run(args.split(" "));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(UTF_8)).startsWith("error: ").contains(reason).contains("Usage:");
    assertThat(out.toString(UTF_8)).isEmpty();
  }

  @Test
  void rejectsMoreThanTwoKubeconfigs() throws IOException {
    Path file = Files.writeString(dir.resolve("kubeconfig.yaml"), "apiVersion: v1\n");
    String path = file.toString();

    int code = run("--kubeconfig", path, "--kubeconfig", path, "--kubeconfig=" + path);

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(UTF_8)).contains("more than twice");
  }

  @Test
  void acceptsBothSpellingsOfAnOption() throws IOException {
    Path file = Files.writeString(dir.resolve("kubeconfig.yaml"), "apiVersion: v1\n");

    QuickstartOptions options =
        QuickstartOptions.parse(
            "--kubeconfig", file.toString(), "--etcd=http://127.0.0.1:2379", "-h");

    assertThat(options.kubeconfigs()).containsExactly(file);
    assertThat(options.etcd()).hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(2379));
    assertThat(options.help()).isTrue();
  }

  @Test
  void rejectsAControlPlaneWithKubeconfigs() throws IOException {
    Path file = Files.writeString(dir.resolve("kubeconfig.yaml"), "apiVersion: v1\n");

    int code = run("--control-plane", "real", "--kubeconfig", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(UTF_8)).contains("--control-plane and --kubeconfig exclude each other");
  }

  @Test
  void startsFakeControlPlanesUnlessToldReal() {
    assertThat(QuickstartOptions.parse().controlPlane())
        .isEqualTo(QuickstartOptions.ControlPlane.FAKE);
    assertThat(QuickstartOptions.parse("--control-plane", "fake").controlPlane())
        .isEqualTo(QuickstartOptions.ControlPlane.FAKE);
    assertThat(QuickstartOptions.parse("--control-plane=real").controlPlane())
        .isEqualTo(QuickstartOptions.ControlPlane.REAL);
  }
}
