package cloud.krake.hooks.execution;

import static cloud.krake.hooks.execution.Fixtures.T0;
import static cloud.krake.hooks.execution.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.action.ActionOutcome;
import cloud.krake.dispatcher.HookException;
import cloud.krake.model.Reason;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.KrakeMetricsRecorder.HookRunOutcome;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Kasten K10's rules, with attempts persisted in a store and time on a manual clock. */
class HookRunnerTest {

  private final ManualClock clock = new ManualClock(T0);
  private final MemoryStore store = MemoryStore.create();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final Fixtures.Recording echo = Fixtures.Recording.echo("Echo");
  private final Fixtures.Recording flaky =
      new Fixtures.Recording(
          "Flaky",
          c -> {
            if (failuresLeft.getAndDecrement() > 0) {
              throw new HookException("Flaky", "not yet", null);
            }
            return PhaseOutput.none();
          });

  /** What the runners report to their metrics recorder: "kind outcome", in order. */
  private final List<String> reported = new CopyOnWriteArrayList<>();

  private final KrakeMetricsRecorder recorder =
      new KrakeMetricsRecorder() {
        @Override
        public void executionHookRun(String kind, HookRunOutcome outcome, long durationNanos) {
          reported.add(kind + " " + outcome.tag());
        }
      };

  private final HookRunner runner = runner(echo, flaky);
  private final ActionRun run = new ActionRun(HookAction.DEPLOY, "uid-1", Fixtures.context());

  private HookRunner runner(HookFunction... functions) {
    ExecutionEngine.Builder engine = ExecutionEngine.builder().clock(clock);
    for (HookFunction f : functions) {
      engine.function(f);
    }
    return HookRunner.builder()
        .engine(engine.build())
        .records(new HookRecords(store))
        .metricsRecorder(recorder)
        .build();
  }

  /** The hook's record in the store after a step (of the deploy in {@link #run}). */
  private HookRecord stored(HookKind kind) {
    return runner
        .records()
        .find("default", "mysql", HookAction.DEPLOY, kind)
        .map(HookRecords.Versioned::record)
        .orElseThrow();
  }

  private static HookRef flakyHook(int attempts) {
    return HookRef.inline(BlueprintAction.of(Phase.of("Flaky", "try")))
        .withRetry(new RetryPolicy(attempts, Duration.ofSeconds(10), Duration.ofSeconds(15)));
  }

  private static ExecutionHooks deploy(ActionHooks hooks) {
    return ExecutionHooks.NONE.with(HookAction.DEPLOY, hooks);
  }

  @Test
  void proceedsAtOnceWithoutHooks() {
    assertThat(runner.before(ExecutionHooks.NONE, run).proceeds()).isTrue();
    assertThat(runner.after(ExecutionHooks.NONE, run, false).proceeds()).isTrue();
    assertThat(runner.records().list("default", "mysql")).isEmpty();
  }

  @Test
  void runsThePreHookOnceAndRecordsIt() {
    ExecutionHooks hooks =
        deploy(
            ActionHooks.NONE.withPreHook(
                HookRef.inline(
                    BlueprintAction.of(Phase.of("Echo", "say", json("{\"k\": \"v\"}"))))));

    ActionOutcome first = runner.before(hooks, run);
    ActionOutcome second = runner.before(hooks, run);

    assertThat(first.proceeds()).isTrue();
    assertThat(second.proceeds()).isTrue();
    assertThat(echo.calls).containsExactly("say");
    HookRecord record = stored(HookKind.PRE_HOOK);
    assertThat(record.state()).isEqualTo(HookState.SUCCEEDED);
    assertThat(record.attempt()).isEqualTo(1);
    assertThat(record.outputs()).containsEntry("say", Map.of("k", "v"));
    assertThat(store.get("/krake/hookruns/default/mysql/deploy/preHook")).isPresent();
  }

  @Test
  void passesThePreHooksOutputArtifactsToOnSuccess() {
    BlueprintAction snapshot =
        BlueprintAction.of(Phase.of("Echo", "snap", json("{\"id\": \"s-42\"}")))
            .withOutputArtifacts(
                Map.of("snapshot", new Artifact(Map.of("id", "{{ .Phases.snap.Output.id }}"))));
    BlueprintAction report =
        BlueprintAction.of(
            Phase.of(
                "Echo", "report", json("{\"got\": \"{{ .ArtifactsIn.snapshot.KeyValue.id }}\"}")));
    ExecutionHooks hooks =
        deploy(
            ActionHooks.NONE
                .withPreHook(HookRef.inline(snapshot))
                .withOnSuccess(HookRef.inline(report)));
    assertThat(runner.check(hooks, "spec.execution_hooks")).isEmpty();

    runner.before(hooks, run);
    ActionOutcome after = runner.after(hooks, run, true);

    assertThat(after.proceeds()).isTrue();
    assertThat(echo.args.get(1).get("got").asText()).isEqualTo("s-42");
  }

  @Test
  void retriesAFailingPreHookWithExponentialBackoffThenRunsOnFailure() {
    failuresLeft.set(Integer.MAX_VALUE);
    ExecutionHooks hooks =
        deploy(
            ActionHooks.NONE
                .withPreHook(flakyHook(3))
                .withOnFailure(HookRef.inline(BlueprintAction.of(Phase.of("Echo", "alert")))));

    ActionOutcome first = runner.before(hooks, run);
    ActionOutcome early = runner.before(hooks, run);
    clock.advance(Duration.ofSeconds(10));
    ActionOutcome second = runner.before(hooks, run);
    clock.advance(Duration.ofSeconds(15));
    ActionOutcome third = runner.before(hooks, run);
    ActionOutcome onFailure = runner.after(hooks, run, false);

    assertThat(first.kind()).isEqualTo(ActionOutcome.Kind.WAIT_UNTIL);
    assertThat(first.until()).contains(T0.plusSeconds(10));
    assertThat(early.until()).contains(T0.plusSeconds(10));
    assertThat(second.until()).contains(T0.plusSeconds(10 + 15)); // 20 s capped at 15 s
    assertThat(third.kind()).isEqualTo(ActionOutcome.Kind.FAIL);
    assertThat(third.reason().map(Reason::message).orElseThrow())
        .contains("deploy.preHook failed after 3 attempt(s)")
        .contains("not yet");
    assertThat(flaky.calls).hasSize(3);
    assertThat(onFailure.proceeds()).isTrue();
    assertThat(echo.calls).containsExactly("alert");
  }

  @Test
  void eachRunOfABlueprintActionIsReportedWithItsHookAndOutcomeButNotAHookAlreadyDone() {
    ExecutionHooks hooks =
        deploy(
            ActionHooks.NONE
                .withPreHook(
                    HookRef.inline(
                        BlueprintAction.of(Phase.of("Echo", "say", json("{\"k\": \"v\"}")))))
                .withOnFailure(flakyHook(5)));
    failuresLeft.set(Integer.MAX_VALUE);

    runner.before(hooks, run);
    runner.before(hooks, run); // done already: runs nothing
    runner.after(hooks, run, false);

    assertThat(reported).containsExactly("preHook success", "onFailure failure");
  }

  @Test
  void neverRetriesOnFailure() {
    failuresLeft.set(Integer.MAX_VALUE);
    ExecutionHooks hooks = deploy(ActionHooks.NONE.withOnFailure(flakyHook(5)));

    ActionOutcome first = runner.after(hooks, run, false);
    clock.advance(Duration.ofHours(1));
    ActionOutcome again = runner.after(hooks, run, false);

    assertThat(first.kind()).isEqualTo(ActionOutcome.Kind.FAIL);
    assertThat(again.kind()).isEqualTo(ActionOutcome.Kind.FAIL);
    assertThat(flaky.calls).hasSize(1);
    assertThat(stored(HookKind.ON_FAILURE).nextAttemptAt()).isEmpty();
  }

  @Test
  void retriesOnSuccessUntilItSucceeds() {
    failuresLeft.set(1);
    ExecutionHooks hooks = deploy(ActionHooks.NONE.withOnSuccess(flakyHook(3)));

    ActionOutcome first = runner.after(hooks, run, true);
    clock.advance(Duration.ofSeconds(10));
    ActionOutcome second = runner.after(hooks, run, true);

    assertThat(first.kind()).isEqualTo(ActionOutcome.Kind.WAIT_UNTIL);
    assertThat(second.proceeds()).isTrue();
    assertThat(stored(HookKind.ON_SUCCESS).attempt()).isEqualTo(2);
  }

  @Test
  void doesNotRunASucceededHookAgainAfterARestart() {
    ExecutionHooks hooks =
        deploy(
            ActionHooks.NONE.withPreHook(
                HookRef.inline(BlueprintAction.of(Phase.of("Echo", "once")))));
    runner.before(hooks, run);

    Fixtures.Recording afterRestart = Fixtures.Recording.echo("Echo");
    HookRunner restarted = runner(afterRestart, flaky);
    ActionOutcome decision = restarted.before(hooks, run);

    assertThat(decision.proceeds()).isTrue();
    assertThat(afterRestart.calls).isEmpty();
    assertThat(echo.calls).containsExactly("once");
  }

  @Test
  void waitsForAnAttemptInProgressAndRetriesItOnceItsDeadlinePassed() {
    HookRef hook =
        HookRef.inline(BlueprintAction.of(Phase.of("Echo", "once")))
            .withTimeout(Duration.ofMinutes(1));
    ExecutionHooks hooks = deploy(ActionHooks.NONE.withPreHook(hook));
    // a host that crashed while running attempt 1
    runner
        .records()
        .create(
            new HookRecord(
                "default",
                "mysql",
                HookAction.DEPLOY,
                HookKind.PRE_HOOK,
                "uid-1",
                "inline",
                1,
                HookState.RUNNING,
                T0,
                T0.plus(Duration.ofMinutes(1)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Map.of(),
                Map.of()));

    ActionOutcome running = runner.before(hooks, run);
    clock.advance(Duration.ofMinutes(1));
    ActionOutcome lost = runner.before(hooks, run);
    HookRecord lostRecord = stored(HookKind.PRE_HOOK);
    clock.advance(Duration.ofSeconds(10));
    ActionOutcome resumed = runner.before(hooks, run);

    assertThat(running.until()).contains(T0.plus(Duration.ofMinutes(1)));
    assertThat(lost.kind()).isEqualTo(ActionOutcome.Kind.WAIT_UNTIL);
    assertThat(lostRecord.error())
        .get()
        .asString()
        .contains("attempt 1 did not finish by its deadline");
    assertThat(resumed.proceeds()).isTrue();
    assertThat(stored(HookKind.PRE_HOOK).attempt()).isEqualTo(2);
    assertThat(echo.calls).containsExactly("once");
  }

  @Test
  void runsTheHooksOfANewOccurrenceAfresh() {
    ExecutionHooks hooks =
        ExecutionHooks.NONE.with(
            HookAction.UPDATE,
            ActionHooks.NONE.withPreHook(
                HookRef.inline(BlueprintAction.of(Phase.of("Echo", "u")))));
    ActionRun first = new ActionRun(HookAction.UPDATE, "rev-7", Fixtures.context());
    ActionRun second = new ActionRun(HookAction.UPDATE, "rev-9", Fixtures.context());

    runner.before(hooks, first);
    runner.before(hooks, first);
    runner.before(hooks, second);

    assertThat(echo.calls).containsExactly("u", "u");
    assertThat(runner.records().list("default", "mysql"))
        .singleElement()
        .extracting(HookRecord::operation)
        .isEqualTo("rev-9");
  }

  @Test
  void recordsARunThatExceedsItsTimeoutAsAFailedAttempt() {
    Fixtures.Recording slow =
        new Fixtures.Recording(
            "Slow",
            c -> {
              clock.advance(Duration.ofSeconds(30));
              return PhaseOutput.none();
            });
    HookRunner r = runner(slow);
    ExecutionHooks hooks =
        deploy(
            ActionHooks.NONE.withPreHook(
                HookRef.inline(BlueprintAction.of(Phase.of("Slow", "s")))
                    .withTimeout(Duration.ofSeconds(5))
                    .withRetry(RetryPolicy.NONE)));

    ActionOutcome decision = r.before(hooks, run);

    assertThat(decision.kind()).isEqualTo(ActionOutcome.Kind.FAIL);
    HookRecord record = stored(HookKind.PRE_HOOK);
    assertThat(record.error()).get().asString().contains("after the deadline");
    assertThat(record.finishedAt()).contains(T0.plusSeconds(30));
    assertThat(record.deadline()).isEqualTo(Instant.parse("2026-11-21T10:00:05Z"));
  }
}
