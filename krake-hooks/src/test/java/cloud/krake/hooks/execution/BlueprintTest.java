package cloud.krake.hooks.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kanister blueprints read from YAML, and every structural error named by its field. */
class BlueprintTest {

  static final String MYSQL =
      """
      apiVersion: cr.kanister.io/v1alpha1
      kind: Blueprint
      metadata:
        name: mysql-hooks
      actions:
        quiesce:
          phases:
            - func: KubeExec
              name: lock
              args:
                namespace: "{{ .Namespace.Name }}"
                pod: "{{ .StatefulSet.Name }}-0"
                command: [sh, -c, "mysql -e 'FLUSH TABLES WITH READ LOCK'"]
            - func: KubeTask
              name: snapshot
              args:
                image: ghcr.io/example/kando:1.0
                command: [sh, -c, "echo ###Phase-output###: {}"]
          deferPhase:
            func: KubeExec
            name: unlock
            args:
              pod: "{{ .StatefulSet.Name }}-0"
              command: [mysql, -e, UNLOCK TABLES]
          outputArtifacts:
            snapshot:
              keyValue:
                id: "{{ .Phases.snapshot.Output.id }}"
        unquiesce:
          phases:
            - func: Wait
              name: ready
              args:
                timeout: 120s
                conditions:
                  allOf:
                    - objectReference: {apiVersion: apps/v1, kind: StatefulSet, namespace: "{{ .Namespace.Name }}", name: "{{ .StatefulSet.Name }}"}
                      condition: "{{ $.status.readyReplicas }} >= 1"
      """;

  private final ExecutionEngine engine = ExecutionEngine.builder().build();

  @Test
  void readsAKanisterBlueprint() {
    Blueprint blueprint = Blueprint.parse(MYSQL);

    assertThat(blueprint.name()).isEqualTo("mysql-hooks");
    assertThat(blueprint.actions()).containsOnlyKeys("quiesce", "unquiesce");
    BlueprintAction quiesce = blueprint.action("quiesce").orElseThrow();
    assertThat(quiesce.phases()).extracting(Phase::name).containsExactly("lock", "snapshot");
    assertThat(quiesce.deferPhase()).get().extracting(Phase::func).isEqualTo("KubeExec");
    assertThat(quiesce.outputArtifacts().get("snapshot").keyValue())
        .containsEntry("id", "{{ .Phases.snapshot.Output.id }}");
    assertThat(engine.validate(blueprint)).isEmpty();
  }

  @Test
  void roundTripsThroughJson() {
    Blueprint blueprint = Blueprint.parse(MYSQL);

    assertThat(Blueprint.fromJson(blueprint.toJson())).isEqualTo(blueprint);
  }

  @Test
  void namesAnUnknownFunctionByItsField() {
    Blueprint blueprint =
        Blueprint.parse(
            """
            name: b
            actions:
              backup:
                phases:
                  - {func: KubeExec, name: one, args: {pod: p, command: ["true"]}}
                  - {func: KubeTsk, name: two}
            """);

    assertThat(engine.validate(blueprint))
        .extracting(FieldError::toString)
        .singleElement()
        .asString()
        .startsWith("actions.backup.phases[1].func: unknown function \"KubeTsk\"");
  }

  @Test
  void namesBadFunctionArgumentsByTheirField() {
    Blueprint blueprint =
        Blueprint.parse(
            """
            name: b
            actions:
              backup:
                phases:
                  - {func: KubeTask, name: one, args: {command: []}}
                  - {func: Wait, name: two, args: {conditions: {anyOf: []}}}
            """);

    assertThat(engine.validate(blueprint))
        .extracting(FieldError::field)
        .containsExactly(
            "actions.backup.phases[0].args.image",
            "actions.backup.phases[0].args.command",
            "actions.backup.phases[1].args.timeout",
            "actions.backup.phases[1].args.conditions.anyOf");
  }

  @Test
  void reportsEveryStructuralErrorAtOnce() {
    assertThatThrownBy(
            () ->
                Blueprint.parse(
                    """
                    name: b
                    actions:
                      backup:
                        phases:
                          - {name: one}
                          - {func: KubeTask, name: one}
                          - {func: KubeTask, name: "bad-name"}
                          - {func: KubeTask, name: four, args: [1]}
                        outputArtifacts:
                          snap: {kopiaSnapshot: "x"}
                      restore: {}
                    """))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly(
                        "actions.backup.phases[0].func",
                        "actions.backup.phases[1].name",
                        "actions.backup.phases[2].name",
                        "actions.backup.phases[3].args",
                        "actions.backup.outputArtifacts.snap.kopiaSnapshot",
                        "actions.restore.phases"));
  }

  @Test
  void requiresANameAndActions() {
    assertThatThrownBy(() -> Blueprint.parse("kind: Blueprint"))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("name", "actions"));
  }

  @Test
  void rejectsAReferenceToALaterOrUnknownPhase() {
    assertThatThrownBy(
            () ->
                Blueprint.parse(
                    """
                    name: b
                    actions:
                      backup:
                        phases:
                          - {func: X, name: one, args: {a: "{{ .Phases.two.Output.k }}"}}
                          - {func: X, name: two, args: {a: ["{{ .Phases.three.Output.k }}"]}}
                    """))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::toString)
                    .containsExactly(
                        "actions.backup.phases[0].args.a: template references"
                            + " .Phases.two.Output.k, but phase \"two\" has not run yet at this"
                            + " point",
                        "actions.backup.phases[1].args.a[0]: template references"
                            + " .Phases.three.Output.k, but this action has no phase \"three\""));
  }

  @Test
  void rejectsUnsupportedTemplatesAndUnknownRoots() {
    assertThatThrownBy(
            () ->
                Blueprint.parse(
                    """
                    name: b
                    actions:
                      backup:
                        phases:
                          - func: X
                            name: one
                            args:
                              a: "{{ if .Options.x }}y{{ end }}"
                              b: "{{ .Profile.Location }}"
                              c: "{{ .Options.x"
                              d: "{{ .DeferPhase.Output.k }}"
                    """))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e -> {
              List<String> messages = e.errors().stream().map(FieldError::toString).toList();
              assertThat(messages).hasSize(4);
              assertThat(messages.get(0))
                  .contains("args.a")
                  .contains("unsupported template action");
              assertThat(messages.get(1)).contains("args.b").contains("unknown template root");
              assertThat(messages.get(2)).contains("args.c").contains("unterminated");
              assertThat(messages.get(3)).contains("args.d").contains(".DeferPhase is only");
            });
  }
}
