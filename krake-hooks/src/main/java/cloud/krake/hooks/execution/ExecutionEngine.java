package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs blueprint actions with Kanister's semantics: phases in list order, each rendered, validated
 * and run by its registered {@link HookFunction}; the first failure stops the phases (the rest are
 * {@link PhaseResult.State#SKIPPED skipped}); the {@code deferPhase} runs afterwards whether they
 * succeeded or not, and its failure fails the action too; {@code outputArtifacts} are rendered only
 * when everything succeeded. Outputs of a phase are visible to later phases as {@code {{
 * .Phases.<phase>.Output.<key> }}}, the deferPhase's to the artifacts as {@code {{
 * .DeferPhase.Output.<key> }}}.
 *
 * <pre>{@code
 * ExecutionEngine engine = ExecutionEngine.builder().podRunner(runner).objectReader(reader).build();
 * Blueprint blueprint = Blueprint.parse(yaml);
 * List<FieldError> problems = engine.validate(blueprint);
 * ActionResult result = engine.run(blueprint.action("backup").orElseThrow(),
 *     ExecutionContext.of("default", "mysql").withCluster("edge-1").withNamespace("db"));
 * }</pre>
 *
 * <p>Timeouts: a run has one deadline ({@code timeout} from its start, on the injected clock),
 * handed to every function as {@link FunctionContext#deadline()}; a phase still to start after it
 * fails without running, and a result returned after it is discarded (the phase fails). The
 * deferPhase always runs, with at least {@link Builder#deferPhaseBudget} of its own when the
 * deadline has already passed, and with a fresh cancellation flag: a cancelled run still cleans up.
 * Functions cannot be stopped by the engine; the built-ins honour the deadline.
 *
 * <p>Threading: {@link #run} runs the action on the calling thread and blocks until it is done; any
 * number of runs may go on concurrently. The engine holds no mutable state. Built-ins: {@code
 * HttpCall}, {@code Wait} (on the {@link Builder#objectReader}), {@code KubeTask} and {@code
 * KubeExec} (on the {@link Builder#podRunner}); a function the host registers under one of these
 * names replaces the built-in.
 */
public final class ExecutionEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ExecutionEngine.class);

  /** The default timeout of a run. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(15);

  /** The default least time a deferPhase gets when the run's deadline has passed. */
  public static final Duration DEFAULT_DEFER_PHASE_BUDGET = Duration.ofMinutes(1);

  private final Map<String, HookFunction> functions;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration deferPhaseBudget;
  private final HttpCallFunction httpCall;

  private ExecutionEngine(Builder builder) {
    this.clock = builder.clock;
    this.sleeper = builder.sleeper;
    this.deferPhaseBudget = builder.deferPhaseBudget;
    Map<String, HookFunction> all = new TreeMap<>();
    this.httpCall =
        builder.httpClient == null
            ? new HttpCallFunction()
            : new HttpCallFunction(builder.httpClient);
    all.put(HttpCallFunction.NAME, httpCall);
    all.put(WaitFunction.NAME, new WaitFunction(builder.objectReader));
    all.put(KubeTaskFunction.NAME, new KubeTaskFunction(builder.podRunner));
    all.put(KubeExecFunction.NAME, new KubeExecFunction(builder.podRunner));
    all.putAll(builder.functions);
    this.functions = Map.copyOf(all);
  }

  /** Returns a builder; every setting has a default. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the names of the registered functions. */
  public Set<String> functionNames() {
    return new java.util.TreeSet<>(functions.keySet());
  }

  /**
   * Returns a registered function.
   *
   * @param name the function's name
   * @return the function, or empty if none has that name
   */
  public Optional<HookFunction> function(String name) {
    Objects.requireNonNull(name, "name");
    return Optional.ofNullable(functions.get(name));
  }

  /** Returns the engine's clock. */
  public Clock clock() {
    return clock;
  }

  /**
   * Checks what parsing cannot: that every phase's function is registered and accepts its
   * arguments.
   *
   * @param blueprint the blueprint
   * @return every problem, each naming its field, for example {@code actions.backup.phases[1].func:
   *     unknown function "KubeTsk"}; empty if none
   */
  public List<FieldError> validate(Blueprint blueprint) {
    Objects.requireNonNull(blueprint, "blueprint");
    List<FieldError> errors = new ArrayList<>();
    new TreeMap<>(blueprint.actions())
        .forEach((name, action) -> validate(action, "actions." + name, errors));
    return errors;
  }

  /**
   * Checks the functions and arguments of one action.
   *
   * @param action the action
   * @return every problem, each naming its field ({@code phases[0].args.image}); empty if none
   */
  public List<FieldError> validate(BlueprintAction action) {
    Objects.requireNonNull(action, "action");
    List<FieldError> errors = new ArrayList<>();
    validate(action, "", errors);
    return errors;
  }

  void validate(BlueprintAction action, String prefix, List<FieldError> errors) {
    for (int i = 0; i < action.phases().size(); i++) {
      validate(action.phases().get(i), Json.join(prefix, "phases[" + i + "]"), errors);
    }
    action.deferPhase().ifPresent(d -> validate(d, Json.join(prefix, "deferPhase"), errors));
  }

  private void validate(Phase phase, String field, List<FieldError> errors) {
    HookFunction function = functions.get(phase.func());
    if (function == null) {
      errors.add(
          new FieldError(
              field + ".func",
              "unknown function \"" + phase.func() + "\"; registered: " + functionNames()));
      return;
    }
    for (FieldError error : checkArgs(function, phase.args())) {
      errors.add(new FieldError(Json.join(field + ".args", error.field()), error.message()));
    }
  }

  private static List<FieldError> checkArgs(HookFunction function, ObjectNode args) {
    try {
      return function.validate(args);
    } catch (RuntimeException e) {
      return List.of(
          new FieldError("", "the function's validation failed: " + e.getClass().getSimpleName()));
    }
  }

  /**
   * Runs an action with the {@link #DEFAULT_TIMEOUT} and no cancellation.
   *
   * @param action the action
   * @param context what it runs for
   * @return the outcome; a failure is a value, not an exception
   */
  public ActionResult run(BlueprintAction action, ExecutionContext context) {
    return run(action, context, DEFAULT_TIMEOUT, new Cancellation());
  }

  /**
   * Runs an action (see the class documentation).
   *
   * @param action the action
   * @param context what it runs for
   * @param timeout the run's budget from now, phases and artifacts included
   * @param cancellation set it to stop the run early; the deferPhase still runs
   * @return the outcome; a failure is a value, not an exception
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public ActionResult run(
      BlueprintAction action,
      ExecutionContext context,
      Duration timeout,
      Cancellation cancellation) {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(cancellation, "cancellation");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("a run needs a positive timeout: " + timeout);
    }
    Instant deadline = clock.instant().plus(timeout);
    TemplateContext templates = TemplateContext.of(context);
    List<PhaseResult> results = new ArrayList<>();
    Optional<String> failure = Optional.empty();
    for (Phase phase : action.phases()) {
      if (failure.isPresent()) {
        Instant now = clock.instant();
        results.add(
            new PhaseResult(
                phase.name(),
                phase.func(),
                PhaseResult.State.SKIPPED,
                Map.of(),
                Optional.empty(),
                now,
                now));
        continue;
      }
      PhaseResult result = runPhase(phase, templates, context, deadline, cancellation);
      results.add(result);
      if (result.succeeded()) {
        templates = templates.withPhaseOutput(phase.name(), result.outputs());
      } else {
        failure = Optional.of(describe(phase, result));
      }
    }
    Optional<PhaseResult> defer = Optional.empty();
    if (action.deferPhase().isPresent()) {
      Phase phase = action.deferPhase().get();
      Instant floor = clock.instant().plus(deferPhaseBudget);
      PhaseResult result =
          runPhase(
              phase,
              templates,
              context,
              floor.isAfter(deadline) ? floor : deadline,
              new Cancellation());
      defer = Optional.of(result);
      if (result.succeeded()) {
        templates = templates.withDeferPhaseOutput(result.outputs());
      } else if (failure.isEmpty()) {
        failure = Optional.of("deferPhase " + describe(phase, result).substring(6));
      }
    }
    if (failure.isPresent()) {
      log.debug("action for {} failed: {}", context.applicationName(), failure.get());
      return ActionResult.failed(results, defer, failure.get());
    }
    Map<String, Artifact> artifacts = new LinkedHashMap<>();
    for (Map.Entry<String, Artifact> artifact :
        new TreeMap<>(action.outputArtifacts()).entrySet()) {
      Map<String, String> values = new LinkedHashMap<>();
      for (Map.Entry<String, String> entry :
          new TreeMap<>(artifact.getValue().keyValue()).entrySet()) {
        try {
          values.put(entry.getKey(), templates.render(entry.getValue()));
        } catch (TemplateException e) {
          return ActionResult.failed(
              results,
              defer,
              "outputArtifacts."
                  + artifact.getKey()
                  + ".keyValue."
                  + entry.getKey()
                  + ": "
                  + e.getMessage());
        }
      }
      artifacts.put(artifact.getKey(), new Artifact(values));
    }
    return ActionResult.succeeded(results, defer, artifacts);
  }

  private static String describe(Phase phase, PhaseResult result) {
    return "phase " + phase.name() + " (" + phase.func() + "): " + result.error().orElseThrow();
  }

  private PhaseResult runPhase(
      Phase phase,
      TemplateContext templates,
      ExecutionContext context,
      Instant deadline,
      Cancellation cancellation) {
    Instant started = clock.instant();
    HookFunction function = functions.get(phase.func());
    if (function == null) {
      return failed(phase, started, "unknown function \"" + phase.func() + "\"");
    }
    if (cancellation.isCancelled()) {
      return failed(phase, started, "the run was cancelled before the phase started");
    }
    if (!started.isBefore(deadline)) {
      return failed(
          phase, started, "the deadline " + deadline + " passed before the phase started");
    }
    ObjectNode args;
    try {
      JsonNode rendered = templates.render(phase.args());
      args = (ObjectNode) rendered;
    } catch (TemplateException e) {
      return failed(phase, started, "args: " + e.getMessage());
    }
    List<FieldError> problems = checkArgs(function, args);
    if (!problems.isEmpty()) {
      return failed(
          phase,
          started,
          "rendered args: "
              + problems.stream()
                  .map(p -> Json.join("args", p.field()) + ": " + p.message())
                  .reduce((a, b) -> a + "; " + b)
                  .orElseThrow());
    }
    FunctionContext functionContext =
        new FunctionContext(
            phase.name(), args, templates, context, deadline, clock, cancellation, sleeper);
    PhaseOutput output;
    try {
      output = function.execute(functionContext);
      Objects.requireNonNull(output, "the function returned null");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(phase, started, "interrupted");
    } catch (HookException e) {
      return failed(phase, started, e.getMessage());
    } catch (Exception e) {
      return failed(
          phase,
          started,
          e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }
    Instant finished = clock.instant();
    if (finished.isAfter(deadline)) {
      return failed(
          phase, started, "finished after the deadline " + deadline + "; result discarded");
    }
    log.debug(
        "phase {} ({}) for {} succeeded with outputs {}",
        phase.name(),
        phase.func(),
        context.applicationName(),
        output.outputs().keySet());
    return new PhaseResult(
        phase.name(),
        phase.func(),
        PhaseResult.State.SUCCEEDED,
        output.outputs(),
        Optional.empty(),
        started,
        finished);
  }

  private PhaseResult failed(Phase phase, Instant started, String error) {
    return new PhaseResult(
        phase.name(),
        phase.func(),
        PhaseResult.State.FAILED,
        Map.of(),
        Optional.of(error),
        started,
        clock.instant());
  }

  /**
   * Releases the connections of the engine's own HTTP client, if HttpCall made one; a client given
   * to {@link Builder#httpClient} is left alone. Idempotent.
   */
  @Override
  public void close() {
    httpCall.releaseOwnClient();
  }

  /** Builds an {@link ExecutionEngine}. Not thread-safe. */
  public static final class Builder {
    private final Map<String, HookFunction> functions = new LinkedHashMap<>();
    private PodRunner podRunner = PodRunner.NONE;
    private ObjectReader objectReader = ObjectReader.NONE;
    private OkHttpClient httpClient;
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.SYSTEM;
    private Duration deferPhaseBudget = DEFAULT_DEFER_PHASE_BUDGET;

    private Builder() {}

    /**
     * Registers a function; one of a built-in's name replaces the built-in.
     *
     * @param function the function
     * @return this builder
     * @throws IllegalArgumentException if a function of that name was already registered here
     */
    public Builder function(HookFunction function) {
      Objects.requireNonNull(function, "function");
      String name = Objects.requireNonNull(function.name(), "function.name()");
      if (functions.putIfAbsent(name, function) != null) {
        throw new IllegalArgumentException("a function named " + name + " is already registered");
      }
      return this;
    }

    /**
     * Sets the pod runner of KubeTask and KubeExec; default {@link PodRunner#NONE}.
     *
     * @param podRunner the runner
     * @return this builder
     */
    public Builder podRunner(PodRunner podRunner) {
      this.podRunner = Objects.requireNonNull(podRunner, "podRunner");
      return this;
    }

    /**
     * Sets the object reader of Wait; default {@link ObjectReader#NONE}.
     *
     * @param objectReader the reader
     * @return this builder
     */
    public Builder objectReader(ObjectReader objectReader) {
      this.objectReader = Objects.requireNonNull(objectReader, "objectReader");
      return this;
    }

    /**
     * Sets the HTTP client of HttpCall (TLS, proxies); the caller keeps ownership. Default: a
     * client of the engine's own, made on HttpCall's first call (an engine that only validates
     * makes none) and whose connections {@link ExecutionEngine#close()} releases.
     *
     * @param httpClient the client
     * @return this builder
     */
    public Builder httpClient(OkHttpClient httpClient) {
      this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
      return this;
    }

    /**
     * Sets the clock of deadlines and phase times; default {@link Clock#systemUTC()}.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Sets how functions wait between polls; default {@link Sleeper#SYSTEM}. Tests pass one that
     * advances their manual clock.
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * Sets the least time a deferPhase gets once the run's deadline has passed; default {@link
     * #DEFAULT_DEFER_PHASE_BUDGET}.
     *
     * @param deferPhaseBudget a positive duration
     * @return this builder
     * @throws IllegalArgumentException if it is not positive
     */
    public Builder deferPhaseBudget(Duration deferPhaseBudget) {
      Objects.requireNonNull(deferPhaseBudget, "deferPhaseBudget");
      if (deferPhaseBudget.isNegative() || deferPhaseBudget.isZero()) {
        throw new IllegalArgumentException("deferPhaseBudget must be positive");
      }
      this.deferPhaseBudget = deferPhaseBudget;
      return this;
    }

    /** Builds the engine. */
    public ExecutionEngine build() {
      return new ExecutionEngine(this);
    }
  }
}
