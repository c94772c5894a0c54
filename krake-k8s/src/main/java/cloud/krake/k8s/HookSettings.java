package cloud.krake.k8s;

import cloud.krake.KrakeContext;
import cloud.krake.hooks.SharedHttpClient;
import cloud.krake.hooks.execution.Blueprints;
import cloud.krake.hooks.execution.ExecutionEngine;
import cloud.krake.hooks.execution.ExecutionHookChecks;
import cloud.krake.hooks.execution.HookFunction;
import cloud.krake.hooks.execution.HookRecords;
import cloud.krake.hooks.execution.HookRunner;
import cloud.krake.hooks.execution.HttpCallFunction;
import cloud.krake.hooks.execution.KubeExecFunction;
import cloud.krake.hooks.execution.KubeTaskFunction;
import cloud.krake.hooks.execution.WaitFunction;
import cloud.krake.hooks.lifecycle.HookTarget;
import cloud.krake.hooks.lifecycle.LifecycleHandler;
import cloud.krake.hooks.lifecycle.LifecycleHooks;
import cloud.krake.hooks.lifecycle.LifecycleRunner;
import cloud.krake.hooks.lifecycle.RestartBackoff;
import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.runtime.ResourceKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the backend's builder sets for the hooks around workloads: the execution hooks' blueprints
 * and host functions, and the size of the hooks' pool; and the validation of applications' hooks,
 * which needs nothing else (the backend registers it as a validator when it is installed).
 *
 * @param blueprints the blueprints execution hooks may reference
 * @param functions phase functions the host registers besides the built-ins
 * @param threads the hooks' pool size ({@code krake-app-hooks-N}): hooks running at once
 * @param restartBackoff the back-off of pod restarts after a failed postStart
 * @param checks the checks of applications' execution hooks against the blueprints and functions
 */
record HookSettings(
    Blueprints blueprints,
    List<HookFunction> functions,
    int threads,
    RestartBackoff restartBackoff,
    ExecutionHookChecks checks) {

  static final int DEFAULT_THREADS = 8;

  /** The names of the built-in phase functions, which a host function may not take. */
  static final Set<String> BUILT_IN_FUNCTIONS =
      Set.of(
          KubeTaskFunction.NAME, KubeExecFunction.NAME, WaitFunction.NAME, HttpCallFunction.NAME);

  HookSettings(
      Blueprints blueprints,
      List<HookFunction> functions,
      int threads,
      RestartBackoff restartBackoff) {
    this(blueprints, functions, threads, restartBackoff, checks(blueprints, functions));
  }

  /** The checks of applications' execution hooks: the functions on an engine that runs nothing. */
  private static ExecutionHookChecks checks(Blueprints blueprints, List<HookFunction> functions) {
    ExecutionEngine.Builder engine = ExecutionEngine.builder();
    functions.forEach(engine::function);
    return new ExecutionHookChecks(engine.build(), blueprints);
  }

  static final HookSettings DEFAULTS =
      new HookSettings(Blueprints.NONE, List.of(), DEFAULT_THREADS, RestartBackoff.DEFAULT);

  HookSettings {
    functions = List.copyOf(functions);
    java.util.Objects.requireNonNull(checks, "checks");
    if (threads < 1) {
      throw new IllegalArgumentException("hookThreads must be at least 1: " + threads);
    }
  }

  /**
   * Checks {@code spec.lifecycle} and {@code spec.execution_hooks} of an application completely:
   * structure, handlers, timeouts, the target workload, blueprint references, functions and
   * templates.
   */
  List<FieldError> validate(Application app) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode lifecycleNode = app.spec().lifecycle();
    if (lifecycleNode.isObject() && !lifecycleNode.isEmpty()) {
      List<ObjectNode> manifest = app.spec().manifest();
      List<FieldError> found =
          LifecycleHooks.validate(
              lifecycleNode, LifecycleHooks.FIELD, WorkloadHooks.gracePeriod(manifest));
      errors.addAll(found);
      if (found.isEmpty()) {
        LifecycleHooks hooks =
            LifecycleHooks.parse(
                lifecycleNode, LifecycleHooks.FIELD, WorkloadHooks.gracePeriod(manifest));
        for (cloud.krake.hooks.lifecycle.LifecycleHookPoint point :
            cloud.krake.hooks.lifecycle.LifecycleHookPoint.values()) {
          Optional<LifecycleHandler> handler = hooks.at(point);
          if (handler.isPresent()
              && HookTarget.resolve(handler.get().target(), manifest).isEmpty()) {
            errors.add(
                new FieldError(
                    LifecycleHooks.FIELD + "." + point.jsonName() + ".target",
                    handler.get().target().isPresent()
                        ? "the manifest has no such workload and container"
                        : "the manifest has no workload (Pod, Deployment, StatefulSet, DaemonSet,"
                            + " ReplicaSet, Job) with a container to run the hook in"));
          }
        }
      }
    }
    JsonNode executionNode = app.spec().executionHooks();
    if (executionNode.isObject() && !executionNode.isEmpty()) {
      try {
        checks.validate(executionNode, "spec.execution_hooks");
      } catch (InvalidResourceException e) {
        errors.addAll(e.errors());
      }
    }
    return errors;
  }

  /**
   * The name of the hooks' pool in the instance's {@link KrakeExecutors}: {@link #threads()} daemon
   * threads {@code krake-app-hooks-N}, shut down when the instance closes.
   */
  static final String POOL = "app-hooks";

  /**
   * Builds the hooks for a controller: runners on the instance's store, clock and timer; the hooks'
   * pool and their HTTP client ({@link SharedHttpClient}) from the instance's {@link
   * KrakeExecutors}, which shuts them down when the instance closes.
   */
  WorkloadHooks create(
      KrakeContext krake, ClusterConnector connector, Consumer<ResourceKey> requeue) {
    Function<ResourceRef, ClusterClient> clients = ref -> connector.connect(cluster(krake, ref));
    KubernetesPodRunner pods = KubernetesPodRunner.of(clients, krake.clock());
    ExecutionEngine.Builder engine =
        ExecutionEngine.builder()
            .podRunner(pods)
            .objectReader(KubernetesObjectReader.of(clients))
            .httpClient(SharedHttpClient.of(krake.executors()))
            .clock(krake.clock());
    functions.forEach(engine::function);
    ExecutionEngine built = engine.build();
    HookRunner runner =
        HookRunner.builder()
            .engine(built)
            .records(new HookRecords(krake.store()))
            .blueprints(blueprints)
            .clock(krake.clock())
            .metricsRecorder(krake.metricsRecorder())
            .build();
    ExecutorService pool =
        krake
            .executors()
            .executor(
                POOL,
                ExecutorService.class,
                () ->
                    Executors.newFixedThreadPool(
                        threads, KrakeExecutors.daemonThreads("krake-app-hooks-")));
    LifecycleRunner lifecycle =
        LifecycleRunner.builder()
            .store(krake.store())
            .podRunner(pods)
            .clock(krake.clock())
            .executor(pool)
            .httpClient(SharedHttpClient.of(krake.executors()))
            .timer(krake.timer())
            .metricsRecorder(krake.metricsRecorder())
            .build();
    return new WorkloadHooks(
        lifecycle,
        runner,
        pool,
        krake.timer(),
        krake.clock(),
        requeue,
        restartBackoff,
        List.of(built, pods));
  }

  /**
   * The cluster a hook's reference names: looked up by namespace and name, the application's
   * namespace (Krake's tenant separation: a cluster of the same name in another namespace is
   * another tenant's).
   */
  private static Cluster cluster(KrakeContext krake, ResourceRef ref) {
    return krake
        .clusters()
        .get(ref.namespace().orElse(""), ref.name())
        .orElseThrow(
            () ->
                new KubernetesException(
                    cloud.krake.model.ReasonCode.CLUSTER_NOT_REACHABLE,
                    0,
                    "no cluster " + KubernetesPodRunner.display(ref),
                    null));
  }
}
