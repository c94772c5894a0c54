package cloud.krake.benchmarks;

import cloud.krake.action.ActionOutcome;
import cloud.krake.hooks.execution.ActionHooks;
import cloud.krake.hooks.execution.ActionResult;
import cloud.krake.hooks.execution.ActionRun;
import cloud.krake.hooks.execution.BlueprintAction;
import cloud.krake.hooks.execution.ExecutionContext;
import cloud.krake.hooks.execution.ExecutionEngine;
import cloud.krake.hooks.execution.ExecutionHooks;
import cloud.krake.hooks.execution.FunctionContext;
import cloud.krake.hooks.execution.HookAction;
import cloud.krake.hooks.execution.HookFunction;
import cloud.krake.hooks.execution.HookRecords;
import cloud.krake.hooks.execution.HookRef;
import cloud.krake.hooks.execution.HookRunner;
import cloud.krake.hooks.execution.Phase;
import cloud.krake.hooks.execution.PhaseOutput;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Execution-hook overhead (issue 6's benchmark): {@code engineRun} is the dispatcher's cost per
 * hook invocation of an in-process function (one phase whose arguments hold two templates,
 * rendered, validated and run; the function returns one output); {@code runnerHookWithRecord} adds
 * K10's rules and the durable record on a {@code MemoryStore} (read, RUNNING create, SUCCEEDED
 * update), each operation a new occurrence; {@code runnerSucceededHook} is the step that finds the
 * hook already succeeded (one store read).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar ExecutionHook}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class ExecutionHookBenchmark {

  private final AtomicLong operations = new AtomicLong();
  private MemoryStore store;
  private ExecutionEngine engine;
  private HookRunner runner;
  private BlueprintAction action;
  private ExecutionHooks hooks;
  private ExecutionContext context;
  private ActionRun done;

  /** Builds the engine, the runner and a hook that already succeeded. */
  @Setup
  public void setUp() {
    HookFunction noop =
        new HookFunction() {
          @Override
          public String name() {
            return "Noop";
          }

          @Override
          public PhaseOutput execute(FunctionContext c) {
            return PhaseOutput.of(Map.of("seen", c.args().path("target").asText()));
          }
        };
    engine = ExecutionEngine.builder().function(noop).build();
    store = MemoryStore.create();
    runner = HookRunner.builder().engine(engine).records(new HookRecords(store)).build();
    ObjectNode args =
        (ObjectNode)
            KrakeJson.read(
                "{\"target\": \"{{ .Namespace.Name }}/{{ .Application.Name }}\", \"n\": [1, 2]}",
                JsonNode.class);
    action = BlueprintAction.of(Phase.of("Noop", "call", args));
    hooks =
        ExecutionHooks.NONE.with(
            HookAction.DEPLOY, ActionHooks.NONE.withPreHook(HookRef.inline(action)));
    context = ExecutionContext.of("default", "bench").withCluster("c1").withNamespace("ns");
    done = new ActionRun(HookAction.DEPLOY, "done", ExecutionContext.of("default", "done-app"));
    runner.before(hooks, done);
  }

  /** Closes the engine and the store. */
  @TearDown
  public void tearDown() {
    engine.close();
    store.close();
  }

  /** One in-process hook invocation through the engine. */
  @Benchmark
  public ActionResult engineRun() {
    return engine.run(action, context);
  }

  /** One hook run with its record written (a new occurrence each time). */
  @Benchmark
  public ActionOutcome runnerHookWithRecord() {
    return runner.before(
        hooks, new ActionRun(HookAction.DEPLOY, "op-" + operations.incrementAndGet(), context));
  }

  /** The step for a hook that already succeeded: one read, no run. */
  @Benchmark
  public ActionOutcome runnerSucceededHook() {
    return runner.before(hooks, done);
  }
}
