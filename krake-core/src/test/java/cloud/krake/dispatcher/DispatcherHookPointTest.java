package cloud.krake.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link DispatcherHookPoint#failurePolicy()} is the one statement of each point's failure policy:
 * its Javadoc and the table of {@code docs/hooks.md} are checked against it.
 */
class DispatcherHookPointTest {

  private static final Path SOURCE =
      Path.of("src/main/java/cloud/krake/dispatcher/DispatcherHookPoint.java");
  private static final Path DOCS = Path.of("../docs/hooks.md");

  @Test
  void theJavadocOfEveryPointNamesExactlyItsDeclaredPolicy() throws IOException {
    String source = Files.readString(SOURCE);
    Pattern policyLink = Pattern.compile("HookFailurePolicy#(\\w+)");
    for (DispatcherHookPoint point : DispatcherHookPoint.values()) {
      Matcher constant =
          Pattern.compile("/\\*\\*((?:(?!\\*/).)*)\\*/\\s*" + point.name() + "\\(", Pattern.DOTALL)
              .matcher(source);
      assertThat(constant.find()).as("the Javadoc of %s", point).isTrue();
      String javadoc = constant.group(1);
      Matcher links = policyLink.matcher(javadoc);
      List<String> named = links.results().map(r -> r.group(1)).toList();
      assertThat(named)
          .as("the policies the Javadoc of %s names", point)
          .containsExactly(point.failurePolicy().name());
      assertThat(javadoc.replaceAll("\\s*\\*\\s*", " "))
          .as("the Javadoc of %s", point)
          .contains("Failure: {@link HookFailurePolicy#" + point.failurePolicy().name() + "}");
    }
  }

  @Test
  void theDocsTableListsEveryPointWithItsDeclaredPolicyAndChangeRule() throws IOException {
    String page = Files.readString(DOCS);
    String section = page.substring(page.indexOf("## Hook points of the dispatcher"));
    Pattern row =
        Pattern.compile("^\\| `(\\w+)` \\| `\\w+` \\| (yes|no) \\| (\\w+) \\|$", Pattern.MULTILINE);
    Map<String, String> documented = new LinkedHashMap<>();
    Map<String, String> declared = new LinkedHashMap<>();
    row.matcher(section)
        .results()
        .forEach(r -> documented.put(r.group(1), r.group(2) + " " + r.group(3)));
    for (DispatcherHookPoint point : DispatcherHookPoint.values()) {
      declared.put(
          point.name(),
          (point.mayChangeApplication() ? "yes" : "no") + " " + point.failurePolicy());
    }

    assertThat(documented).containsExactlyEntriesOf(declared);
  }

  @Test
  void noClusterPointAbortsForAClusterHasNoFailedStateOfAHandler() {
    for (DispatcherHookPoint point :
        EnumSet.of(DispatcherHookPoint.CLUSTER_CREATION, DispatcherHookPoint.CLUSTER_DELETION)) {
      assertThat(point.failurePolicy()).as("%s", point).isNotEqualTo(HookFailurePolicy.ABORT);
    }
  }
}
