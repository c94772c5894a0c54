package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.dispatcher.HookFailurePolicy;
import cloud.krake.dispatcher.HookHandler;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Watch;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every dispatcher point, through the real controllers on fake clusters: a handler that fails its
 * first two calls, followed by a recording one, does what the point's declared {@link
 * DispatcherHookPoint#failurePolicy()} says — ABORT: the application FAILED naming the handler,
 * never called again, the handler after it never run; RETRY: called again with back-off until it
 * succeeds, the operation completes and the application is never FAILED; LOG: the handler after it
 * runs and the operation completes, never FAILED.
 */
class HookPointPoliciesIT {

  private static final int FAILURES = 2;

  private final MemoryStore store = MemoryStore.create();
  private final AtomicInteger failingCalls = new AtomicInteger();
  private final AtomicInteger afterCalls = new AtomicInteger();
  private final List<ApplicationState> states = new CopyOnWriteArrayList<>();
  private FakeClusters env;
  private Watch watch;

  @AfterEach
  void stop() {
    if (watch != null) {
      watch.close();
    }
    if (env != null) {
      env.close();
    }
    store.close();
  }

  private void start(DispatcherHookPoint point) {
    HookHandler failing =
        context -> {
          if (failingCalls.incrementAndGet() <= FAILURES) {
            throw new IllegalStateException("the platform's registry is unreachable");
          }
          return context;
        };
    HookHandler after =
        context -> {
          afterCalls.incrementAndGet();
          return context;
        };
    env =
        new FakeClusters(
            store,
            ShutdownHookConfig.defaults(),
            backend -> {},
            krake ->
                krake
                    .dispatcherHook(point, "failing", failing)
                    .dispatcherHook(point, "after", after));
    watch =
        env.krake
            .applications()
            .watch(NS, store.revision() + 1, e -> states.add(e.resource().status().state()));
  }

  private static List<ObjectNode> configMap(String value) {
    return KrakeJson.readAll(
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {value: "%s"}
        """
            .formatted(value),
        ObjectNode.class);
  }

  private Application runningOnA() {
    env.create("app", configMap("one"), List.of(), List.of(), "a");
    return env.awaitRunningOn("app", env.a);
  }

  private boolean configMapOn(cloud.krake.testing.kubernetes.FakeKubernetesApiServer fake) {
    return fake.get("v1", "ConfigMap", "default", "settings").isPresent();
  }

  @ParameterizedTest
  @EnumSource(DispatcherHookPoint.class)
  void aFailingHandlerDoesWhatItsPointsDeclaredPolicySays(DispatcherHookPoint point) {
    start(point);
    HookFailurePolicy policy = point.failurePolicy();

    // drive the operation the point belongs to; `done` is its successful end
    java.util.function.BooleanSupplier done;
    switch (point) {
      case CLUSTER_CREATION -> {
        env.registerClusters(); // waits for both ONLINE: a RETRY or LOG failure lets them through
        done = () -> true;
      }
      case CLUSTER_DELETION -> {
        env.registerClusters();
        env.krake.clusters().delete(NS, "b");
        env.krake.await(env.krake.clusters(), NS, "b", java.util.Optional::isEmpty, TIMEOUT);
        done = () -> afterCalls.get() >= 1;
      }
      case RESOURCE_PRE_CREATE,
          RESOURCE_POST_CREATE,
          APPLICATION_MANGLING,
          APPLICATION_PRE_RECONCILE,
          APPLICATION_POST_RECONCILE -> {
        env.registerClusters();
        env.create("app", configMap("one"), List.of(), List.of(), "a");
        done = () -> running("app", "a") && configMapOn(env.a);
      }
      case RESOURCE_PRE_UPDATE, RESOURCE_POST_UPDATE -> {
        env.registerClusters();
        runningOnA();
        env.krake
            .applications()
            .modify(
                NS,
                "app",
                app -> {
                  ObjectNode spec = KrakeJson.toObjectNode(app.spec());
                  spec.putArray("manifest").addAll(configMap("two"));
                  return app.withSpec(KrakeJson.convert(spec, app.spec().getClass()));
                });
        done =
            () ->
                running("app", "a")
                    && env.a
                        .get("v1", "ConfigMap", "default", "settings")
                        .map(c -> c.path("data").path("value").asText().equals("two"))
                        .orElse(false);
      }
      case APPLICATION_PRE_MIGRATE, APPLICATION_POST_MIGRATE -> {
        env.registerClusters();
        runningOnA();
        env.moveTo("app", "b");
        done = () -> running("app", "b") && configMapOn(env.b) && !configMapOn(env.a);
      }
      case RESOURCE_PRE_DELETE,
          RESOURCE_POST_DELETE,
          APPLICATION_PRE_DELETE,
          APPLICATION_POST_DELETE -> {
        env.registerClusters();
        runningOnA();
        env.krake.applications().delete(NS, "app");
        done = () -> env.krake.applications().get(NS, "app").isEmpty() && !configMapOn(env.a);
      }
      default -> throw new AssertionError("no scenario for " + point);
    }

    switch (policy) {
      case ABORT -> {
        Application failed = env.awaitState("app", ApplicationState.FAILED);
        assertThat(failed.status().reason().orElseThrow().message())
            .contains("hook failing", point.name());
        await()
            .during(Duration.ofMillis(500))
            .atMost(Duration.ofSeconds(5))
            .until(() -> failingCalls.get() == 1);
        assertThat(afterCalls).as("the handler after the failed one").hasValue(0);
      }
      case RETRY -> {
        await().atMost(TIMEOUT).until(done::getAsBoolean);
        // called again until it succeeded, then the handler after it ran
        await().atMost(TIMEOUT).until(() -> failingCalls.get() > FAILURES && afterCalls.get() > 0);
        assertThat(states)
            .as("states the application went through")
            .doesNotContain(ApplicationState.FAILED);
      }
      case LOG -> {
        await().atMost(TIMEOUT).until(done::getAsBoolean);
        // the handler after the failed one ran at every call, the failed ones included (the
        // point may be dispatched just after the end the scenario observes)
        await()
            .atMost(TIMEOUT)
            .until(() -> failingCalls.get() > 0 && afterCalls.get() == failingCalls.get());
        assertThat(states)
            .as("states the application went through")
            .doesNotContain(ApplicationState.FAILED);
      }
      default -> throw new AssertionError(policy);
    }
  }

  private boolean running(String name, String cluster) {
    return env.krake
        .applications()
        .get(NS, name)
        .map(
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().runningOn().map(r -> r.name().equals(cluster)).orElse(false))
        .orElse(false);
  }
}
