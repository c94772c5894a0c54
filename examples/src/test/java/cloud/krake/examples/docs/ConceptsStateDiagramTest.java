package cloud.krake.examples.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.ApplicationState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Mermaid state diagram of docs/concepts.md against {@link ApplicationState}. */
class ConceptsStateDiagramTest {

  /** In Krake's model, never written by this library (TOSCA, cluster creation, unused). */
  private static final Set<ApplicationState> NOT_WRITTEN =
      EnumSet.of(
          ApplicationState.TRANSLATING,
          ApplicationState.WAITING_FOR_CLUSTER_CREATION,
          ApplicationState.DELETED,
          ApplicationState.RETRYING);

  private static final Pattern TRANSITION =
      Pattern.compile("^\\s*(\\[\\*]|[A-Z_]+)\\s*-->\\s*(\\[\\*]|[A-Z_]+)\\s*(?::.*)?$");

  @Test
  void diagramNamesEveryWrittenApplicationStateAndNoOther() throws IOException {
    String page = Files.readString(Path.of("..", "docs", "concepts.md"), UTF_8);
    String diagram = page.substring(page.indexOf("```mermaid"));
    diagram = diagram.substring(0, diagram.indexOf("\n```\n"));

    Set<String> states = new TreeSet<>();
    diagram
        .lines()
        .skip(2) // the fence and stateDiagram-v2
        .forEach(
            line -> {
              Matcher m = TRANSITION.matcher(line);
              assertThat(m.matches()).as("not a transition: " + line).isTrue();
              states.add(m.group(1));
              states.add(m.group(2));
            });
    states.remove("[*]");

    Set<String> written =
        Arrays.stream(ApplicationState.values())
            .filter(s -> !NOT_WRITTEN.contains(s))
            .map(Enum::name)
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(states).isEqualTo(written);
    NOT_WRITTEN.forEach(s -> assertThat(page).contains("`" + s.name() + "`"));
  }
}
