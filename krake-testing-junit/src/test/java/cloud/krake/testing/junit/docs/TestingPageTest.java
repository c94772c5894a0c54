package cloud.krake.testing.junit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Checks the blocks of docs/testing.md that are not Java snippets. */
class TestingPageTest {

  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  private static String block(String language) throws IOException {
    String page = Files.readString(ROOT.resolve("docs/testing.md"));
    Matcher m = Pattern.compile("```" + language + "\n(.*?)\n```", Pattern.DOTALL).matcher(page);
    assertThat(m.find()).as("a ```%s block in docs/testing.md", language).isTrue();
    return m.group(1);
  }

  private static List<String> all(Pattern pattern, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = pattern.matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void mavenCoordinatesNameTheFixtureModulesInTestScope() throws IOException {
    String xml = block("xml");
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    String version = all(Pattern.compile("<version>([^<]+)</version>"), parent).get(0);

    List<String> artifacts = all(Pattern.compile("<artifactId>([^<]+)</artifactId>"), xml);
    assertThat(artifacts).containsExactly("krake-testing", "krake-testing-junit");
    assertThat(all(Pattern.compile("<module>([^<]+)</module>"), parent)).containsAll(artifacts);
    assertThat(all(Pattern.compile("<groupId>([^<]+)</groupId>"), xml))
        .hasSize(2)
        .containsOnly("cloud.krake");
    assertThat(all(Pattern.compile("<version>([^<]+)</version>"), xml))
        .hasSize(2)
        .containsOnly(version);
    assertThat(all(Pattern.compile("<scope>([^<]+)</scope>"), xml)).hasSize(2).containsOnly("test");
  }

  @Test
  void machinePackagesAreTheOnesTheSetUpScriptInstalls() throws IOException {
    String sh = block("sh");
    String ci = Files.readString(ROOT.resolve("scripts/setup.sh"));
    Matcher listed = Pattern.compile("packages=\\(([^)]*)\\)").matcher(ci);
    assertThat(listed.find()).isTrue();
    List<String> installed = List.of(listed.group(1).trim().split("\\s+"));

    assertThat(sh).startsWith("sudo apt-get install ");
    List<String> packages = List.of(sh.substring("sudo apt-get install ".length()).split("\\s+"));
    assertThat(packages)
        .containsExactly("bubblewrap", "python3-requests", "iproute2", "etcd-server");
    assertThat(installed).containsAll(packages);
  }
}
