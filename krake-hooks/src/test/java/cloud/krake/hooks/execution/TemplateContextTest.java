package cloud.krake.hooks.execution;

import static cloud.krake.hooks.execution.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The supported template subset, strict about missing keys. */
class TemplateContextTest {

  private final TemplateContext templates =
      TemplateContext.of(
              Fixtures.context()
                  .withOptions(Map.of("bucket", "b1"))
                  .withArtifactsIn(Map.of("snap", new Artifact(Map.of("id", "s-1")))))
          .withPhaseOutput("first", Map.of("path", "/x"));

  @Test
  void rendersEveryRoot() {
    assertThat(
            templates.render(
                "{{ .Application.Namespace }}/{{.Application.Name}} on {{ .Cluster.Name }}"
                    + " in {{ .Namespace.Name }}: {{ .StatefulSet.Name }} {{ .Options.bucket }}"
                    + " {{ .ArtifactsIn.snap.KeyValue.id }} {{ .Phases.first.Output.path }}"))
        .isEqualTo("default/mysql on edge-1 in db: mysql b1 s-1 /x");
  }

  @Test
  void failsOnAMissingKeyNamingIt() {
    assertThatThrownBy(() -> templates.render("{{ .Deployment.Name }}"))
        .isInstanceOfSatisfying(
            TemplateException.class,
            e -> {
              assertThat(e.key()).isEqualTo(".Deployment.Name");
              assertThat(e)
                  .hasMessage(
                      ".Deployment.Name: missing key \"Deployment\" in the template context");
            });
    assertThatThrownBy(() -> templates.render("{{ .Options.region }}"))
        .hasMessage(".Options.region: missing key \"region\" in .Options");
    assertThatThrownBy(() -> templates.render("{{ .Options }}"))
        .hasMessage(".Options: is not a value; reference one of its keys");
  }

  @Test
  void keepsObjectPathsForWaitAndRendersNestedTrees() {
    assertThat(
            templates
                .render(
                    json(
                        "{\"c\": \"{{ $.status.ready }} == {{ .Options.bucket }}\", \"n\": [1, {\"x\": \"{{ .Cluster.Name }}\"}]}"))
                .toString())
        .isEqualTo("{\"c\":\"{{ $.status.ready }} == b1\",\"n\":[1,{\"x\":\"edge-1\"}]}");
  }

  @Test
  void looksUpWithoutFailing() {
    assertThat(templates.lookup(".Options.bucket")).contains("b1");
    assertThat(templates.lookup(".Options.nope")).isEmpty();
  }

  @Test
  void rejectsUnsupportedSyntax() {
    assertThatThrownBy(() -> templates.render("{{ .Options.bucket | upper }}"))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("unsupported template action");
    assertThatThrownBy(() -> templates.render("{{- .Options.bucket }}"))
        .hasMessageContaining("unsupported template action");
  }
}
