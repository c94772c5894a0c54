package cloud.krake.hooks.execution;

import static cloud.krake.hooks.execution.Fixtures.context;
import static cloud.krake.hooks.execution.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.dispatcher.HookException;
import cloud.krake.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Phase order, stop at first failure, deferPhase, outputs, artifacts, templates, deadlines. */
class ExecutionEngineTest {

  private final ManualClock clock = new ManualClock(Fixtures.T0);
  private final List<String> order = new CopyOnWriteArrayList<>();
  private final Fixtures.Recording ok =
      new Fixtures.Recording(
          "Ok",
          c -> {
            order.add(c.phase());
            return PhaseOutput.none();
          });
  private final Fixtures.Recording fail =
      new Fixtures.Recording(
          "Fail",
          c -> {
            order.add(c.phase());
            throw new HookException("Fail", "exit code 3", null);
          });
  private final Fixtures.Recording echo = Fixtures.Recording.echo("Echo");
  private final ExecutionEngine engine =
      ExecutionEngine.builder()
          .function(ok)
          .function(fail)
          .function(echo)
          .clock(clock)
          .sleeper(Fixtures.advancing(clock))
          .build();

  @Test
  void runsPhasesInOrder() {
    BlueprintAction action =
        BlueprintAction.of(Phase.of("Ok", "one"), Phase.of("Ok", "two"), Phase.of("Ok", "three"));

    ActionResult result = engine.run(action, context());

    assertThat(result.succeeded()).isTrue();
    assertThat(order).containsExactly("one", "two", "three");
    assertThat(result.phases())
        .extracting(PhaseResult::state)
        .containsOnly(PhaseResult.State.SUCCEEDED);
  }

  @Test
  void stopsAtTheFirstFailureAndSkipsTheRest() {
    BlueprintAction action =
        BlueprintAction.of(Phase.of("Ok", "one"), Phase.of("Fail", "two"), Phase.of("Ok", "three"));

    ActionResult result = engine.run(action, context());

    assertThat(result.succeeded()).isFalse();
    assertThat(order).containsExactly("one", "two");
    assertThat(result.phases())
        .extracting(PhaseResult::state)
        .containsExactly(
            PhaseResult.State.SUCCEEDED, PhaseResult.State.FAILED, PhaseResult.State.SKIPPED);
    assertThat(result.error()).contains("phase two (Fail): hook Fail: exit code 3");
  }

  @Test
  void runsTheDeferPhaseAfterSuccessAndAfterFailure() {
    BlueprintAction good =
        BlueprintAction.of(Phase.of("Ok", "one")).withDeferPhase(Phase.of("Ok", "cleanup"));
    BlueprintAction bad =
        BlueprintAction.of(Phase.of("Fail", "one")).withDeferPhase(Phase.of("Ok", "cleanup"));

    ActionResult succeeded = engine.run(good, context());
    ActionResult failed = engine.run(bad, context());

    assertThat(order).containsExactly("one", "cleanup", "one", "cleanup");
    assertThat(succeeded.succeeded()).isTrue();
    assertThat(failed.succeeded()).isFalse();
    assertThat(failed.deferPhase()).get().extracting(PhaseResult::succeeded).isEqualTo(true);
  }

  @Test
  void failsTheActionWhenOnlyTheDeferPhaseFails() {
    BlueprintAction action =
        BlueprintAction.of(Phase.of("Ok", "one"))
            .withDeferPhase(Phase.of("Fail", "cleanup"))
            .withOutputArtifacts(Map.of("a", new Artifact(Map.of("k", "v"))));

    ActionResult result = engine.run(action, context());

    assertThat(result.succeeded()).isFalse();
    assertThat(result.error()).get().asString().startsWith("deferPhase cleanup (Fail)");
    assertThat(result.artifacts()).isEmpty();
  }

  @Test
  void passesOutputsToLaterPhasesAndRendersArtifactsAtTheEnd() {
    BlueprintAction action =
        BlueprintAction.fromJson(
            json(
                """
                phases:
                  - func: Echo
                    name: snapshot
                    args: {id: "snap-{{ .Application.Name }}-{{ .Options.bucket }}"}
                  - func: Echo
                    name: upload
                    args:
                      nested: {list: ["{{ .Phases.snapshot.Output.id }}", 3, true]}
                      where: "{{ .Cluster.Name }}/{{ .Namespace.Name }}/{{ .StatefulSet.Name }}"
                deferPhase: {func: Echo, name: done, args: {flag: "ok"}}
                outputArtifacts:
                  backup:
                    keyValue:
                      id: "{{ .Phases.snapshot.Output.id }}"
                      flag: "{{ .DeferPhase.Output.flag }}"
                """));

    ActionResult result = engine.run(action, context().withOptions(Map.of("bucket", "b1")));

    assertThat(result.succeeded()).isTrue();
    assertThat(echo.args.get(1).toString())
        .isEqualTo(
            "{\"nested\":{\"list\":[\"snap-mysql-b1\",3,true]},\"where\":\"edge-1/db/mysql\"}");
    assertThat(result.artifacts())
        .containsEntry("backup", new Artifact(Map.of("id", "snap-mysql-b1", "flag", "ok")));
    assertThat(result.outputs()).containsKeys("snapshot", "upload", "done");
  }

  @Test
  void failsThePhaseNamingTheMissingTemplateKey() {
    BlueprintAction action =
        BlueprintAction.of(
            Phase.of("Ok", "first"),
            Phase.of("Echo", "second", json("{\"path\": \"s3://{{ .Options.bucket }}/x\"}")));

    ActionResult result = engine.run(action, context());

    assertThat(result.succeeded()).isFalse();
    assertThat(result.error())
        .get()
        .asString()
        .contains(".Options.bucket")
        .contains("missing key \"bucket\"")
        .contains("(in path)");
    assertThat(echo.calls).isEmpty();
  }

  @Test
  void failsAPhaseWhoseOutputKeyIsMissing() {
    BlueprintAction action =
        BlueprintAction.of(
            Phase.of("Ok", "first"),
            Phase.of("Echo", "second", json("{\"x\": \"{{ .Phases.first.Output.id }}\"}")));

    ActionResult result = engine.run(action, context());

    assertThat(result.error())
        .get()
        .asString()
        .contains(".Phases.first.Output.id: missing key \"id\" in .Phases.first.Output");
  }

  @Test
  void failsWithoutRunningWhenTheFunctionIsUnknown() {
    ActionResult result = engine.run(BlueprintAction.of(Phase.of("KubeTsk", "one")), context());

    assertThat(result.error()).get().asString().contains("unknown function \"KubeTsk\"");
  }

  @Test
  void discardsAResultThatArrivesAfterTheDeadlineAndStillRunsTheDeferPhase() {
    Fixtures.Recording slow =
        new Fixtures.Recording(
            "Slow",
            c -> {
              clock.advance(Duration.ofMinutes(2));
              return PhaseOutput.of(Map.of("k", "v"));
            });
    ExecutionEngine slowEngine =
        ExecutionEngine.builder().function(slow).function(ok).clock(clock).build();
    BlueprintAction action =
        BlueprintAction.of(Phase.of("Slow", "one"), Phase.of("Ok", "two"))
            .withDeferPhase(Phase.of("Ok", "cleanup"));

    ActionResult result =
        slowEngine.run(action, context(), Duration.ofMinutes(1), new Cancellation());

    assertThat(result.phases().get(0).error()).get().asString().contains("after the deadline");
    assertThat(order).containsExactly("cleanup");
  }

  @Test
  void aCancelledRunStopsBeforeTheNextPhaseButRunsItsDeferPhase() {
    Cancellation cancellation = new Cancellation();
    Fixtures.Recording cancelling =
        new Fixtures.Recording(
            "Cancel",
            c -> {
              cancellation.cancel();
              return PhaseOutput.none();
            });
    ExecutionEngine e =
        ExecutionEngine.builder().function(cancelling).function(ok).clock(clock).build();
    BlueprintAction action =
        BlueprintAction.of(Phase.of("Cancel", "one"), Phase.of("Ok", "two"))
            .withDeferPhase(Phase.of("Ok", "cleanup"));

    ActionResult result = e.run(action, context(), Duration.ofMinutes(1), cancellation);

    assertThat(result.phases().get(1).error()).get().asString().contains("cancelled");
    assertThat(order).containsExactly("cleanup");
  }

  @Test
  void validatesRenderedArgumentsBeforeRunningTheFunction() {
    FakePodRunner pods = new FakePodRunner();
    ExecutionEngine e = ExecutionEngine.builder().podRunner(pods).clock(clock).build();
    BlueprintAction action =
        BlueprintAction.of(
            Phase.of(
                "KubeTask",
                "task",
                json("{\"image\": \"{{ .Options.image }}\", \"command\": [\"true\"]}")));

    ActionResult result = e.run(action, context().withOptions(Map.of("image", " ")));

    assertThat(result.error()).get().asString().contains("args.image: must be a non-blank string");
    assertThat(pods.tasks).isEmpty();
  }

  @Test
  void listsTheBuiltInFunctions() {
    assertThat(engine.functionNames())
        .contains("HttpCall", "Wait", "KubeTask", "KubeExec", "Ok", "Fail", "Echo");
  }
}
