package cloud.krake.examples;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.testing.PrometheusServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@code java} commands of {@code docs/examples.md} work on the shaded jar as written: each is
 * run from the repository root (the Prometheus URL replaced by a real Prometheus this test starts)
 * and must exit 0.
 */
class ExamplesPageCommandsIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String DOCUMENTED_PROMETHEUS = "http://127.0.0.1:9090";

  @Test
  void everyJavaCommandOfTheExamplesPageExitsZero() throws Exception {
    List<String> commands = javaCommands(ROOT.resolve("docs/examples.md"));
    assertThat(commands).hasSize(4);
    assertThat(ROOT.resolve("examples/target/krake-examples.jar")).isRegularFile();
    Path logs = Files.createDirectories(ROOT.resolve("examples/target/examples-page"));
    try (PrometheusServer prometheus =
        PrometheusServer.builder()
            .gauge("green_energy_de", 0.9)
            .gauge("green_energy_fr", 0.3)
            .build()
            .start()) {
      for (int i = 0; i < commands.size(); i++) {
        String command =
            commands.get(i).replace(DOCUMENTED_PROMETHEUS, prometheus.url().toString());
        List<String> args = new ArrayList<>(List.of(command.split(" +")));
        args.set(0, Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path log = logs.resolve("command-" + i + ".log");
        Process process =
            new ProcessBuilder(args)
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = process.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(exited).as("%s did not exit within 90 s:%n%s", command, output).isTrue();
        assertThat(process.exitValue()).as("%s%n%s", command, output).isZero();
      }
    }
  }

  /** The lines starting with {@code java } inside the page's {@code sh} code blocks. */
  private static List<String> javaCommands(Path page) throws Exception {
    List<String> commands = new ArrayList<>();
    boolean inShell = false;
    for (String line : Files.readAllLines(page, StandardCharsets.UTF_8)) {
      if (line.startsWith("```")) {
        inShell = !inShell && line.equals("```sh");
      } else if (inShell && line.startsWith("java ")) {
        commands.add(line.strip());
      }
    }
    return commands;
  }
}
