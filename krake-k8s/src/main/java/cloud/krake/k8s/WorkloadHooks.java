package cloud.krake.k8s;

import cloud.krake.KrakeException;
import cloud.krake.action.ActionOutcome;
import cloud.krake.hooks.execution.ActionRun;
import cloud.krake.hooks.execution.ExecutionContext;
import cloud.krake.hooks.execution.ExecutionHooks;
import cloud.krake.hooks.execution.HookAction;
import cloud.krake.hooks.execution.HookKind;
import cloud.krake.hooks.execution.HookRunner;
import cloud.krake.hooks.execution.Subject;
import cloud.krake.hooks.lifecycle.LifecycleContext;
import cloud.krake.hooks.lifecycle.LifecycleHandler;
import cloud.krake.hooks.lifecycle.LifecycleHooks;
import cloud.krake.hooks.lifecycle.LifecycleResult;
import cloud.krake.hooks.lifecycle.LifecycleRun;
import cloud.krake.hooks.lifecycle.LifecycleRunner;
import cloud.krake.hooks.lifecycle.RestartBackoff;
import cloud.krake.model.Application;
import cloud.krake.model.PodTemplates;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.runtime.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application controller's hooks around a workload, run off the controller's workers: the
 * container lifecycle hooks of {@code spec.lifecycle} (postStart, preStop; kubelet semantics, see
 * {@link LifecycleRunner}) and the execution hooks of {@code spec.execution_hooks} (preHook,
 * onSuccess, onFailure; Kasten K10's rules, see {@link HookRunner}).
 *
 * <p>Every step returns at once: a hook that has to run is started on the hooks' pool and the
 * application is queued again when it ends ({@link ActionOutcome.Kind#WAIT_FOR_EVENT}); a later
 * pass picks up the outcome. The outcome of a finished hook is read from its durable record, so a
 * pass after a restart finds a hook that succeeded and does not run it again. onSuccess and
 * onFailure are driven to their end in the background (retries at the times the runner gives, on
 * the timer): they gate nothing.
 *
 * <p>Thread-safe.
 */
final class WorkloadHooks implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WorkloadHooks.class);

  /** How often a pass comes back while it waits for a pod to run its postStart in. */
  static final Duration POD_RECHECK = Duration.ofSeconds(2);

  private final LifecycleRunner lifecycle;
  private final HookRunner executions;
  private final ExecutorService executor;
  private final Timer timer;
  private final Clock clock;
  private final Consumer<ResourceKey> requeue;
  private final RestartBackoff backoff;
  private final Map<String, CompletableFuture<Object>> running = new ConcurrentHashMap<>();
  private final Set<String> finished = ConcurrentHashMap.newKeySet();
  private final List<AutoCloseable> resources;
  private volatile boolean closed;

  WorkloadHooks(
      LifecycleRunner lifecycle,
      HookRunner executions,
      ExecutorService executor,
      Timer timer,
      Clock clock,
      Consumer<ResourceKey> requeue,
      RestartBackoff backoff,
      List<AutoCloseable> resources) {
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    this.executions = Objects.requireNonNull(executions, "executions");
    this.executor = Objects.requireNonNull(executor, "executor");
    this.timer = Objects.requireNonNull(timer, "timer");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.requeue = Objects.requireNonNull(requeue, "requeue");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.resources = List.copyOf(resources);
  }

  /** Come back after the delay, or (empty) when the running hook ends and requeues. */
  private ActionOutcome waiting(Optional<Duration> after) {
    return after.map(d -> ActionOutcome.waitFor(d, clock)).orElse(ActionOutcome.waitForEvent());
  }

  // ------------------------------------------------------------------ validation

  /** The termination grace period of the first workload's pods, seconds (Kubernetes: 30). */
  static long gracePeriod(List<? extends JsonNode> manifest) {
    for (JsonNode resource : manifest) {
      JsonNode spec = podSpec(resource);
      if (spec.isObject()) {
        return spec.path("terminationGracePeriodSeconds")
            .asLong(LifecycleHooks.DEFAULT_GRACE_PERIOD_SECONDS);
      }
    }
    return LifecycleHooks.DEFAULT_GRACE_PERIOD_SECONDS;
  }

  private static JsonNode podSpec(JsonNode resource) {
    return PodTemplates.podSpec(resource);
  }

  // ------------------------------------------------------------------ execution hooks

  /** Whether the application declares any hook for an action. */
  static boolean declares(Application app, HookAction action) {
    JsonNode node = app.spec().executionHooks();
    return node.isObject() && node.has(action.jsonName());
  }

  /**
   * The preHook of an action: PROCEED once it succeeded (or there is none), WAIT while it runs or
   * until its next attempt is due, FAIL once it failed for good (the caller then calls {@link
   * #finish} with {@code false}, which runs onFailure).
   */
  ActionOutcome before(ResourceKey key, Application app, HookAction action, ActionRun run) {
    if (!declares(app, action)) {
      return ActionOutcome.proceed();
    }
    ExecutionHooks hooks = parse(app);
    if (hooks.forAction(action).preHook().isEmpty()) {
      return ActionOutcome.proceed();
    }
    String id = key + "|" + action.jsonName() + "|preHook|" + run.operation();
    Optional<Object> outcome = async(id, key, () -> executions.before(hooks, run));
    if (outcome.isEmpty()) {
      return ActionOutcome.waitForEvent();
    }
    if (outcome.get() instanceof Throwable failure) {
      log.warn(
          "application {}: preHook of {} could not be stepped: {}",
          key,
          action,
          failure.toString());
      return ActionOutcome.waitFor(Duration.ofSeconds(1), clock);
    }
    ActionOutcome step = (ActionOutcome) outcome.get();
    return step.reason()
        .map(
            failed ->
                ActionOutcome.fail(
                    Reason.of(
                        failed.code(),
                        "the preHook of " + action.jsonName() + " failed: " + failed.message())))
        .orElse(step);
  }

  /**
   * Runs onSuccess (the action succeeded) or onFailure (it failed for good) of an action in the
   * background, to its end; a second call for the same occurrence while it runs, or after it ended
   * in this process, does nothing.
   */
  void finish(ResourceKey key, Application app, HookAction action, ActionRun run, boolean ok) {
    if (!declares(app, action) || closed) {
      return;
    }
    ExecutionHooks hooks = parse(app);
    HookKind kind = ok ? HookKind.ON_SUCCESS : HookKind.ON_FAILURE;
    if (hooks.forAction(action).hook(kind).isEmpty()) {
      return;
    }
    String id = key + "|" + action.jsonName() + "|" + kind.jsonName() + "|" + run.operation();
    if (finished.contains(id) || running.containsKey(id)) {
      return;
    }
    drive(id, hooks, run, ok);
  }

  private void drive(String id, ExecutionHooks hooks, ActionRun run, boolean ok) {
    CompletableFuture<Object> started = new CompletableFuture<>();
    if (running.putIfAbsent(id, started) != null) {
      return;
    }
    try {
      executor.execute(
          () -> {
            Optional<Instant> again = Optional.empty();
            try {
              ActionOutcome step = executions.after(hooks, run, ok);
              if (step.kind() == ActionOutcome.Kind.WAIT_UNTIL) {
                again = step.until();
              } else {
                if (step.kind() == ActionOutcome.Kind.FAIL) {
                  log.warn(
                      "application {}/{}: {} failed: {}",
                      run.context().applicationNamespace(),
                      run.context().applicationName(),
                      id.substring(id.indexOf('|') + 1),
                      step.reason().orElseThrow().message());
                }
                finished.add(id);
              }
            } catch (RuntimeException e) {
              log.warn("{}: could not be stepped, trying again in 1 s: {}", id, e.toString());
              again = Optional.of(clock.instant().plusSeconds(1));
            } finally {
              running.remove(id, started);
              started.complete(null);
            }
            again.ifPresent(
                at -> {
                  if (!closed) {
                    timer.schedule(() -> drive(id, hooks, run, ok), until(at));
                  }
                });
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      running.remove(id, started);
    }
  }

  private ExecutionHooks parse(Application app) {
    return ExecutionHooks.fromJson(app.spec().executionHooks(), "spec.execution_hooks");
  }

  /** The execution context of an application's action on a cluster. */
  static ExecutionContext context(Application app, String cluster, String namespace) {
    ExecutionContext context =
        ExecutionContext.of(app.metadata().namespace().orElse(""), app.metadata().name())
            .withCluster(cluster)
            .withNamespace(namespace);
    for (ObjectNode resource : app.spec().manifest()) {
      String kind = PodTemplates.isWorkload(resource) ? resource.path("kind").asText() : "";
      String name = resource.path("metadata").path("name").asText();
      if (kind.equals("Deployment")) {
        return context.withSubject(Subject.deployment(name));
      }
      if (kind.equals("StatefulSet")) {
        return context.withSubject(Subject.statefulSet(name));
      }
    }
    return context;
  }

  // ------------------------------------------------------------------ lifecycle hooks

  private Optional<LifecycleHooks> lifecycleHooks(Application app) {
    JsonNode node = app.spec().lifecycle();
    if (!node.isObject() || node.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        LifecycleHooks.parse(node, LifecycleHooks.FIELD, gracePeriod(app.spec().manifest())));
  }

  /**
   * The postStart gate: PROCEED once the hook has succeeded in every running pod of its target (or
   * there is none); WAIT while a pod has not started or its hook runs; a failed hook restarts the
   * pod after the kubelet's back-off (the pod is deleted and its controller makes a new one, which
   * runs postStart again), or FAIL for a pod whose restart policy is Never.
   */
  ActionOutcome postStart(ResourceKey key, Application app, String cluster, ClusterClient client) {
    Optional<LifecycleHooks> hooks = lifecycleHooks(app);
    if (hooks.isEmpty() || hooks.get().postStart().isEmpty()) {
      return ActionOutcome.proceed();
    }
    LifecycleHandler handler = hooks.get().postStart().orElseThrow();
    List<TargetPods.TargetPod> pods = TargetPods.pods(app, handler, client);
    if (pods.isEmpty()) {
      return ActionOutcome.waitFor(POD_RECHECK, clock);
    }
    List<LifecycleRun> runs =
        lifecycle.records().list(key.namespace(), key.name()).stream()
            .filter(r -> r.hook() == cloud.krake.hooks.lifecycle.LifecycleHookPoint.POST_START)
            .toList();
    Optional<Duration> wait = Optional.empty();
    for (TargetPods.TargetPod pod : pods) {
      String target = cluster + "/" + pod.namespace() + "/" + pod.name();
      Optional<LifecycleRun> latest =
          runs.stream()
              .filter(r -> r.target().equals(target))
              .filter(r -> pod.created().map(c -> !r.startedAt().isBefore(c)).orElse(true))
              .reduce((a, b) -> b);
      if (latest.isPresent() && latest.get().state() == LifecycleRun.State.SUCCEEDED) {
        continue;
      }
      if (latest.isPresent() && latest.get().state() == LifecycleRun.State.FAILED) {
        if (pod.restartPolicy().equals("Never")) {
          return ActionOutcome.fail(
              Reason.of(
                  ReasonCode.INTERNAL_ERROR,
                  "FailedPostStartHook in pod "
                      + pod.name()
                      + " (restartPolicy Never): "
                      + latest.get().error().orElse("")));
        }
        int failures = trailingFailures(runs);
        Instant due =
            latest.get().finishedAt().orElse(clock.instant()).plus(backoff.delay(failures));
        if (clock.instant().isBefore(due)) {
          wait = shorter(wait, until(due));
          continue;
        }
        log.info(
            "application {}: restarting pod {} after its postStart hook failed ({} in a row)",
            key,
            pod.name(),
            failures);
        client.delete(pod.pod());
        wait = shorter(wait, POD_RECHECK);
        continue;
      }
      if (!pod.containerRunning()) {
        wait = shorter(wait, POD_RECHECK);
        continue;
      }
      LifecycleContext context = pod.context(key, cluster, TargetPods.secrets(app));
      String id =
          key + "|postStart|" + target + "|" + pod.pod().path("metadata").path("uid").asText();
      Optional<Object> outcome =
          async(id, key, interruptible(() -> lifecycle.postStart(hooks.get(), context)));
      if (outcome.isEmpty()) {
        return waiting(wait);
      }
      // ended: its record is read on the next pass (a failure counts from there)
      if (outcome.get() instanceof Throwable failure) {
        log.warn(
            "application {}: postStart in {} could not run: {}",
            key,
            pod.name(),
            failure.toString());
      }
      wait = shorter(wait, Duration.ZERO);
    }
    return wait.isEmpty() ? ActionOutcome.proceed() : waiting(wait);
  }

  private static int trailingFailures(List<LifecycleRun> runs) {
    int n = 0;
    for (int i = runs.size() - 1; i >= 0 && runs.get(i).state() == LifecycleRun.State.FAILED; i--) {
      n++;
    }
    return Math.max(n, 1);
  }

  /**
   * The preStop gate before an application's workload is deleted from a cluster: for every running
   * pod of the target, the hook runs within the pod's termination grace period, and the pod is then
   * deleted with what is left of it (at least the kubelet's 2 s). PROCEED once no pod of the target
   * is left running (pods already terminating are not stopped again); skipped at a grace period of
   * 0; a failure ({@code FailedPreStopHook}) does not stop the termination.
   */
  ActionOutcome preStop(
      ResourceKey key, Application app, String cluster, ClusterClient client, String operation) {
    Optional<LifecycleHooks> hooks = lifecycleHooks(app);
    if (hooks.isEmpty() || hooks.get().preStop().isEmpty()) {
      return ActionOutcome.proceed();
    }
    List<TargetPods.TargetPod> pods;
    try {
      pods = TargetPods.pods(app, hooks.get().preStop().orElseThrow(), client);
    } catch (KrakeException e) {
      log.warn("application {}: pods for preStop could not be listed: {}", key, e.getMessage());
      return ActionOutcome.proceed();
    }
    boolean waiting = false;
    for (TargetPods.TargetPod pod : pods) {
      if (!pod.containerRunning()) {
        continue; // the kubelet runs preStop only on the kill path of a running container
      }
      LifecycleContext context = pod.context(key, cluster, TargetPods.secrets(app));
      String id = key + "|preStop|" + operation + "|" + pod.name();
      Duration grace = Duration.ofSeconds(pod.gracePeriod());
      Optional<Object> outcome =
          async(id, key, interruptible(() -> lifecycle.preStop(hooks.get(), context, grace)));
      if (outcome.isEmpty()) {
        waiting = true;
        continue;
      }
      Duration remaining =
          outcome.get() instanceof LifecycleResult result
              ? result.remainingGrace().orElse(grace)
              : grace;
      log.info(
          "application {}: stopping pod {} with {} s of its {} s grace period left",
          key,
          pod.name(),
          remaining.toSeconds(),
          grace.toSeconds());
      client.delete(pod.pod(), remaining);
    }
    return waiting ? ActionOutcome.waitForEvent() : ActionOutcome.proceed();
  }

  // ------------------------------------------------------------------ async

  private interface Interruptible<T> {
    T call() throws InterruptedException;
  }

  private static <T> Supplier<Object> interruptible(Interruptible<T> work) {
    return () -> {
      try {
        return work.call();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CompletionException(e);
      }
    };
  }

  /**
   * The outcome of a piece of work identified by {@code id}: empty while it runs (it is started if
   * it was not), then once its result (or the Throwable it failed with), after which a next call
   * starts it again.
   */
  private Optional<Object> async(String id, ResourceKey key, Supplier<Object> work) {
    if (closed) {
      return Optional.empty();
    }
    CompletableFuture<Object> future =
        running.computeIfAbsent(
            id,
            i -> {
              CompletableFuture<Object> f = new CompletableFuture<>();
              try {
                executor.execute(
                    () -> {
                      try {
                        f.complete(work.get());
                      } catch (RuntimeException | Error e) {
                        f.complete(
                            e instanceof CompletionException c && c.getCause() != null
                                ? c.getCause()
                                : e);
                      }
                      requeue.accept(key);
                    });
              } catch (java.util.concurrent.RejectedExecutionException e) {
                f.complete(e);
              }
              return f;
            });
    if (!future.isDone()) {
      return Optional.empty();
    }
    running.remove(id, future);
    return Optional.of(future.join());
  }

  private Duration until(Instant at) {
    Duration d = Duration.between(clock.instant(), at);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static Optional<Duration> shorter(Optional<Duration> a, Duration b) {
    return Optional.of(a.isEmpty() || b.compareTo(a.get()) < 0 ? b : a.get());
  }

  /** Forgets an application's finished-hook markers (it is gone). */
  void forget(ResourceKey key) {
    String prefix = key + "|";
    finished.removeIf(id -> id.startsWith(prefix));
  }

  @Override
  public void close() {
    closed = true;
    // The pool is the instance's (KrakeExecutors), shut down when the instance closes.
    lifecycle.close();
    for (AutoCloseable resource : resources) {
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("closing {} failed: {}", resource, e.toString());
      }
    }
  }
}
