package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.TIMEOUT;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.action.ActionInterceptor;
import cloud.krake.action.ActionOutcome;
import cloud.krake.action.KrakeAction;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.execution.FunctionContext;
import cloud.krake.hooks.execution.HookFunction;
import cloud.krake.hooks.execution.PhaseOutput;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A host's {@link ActionInterceptor}s around Krake's actions (registered with {@code
 * KubernetesBackend.Builder.actionInterceptor}), and the durability of an action's progress across
 * a restart.
 */
class ActionInterceptorIT {

  /** A host's interceptor: holds deploys back during a freeze, coming back every 200 ms. */
  static final class Freeze implements ActionInterceptor {
    final AtomicBoolean frozen = new AtomicBoolean(true);
    final AtomicInteger heldBack = new AtomicInteger();
    private final Clock clock = Clock.systemUTC();

    // tag::freeze[]
    @Override
    public ActionOutcome intercept(cloud.krake.action.ActionChain chain) {
      if (chain.action() == KrakeAction.DEPLOY && frozen.get()) {
        heldBack.incrementAndGet();
        return ActionOutcome.waitFor(Duration.ofMillis(200), clock);
      }
      return chain.proceed();
    }
    // end::freeze[]
  }

  @Test
  void aHostInterceptorDelaysADeployUntilItLetsItProceed() {
    Freeze freeze = new Freeze();
    try (MemoryStore store = MemoryStore.create();
        FakeClusters env =
            new FakeClusters(
                store,
                ShutdownHookConfig.defaults(),
                // tag::register[]
                backend -> backend.actionInterceptor(freeze)
                // end::register[]
                )) {
      env.registerClusters();
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");

      await().atMost(TIMEOUT).until(() -> freeze.heldBack.get() >= 3);
      assertThat(env.a.list("apps/v1", "Deployment"))
          .as("nothing applied while held back")
          .isEmpty();
      assertThat(env.krake.applications().require(NS, "echo").status().runningOn()).isEmpty();

      freeze.frozen.set(false);
      env.awaitRunningOn("echo", env.a);
      assertThat(env.a.list("apps/v1", "Deployment")).hasSize(1);
    }
  }

  @Test
  void aHostInterceptorVetoesADeployWithAReason() {
    ActionInterceptor veto =
        chain ->
            chain.action() == KrakeAction.DEPLOY
                ? ActionOutcome.fail(Reason.of(ReasonCode.INTERNAL_ERROR, "quota exceeded"))
                : chain.proceed();
    try (MemoryStore store = MemoryStore.create();
        FakeClusters env =
            new FakeClusters(
                store, ShutdownHookConfig.defaults(), b -> b.actionInterceptor(veto))) {
      env.registerClusters();
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");

      Application failed = env.awaitState("echo", ApplicationState.FAILED);

      assertThat(failed.status().reason().orElseThrow().message()).isEqualTo("quota exceeded");
      assertThat(env.a.list("apps/v1", "Deployment")).isEmpty();
    }
  }

  @Test
  void aHostInterceptorWrapsADeleteAndSeesItsOutcomeAfterTheResourcesAreGone() {
    List<String> seen = new CopyOnWriteArrayList<>();
    AtomicInteger deploymentsAfter = new AtomicInteger(-1);
    FakeClusters[] envs = new FakeClusters[1];
    ActionInterceptor wrap =
        chain -> {
          if (chain.action() != KrakeAction.DELETE) {
            return chain.proceed();
          }
          seen.add("before " + chain.cluster().map(c -> c.metadata().name()).orElse("-"));
          ActionOutcome outcome = chain.proceed();
          deploymentsAfter.set(envs[0].a.list("apps/v1", "Deployment").size());
          seen.add("after " + outcome.kind());
          return outcome;
        };
    try (MemoryStore store = MemoryStore.create();
        FakeClusters env =
            new FakeClusters(
                store, ShutdownHookConfig.defaults(), b -> b.actionInterceptor(wrap))) {
      envs[0] = env;
      env.registerClusters();
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
      env.awaitRunningOn("echo", env.a);

      env.krake.applications().delete(NS, "echo");
      env.awaitGone("echo");
      // the store's removal is the chain's last write: the interceptor returns just after it
      await().atMost(TIMEOUT).until(() -> seen.size() == 2);

      assertThat(seen).containsExactly("before a", "after PROCEED");
      assertThat(deploymentsAfter.get()).as("deleted inside the chain").isZero();
    }
  }

  /**
   * A host's phase function (an onFailure hook's work): counts its runs and records how many deploy
   * passes the current instance had made when it ran.
   */
  static final class Alert implements HookFunction {
    final AtomicInteger runs = new AtomicInteger();
    final AtomicInteger deployPasses = new AtomicInteger();
    final AtomicInteger passesWhenRun = new AtomicInteger(-1);
    final AtomicInteger allowed = new AtomicInteger(2);
    final AtomicInteger held = new AtomicInteger();

    @Override
    public String name() {
      return "Alert";
    }

    @Override
    public PhaseOutput execute(FunctionContext context) {
      passesWhenRun.compareAndSet(-1, deployPasses.get());
      runs.incrementAndGet();
      return PhaseOutput.none();
    }
  }

  @Test
  void aRestartedControllerGoesOnCountingAnActionsFailuresFromTheStore() {
    Alert alert = new Alert();
    try (MemoryStore store = MemoryStore.create();
        FakeClusters env =
            new FakeClusters(
                store,
                ShutdownHookConfig.defaults(),
                b ->
                    b.executionHookFunction(alert)
                        .actionInterceptor(
                            chain -> {
                              // every deploy pass let through fails once on the 503 below
                              if (alert.allowed.getAndDecrement() <= 0) {
                                alert.held.incrementAndGet();
                                return ActionOutcome.waitForEvent();
                              }
                              alert.deployPasses.incrementAndGet();
                              return chain.proceed();
                            }))) {
      env.registerClusters();
      env.a.failRequests("PATCH", null, 503);
      ObjectNode hooks =
          KrakeJson.read(
              """
              execution_hooks:
                deploy:
                  onFailure:
                    action: {phases: [{func: Alert, name: alert}]}
              """,
              ObjectNode.class);
      env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a", s -> s.setAll(hooks));
      // two deploy passes, each failing on a 503 (onFailure is due at the third failure), then the
      // next pass held back: the second has ended
      await().atMost(TIMEOUT).until(() -> alert.held.get() >= 1);
      env.stop();
      assertThat(alert.deployPasses.get()).isEqualTo(2);
      assertThat(alert.runs.get()).isZero();
      assertThat(failures(store)).as("counted in the store").isEqualTo(2);
      alert.deployPasses.set(0);
      alert.allowed.set(Integer.MAX_VALUE);

      env.start();

      await().atMost(TIMEOUT).until(() -> alert.runs.get() == 1);
      assertThat(alert.passesWhenRun.get())
          .as("onFailure ran at the new instance's first failure, the third in all")
          .isEqualTo(1);
    }
  }

  private static int failures(MemoryStore store) {
    return store
        .get("/krake/actionfailures/" + NS + "/echo")
        .map(kv -> KrakeJson.read(kv.value(), ObjectNode.class))
        .map(counts -> counts.properties().stream().mapToInt(e -> e.getValue().asInt()).sum())
        .orElse(0);
  }
}
