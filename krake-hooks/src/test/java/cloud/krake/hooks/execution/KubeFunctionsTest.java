package cloud.krake.hooks.execution;

import static cloud.krake.hooks.execution.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Cluster;
import cloud.krake.model.FieldError;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** KubeTask and KubeExec over an in-memory pod runner. */
class KubeFunctionsTest {

  private final FakePodRunner pods = new FakePodRunner();
  private final ExecutionEngine engine = ExecutionEngine.builder().podRunner(pods).build();

  @Test
  void runsATaskPodAsNonRootAndReadsItsOutputs() {
    pods.podExits(0, "hello\n" + PhaseOutput.line("snapshot", "snap-1") + "\n");
    BlueprintAction action =
        BlueprintAction.of(
            Phase.of(
                "KubeTask",
                "task",
                json(
                    "{\"image\": \"busybox\", \"command\": [\"sh\", \"-c\", \"echo {{"
                        + " .Application.Name }}\"], \"podOverride\": {\"serviceAccountName\":"
                        + " \"hooks\"}}")));

    ActionResult result = engine.run(action, Fixtures.context());

    assertThat(result.succeeded()).isTrue();
    assertThat(result.phases().get(0).outputs()).containsEntry("snapshot", "snap-1");
    PodRunner.PodTask task = pods.tasks.get(0);
    assertThat(task.cluster()).isEqualTo(Cluster.ref("default", "edge-1"));
    assertThat(task.namespace()).isEqualTo("db");
    assertThat(task.command()).containsExactly("sh", "-c", "echo mysql");
    assertThat(task.podOverride().toString())
        .isEqualTo(
            "{\"serviceAccountName\":\"hooks\",\"securityContext\":{\"runAsNonRoot\":true}}");
  }

  @Test
  void targetsTheClusterOfThatNameInTheApplicationsOwnNamespace() {
    BlueprintAction action =
        BlueprintAction.of(
            Phase.of("KubeTask", "task", json("{\"image\": \"i\", \"command\": [\"true\"]}")),
            Phase.of("KubeExec", "exec", json("{\"pod\": \"p\", \"command\": [\"true\"]}")));

    ExecutionContext tenantB =
        ExecutionContext.of("tenant-b", "mysql").withCluster("de").withNamespace("db");
    assertThat(engine.run(action, tenantB).succeeded()).isTrue();

    assertThat(pods.tasks)
        .singleElement()
        .satisfies(t -> assertThat(t.cluster()).isEqualTo(Cluster.ref("tenant-b", "de")));
    assertThat(pods.execs)
        .singleElement()
        .satisfies(e -> assertThat(e.cluster()).isEqualTo(Cluster.ref("tenant-b", "de")));
  }

  @Test
  void keepsAnExplicitRootOptOut() {
    ObjectArgs args =
        new ObjectArgs(
            "{\"image\": \"i\", \"command\": [\"id\"], \"podOverride\": {\"securityContext\":"
                + " {\"runAsNonRoot\": false, \"runAsUser\": 0}}}");

    assertThat(new KubeTaskFunction(pods).validate(args.node)).isEmpty();
    assertThat(
            KubeTaskFunction.podOverride(args.node)
                .path("securityContext")
                .path("runAsNonRoot")
                .asBoolean())
        .isFalse();
  }

  @Test
  void rejectsRootWithoutAnExplicitOptOut() {
    List<FieldError> errors =
        new KubeTaskFunction(pods)
            .validate(
                json(
                    "{\"image\": \"i\", \"command\": [\"id\", 3], \"podOverride\":"
                        + " {\"securityContext\": {\"runAsUser\": 0}}}"));

    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly("command[1]", "podOverride.securityContext.runAsUser");
    assertThat(errors.get(1).message()).contains("runAsNonRoot: false");
  }

  @Test
  void failsATaskThatExitsNonZeroWithTheLogTail() {
    pods.podExits(2, "x".repeat(5000) + "disk full");

    ActionResult result =
        engine.run(
            BlueprintAction.of(
                Phase.of("KubeTask", "t", json("{\"image\": \"i\", \"command\": [\"false\"]}"))),
            Fixtures.context());

    assertThat(result.error())
        .get()
        .asString()
        .contains("pod exited with code 2")
        .endsWith("disk full")
        .hasSizeLessThan(1200);
  }

  @Test
  void execsIntoTheApplicationsPodAndReadsStdout() {
    pods.execExits(0, PhaseOutput.line("lsn", "0/16B3748") + "\n", "");
    BlueprintAction action =
        BlueprintAction.of(
            Phase.of(
                "KubeExec",
                "freeze",
                json(
                    "{\"pod\": \"{{ .StatefulSet.Name }}-0\", \"container\": \"db\","
                        + " \"command\": [\"fsfreeze\", \"-f\", \"/data\"]}")));

    ActionResult result = engine.run(action, Fixtures.context());

    assertThat(result.phases().get(0).outputs()).containsEntry("lsn", "0/16B3748");
    PodRunner.ExecRequest exec = pods.execs.get(0);
    assertThat(exec.pod()).isEqualTo("mysql-0");
    assertThat(exec.namespace()).isEqualTo("db");
    assertThat(exec.container()).isEqualTo(Optional.of("db"));
  }

  @Test
  void failsAnExecThatExitsNonZero() {
    pods.execExits(1, "", "permission denied");

    ActionResult result =
        engine.run(
            BlueprintAction.of(
                Phase.of("KubeExec", "x", json("{\"pod\": \"p\", \"command\": [\"x\"]}"))),
            Fixtures.context());

    assertThat(result.error()).get().asString().contains("code 1; stderr tail: permission denied");
  }

  @Test
  void failsWithoutAPodRunnerNamingWhatIsMissing() {
    ActionResult result =
        ExecutionEngine.builder()
            .build()
            .run(
                BlueprintAction.of(
                    Phase.of("KubeExec", "x", json("{\"pod\": \"p\", \"command\": [\"x\"]}"))),
                Fixtures.context());

    assertThat(result.error()).get().asString().contains("no PodRunner is configured");
  }

  @Test
  void failsWithoutANamespace() {
    ActionResult result =
        engine.run(
            BlueprintAction.of(
                Phase.of("KubeExec", "x", json("{\"pod\": \"p\", \"command\": [\"x\"]}"))),
            ExecutionContext.of("default", "app").withCluster("c"));

    assertThat(result.error()).get().asString().contains("no namespace");
  }

  /** A parsed argument object. */
  private record ObjectArgs(com.fasterxml.jackson.databind.node.ObjectNode node) {
    ObjectArgs(String json) {
      this(json(json));
    }
  }
}
