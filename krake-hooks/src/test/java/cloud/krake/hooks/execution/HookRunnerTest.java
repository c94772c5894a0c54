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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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

  /**
   * Issue 17's hand-over of an execution hook: the owner of the application's shard is deposed (or
   * killed) while its preHook runs; the new owner, on the same store, leaves the attempt recorded
   * RUNNING alone until its deadline (the old owner may still be running it: never twice at once),
   * then counts it as a failed attempt and runs the preHook again (at-least-once, per the hook's
   * retry policy, as Kanister re-runs an action), runs the action and onSuccess once. The old
   * owner's late outcome is discarded: it overwrites nothing (in a group its write is also fenced,
   * and its controller's fence stops it before the action).
   */
  @Test
  void aPreHookRunningWhenItsOwnerIsDeposedRunsAgainOnTheNewOwnerAfterItsDeadlineOnlyOnce()
      throws Exception {
    AtomicInteger sideEffects = new AtomicInteger();
    CountDownLatch oldOwnerInHook = new CountDownLatch(1);
    CountDownLatch oldOwnerMayFinish = new CountDownLatch(1);
    Fixtures.Recording onOldOwner =
        new Fixtures.Recording(
            "Snapshot",
            c -> {
              sideEffects.incrementAndGet();
              oldOwnerInHook.countDown();
              try {
                oldOwnerMayFinish.await(); // deposed mid-hook: it finishes only much later
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return PhaseOutput.none();
            });
    Fixtures.Recording onNewOwner =
        new Fixtures.Recording(
            "Snapshot",
            c -> {
              sideEffects.incrementAndGet();
              return PhaseOutput.none();
            });
    Fixtures.Recording oldOnSuccess = Fixtures.Recording.echo("Echo");
    Fixtures.Recording newOnSuccess = Fixtures.Recording.echo("Echo");
    ExecutionHooks hooks =
        deploy(
            ActionHooks.NONE
                .withPreHook(
                    HookRef.inline(BlueprintAction.of(Phase.of("Snapshot", "snap")))
                        .withTimeout(Duration.ofMinutes(1)))
                .withOnSuccess(HookRef.inline(BlueprintAction.of(Phase.of("Echo", "done")))));
    HookRunner oldOwner = runner(onOldOwner, oldOnSuccess);
    HookRunner newOwner = runner(onNewOwner, newOnSuccess);
    ExecutorService oldOwnerThread = Executors.newSingleThreadExecutor();
    try {
      Future<ActionOutcome> late = oldOwnerThread.submit(() -> oldOwner.before(hooks, run));
      assertThat(oldOwnerInHook.await(10, TimeUnit.SECONDS)).isTrue();

      ActionOutcome whileRecordedRunning = newOwner.before(hooks, run);
      clock.advance(Duration.ofMinutes(1)); // the old owner's attempt deadline
      ActionOutcome atTheDeadline = newOwner.before(hooks, run);
      clock.advance(RetryPolicy.DEFAULT.initialBackoff());
      ActionOutcome rerun = newOwner.before(hooks, run);
      int actions = rerun.proceeds() ? 1 : 0; // the new owner applies
      ActionOutcome afterAction = newOwner.after(hooks, run, true);
      HookRecord preHookDone = stored(HookKind.PRE_HOOK);
      oldOwnerMayFinish.countDown();
      late.get(10, TimeUnit.SECONDS);

      assertThat(whileRecordedRunning.until()).contains(T0.plus(Duration.ofMinutes(1)));
      assertThat(atTheDeadline.until())
          .contains(T0.plus(Duration.ofMinutes(1)).plus(RetryPolicy.DEFAULT.initialBackoff()));
      assertThat(rerun.proceeds()).isTrue();
      assertThat(afterAction.proceeds()).isTrue();
      assertThat(actions).isEqualTo(1);
      assertThat(sideEffects).hasValue(2); // attempt 1 on the old owner, attempt 2 on the new
      assertThat(onNewOwner.calls).containsExactly("snap");
      assertThat(newOnSuccess.calls).containsExactly("done");
      assertThat(oldOnSuccess.calls).isEmpty();
      assertThat(preHookDone.state()).isEqualTo(HookState.SUCCEEDED);
      assertThat(preHookDone.attempt()).isEqualTo(2);
      assertThat(stored(HookKind.PRE_HOOK)).isEqualTo(preHookDone); // the late outcome discarded
      assertThat(stored(HookKind.ON_SUCCESS).attempt()).isEqualTo(1);
    } finally {
      oldOwnerMayFinish.countDown();
      oldOwnerThread.shutdownNow();
    }
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
