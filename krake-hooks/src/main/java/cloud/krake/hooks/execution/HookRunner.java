package cloud.krake.hooks.execution;

import cloud.krake.KrakeException;
import cloud.krake.action.ActionOutcome;
import cloud.krake.model.FieldError;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.KrakeMetricsRecorder.HookRunOutcome;
import cloud.krake.store.ConflictException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kasten K10's rules for an application's execution hooks, as level-based steps a controller calls
 * until it is told to go on (the house style of {@code ShutdownProtocol}):
 *
 * <ul>
 *   <li>{@link #before}: the preHook, after the action's setup and before the action itself;
 *   <li>{@link #after} with {@code true}: onSuccess, after the action succeeded;
 *   <li>{@link #after} with {@code false}: onFailure, after the action failed, once the caller's
 *       own retries of the action are exhausted (also when the preHook failed for good);
 *   <li>a failed preHook or onSuccess is tried again per its {@link RetryPolicy} with exponential
 *       back-off, returned as {@link ActionOutcome#waitUntil}; onFailure is never retried;
 *   <li>a hook that succeeded is never run again for the same {@link ActionRun#operation()}, across
 *       restarts: every attempt is recorded in the store ({@link HookRecords}) before it starts
 *       ({@link HookState#RUNNING} with its deadline) and when it ends;
 *   <li>the preHook's output artifacts are the input artifacts ({@code .ArtifactsIn}) of onSuccess
 *       and onFailure (K10); options come from the hook reference, over the context's.
 * </ul>
 *
 * <p>Durability: an attempt found {@link HookState#RUNNING} is left alone until its deadline (it is
 * running here or on another host: {@code retryAt(deadline)}); after the deadline it counts as a
 * failed attempt ("did not finish") and the policy decides, so a crash mid-hook leads to
 * at-least-once execution, never to a hook forgotten or run twice at once. Every write is a
 * compare-and-set; a lost race re-reads and decides again, and the outcome of an attempt whose
 * record was taken over meanwhile is discarded.
 *
 * <pre>{@code
 * HookRunner hooks = HookRunner.builder().engine(engine).records(new HookRecords(store))
 *     .blueprints(Blueprints.of(blueprint)).build();
 * ExecutionHooks spec = hooks.validate(app.spec().executionHooks(), "spec.execution_hooks");
 * ActionRun run = new ActionRun(HookAction.DEPLOY, app.metadata().uid(), context);
 * ActionOutcome o = hooks.before(spec, run);     // PROCEED: apply the manifests now
 * if (o.kind() == ActionOutcome.Kind.WAIT_UNTIL) requeueAt(o.until().orElseThrow());
 * }</pre>
 *
 * <p>Threading: thread-safe. A step that starts an attempt runs it on the calling thread (a
 * controller worker) and blocks for at most the hook's timeout; other steps only read and write the
 * store. Times come from the injected clock.
 */
public final class HookRunner {

  private static final Logger log = LoggerFactory.getLogger(HookRunner.class);

  /** How many lost compare-and-sets a step tolerates before it gives up. */
  public static final int MAX_CONFLICT_ROUNDS = 8;

  private final ExecutionEngine engine;
  private final HookRecords records;
  private final ExecutionHookChecks checks;
  private final Clock clock;

  private final KrakeMetricsRecorder recorder;

  private HookRunner(Builder builder) {
    this.recorder = builder.recorder;
    this.engine = builder.engine;
    this.records = builder.records;
    this.checks = new ExecutionHookChecks(builder.engine, builder.blueprints);
    this.clock = builder.clock == null ? builder.engine.clock() : builder.clock;
  }

  /** Returns a builder; {@link Builder#engine} and {@link Builder#records} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the records this runner writes. */
  public HookRecords records() {
    return records;
  }

  /**
   * Reads and checks an application's {@code execution_hooks} completely (see {@link
   * ExecutionHookChecks#validate}).
   *
   * @param node the {@code execution_hooks} object
   * @param field its path, for example {@code spec.execution_hooks}
   * @return the hooks
   * @throws cloud.krake.model.InvalidResourceException with every error, each naming its field
   */
  public ExecutionHooks validate(JsonNode node, String field) {
    return checks.validate(node, field);
  }

  /**
   * Checks the references of parsed hooks (see {@link ExecutionHookChecks#check}).
   *
   * @param hooks the hooks
   * @param field the path of {@code execution_hooks} for error messages
   * @return every problem, each naming its field; empty if none
   */
  public List<FieldError> check(ExecutionHooks hooks, String field) {
    return checks.check(hooks, field);
  }

  /**
   * The step before the action: runs or resumes the preHook.
   *
   * @param hooks the application's hooks
   * @param run the occurrence of the action
   * @return {@link ActionOutcome.Kind#PROCEED} to run the action now (see {@link #after} for every
   *     kind)
   * @throws ConflictException if more than {@value #MAX_CONFLICT_ROUNDS} compare-and-sets were lost
   * @throws KrakeException if the store fails; the step can be repeated
   */
  public ActionOutcome before(ExecutionHooks hooks, ActionRun run) {
    return before(hooks, run, new Cancellation());
  }

  /**
   * The step before the action, with a cancellation flag for an attempt it starts.
   *
   * @param hooks the application's hooks
   * @param run the occurrence of the action
   * @param cancellation set it to stop a running attempt (its deferPhase still runs)
   * @return the outcome of the step (see {@link #after(ExecutionHooks, ActionRun, boolean)})
   * @throws ConflictException if more than {@value #MAX_CONFLICT_ROUNDS} compare-and-sets were lost
   */
  public ActionOutcome before(ExecutionHooks hooks, ActionRun run, Cancellation cancellation) {
    Objects.requireNonNull(hooks, "hooks");
    Objects.requireNonNull(run, "run");
    return step(HookKind.PRE_HOOK, hooks.forAction(run.action()), run, Map.of(), cancellation);
  }

  /**
   * The step after the action: runs or resumes onSuccess or onFailure.
   *
   * @param hooks the application's hooks
   * @param run the occurrence of the action
   * @param actionSucceeded whether the action (and the preHook) succeeded; {@code false} only once
   *     the caller's retries of the action are exhausted
   * @return the outcome of the step, as for {@link #before}: {@link ActionOutcome#proceed()} when
   *     there is no such hook or it succeeded (now or earlier; it is not run again); {@link
   *     ActionOutcome#waitUntil} when an attempt failed and the next is due then, or an attempt is
   *     in progress (here or on another host) until its deadline; {@link ActionOutcome#fail} when
   *     the hook failed for good, with {@link ReasonCode#INTERNAL_ERROR} and the message {@code
   *     <action>.<hook> failed after <n> attempt(s): <error>}. A preHook's failure fails the
   *     action: the caller calls this method with {@code false}, which runs onFailure. A failure of
   *     onSuccess or onFailure is reported; nothing else runs. Never {@link
   *     ActionOutcome.Kind#WAIT_FOR_EVENT}
   * @throws ConflictException if more than {@value #MAX_CONFLICT_ROUNDS} compare-and-sets were lost
   */
  public ActionOutcome after(ExecutionHooks hooks, ActionRun run, boolean actionSucceeded) {
    return after(hooks, run, actionSucceeded, new Cancellation());
  }

  /**
   * The step after the action, with a cancellation flag for an attempt it starts.
   *
   * @param hooks the application's hooks
   * @param run the occurrence of the action
   * @param actionSucceeded whether the action succeeded
   * @param cancellation set it to stop a running attempt
   * @return the outcome of the step (see {@link #after(ExecutionHooks, ActionRun, boolean)})
   * @throws ConflictException if more than {@value #MAX_CONFLICT_ROUNDS} compare-and-sets were lost
   */
  public ActionOutcome after(
      ExecutionHooks hooks, ActionRun run, boolean actionSucceeded, Cancellation cancellation) {
    Objects.requireNonNull(hooks, "hooks");
    Objects.requireNonNull(run, "run");
    ExecutionContext context = run.context();
    Map<String, Artifact> artifactsIn =
        records
            .find(
                context.applicationNamespace(),
                context.applicationName(),
                run.action(),
                HookKind.PRE_HOOK)
            .map(HookRecords.Versioned::record)
            .filter(r -> r.operation().equals(run.operation()) && r.state() == HookState.SUCCEEDED)
            .map(HookRecord::artifacts)
            .orElse(Map.of());
    return step(
        actionSucceeded ? HookKind.ON_SUCCESS : HookKind.ON_FAILURE,
        hooks.forAction(run.action()),
        run,
        artifactsIn,
        cancellation);
  }

  private ActionOutcome step(
      HookKind kind,
      ActionHooks hooks,
      ActionRun run,
      Map<String, Artifact> artifactsIn,
      Cancellation cancellation) {
    Optional<HookRef> found = hooks.hook(kind);
    String label = run.action().jsonName() + "." + kind.jsonName();
    if (found.isEmpty()) {
      return ActionOutcome.proceed();
    }
    HookRef ref = found.get();
    RetryPolicy policy = kind.retryable() ? ref.retry() : RetryPolicy.NONE;
    ExecutionContext context = run.context();
    String ns = context.applicationNamespace();
    String app = context.applicationName();
    for (int round = 0; round < MAX_CONFLICT_ROUNDS; round++) {
      Optional<HookRecords.Versioned> stored = records.find(ns, app, run.action(), kind);
      Instant now = clock.instant();
      int attempt = 1;
      long expected = stored.map(HookRecords.Versioned::revision).orElse(0L);
      if (stored.isPresent() && stored.get().record().operation().equals(run.operation())) {
        HookRecord record = stored.get().record();
        switch (record.state()) {
          case SUCCEEDED:
            return ActionOutcome.proceed();
          case FAILED:
            if (record.nextAttemptAt().isEmpty()) {
              return failedOutcome(label, record);
            }
            if (now.isBefore(record.nextAttemptAt().get())) {
              return ActionOutcome.waitUntil(record.nextAttemptAt().get());
            }
            attempt = record.attempt() + 1;
            break;
          case RUNNING:
          default:
            if (now.isBefore(record.deadline())) {
              return ActionOutcome.waitUntil(record.deadline());
            }
            HookRecord lost =
                failure(
                    record,
                    "attempt "
                        + record.attempt()
                        + " did not finish by its deadline "
                        + record.deadline()
                        + " (the host stopped?)",
                    now,
                    policy,
                    Map.of());
            try {
              records.update(lost, stored.get().revision());
              log.warn("{} of {}/{}: {}", label, ns, app, lost.error().orElseThrow());
            } catch (ConflictException e) {
              log.debug("{} of {}/{}: lost a race recording a lost attempt", label, ns, app);
            }
            continue;
        }
      }
      Optional<BlueprintAction> action = checks.resolve(ref, "", new ArrayList<>());
      HookRecord running =
          new HookRecord(
              ns,
              app,
              run.action(),
              kind,
              run.operation(),
              ref.handler(),
              attempt,
              HookState.RUNNING,
              now,
              now.plus(ref.timeout()),
              Optional.empty(),
              Optional.empty(),
              Optional.empty(),
              Map.of(),
              Map.of());
      HookRecords.Versioned claimed;
      try {
        claimed = expected == 0 ? records.create(running) : records.update(running, expected);
      } catch (ConflictException e) {
        continue;
      }
      HookRecord done;
      if (action.isEmpty()) {
        // the blueprint was unregistered after validation: a failure of this attempt
        done =
            failure(
                running,
                "blueprint action " + ref.handler() + " is not registered",
                clock.instant(),
                policy,
                Map.of());
      } else {
        log.debug("{} of {}/{}: attempt {} starts ({})", label, ns, app, attempt, ref.handler());
        long startNanos = System.nanoTime();
        ActionResult result =
            engine.run(
                action.get(),
                context.plusOptions(ref.options()).withArtifactsIn(artifactsIn),
                ref.timeout(),
                cancellation);
        Instant finished = clock.instant();
        recorder.executionHookRun(
            kind.jsonName(),
            result.succeeded()
                ? HookRunOutcome.SUCCESS
                : finished.isBefore(running.deadline())
                    ? HookRunOutcome.FAILURE
                    : HookRunOutcome.TIMEOUT,
            System.nanoTime() - startNanos);
        done =
            result.succeeded()
                ? new HookRecord(
                    ns,
                    app,
                    run.action(),
                    kind,
                    run.operation(),
                    ref.handler(),
                    attempt,
                    HookState.SUCCEEDED,
                    running.startedAt(),
                    running.deadline(),
                    Optional.of(finished),
                    Optional.empty(),
                    Optional.empty(),
                    result.outputs(),
                    result.artifacts())
                : failure(
                    running, result.error().orElseThrow(), finished, policy, result.outputs());
      }
      try {
        records.update(done, claimed.revision());
      } catch (ConflictException e) {
        log.warn(
            "{} of {}/{}: attempt {} was taken over while it ran; its outcome is discarded",
            label,
            ns,
            app,
            attempt);
        continue;
      }
      if (done.state() == HookState.SUCCEEDED) {
        log.info("{} of {}/{} succeeded (attempt {})", label, ns, app, attempt);
        return ActionOutcome.proceed();
      }
      if (done.nextAttemptAt().isPresent()) {
        log.info(
            "{} of {}/{}: attempt {} failed, next at {}: {}",
            label,
            ns,
            app,
            attempt,
            done.nextAttemptAt().get(),
            done.error().orElseThrow());
        return ActionOutcome.waitUntil(done.nextAttemptAt().get());
      }
      return failedOutcome(label, done);
    }
    throw new ConflictException(HookRecords.key(ns, app, run.action(), kind), -1, -1);
  }

  private static ActionOutcome failedOutcome(String label, HookRecord record) {
    log.warn(
        "{} of {}/{} failed after {} attempt(s): {}",
        label,
        record.namespace(),
        record.application(),
        record.attempt(),
        record.error().orElseThrow());
    return ActionOutcome.fail(
        Reason.of(
            ReasonCode.INTERNAL_ERROR,
            label
                + " failed after "
                + record.attempt()
                + " attempt(s): "
                + record.error().orElseThrow()));
  }

  private static HookRecord failure(
      HookRecord attempt,
      String error,
      Instant finished,
      RetryPolicy policy,
      Map<String, Map<String, String>> outputs) {
    Optional<Instant> next =
        attempt.attempt() < policy.attempts()
            ? Optional.of(finished.plus(policy.backoff(attempt.attempt())))
            : Optional.empty();
    return new HookRecord(
        attempt.namespace(),
        attempt.application(),
        attempt.action(),
        attempt.hook(),
        attempt.operation(),
        attempt.handler(),
        attempt.attempt(),
        HookState.FAILED,
        attempt.startedAt(),
        attempt.deadline(),
        Optional.of(finished),
        next,
        Optional.of(error),
        outputs,
        Map.of());
  }

  /** Builds a {@link HookRunner}. Not thread-safe. */
  public static final class Builder {
    private ExecutionEngine engine;
    private HookRecords records;
    private Blueprints blueprints = Blueprints.NONE;
    private Clock clock;

    private KrakeMetricsRecorder recorder = KrakeMetricsRecorder.NOOP;

    private Builder() {}

    /**
     * Sets where each run of a hook's blueprint action is reported (default {@link
     * KrakeMetricsRecorder#NOOP}): the hook ({@code preHook}, {@code onSuccess}, {@code
     * onFailure}), success, failure or timeout (failed at or after its deadline, by the runner's
     * clock), and the wall time in nanoseconds. Attempts that found the hook done, waiting or
     * unregistered run nothing and are not reported.
     *
     * @param recorder typically the context's {@code metricsRecorder()}
     * @return this builder
     */
    public Builder metricsRecorder(KrakeMetricsRecorder recorder) {
      this.recorder = Objects.requireNonNull(recorder, "recorder");
      return this;
    }

    /**
     * Sets the engine that runs the actions (required).
     *
     * @param engine the engine
     * @return this builder
     */
    public Builder engine(ExecutionEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /**
     * Sets where attempts are recorded (required).
     *
     * @param records the records
     * @return this builder
     */
    public Builder records(HookRecords records) {
      this.records = Objects.requireNonNull(records, "records");
      return this;
    }

    /**
     * Sets the blueprints hook references resolve against; default {@link Blueprints#NONE}.
     *
     * @param blueprints the blueprints
     * @return this builder
     */
    public Builder blueprints(Blueprints blueprints) {
      this.blueprints = Objects.requireNonNull(blueprints, "blueprints");
      return this;
    }

    /**
     * Sets the clock of attempts and back-off; default the engine's clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the runner, after checking every blueprint against the engine's functions.
     *
     * @return the runner
     * @throws cloud.krake.InvalidConfigurationException naming what is missing ({@code engine},
     *     {@code records}), or the fields of blueprints that use unknown functions or bad
     *     arguments, prefixed {@code blueprints[<name>].}
     */
    public HookRunner build() {
      List<FieldError> errors = new ArrayList<>();
      if (engine == null) {
        errors.add(new FieldError("engine", "is required"));
      }
      if (records == null) {
        errors.add(new FieldError("records", "is required"));
      }
      if (engine != null) {
        for (String name : blueprints.names()) {
          for (FieldError error : engine.validate(blueprints.find(name).orElseThrow())) {
            errors.add(
                new FieldError("blueprints[" + name + "]." + error.field(), error.message()));
          }
        }
      }
      if (!errors.isEmpty()) {
        throw new cloud.krake.InvalidConfigurationException(errors);
      }
      return new HookRunner(this);
    }
  }
}
