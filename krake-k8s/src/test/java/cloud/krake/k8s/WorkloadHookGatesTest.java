package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.action.ActionChain;
import cloud.krake.action.ActionInterceptor;
import cloud.krake.action.ActionOutcome;
import cloud.krake.action.KrakeAction;
import cloud.krake.hooks.execution.Blueprints;
import cloud.krake.hooks.execution.FunctionContext;
import cloud.krake.hooks.execution.HookFunction;
import cloud.krake.hooks.execution.PhaseOutput;
import cloud.krake.hooks.lifecycle.RestartBackoff;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.KrakeJson;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The settle chain's interceptors ({@link WorkloadHookGates#settledResults()} around {@link
 * WorkloadHookGates#postStart()}, as the controller wires them for {@link ManifestApply}): the
 * postStart gate holds the chain, and the deploy's onSuccess runs only once the chain went through,
 * after its end. The hooks' pool runs its work on the calling thread, so what the interceptors
 * start has run when the chain returns.
 */
class WorkloadHookGatesTest {

  private static final Instant NOW = Instant.parse("2026-01-05T10:00:00Z");

  private final ManualClock clock = new ManualClock(NOW);
  private final MemoryStore store = MemoryStore.create();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<String> podLists = new CopyOnWriteArrayList<>();
  private Krake krake;
  private WorkloadHooks hooks;
  private WorkloadHookGates gates;

  /** A host phase function recording its runs in {@link #calls}. */
  private final HookFunction record =
      new HookFunction() {
        @Override
        public String name() {
          return "Record";
        }

        @Override
        public PhaseOutput execute(FunctionContext context) {
          calls.add("hook " + context.phase());
          return PhaseOutput.none();
        }
      };

  @BeforeEach
  void setUp() {
    krake =
        Krake.builder()
            .store(store)
            .clock(clock)
            .timer(new ManualTimer(clock))
            .executors(
                KrakeExecutors.builder()
                    .executor(HookSettings.POOL, new CallingThreadExecutor())
                    .build())
            .build();
    ClusterConnector connector =
        new ClusterConnector() {
          @Override
          public ClusterClient connect(Cluster cluster) {
            return new NoPodsClient();
          }

          @Override
          public void close() {}
        };
    hooks =
        new HookSettings(Blueprints.NONE, List.of(record), 1, RestartBackoff.DEFAULT)
            .create(krake, connector, key -> {});
    gates = new WorkloadHookGates(hooks, connector, new ActionAttempts(store));
  }

  @AfterEach
  void tearDown() {
    hooks.close();
    krake.close();
    store.close();
  }

  private ActionOutcome settle(List<ActionInterceptor> interceptors, Application app) {
    Cluster cluster =
        KrakeJson.read("metadata: {name: a, namespace: tenant}\nspec: {}", Cluster.class);
    return ActionChain.run(
        interceptors,
        KrakeAction.DEPLOY,
        app,
        Optional.of(cluster),
        WorkloadHookGates.operation(app, KrakeAction.DEPLOY),
        end -> {
          calls.add("end");
          return ActionOutcome.proceed(
              end.application()
                  .withStatus(end.application().status().withState(ApplicationState.RUNNING)));
        });
  }

  /** A deployment with a postStart hook, and a deploy onSuccess that runs {@link #record}. */
  private static Application app() {
    return KrakeJson.read(
        """
        metadata: {name: web, namespace: tenant, uid: 7d1c}
        spec:
          manifest:
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: main, image: busybox}]}
          constraints: {cluster: {}}
          lifecycle:
            post_start:
              exec: {command: [/bin/sh, -c, 'true']}
          execution_hooks:
            deploy:
              onSuccess: {action: {phases: [{func: Record, name: onSuccess}]}}
        status: {state: CREATING}
        """,
        Application.class);
  }

  @Test
  void thePostStartGateHoldsTheSettleChainWhileNoPodRunsSoNeitherTheEndNorOnSuccessRuns() {
    ActionOutcome outcome = settle(List.of(gates.settledResults(), gates.postStart()), app());

    assertThat(podLists).as("the gate looked for the deployment's pods").containsExactly("app=web");
    assertThat(outcome.kind()).isEqualTo(ActionOutcome.Kind.WAIT_UNTIL);
    assertThat(outcome.until()).contains(NOW.plus(WorkloadHooks.POD_RECHECK));
    assertThat(calls).as("neither the end nor onSuccess").isEmpty();
  }

  @Test
  void withoutThePostStartGateTheSettleChainGoesThroughAndOnSuccessRunsAfterItsEnd() {
    ActionOutcome outcome = settle(List.of(gates.settledResults()), app());

    assertThat(podLists).as("no postStart gate, no pods looked for").isEmpty();
    assertThat(outcome.kind()).isEqualTo(ActionOutcome.Kind.PROCEED);
    assertThat(outcome.application().orElseThrow().status().state())
        .as("the end's state passes through")
        .isEqualTo(ApplicationState.RUNNING);
    assertThat(calls).containsExactly("end", "hook onSuccess");
  }

  /** The hooks' pool of the test: runs each task on the calling thread. */
  private static final class CallingThreadExecutor extends AbstractExecutorService {
    private volatile boolean shutdown;

    @Override
    public void execute(Runnable command) {
      command.run();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      return List.of();
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }
  }

  /** A cluster without pods: records each pod list's label selector. */
  private final class NoPodsClient implements ClusterClient {
    @Override
    public List<ObjectNode> list(
        String apiVersion, String kind, Optional<String> namespace, String labelSelector) {
      podLists.add(labelSelector);
      return List.of();
    }

    @Override
    public List<ObjectNode> list(String apiVersion, String kind, Optional<String> namespace) {
      return list(apiVersion, kind, namespace, "");
    }

    @Override
    public ObjectNode apply(ObjectNode resource) {
      throw new UnsupportedOperationException("apply");
    }

    @Override
    public boolean delete(ObjectNode resource) {
      throw new UnsupportedOperationException("delete");
    }

    @Override
    public Optional<ObjectNode> get(ObjectNode resource) {
      return Optional.empty();
    }

    @Override
    public ObjectWatch watch(
        String apiVersion, String kind, Optional<String> namespace, ObjectListener listener) {
      throw new UnsupportedOperationException("watch");
    }

    @Override
    public String defaultNamespace() {
      return "tenant";
    }

    @Override
    public String host() {
      return "127.0.0.1";
    }

    @Override
    public void close() {}
  }
}
