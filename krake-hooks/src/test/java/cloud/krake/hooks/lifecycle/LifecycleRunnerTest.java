package cloud.krake.hooks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.execution.PodRunner.ExecResult;
import cloud.krake.model.Cluster;
import cloud.krake.model.KrakeJson;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.KrakeMetricsRecorder.HookRunOutcome;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The runner's kubelet semantics with a manual clock, a fake pod runner and a memory store. */
class LifecycleRunnerTest {

  static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  private final ManualClock clock = new ManualClock(T0);
  private final ManualTimer scheduler = new ManualTimer(clock);
  private final MemoryStore store = MemoryStore.create();
  private final ScriptedPodRunner pods = new ScriptedPodRunner();
  private final ExecutorService callers = Executors.newSingleThreadExecutor();
  private final CountDownLatch release = new CountDownLatch(1);

  /** What the runners report to their metrics recorder: "kind outcome", in order. */
  private final List<String> reported = new CopyOnWriteArrayList<>();

  private final KrakeMetricsRecorder recorder =
      new KrakeMetricsRecorder() {
        @Override
        public void lifecycleHookRun(String kind, HookRunOutcome outcome, long durationNanos) {
          reported.add(kind + " " + outcome.tag());
        }
      };

  private LifecycleRunner runner = newRunner();

  private static final LifecycleContext CONTEXT =
      LifecycleContext.of("default", "echo", "edge-1", "team-a", "echo-5d9f").withContainer("echo");

  private LifecycleRunner newRunner() {
    return LifecycleRunner.builder()
        .store(store)
        .podRunner(pods)
        .clock(clock)
        .sleeper(clock::advance)
        .timer(scheduler)
        .metricsRecorder(recorder)
        .build();
  }

  @Test
  void buildWithoutAStoreIsAConfigurationErrorNamingIt() {
    assertThatThrownBy(() -> LifecycleRunner.builder().podRunner(pods).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("store");
  }

  @AfterEach
  void close() {
    release.countDown();
    runner.close();
    callers.shutdownNow();
    store.close();
  }

  private static LifecycleHooks hooks(String yaml) {
    return LifecycleHooks.parse(KrakeJson.read(yaml, JsonNode.class));
  }

  /** An exec answer that takes {@code seconds} of the manual clock. */
  private ExecResult taking(long seconds, int exitCode) {
    clock.advance(Duration.ofSeconds(seconds));
    return new ExecResult(exitCode, "", "");
  }

  @Test
  void postStartExecSucceedsInTheTargetContainerAndIsRecorded() throws InterruptedException {
    LifecycleResult result =
        runner.postStart(hooks("post_start: {exec: {command: [/bin/warm-up, --fast]}}"), CONTEXT);

    assertThat(result.outcome()).isEqualTo(LifecycleResult.Outcome.SUCCEEDED);
    assertThat(result.events()).isEmpty();
    assertThat(pods.execs)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.cluster()).isEqualTo(Cluster.ref("default", "edge-1"));
              assertThat(r.namespace()).isEqualTo("team-a");
              assertThat(r.pod()).isEqualTo("echo-5d9f");
              assertThat(r.container()).contains("echo");
              assertThat(r.command()).containsExactly("/bin/warm-up", "--fast");
              assertThat(r.deadline())
                  .isEqualTo(T0.plus(LifecycleHandler.DEFAULT_POST_START_TIMEOUT));
            });
    LifecycleRun run =
        runner.records().latest("default", "echo", LifecycleHookPoint.POST_START).orElseThrow();
    assertThat(run.state()).isEqualTo(LifecycleRun.State.SUCCEEDED);
    assertThat(run.run()).isEqualTo(1);
    assertThat(run.startedAt()).isEqualTo(T0);
    assertThat(run.finishedAt()).contains(T0);
  }

  @Test
  void postStartFailureEmitsFailedPostStartHookAndFollowsTheRestartBackOff()
      throws InterruptedException {
    pods.answering(r -> taking(1, 3));
    LifecycleHooks hooks = hooks("post_start: {exec: {command: [/bin/false]}}");

    LifecycleResult first = runner.postStart(hooks, CONTEXT);
    LifecycleResult second = runner.postStart(hooks, CONTEXT);

    assertThat(first.succeeded()).isFalse();
    assertThat(first.error()).contains("command exited with code 3");
    assertThat(first.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(LifecycleEvent.Type.Warning);
              assertThat(e.reason()).isEqualTo("FailedPostStartHook");
              assertThat(e.message()).isEqualTo("PostStartHook failed: command exited with code 3");
              assertThat(e.hook()).isEqualTo(LifecycleHookPoint.POST_START);
            });
    assertThat(second.succeeded()).isFalse();
    List<LifecycleRun> runs = runner.records().list("default", "echo");
    assertThat(runs).extracting(LifecycleRun::run).containsExactly(1L, 2L);
    assertThat(runs).extracting(LifecycleRun::state).containsOnly(LifecycleRun.State.FAILED);
    int consecutiveFailures = runs.size();
    assertThat(RestartBackoff.DEFAULT.delay(consecutiveFailures)).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void postStartThatOutlivesItsTimeoutFailsAndIsAbandoned() throws Exception {
    pods.answering(r -> blockUntilReleased());
    CompletableFuture<LifecycleResult> result =
        CompletableFuture.supplyAsync(
            () ->
                call(
                    () ->
                        runner.postStart(
                            hooks("post_start: {exec: {command: [hang]}, timeout: 20}"), CONTEXT)),
            callers);
    await().atMost(5, TimeUnit.SECONDS).until(() -> !scheduler.pendingDueTimes().isEmpty());
    await().atMost(5, TimeUnit.SECONDS).until(() -> !pods.execs.isEmpty());

    scheduler.advance(Duration.ofSeconds(20));

    LifecycleResult done = result.get(5, TimeUnit.SECONDS);
    assertThat(done.error()).contains("did not finish within its timeout of 20 s; abandoned");
    assertThat(done.events())
        .extracting(LifecycleEvent::reason)
        .containsExactly("LifecycleHookDeadlineExceeded", "FailedPostStartHook");
    assertThat(pods.cancellations.get(0).isCancelled()).isTrue();
  }

  @Test
  void postStartWithoutHookIsSkippedAsASuccess() throws InterruptedException {
    LifecycleResult result = runner.postStart(LifecycleHooks.NONE, CONTEXT);

    assertThat(result.outcome()).isEqualTo(LifecycleResult.Outcome.SKIPPED);
    assertThat(result.succeeded()).isTrue();
    assertThat(runner.records().list("default", "echo")).isEmpty();
  }

  @Test
  void preStopTimeIsSubtractedFromTheGracePeriod() throws InterruptedException {
    LifecycleResult result =
        runner.preStop(hooks("pre_stop: {sleep: {seconds: 5}}"), CONTEXT, Duration.ofSeconds(30));

    assertThat(result.outcome()).isEqualTo(LifecycleResult.Outcome.SUCCEEDED);
    assertThat(result.elapsed()).isEqualTo(Duration.ofSeconds(5));
    assertThat(result.remainingGrace()).contains(Duration.ofSeconds(25));
  }

  @Test
  void preStopRemainderIsFlooredAtTwoSeconds() throws InterruptedException {
    pods.answering(r -> taking(29, 0));

    LifecycleResult result =
        runner.preStop(
            hooks("pre_stop: {exec: {command: [drain]}}"), CONTEXT, Duration.ofSeconds(30));

    assertThat(result.succeeded()).isTrue();
    assertThat(result.remainingGrace()).contains(Duration.ofSeconds(2));
    assertThat(pods.execs.get(0).deadline()).isEqualTo(T0.plusSeconds(30));
  }

  @Test
  void preStopIsSkippedAtAGracePeriodOfZero() throws InterruptedException {
    LifecycleResult result =
        runner.preStop(hooks("pre_stop: {exec: {command: [drain]}}"), CONTEXT, Duration.ZERO);

    assertThat(result.outcome()).isEqualTo(LifecycleResult.Outcome.SKIPPED);
    assertThat(result.remainingGrace()).contains(Duration.ofSeconds(2));
    assertThat(pods.execs).isEmpty();
    assertThat(runner.records().list("default", "echo")).isEmpty();
  }

  @Test
  void eachHandlerRunIsReportedWithItsHookPointAndOutcomeAndSkippedHooksAreNot()
      throws InterruptedException {
    runner.postStart(hooks("post_start: {exec: {command: [warm-up]}}"), CONTEXT);
    pods.answering(r -> taking(4, 1));
    runner.preStop(hooks("pre_stop: {exec: {command: [drain]}}"), CONTEXT, Duration.ofSeconds(30));
    runner.postStart(hooks("{}"), CONTEXT);

    assertThat(reported).containsExactly("post_start success", "pre_stop failure");
  }

  @Test
  void preStopFailureEmitsFailedPreStopHookAndTerminationContinues() throws InterruptedException {
    pods.answering(r -> taking(4, 1));

    LifecycleResult result =
        runner.preStop(
            hooks("pre_stop: {exec: {command: [drain]}}"), CONTEXT, Duration.ofSeconds(30));

    assertThat(result.succeeded()).isFalse();
    assertThat(result.events())
        .extracting(LifecycleEvent::reason)
        .containsExactly("FailedPreStopHook");
    assertThat(result.remainingGrace()).contains(Duration.ofSeconds(26));
  }

  @Test
  void preStopThatOverrunsTheGracePeriodIsAbandonedWithTheFloorLeft() throws Exception {
    pods.answering(r -> blockUntilReleased());
    CompletableFuture<LifecycleResult> result =
        CompletableFuture.supplyAsync(
            () ->
                call(
                    () ->
                        runner.preStop(
                            hooks("pre_stop: {exec: {command: [hang]}}"),
                            CONTEXT,
                            Duration.ofSeconds(30))),
            callers);
    await().atMost(5, TimeUnit.SECONDS).until(() -> !scheduler.pendingDueTimes().isEmpty());
    await().atMost(5, TimeUnit.SECONDS).until(() -> !pods.execs.isEmpty());

    scheduler.advance(Duration.ofSeconds(30));

    LifecycleResult done = result.get(5, TimeUnit.SECONDS);
    assertThat(done.succeeded()).isFalse();
    assertThat(done.elapsed()).isEqualTo(Duration.ofSeconds(30));
    assertThat(done.remainingGrace()).contains(Duration.ofSeconds(2));
    assertThat(done.events())
        .extracting(LifecycleEvent::reason)
        .containsExactly("LifecycleHookDeadlineExceeded", "FailedPreStopHook");
    assertThat(pods.cancellations.get(0).isCancelled()).isTrue();
    assertThat(
            runner
                .records()
                .latest("default", "echo", LifecycleHookPoint.PRE_STOP)
                .orElseThrow()
                .state())
        .isEqualTo(LifecycleRun.State.FAILED);
  }

  @Test
  void execOutputTailIsTheLastTenKibibytesRedactedOfKnownSecrets() throws InterruptedException {
    String secret = "hook-token-0123456789";
    String stdout = "x".repeat(30_000) + "\nlogged in with " + secret + "\n";
    String stderr = "warning: token " + secret + " expires soon\n";
    pods.answering(r -> new ExecResult(2, stdout, stderr));

    LifecycleResult result =
        runner.postStart(
            hooks("post_start: {exec: {command: [login]}}"), CONTEXT.withSecrets(Set.of(secret)));

    assertThat(result.outputTail().getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .hasSize(10 * 1024);
    assertThat(result.outputTail())
        .doesNotContain(secret)
        .endsWith("logged in with ***\nwarning: token *** expires soon\n");
    LifecycleRun run =
        runner.records().latest("default", "echo", LifecycleHookPoint.POST_START).orElseThrow();
    assertThat(run.outputTail()).isEqualTo(result.outputTail());
    assertThat(run.toString()).doesNotContain("xxxx");
    assertThat(store.listAll("/krake/lifecycle/"))
        .allSatisfy(
            kv ->
                assertThat(new String(kv.value(), java.nio.charset.StandardCharsets.UTF_8))
                    .doesNotContain(secret));
  }

  @Test
  void recordsAndEventsSurviveARestartOfTheRunner() throws InterruptedException {
    pods.answering(r -> taking(2, 1));
    runner.postStart(hooks("post_start: {exec: {command: [x]}}"), CONTEXT);
    runner.close();

    runner = newRunner();

    assertThat(runner.events("default", "echo"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo("FailedPostStartHook");
              assertThat(e.time()).isEqualTo(T0.plusSeconds(2));
            });
    assertThat(runner.records().latest("default", "echo", LifecycleHookPoint.POST_START))
        .map(LifecycleRun::state)
        .contains(LifecycleRun.State.FAILED);
  }

  @Test
  void aRunRecordedAsRunningAtRestartIsRunAgainAndSaysSo() throws InterruptedException {
    // a host died while its postStart ran: the record says RUNNING
    runner
        .records()
        .create(
            new LifecycleRun(
                "default",
                "echo",
                LifecycleHookPoint.POST_START,
                1,
                "exec",
                LifecycleRun.State.RUNNING,
                T0.minusSeconds(60),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                "",
                "c1/default/echo-1"));
    runner.close();
    runner = newRunner();

    LifecycleResult result = runner.postStart(hooks("post_start: {exec: {command: [x]}}"), CONTEXT);

    assertThat(result.succeeded()).isTrue();
    assertThat(pods.execs).hasSize(1);
    assertThat(result.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo("LifecycleHookRerun");
              assertThat(e.message()).contains("run #1").contains("at-least-once");
            });
    assertThat(runner.records().list("default", "echo"))
        .extracting(LifecycleRun::run, LifecycleRun::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, LifecycleRun.State.INTERRUPTED),
            org.assertj.core.groups.Tuple.tuple(2L, LifecycleRun.State.SUCCEEDED));
    assertThat(runner.events("default", "echo"))
        .extracting(LifecycleEvent::reason)
        .containsExactly("LifecycleHookRerun");
  }

  @Test
  void keepsOnlyTheNewestRunsOfAHook() throws InterruptedException {
    LifecycleHooks hooks = hooks("post_start: {exec: {command: [x]}}");
    for (int i = 0; i < LifecycleRecords.KEPT_RUNS + 3; i++) {
      runner.postStart(hooks, CONTEXT);
    }

    List<LifecycleRun> runs = runner.records().list("default", "echo");
    assertThat(runs).hasSize(LifecycleRecords.KEPT_RUNS);
    assertThat(runs.get(runs.size() - 1).run()).isEqualTo(LifecycleRecords.KEPT_RUNS + 3L);
  }

  private ExecResult blockUntilReleased() {
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new ExecResult(0, "", "");
  }

  private interface Call {
    LifecycleResult call() throws InterruptedException;
  }

  private static LifecycleResult call(Call call) {
    try {
      return call.call();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
