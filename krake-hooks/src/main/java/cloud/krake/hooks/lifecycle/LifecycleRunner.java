package cloud.krake.hooks.lifecycle;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.KrakeException;
import cloud.krake.hooks.execution.Cancellation;
import cloud.krake.hooks.execution.PodRunner;
import cloud.krake.hooks.execution.Sleeper;
import cloud.krake.model.FieldError;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.KrakeMetricsRecorder.HookRunOutcome;
import cloud.krake.runtime.Timer;
import cloud.krake.store.ConflictException;
import cloud.krake.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an application's container lifecycle hooks with the kubelet's semantics (as Kubernetes
 * documents them: Container Lifecycle Hooks) and records every run durably ({@link
 * LifecycleRecords}).
 *
 * <ul>
 *   <li>{@link #postStart}: the caller applies the workload and calls this concurrently with its
 *       start; until it succeeded the application is not RUNNING. A failure (or the handler's
 *       {@linkplain LifecycleHandler#timeout() timeout}, which the kubelet does not have) yields a
 *       {@code FailedPostStartHook} event; the caller then runs the preStop (the kubelet's kill
 *       path does) and restarts the workload after {@link RestartBackoff#delay}.
 *   <li>{@link #preStop}: before the workload's resources are deleted, within the grace period:
 *       skipped at 0; otherwise the handler runs with the grace period as its deadline and the
 *       result carries the grace period left, {@code grace − elapsed whole seconds}, at least 2 s.
 *       A failure yields {@code FailedPreStopHook}; termination continues either way.
 *   <li>{@code exec} goes through the {@link PodRunner} (non-zero exit = failure, the redacted last
 *       10 KiB of stdout+stderr kept); {@code http_get} through okhttp (any response succeeds
 *       unless {@code strict}; a non-2xx answer always adds a {@code LifecycleHTTPNon2xx} warning;
 *       the body is read up to 10 KiB and discarded); {@code sleep} through the {@link Sleeper}.
 *   <li>At-least-once: a run is recorded RUNNING before its handler starts; a run found still
 *       RUNNING when the hook is due again (the host died meanwhile) is marked INTERRUPTED and the
 *       hook runs again, with a {@code LifecycleHookRerun} warning.
 * </ul>
 *
 * <p>Deadlines: a handler that has not finished by its deadline is <em>abandoned</em>, as the
 * kubelet abandons a preStop goroutine: the runner stops waiting and returns, the handler's {@link
 * Cancellation} is set, and the handlers bound themselves by the same deadline (the {@link
 * PodRunner.ExecRequest}'s deadline for the pod runner, which closes the stream; okhttp's call
 * timeout; a shortened sleep). Handlers are never interrupted.
 *
 * <p>Threading: {@link #postStart} and {@link #preStop} block the calling thread until the hook
 * ended or its deadline passed; handlers run on a bounded pool of named threads ({@code
 * krake-lifecycle-N}, {@value #DEFAULT_THREADS} unless configured) and deadlines come from the
 * injected {@link Timer} and {@link Clock}. Thread-safe; the caller runs one hook of one
 * application at a time (the controller's keyed work queue does).
 *
 * <pre>{@code
 * try (LifecycleRunner runner = LifecycleRunner.builder().store(store).podRunner(pods).build()) {
 *   LifecycleResult started = runner.postStart(hooks, context);
 *   LifecycleResult stopped = runner.preStop(hooks, context, Duration.ofSeconds(30));
 *   Duration left = stopped.remainingGrace().orElseThrow();   // for the SIGTERM window
 * }
 * }</pre>
 */
public final class LifecycleRunner implements AutoCloseable {

  /** The handler threads when none are configured. */
  public static final int DEFAULT_THREADS = 4;

  /** The kubelet's {@code minimumGracePeriodInSeconds}: the least grace left after a preStop. */
  public static final Duration MINIMUM_GRACE_PERIOD = Duration.ofSeconds(2);

  /** The most bytes of an {@code http_get} response body read before it is discarded. */
  public static final int MAX_HTTP_BODY = 10 * 1024;

  private static final Logger log = LoggerFactory.getLogger(LifecycleRunner.class);

  private final LifecycleRecords records;
  private final PodRunner podRunner;
  private final OkHttpClient httpClient;
  private final boolean ownsHttpClient;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Timer scheduler;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final Optional<ScheduledExecutorService> ownScheduler;
  private final LifecycleHandlers handlers;

  private final KrakeMetricsRecorder recorder;

  private LifecycleRunner(Builder builder) {
    this.recorder = builder.recorder;
    this.records = new LifecycleRecords(builder.store);
    this.podRunner = builder.podRunner;
    this.httpClient = builder.httpClient.orElseGet(() -> new OkHttpClient.Builder().build());
    this.ownsHttpClient = builder.httpClient.isEmpty();
    this.clock = builder.clock;
    this.sleeper = builder.sleeper;
    this.handlers = new LifecycleHandlers(podRunner, httpClient, clock, sleeper);
    if (builder.executor.isPresent()) {
      this.executor = builder.executor.get();
      this.ownsExecutor = false;
    } else {
      this.executor = Executors.newFixedThreadPool(builder.threads, threads("krake-lifecycle-"));
      this.ownsExecutor = true;
    }
    if (builder.scheduler.isPresent()) {
      this.scheduler = builder.scheduler.get();
      this.ownScheduler = Optional.empty();
    } else {
      ScheduledExecutorService timer =
          Executors.newSingleThreadScheduledExecutor(threads("krake-lifecycle-deadline-"));
      this.scheduler = Timer.system(timer);
      this.ownScheduler = Optional.of(timer);
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  /** Returns a builder; {@link Builder#store} is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the records this runner writes. */
  public LifecycleRecords records() {
    return records;
  }

  /**
   * Returns the events of an application's recorded hook runs, oldest first.
   *
   * @param namespace the application's namespace
   * @param application the application's name
   * @return the events
   */
  public List<LifecycleEvent> events(String namespace, String application) {
    return records.events(namespace, application);
  }

  /**
   * Runs the postStart hook, as the kubelet's {@code startContainer} step 4.
   *
   * @param hooks the application's hooks; without a postStart the result is skipped (a success)
   * @param context where it runs
   * @return success, or failure with a {@code FailedPostStartHook} event: the caller restarts the
   *     workload per its restart policy after {@link RestartBackoff#delay}
   * @throws InterruptedException if the calling thread is interrupted while waiting; the run stays
   *     recorded RUNNING, so it runs again next time (at-least-once)
   * @throws KrakeException if the store fails ({@code StoreUnavailableException})
   */
  public LifecycleResult postStart(LifecycleHooks hooks, LifecycleContext context)
      throws InterruptedException {
    Objects.requireNonNull(hooks, "hooks");
    Objects.requireNonNull(context, "context");
    Optional<LifecycleHandler> handler = hooks.postStart();
    if (handler.isEmpty()) {
      return LifecycleResult.skipped();
    }
    return run(LifecycleHookPoint.POST_START, handler.get(), context, handler.get().timeout());
  }

  /**
   * Runs the preStop hook within the termination grace period, as the kubelet's {@code
   * executePreStopHook}: skipped at a grace period of 0 (nothing is recorded); otherwise the
   * handler runs with the grace period as its deadline and is abandoned if it overruns it.
   *
   * @param hooks the application's hooks; without a preStop the result is skipped
   * @param context where it runs
   * @param gracePeriod the termination grace period, whole seconds (a fraction is dropped)
   * @return the outcome (a failure carries {@code FailedPreStopHook}; termination continues either
   *     way) with {@link LifecycleResult#remainingGrace()}: the grace period minus the whole
   *     seconds the hook took, at least {@link #MINIMUM_GRACE_PERIOD} (also when skipped, as the
   *     kubelet's floor applies to every stop)
   * @throws IllegalArgumentException if the grace period is negative
   * @throws InterruptedException if the calling thread is interrupted while waiting; the run stays
   *     recorded RUNNING
   * @throws KrakeException if the store fails ({@code StoreUnavailableException})
   */
  public LifecycleResult preStop(
      LifecycleHooks hooks, LifecycleContext context, Duration gracePeriod)
      throws InterruptedException {
    Objects.requireNonNull(hooks, "hooks");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(gracePeriod, "gracePeriod");
    if (gracePeriod.isNegative()) {
      throw new IllegalArgumentException("the grace period must not be negative");
    }
    long grace = gracePeriod.toSeconds();
    Optional<LifecycleHandler> handler = hooks.preStop();
    if (handler.isEmpty() || grace == 0) {
      return LifecycleResult.skipped().withRemainingGrace(floor(grace));
    }
    LifecycleResult result =
        run(LifecycleHookPoint.PRE_STOP, handler.get(), context, Duration.ofSeconds(grace));
    return result.withRemainingGrace(floor(grace - result.elapsed().toSeconds()));
  }

  private static Duration floor(long seconds) {
    return Duration.ofSeconds(Math.max(seconds, MINIMUM_GRACE_PERIOD.toSeconds()));
  }

  private LifecycleResult run(
      LifecycleHookPoint point, LifecycleHandler handler, LifecycleContext context, Duration budget)
      throws InterruptedException {
    Set<String> secrets = new HashSet<>(context.secrets());
    if (handler.action() instanceof LifecycleHandler.HttpGet http) {
      http.headers().forEach(h -> secrets.add(h.value()));
    }
    Redaction redaction = new Redaction(secrets);
    Instant start = clock.instant();
    List<LifecycleEvent> events = new ArrayList<>();
    LifecycleRecords.Versioned record = begin(point, handler, context, start, events);
    log.debug(
        "{} #{} of {}/{} starting ({})",
        point.displayName(),
        record.run().run(),
        context.namespace(),
        context.application(),
        handler.action().kind());

    long startNanos = System.nanoTime();
    Instant deadline = start.plus(budget);
    Cancellation cancellation = new Cancellation();
    CompletableFuture<LifecycleHandlers.Outcome> work =
        CompletableFuture.supplyAsync(
            () ->
                handlers.execute(
                    point, handler.action(), context, deadline, cancellation, redaction),
            executor);
    CompletableFuture<Object> expired = new CompletableFuture<>();
    Timer.Handle timer = scheduler.schedule(() -> expired.complete(Boolean.TRUE), budget);
    try {
      CompletableFuture.anyOf(work, expired).get();
    } catch (InterruptedException e) {
      cancellation.cancel();
      timer.cancel();
      Thread.currentThread().interrupt();
      throw e;
    } catch (ExecutionException e) {
      // execute() returns failures as values; an exception here is a bug or a rejected task
      log.warn(
          "{} of {}/{} could not run",
          point.displayName(),
          context.namespace(),
          context.application(),
          e.getCause());
    }
    timer.cancel();
    Instant end = clock.instant();
    Duration elapsed = Duration.between(start, end);

    LifecycleHandlers.Outcome outcome;
    HookRunOutcome measured = HookRunOutcome.TIMEOUT;
    if (work.isDone() && !work.isCompletedExceptionally()) {
      outcome = work.join();
    } else if (work.isDone()) {
      outcome =
          new LifecycleHandlers.Outcome(
              false, Optional.of("the handler could not run"), "", List.of());
    } else {
      cancellation.cancel(); // abandoned, as the kubelet's preStop goroutine; never interrupted
      if (elapsed.compareTo(budget) < 0) {
        elapsed = budget; // the deadline fired on the scheduler's time
      }
      String what =
          point == LifecycleHookPoint.PRE_STOP
              ? "the grace period of " + budget.toSeconds() + " s"
              : "its timeout of " + budget.toSeconds() + " s";
      outcome =
          new LifecycleHandlers.Outcome(
              false,
              Optional.of("did not finish within " + what + "; abandoned"),
              "",
              List.of(
                  LifecycleEvent.warning(
                      LifecycleEvent.LIFECYCLE_HOOK_DEADLINE_EXCEEDED,
                      point.displayName() + " did not finish within " + what,
                      end,
                      point)));
      log.warn(
          "{} of {}/{} did not finish within {}; abandoned",
          point.displayName(),
          context.namespace(),
          context.application(),
          what);
    }
    if (work.isDone()) {
      measured = outcome.ok() ? HookRunOutcome.SUCCESS : HookRunOutcome.FAILURE;
    }
    recorder.lifecycleHookRun(point.jsonName(), measured, System.nanoTime() - startNanos);
    events.addAll(outcome.warnings());
    LifecycleResult result;
    LifecycleRun.State state;
    if (outcome.ok()) {
      state = LifecycleRun.State.SUCCEEDED;
      result = LifecycleResult.succeeded(events, outcome.tail(), elapsed);
    } else {
      state = LifecycleRun.State.FAILED;
      String error = redaction.redact(outcome.error().orElse("failed"));
      events.add(
          LifecycleEvent.warning(
              point.failureReason(), point.displayName() + " failed: " + error, end, point));
      result = LifecycleResult.failed(error, events, outcome.tail(), elapsed);
      log.debug(
          "{} of {}/{} failed: {}",
          point.displayName(),
          context.namespace(),
          context.application(),
          error);
    }
    LifecycleRun finished =
        record
            .run()
            .finish(
                state,
                end,
                result.error(),
                events.subList(record.run().events().size(), events.size()),
                outcome.tail());
    try {
      records.update(finished, record.revision());
    } catch (ConflictException e) {
      log.warn(
          "{} #{} of {}/{} was changed by another host; its outcome is not recorded",
          point.displayName(),
          record.run().run(),
          context.namespace(),
          context.application());
    }
    return result;
  }

  /** Marks runs left RUNNING as interrupted and records the new run as RUNNING. */
  private LifecycleRecords.Versioned begin(
      LifecycleHookPoint point,
      LifecycleHandler handler,
      LifecycleContext context,
      Instant start,
      List<LifecycleEvent> events) {
    long next = 1;
    for (LifecycleRecords.Versioned previous :
        records.runs(context.namespace(), context.application(), point)) {
      LifecycleRun run = previous.run();
      next = Math.max(next, run.run() + 1);
      if (run.state() == LifecycleRun.State.RUNNING) {
        try {
          records.update(
              run.finish(
                  LifecycleRun.State.INTERRUPTED,
                  start,
                  Optional.of("no outcome was recorded (the host stopped?); the hook ran again"),
                  List.of(),
                  run.outputTail()),
              previous.revision());
        } catch (ConflictException e) {
          // another host got there first; the hook still runs again here
        }
        events.add(
            LifecycleEvent.warning(
                LifecycleEvent.LIFECYCLE_HOOK_RERUN,
                point.displayName()
                    + " run #"
                    + run.run()
                    + " recorded no outcome; running the hook again (at-least-once)",
                start,
                point));
        log.info(
            "{} run #{} of {}/{} recorded no outcome; running it again",
            point.displayName(),
            run.run(),
            context.namespace(),
            context.application());
      }
    }
    for (int attempt = 0; ; attempt++) {
      LifecycleRun run =
          new LifecycleRun(
              context.namespace(),
              context.application(),
              point,
              next + attempt,
              handler.action().kind(),
              LifecycleRun.State.RUNNING,
              start,
              Optional.empty(),
              Optional.empty(),
              events,
              "",
              context.cluster() + "/" + context.podNamespace() + "/" + context.pod());
      try {
        return records.create(run);
      } catch (ConflictException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }

  /**
   * Stops the runner's own threads (not an injected executor): handlers still running are
   * abandoned. Idempotent.
   */
  @Override
  public void close() {
    if (ownsExecutor) {
      executor.shutdownNow();
    }
    ownScheduler.ifPresent(ScheduledExecutorService::shutdownNow);
    if (ownsHttpClient) {
      httpClient.dispatcher().executorService().shutdown();
      httpClient.connectionPool().evictAll();
    }
    try {
      if (ownsExecutor) {
        executor.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Builds a {@link LifecycleRunner}. Not thread-safe. */
  public static final class Builder {
    private Store store;
    private PodRunner podRunner = PodRunner.NONE;
    private Optional<OkHttpClient> httpClient = Optional.empty();
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Optional<Timer> scheduler = Optional.empty();
    private Optional<ExecutorService> executor = Optional.empty();
    private int threads = DEFAULT_THREADS;

    private KrakeMetricsRecorder recorder = KrakeMetricsRecorder.NOOP;

    private Builder() {}

    /**
     * Sets where each handler run is reported (default {@link KrakeMetricsRecorder#NOOP}): the hook
     * point ({@code post_start} or {@code pre_stop}), success, failure or timeout (the handler did
     * not finish within its budget and was abandoned), and the wall time in nanoseconds. Skipped
     * hooks are not reported.
     *
     * @param recorder typically the context's {@code metricsRecorder()}
     * @return this builder
     */
    public Builder metricsRecorder(KrakeMetricsRecorder recorder) {
      this.recorder = Objects.requireNonNull(recorder, "recorder");
      return this;
    }

    /** The store of the run records; required, stays the caller's. */
    public Builder store(Store store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Runs {@code exec} handlers; default {@link PodRunner#NONE} (exec hooks fail). */
    public Builder podRunner(PodRunner podRunner) {
      this.podRunner = Objects.requireNonNull(podRunner, "podRunner");
      return this;
    }

    /**
     * The client of {@code http_get} handlers, for TLS trust or proxies; stays the caller's.
     * Default: a client of its own trusting the JDK's trust store (the call timeout is set per
     * call).
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Optional.of(Objects.requireNonNull(httpClient, "httpClient"));
      return this;
    }

    /** The clock of records and elapsed times; default the system clock in UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** How {@code sleep} handlers wait; default {@link Sleeper#SYSTEM}. */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Fires deadlines; default a single named thread of the runner's own. */
    public Builder timer(Timer timer) {
      this.scheduler = Optional.of(Objects.requireNonNull(timer, "timer"));
      return this;
    }

    /** Runs handlers; default a fixed pool of {@link #threads} named threads of the runner's. */
    public Builder executor(ExecutorService executor) {
      this.executor = Optional.of(Objects.requireNonNull(executor, "executor"));
      return this;
    }

    /**
     * The size of the runner's own handler pool; default {@value LifecycleRunner#DEFAULT_THREADS}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder threads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be positive");
      }
      this.threads = threads;
      return this;
    }

    /**
     * Builds the runner.
     *
     * @throws InvalidConfigurationException naming {@code store} if no store was set, as every
     *     builder of the library reports a missing setting
     */
    public LifecycleRunner build() {
      if (store == null) {
        throw new InvalidConfigurationException(
            List.of(new FieldError("store", "is required: call store(...)")));
      }
      return new LifecycleRunner(this);
    }
  }
}
