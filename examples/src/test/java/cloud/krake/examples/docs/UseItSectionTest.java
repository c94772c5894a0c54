package cloud.krake.examples.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use it" section against the build: the modules it lists are the ones krake-bom
 * manages, which are every module of the reactor but the unpublished ones, and its BOM import is
 * the one of the host project that {@code consumer-it} builds (whose dependency block is a snippet
 * of the same file, checked by {@code DocsCodeBlocksTest}).
 */
class UseItSectionTest {

  private static final Path ROOT = Path.of("..");
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final List<String> UNPUBLISHED =
      List.of("examples", "benchmarks", "consumer-it", "architecture-tests");

  @Test
  void installCommandInstallsEveryPublishedModule() throws IOException {
    String section = section();

    assertThat(block(section, "sh")).isEqualTo("./mvnw -B -ntp install -DskipTests");
    for (String module : published()) {
      assertThat(read(module + "/pom.xml")).as(module).doesNotContain("maven.install.skip");
    }
  }

  @Test
  void bomManagesEveryPublishedModuleAndNoProgramOrTest() throws IOException {
    String bom = read("krake-bom/pom.xml");
    String managed = bom.substring(bom.indexOf("<dependencyManagement>"));
    List<String> krakeArtifacts =
        all(
            Pattern.compile("<groupId>cloud\\.krake</groupId>\\s*<artifactId>([^<]+)</artifactId>"),
            managed);

    assertThat(krakeArtifacts)
        .containsExactlyInAnyOrderElementsOf(
            published().stream().filter(m -> !m.equals("krake-bom")).toList());
    assertThat(bom).doesNotContain("<parent>");
    for (String module : UNPUBLISHED) {
      assertThat(read(module + "/pom.xml"))
          .as(module)
          .contains("<maven.deploy.skip>true</maven.deploy.skip>");
      assertThat(bom).contains("<artifact>" + module + "</artifact>");
    }
  }

  @Test
  void coordinatesTableNamesEveryPublishedModuleAtTheProjectVersion() throws IOException {
    List<String> rows = all(Pattern.compile("\\| `cloud\\.krake:([^:`]+):([^`]+)` \\|"), section());

    assertThat(rows)
        .containsExactlyInAnyOrderElementsOf(
            published().stream().map(m -> m + ":" + version()).toList());
  }

  @Test
  void bomImportIsTheOneOfTheHostProjectThatConsumerItBuilds() throws IOException {
    List<String> host = read("consumer-it/src/it/host/pom.xml").lines().toList();
    int from = indexOf(host, "tag::bom-import[]");
    int to = indexOf(host, "end::bom-import[]");
    String region =
        host.subList(from + 1, to).stream()
            .map(l -> l.substring(Math.min(2, l.length() - l.stripLeading().length())))
            .collect(Collectors.joining("\n"))
            .replace("@project.version@", version());

    assertThat(block(section(), "xml")).isEqualTo(region.strip());
  }

  // ------------------------------------------------------------------ helpers

  /**
   * The reactor's modules that are published: all but the programs, the consumer test and the
   * architecture test.
   */
  private static List<String> published() throws IOException {
    List<String> modules = new ArrayList<>(all(MODULE, read("pom.xml")));
    modules.removeAll(UNPUBLISHED);
    assertThat(modules).contains("krake-bom", "krake-core");
    return modules;
  }

  /** The project's version: krake-bom's, which every module inherits. */
  private static String version() {
    try {
      String bom = read("krake-bom/pom.xml");
      Matcher m =
          Pattern.compile("<artifactId>krake-bom</artifactId>\\s*<version>([^<]+)</version>")
              .matcher(bom);
      assertThat(m.find()).isTrue();
      return m.group(1);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String section() throws IOException {
    String readme = read("README.md");
    int start = readme.indexOf("\n## Use it\n");
    assertThat(start).as("a \"## Use it\" section in README.md").isNotNegative();
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  /** The first fenced block of the language in the text. */
  private static String block(String text, String language) {
    Matcher m = Pattern.compile("```" + language + "\n(.*?)\n```", Pattern.DOTALL).matcher(text);
    assertThat(m.find()).as("a ```%s block", language).isTrue();
    return m.group(1);
  }

  private static int indexOf(List<String> lines, String marker) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(marker)) {
        return i;
      }
    }
    throw new AssertionError("no " + marker);
  }

  private static List<String> all(Pattern pattern, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      out.add(m.groupCount() == 2 ? m.group(1) + ":" + m.group(2) : m.group(1));
    }
    return out;
  }

  private static String read(String path) throws IOException {
    return Files.readString(ROOT.resolve(path), UTF_8);
  }
}
