package cloud.krake.examples.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shell commands of the README and docs/performance.md, checked against the build: the jars
 * they run are the ones the poms build, the classes and benchmarks they name exist, and the
 * README's test command is what {@code .ci/run} runs, and it installs what the tests need before
 * running Maven. (The quickstart itself is run by {@code QuickstartIT}, the benchmarks by {@code
 * ControllerLoadIT} and JMH.)
 */
class DocsCommandsTest {

  private static final Path ROOT = Path.of("..");
  private static final String MAIN_COMMAND =
      "./mvnw -B -q -ntp package -DskipTests -pl examples -am && java -jar"
          + " examples/target/krake-examples.jar";
  private static final String TEST_COMMAND = "./scripts/test.sh";

  @Test
  void readmeCommandsBuildTheQuickstartJarAndRunWhatCiRuns() throws IOException {
    String readme = read("README.md");
    String examplesPom = read("examples/pom.xml");
    List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run"), UTF_8);

    assertThat(readme).contains("`" + MAIN_COMMAND + "`").contains("`" + TEST_COMMAND + "`");
    assertThat(examplesPom)
        .contains("<finalName>krake-examples</finalName>")
        .contains("<mainClass>cloud.krake.examples.Quickstart</mainClass>");
    assertThat(ci.get(ci.size() - 1)).isEqualTo(TEST_COMMAND);
  }

  @Test
  void theTestCommandRunsTheSetUpThenEveryTest() throws IOException {
    List<String> test = Files.readAllLines(ROOT.resolve("scripts/test.sh"), UTF_8);
    String setup = read("scripts/setup.sh");

    assertThat(ROOT.resolve("scripts/test.sh")).isExecutable();
    assertThat(test).contains("bash scripts/setup.sh");
    assertThat(test.get(test.size() - 1)).isEqualTo("exec ./mvnw -B -ntp verify \"$@\"");
    assertThat(setup)
        .contains(
            "packages=(etcd-server prometheus curl openssl bubblewrap python3-requests iproute2"
                + " util-linux)")
        .contains("missing+=(kubernetes-client)")
        .contains("apt-get update -qq");
  }

  @Test
  void quickstartPageShowsTheReadmeMainCommand() throws IOException {
    assertThat(block(read("docs/quickstart.md"), "./mvnw")).containsExactly(MAIN_COMMAND);
  }

  @Test
  void readmeBenchmarkCommandsNameBenchmarksOfTheBenchmarksJar() throws IOException {
    List<String> commands = block(read("README.md"), "java -jar benchmarks/target/benchmarks.jar");

    assertThat(commands).hasSizeGreaterThanOrEqualTo(5);
    assertThat(read("benchmarks/pom.xml"))
        .contains("<finalName>benchmarks</finalName>")
        .contains("<mainClass>org.openjdk.jmh.Main</mainClass>");
    Pattern command = Pattern.compile("^java -jar benchmarks/target/benchmarks\\.jar (\\w+) .*");
    for (String line : commands) {
      Matcher m = command.matcher(line);
      assertThat(m.matches()).as(line).isTrue();
      assertThat(
              ROOT.resolve("benchmarks/src/main/java/cloud/krake/benchmarks")
                  .resolve(m.group(1) + "Benchmark.java"))
          .as(line)
          .isRegularFile();
    }
  }

  @Test
  void performanceCommandRunsControllerLoadFromTheBenchmarksJar() throws IOException {
    List<String> lines = block(read("docs/performance.md"), "./mvnw -B package -pl benchmarks");

    assertThat(lines.get(0)).isEqualTo("./mvnw -B package -pl benchmarks -am -DskipTests");
    assertThat(String.join("\n", lines))
        .contains("-cp benchmarks/target/benchmarks.jar cloud.krake.benchmarks.ControllerLoad");
    assertThat(read("benchmarks/src/main/java/cloud/krake/benchmarks/ControllerLoad.java"))
        .contains("public static void main(String[] args)");
  }

  /** The lines of the page's fenced block whose first line starts with the prefix. */
  static List<String> block(String page, String firstLinePrefix) {
    int start = page.indexOf("```sh\n" + firstLinePrefix);
    assertThat(start).as("a sh block starting with " + firstLinePrefix).isNotNegative();
    int from = page.indexOf('\n', start) + 1;
    return page.substring(from, page.indexOf("\n```", from)).lines().toList();
  }

  private static String read(String path) throws IOException {
    return Files.readString(ROOT.resolve(path), UTF_8);
  }
}
