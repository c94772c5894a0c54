package cloud.krake.k8s;

import cloud.krake.KrakeContext;
import cloud.krake.hooks.execution.Blueprints;
import cloud.krake.hooks.execution.ExecutionEngine;
import cloud.krake.hooks.execution.HookFunction;
import cloud.krake.hooks.execution.HookRecords;
import cloud.krake.hooks.execution.HookRunner;
import cloud.krake.hooks.lifecycle.LifecycleRunner;
import cloud.krake.hooks.lifecycle.RestartBackoff;
import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ResourceKey;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the backend's builder sets for the hooks around workloads: the execution hooks' blueprints
 * and host functions, and the size of the hooks' pool.
 *
 * @param blueprints the blueprints execution hooks may reference
 * @param functions phase functions the host registers besides the built-ins
 * @param threads the hooks' pool size ({@code krake-app-hooks-N}): hooks running at once
 * @param restartBackoff the back-off of pod restarts after a failed postStart
 */
record HookSettings(
    Blueprints blueprints,
    List<HookFunction> functions,
    int threads,
    RestartBackoff restartBackoff) {

  static final int DEFAULT_THREADS = 8;

  static final HookSettings DEFAULTS =
      new HookSettings(Blueprints.NONE, List.of(), DEFAULT_THREADS, RestartBackoff.DEFAULT);

  HookSettings {
    functions = List.copyOf(functions);
    if (threads < 1) {
      throw new IllegalArgumentException("hookThreads must be at least 1: " + threads);
    }
  }

  /** Builds the hooks for a controller: runners on the instance's store, clock and timer. */
  WorkloadHooks create(
      KrakeContext krake, ClusterConnector connector, Consumer<ResourceKey> requeue) {
    Function<ResourceRef, ClusterClient> clients = ref -> connector.connect(cluster(krake, ref));
    KubernetesPodRunner pods = KubernetesPodRunner.of(clients, krake.clock());
    ExecutionEngine.Builder engine =
        ExecutionEngine.builder()
            .podRunner(pods)
            .objectReader(KubernetesObjectReader.of(clients))
            .clock(krake.clock());
    functions.forEach(engine::function);
    ExecutionEngine built = engine.build();
    HookRunner runner =
        HookRunner.builder()
            .engine(built)
            .records(new HookRecords(krake.store()))
            .blueprints(blueprints)
            .clock(krake.clock())
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(threads, named("krake-app-hooks-"));
    LifecycleRunner lifecycle =
        LifecycleRunner.builder()
            .store(krake.store())
            .podRunner(pods)
            .clock(krake.clock())
            .executor(pool)
            .timer(krake.timer())
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

  private static ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
