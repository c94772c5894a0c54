package cloud.krake.k8s;

import cloud.krake.action.ActionChain;
import cloud.krake.action.ActionInterceptor;
import cloud.krake.action.ActionOutcome;
import cloud.krake.action.KrakeAction;
import cloud.krake.dispatcher.HookException;
import cloud.krake.hooks.execution.ActionRun;
import cloud.krake.hooks.execution.HookAction;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ResourceKey;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * The hooks around a workload as interceptors of Krake's actions, in the order they gate an action:
 * the execution hooks' preHook ({@link #preHook()}), the container lifecycle hooks' preStop before
 * a migration or deletion takes the workload away ({@link #preStop()}), and, innermost, the
 * execution hooks' onSuccess / onFailure around the action's own work ({@link #results()}). Each
 * acts only where the action has a cluster to act on; a deletion already DELETING (its gates passed
 * in an earlier pass) runs no preHook or preStop again.
 *
 * <p>Two more are the interceptors of the settle chain, the inner chain that {@link ManifestApply}
 * runs after an apply and on every observation pass to settle the state: outermost the latest
 * deploy's or update's onSuccess / onFailure ({@link #settledResults()}), around the container
 * lifecycle hooks' postStart gate ({@link #postStart()}; the kubelet's rule: a container is not
 * running until its postStart succeeded), and then the end, the state from the workloads' health.
 *
 * <p>What they remember between passes is in the store: the hooks' records ({@code HookRecords},
 * {@code LifecycleRecords}) and the count of an action's transient failures ({@link
 * ActionAttempts}). Thread-safe.
 */
final class WorkloadHookGates {

  /** How often a Kubernetes error may fail an action before its onFailure hook runs. */
  static final int ACTION_ATTEMPTS = 3;

  private final WorkloadHooks hooks;
  private final ClusterConnector connector;
  private final ActionAttempts attempts;

  WorkloadHookGates(WorkloadHooks hooks, ClusterConnector connector, ActionAttempts attempts) {
    this.hooks = hooks;
    this.connector = connector;
    this.attempts = attempts;
  }

  /** Whether the gates before the action's work apply: a cluster, and not a decided deletion. */
  private static boolean gated(ActionChain chain) {
    return chain.cluster().isPresent()
        && !(chain.action() == KrakeAction.DELETE
            && chain.application().status().state() == ApplicationState.DELETING);
  }

  private ActionRun run(ActionChain chain) {
    Cluster cluster = chain.cluster().orElseThrow();
    return actionRun(
        chain.application(),
        hookAction(chain.action()),
        cluster.metadata().name(),
        connector.connect(cluster));
  }

  /**
   * The preHook gate: the action goes on once its preHook succeeded (or there is none), waits while
   * it runs or until its next attempt, and fails once it failed for good, after starting onFailure.
   */
  ActionInterceptor preHook() {
    return named(
        "ExecutionHooks.preHook",
        chain -> {
          if (!gated(chain)) {
            return chain.proceed();
          }
          Application app = chain.application();
          ResourceKey key = ResourceKey.of(app);
          ActionRun run = run(chain);
          ActionOutcome gate = hooks.before(key, app, run.action(), run);
          if (gate.kind() == ActionOutcome.Kind.FAIL) {
            hooks.finish(key, app, run.action(), run, false);
          }
          return gate.proceeds() ? chain.proceed() : gate;
        });
  }

  /** The preStop gate of a migration or deletion (see {@link WorkloadHooks#preStop}). */
  ActionInterceptor preStop() {
    return named(
        "LifecycleHooks.preStop",
        chain -> {
          if (!gated(chain)
              || (chain.action() != KrakeAction.MIGRATE && chain.action() != KrakeAction.DELETE)) {
            return chain.proceed();
          }
          Application app = chain.application();
          Cluster cluster = chain.cluster().orElseThrow();
          ActionOutcome stop =
              hooks.preStop(
                  ResourceKey.of(app),
                  app,
                  cluster.metadata().name(),
                  connector.connect(cluster),
                  chain.operation());
          return stop.proceeds() ? chain.proceed() : stop;
        });
  }

  /**
   * onSuccess and onFailure around the action's own work: a failure that does not go away by itself
   * runs onFailure at once, a Kubernetes error (or a retried dispatcher hook) after {@value
   * #ACTION_ATTEMPTS} attempts, counted in the store; a migration or deletion that went through
   * runs onSuccess (a deploy's or update's follows its postStart: {@link #settledResults()}).
   */
  ActionInterceptor results() {
    return named(
        "ExecutionHooks.onSuccess/onFailure",
        chain -> {
          if (chain.cluster().isEmpty()) {
            return chain.proceed();
          }
          Application app = chain.application();
          ActionRun run = run(chain);
          ActionOutcome outcome;
          try {
            outcome = chain.proceed();
          } catch (KubernetesException | InvalidResourceException | HookException e) {
            failed(ResourceKey.of(app), app, run, e);
            throw e;
          }
          if (outcome.proceeds()
              && (chain.action() == KrakeAction.MIGRATE || chain.action() == KrakeAction.DELETE)) {
            hooks.finish(
                ResourceKey.of(app), outcome.application().orElse(app), run.action(), run, true);
          }
          return outcome;
        });
  }

  /**
   * The postStart gate of the settle chain (see {@link WorkloadHooks#postStart}): the chain goes on
   * once the hook has succeeded in every running pod of its target (or the application declares
   * none); it waits while a pod has not started or its hook runs, or until a pod restarted after a
   * failed hook is due (kubelet back-off), and fails for a pod whose restart policy is Never. Runs
   * on every settle, so an observation pass also restarts a pod whose postStart failed.
   */
  ActionInterceptor postStart() {
    return named(
        "LifecycleHooks.postStart",
        chain -> {
          if (chain.cluster().isEmpty()) {
            return chain.proceed();
          }
          Application app = chain.application();
          Cluster cluster = chain.cluster().orElseThrow();
          ActionOutcome gate =
              hooks.postStart(
                  ResourceKey.of(app), app, cluster.metadata().name(), connector.connect(cluster));
          return gate.proceeds() ? chain.proceed() : gate;
        });
  }

  /**
   * onSuccess and onFailure of the settle chain's action (the latest deploy or update), around the
   * postStart gate: once the rest of the chain went through, onSuccess runs in the background; once
   * it failed (a postStart failed for good), onFailure; while it waits, neither. Only for an
   * application that declares hooks for the action (no action run is built on every pass for the
   * others); a second start of the same occurrence's hook does nothing ({@link
   * WorkloadHooks#finish}). An exception of the rest of the chain passes through and runs nothing.
   */
  ActionInterceptor settledResults() {
    return named(
        "ExecutionHooks.onSuccess/onFailure (settled)",
        chain -> {
          Application app = chain.application();
          HookAction action = hookAction(chain.action());
          if (chain.cluster().isEmpty() || !WorkloadHooks.declares(app, action)) {
            return chain.proceed();
          }
          ActionOutcome outcome = chain.proceed();
          if (outcome.kind() == ActionOutcome.Kind.PROCEED
              || outcome.kind() == ActionOutcome.Kind.FAIL) {
            hooks.finish(ResourceKey.of(app), app, action, run(chain), outcome.proceeds());
          }
          return outcome;
        });
  }

  /** An interceptor whose {@code toString} is {@code name} (how chains and logs show it). */
  private static ActionInterceptor named(String name, ActionInterceptor interceptor) {
    return new ActionInterceptor() {
      @Override
      public ActionOutcome intercept(ActionChain chain) {
        return interceptor.intercept(chain);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  private void failed(ResourceKey key, Application app, ActionRun run, RuntimeException e) {
    if (!WorkloadHooks.declares(app, run.action())) {
      return; // nothing would run: no count kept
    }
    boolean transient_ =
        (e instanceof KubernetesException k8s && k8s.reason() == ReasonCode.KUBERNETES_ERROR)
            || (e instanceof HookException hook && hook.retried());
    int failures = transient_ ? attempts.recordFailure(key, run.operation()) : 0;
    if (!transient_ || failures >= ACTION_ATTEMPTS) {
      attempts.reset(key, run.operation());
      hooks.finish(key, app, run.action(), run, false);
    }
  }

  static HookAction hookAction(KrakeAction action) {
    return HookAction.valueOf(action.name());
  }

  /**
   * The occurrence of an action, stable across passes and restarts: the application's uid for
   * deploy and delete, its modification time for update, the binding time and the clusters for
   * migrate.
   */
  static String operation(Application app, KrakeAction action) {
    String uid = app.metadata().uid().orElse(app.metadata().name());
    return switch (action) {
      case DEPLOY -> uid + "/deploy";
      case DELETE -> uid + "/delete";
      case UPDATE -> uid + "/update@" + app.metadata().modified().map(Instant::toString).orElse("");
      case MIGRATE ->
          uid
              + "/migrate@"
              + app.status().scheduled().map(Instant::toString).orElse("")
              + "->"
              + app.status().scheduledTo().map(ResourceRef::name).orElse("");
    };
  }

  /** The execution hooks' view of an action's occurrence on a cluster. */
  static ActionRun actionRun(
      Application app, HookAction action, String cluster, ClusterClient client) {
    return new ActionRun(
        action,
        operation(app, KrakeAction.valueOf(action.name())),
        WorkloadHooks.context(app, cluster, namespace(app, client)));
  }

  /** The Kubernetes namespace of an application's resources ({@code .Namespace.Name}). */
  private static String namespace(Application app, ClusterClient client) {
    for (ObjectNode resource : app.spec().manifest()) {
      String ns = resource.path("metadata").path("namespace").asText("");
      if (!ns.isEmpty()) {
        return ns;
      }
    }
    return client.defaultNamespace();
  }
}
