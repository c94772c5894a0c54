package cloud.krake.k8s;

import cloud.krake.dispatcher.HookException;
import cloud.krake.hooks.execution.Cancellation;
import cloud.krake.hooks.execution.KubeExecFunction;
import cloud.krake.hooks.execution.KubeTaskFunction;
import cloud.krake.hooks.execution.PodRunner;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.KrakeExecutors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PodRunner} of {@link KubeTaskFunction KubeTask} and {@link KubeExecFunction KubeExec}
 * on {@link ClusterClient}s, as Kanister's {@code KubeTask} and {@code KubeExec} do it.
 *
 * <pre>{@code
 * KubernetesPodRunner pods = KubernetesPodRunner.of(connector.connect(cluster));
 * ExecutionEngine engine =
 *     ExecutionEngine.builder().podRunner(pods).objectReader(KubernetesObjectReader.of(client)).build();
 * }</pre>
 *
 * <p>{@link #run}: creates the Pod {@code krake-task-<random>} in the task's namespace (one
 * container {@value #CONTAINER} with the task's image and command, {@code restartPolicy: Never},
 * {@code activeDeadlineSeconds} from the deadline, labels {@value #MANAGED_BY_LABEL}{@code =krake}
 * and {@value #TASK_LABEL}{@code =true}), with the task's {@code podOverride} merged into its spec
 * as a strategic merge patch would (objects merged, {@code containers} merged by name, other lists
 * replaced), so the pod-level {@code securityContext} ({@code runAsNonRoot} by default, set by
 * KubeTask) is the task's. It then follows the Pod by a watch of the namespace's Pods (re-read
 * every {@value #RECHECK_SECONDS} s in case the watch lags) until its phase is {@code Succeeded} or
 * {@code Failed}, reads the container's log and exit code, and deletes the Pod, on every outcome
 * (deadline, cancellation, interruption, failure) before returning.
 *
 * <p>{@link #exec}: {@link ClusterClient#exec} with the time left until the request's deadline, on
 * a bounded pool of this runner ({@code krake-pod-exec-N}, at most {@value #MAX_EXECS} at once) so
 * that the calling thread can notice a cancellation and stop the stream.
 *
 * <p>Cancellation flags are polled every {@value #POLL_MILLIS} ms. Deadlines are compared with the
 * injected {@link Clock}. Failures are {@link HookException}s naming {@code KubeTask} or {@code
 * KubeExec}, with the {@link KubernetesException} as cause. Thread-safe.
 */
public final class KubernetesPodRunner implements PodRunner, AutoCloseable {

  /** The name of the task pod's container (Kanister's). */
  public static final String CONTAINER = "container";

  /** The label marking task pods as made by Krake. */
  public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";

  /** The label marking task pods. */
  public static final String TASK_LABEL = "krake.cloud/task";

  /** The prefix of task pod names. */
  public static final String NAME_PREFIX = "krake-task-";

  /** How often a wait looks at the cancellation flag, in milliseconds. */
  public static final long POLL_MILLIS = 200;

  /** How often a waiting run re-reads its pod besides the watch, in seconds. */
  public static final long RECHECK_SECONDS = 5;

  /** The most execs running at once. */
  public static final int MAX_EXECS = 16;

  private static final Logger log = LoggerFactory.getLogger(KubernetesPodRunner.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

  private final Function<ResourceRef, ClusterClient> clients;
  private final Clock clock;
  private final ThreadPoolExecutor execs;

  private KubernetesPodRunner(Function<ResourceRef, ClusterClient> clients, Clock clock) {
    this.clients = clients;
    this.clock = clock;
    this.execs =
        new ThreadPoolExecutor(
            0,
            MAX_EXECS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            KrakeExecutors.daemonThreads("krake-pod-exec-"));
  }

  /**
   * Creates a runner for one cluster: every task and exec goes to this client, whatever cluster it
   * names.
   *
   * @param client the cluster's client; not closed by the runner
   * @return the runner, on the system clock
   */
  public static KubernetesPodRunner of(ClusterClient client) {
    Objects.requireNonNull(client, "client");
    return new KubernetesPodRunner(cluster -> client, Clock.systemUTC());
  }

  /**
   * Creates a runner for several clusters.
   *
   * @param clients the client of a cluster by its reference ({@link PodRunner.PodTask#cluster()},
   *     namespace and name); may throw {@link KubernetesException} or {@link HookException} for an
   *     unknown cluster
   * @param clock the time deadlines are compared with
   * @return the runner
   */
  public static KubernetesPodRunner of(Function<ResourceRef, ClusterClient> clients, Clock clock) {
    return new KubernetesPodRunner(
        Objects.requireNonNull(clients, "clients"), Objects.requireNonNull(clock, "clock"));
  }

  /**
   * {@inheritDoc}
   *
   * @throws HookException when the pod cannot be created or read, fails without a container exit
   *     code, disappears, is not complete by the deadline, or the run is cancelled
   */
  @Override
  public PodResult run(PodTask task, Cancellation cancellation) throws InterruptedException {
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(cancellation, "cancellation");
    String hook = KubeTaskFunction.NAME;
    ClusterClient client = client(hook, task.cluster());
    String name = NAME_PREFIX + randomSuffix();
    String where =
        "pod " + task.namespace() + "/" + name + " in cluster " + display(task.cluster());
    ObjectNode pod = pod(task, name, clock.instant());
    PodState state = new PodState(name);
    ObjectWatch watch;
    try {
      watch = client.watch("v1", "Pod", Optional.of(task.namespace()), state);
    } catch (KubernetesException e) {
      throw new HookException(hook, "cannot watch the pods of " + where + ": " + e.getMessage(), e);
    }
    boolean created = false;
    try {
      client.apply(pod);
      created = true;
      log.debug("KubeTask: created {}", where);
      ObjectNode done = awaitCompletion(client, task, pod, state, cancellation, where);
      int exitCode = exitCode(done, where);
      String logs = client.logs(task.namespace(), name, Optional.of(CONTAINER));
      log.debug("KubeTask: {} exited with {}", where, exitCode);
      return new PodResult(exitCode, logs);
    } catch (KubernetesException e) {
      throw new HookException(hook, where + ": " + e.getMessage(), e);
    } finally {
      watch.close();
      if (created) {
        delete(client, pod, where);
      }
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws HookException when the pod or container does not exist, the pod is not running, the
   *     command does not finish by the deadline, or the run is cancelled
   */
  @Override
  public ExecResult exec(ExecRequest request, Cancellation cancellation)
      throws InterruptedException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(cancellation, "cancellation");
    String hook = KubeExecFunction.NAME;
    String where =
        "exec in pod "
            + request.namespace()
            + "/"
            + request.pod()
            + request.container().map(c -> " container " + c).orElse("")
            + " in cluster "
            + display(request.cluster());
    ClusterClient client = client(hook, request.cluster());
    Duration timeout = Duration.between(clock.instant(), request.deadline());
    if (timeout.isNegative() || timeout.isZero()) {
      throw new HookException(hook, where + ": the deadline has passed", null);
    }
    Future<KubernetesExecResult> running;
    try {
      running =
          execs.submit(
              () ->
                  client.exec(
                      request.namespace(),
                      request.pod(),
                      request.container(),
                      request.command(),
                      timeout));
    } catch (RejectedExecutionException e) {
      throw new HookException(hook, where + ": too many execs at once (" + MAX_EXECS + ")", e);
    }
    try {
      while (true) {
        if (cancellation.isCancelled()) {
          throw new HookException(hook, where + ": cancelled", null);
        }
        try {
          KubernetesExecResult result = running.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
          return new ExecResult(result.exitCode(), result.stdout(), result.stderr());
        } catch (TimeoutException e) {
          // still running: look at the cancellation flag again
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          String message =
              cause instanceof KubernetesException
                  ? cause.getMessage()
                  : where + ": " + cause.getClass().getSimpleName();
          throw new HookException(hook, message, cause);
        }
      }
    } finally {
      running.cancel(true);
    }
  }

  /** Stops the execs still running (their streams are closed). Idempotent. */
  @Override
  public void close() {
    execs.shutdownNow();
  }

  @Override
  public String toString() {
    return "KubernetesPodRunner[execs=" + execs.getActiveCount() + "]";
  }

  private ClusterClient client(String hook, ResourceRef cluster) {
    try {
      return Objects.requireNonNull(
          clients.apply(cluster), "no client for cluster " + display(cluster));
    } catch (KubernetesException | NullPointerException e) {
      throw new HookException(hook, "cluster " + display(cluster) + ": " + e.getMessage(), e);
    }
  }

  /** {@code namespace/name} of a cluster, for messages. */
  static String display(ResourceRef cluster) {
    return cluster.namespace().map(ns -> ns + "/").orElse("") + cluster.name();
  }

  /** Waits until the pod is complete; returns its last state. */
  private ObjectNode awaitCompletion(
      ClusterClient client,
      PodTask task,
      ObjectNode pod,
      PodState state,
      Cancellation cancellation,
      String where)
      throws InterruptedException {
    String hook = KubeTaskFunction.NAME;
    Instant recheck = clock.instant().plusSeconds(RECHECK_SECONDS);
    long seen = -1;
    while (true) {
      PodState.Snapshot snapshot = state.awaitChange(seen, POLL_MILLIS);
      seen = snapshot.version();
      if (snapshot.deleted()) {
        throw new HookException(hook, where + ": the pod was deleted before it completed", null);
      }
      Optional<ObjectNode> current = snapshot.pod();
      if (current.isPresent() && isComplete(current.get())) {
        return current.get();
      }
      if (cancellation.isCancelled()) {
        throw new HookException(hook, where + ": cancelled", null);
      }
      Instant now = clock.instant();
      if (!now.isBefore(task.deadline())) {
        throw new HookException(
            hook,
            where
                + ": not complete by the deadline "
                + task.deadline()
                + " ("
                + describe(current)
                + ")",
            null);
      }
      if (!now.isBefore(recheck)) {
        recheck = now.plusSeconds(RECHECK_SECONDS);
        Optional<ObjectNode> read = client.get(pod);
        if (read.isEmpty()) {
          throw new HookException(hook, where + ": the pod disappeared before it completed", null);
        }
        state.observed(read.get());
      }
    }
  }

  private static boolean isComplete(ObjectNode pod) {
    String phase = pod.path("status").path("phase").asText("");
    return phase.equals("Succeeded") || phase.equals("Failed");
  }

  private static int exitCode(ObjectNode pod, String where) {
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      if (status.path("name").asText().equals(CONTAINER)) {
        JsonNode terminated = status.path("state").path("terminated");
        if (terminated.path("exitCode").isIntegralNumber()) {
          return terminated.path("exitCode").asInt();
        }
      }
    }
    JsonNode status = pod.path("status");
    throw new HookException(
        KubeTaskFunction.NAME,
        where
            + ": the pod is "
            + status.path("phase").asText()
            + " without an exit code of its container ("
            + status.path("reason").asText("no reason")
            + ": "
            + status.path("message").asText("no message")
            + ")",
        null);
  }

  /** The pod's phase and its container's waiting reason, for a deadline message. */
  private static String describe(Optional<ObjectNode> pod) {
    if (pod.isEmpty()) {
      return "the pod was not seen yet";
    }
    JsonNode status = pod.get().path("status");
    StringBuilder text = new StringBuilder("phase ").append(status.path("phase").asText("unknown"));
    for (JsonNode container : status.path("containerStatuses")) {
      JsonNode waiting = container.path("state").path("waiting");
      if (waiting.isObject()) {
        text.append(", waiting: ").append(waiting.path("reason").asText(""));
        if (waiting.hasNonNull("message")) {
          text.append(" (").append(waiting.path("message").asText()).append(')');
        }
      }
    }
    return text.toString();
  }

  private void delete(ClusterClient client, ObjectNode pod, String where) {
    // The pod is deleted even when the run was interrupted: the interrupt is held meanwhile.
    boolean interrupted = Thread.interrupted();
    try {
      client.delete(pod);
      log.debug("KubeTask: deleted {}", where);
    } catch (KubernetesException e) {
      log.warn("KubeTask: could not delete {}: {}", where, e.getMessage());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The task's pod: Kanister's KubeTask pod with the override merged into its spec. */
  static ObjectNode pod(PodTask task, String name, Instant now) {
    ObjectNode pod = JsonNodeFactory.instance.objectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode metadata = pod.putObject("metadata");
    metadata.put("name", name).put("namespace", task.namespace());
    metadata.putObject("labels").put(MANAGED_BY_LABEL, "krake").put(TASK_LABEL, "true");
    ObjectNode spec = pod.putObject("spec");
    spec.put("restartPolicy", "Never");
    long seconds = Duration.between(now, task.deadline()).toSeconds();
    spec.put("activeDeadlineSeconds", Math.max(1, seconds + 1));
    ObjectNode container = spec.putArray("containers").addObject();
    container.put("name", CONTAINER).put("image", task.image());
    container.put("imagePullPolicy", "IfNotPresent");
    ArrayNode command = container.putArray("command");
    task.command().forEach(command::add);
    merge(spec, task.podOverride());
    return pod;
  }

  /** Merges a pod-spec fragment as a strategic merge patch: lists of named items by name. */
  static void merge(ObjectNode target, ObjectNode patch) {
    for (Map.Entry<String, JsonNode> field : patch.properties()) {
      JsonNode value = field.getValue();
      JsonNode existing = target.get(field.getKey());
      if (value.isNull()) {
        target.remove(field.getKey());
      } else if (value instanceof ObjectNode object && existing instanceof ObjectNode current) {
        merge(current, object);
      } else if (value instanceof ArrayNode list
          && existing instanceof ArrayNode current
          && NAMED_LISTS.contains(field.getKey())) {
        mergeByName(current, list);
      } else {
        target.set(field.getKey(), value.deepCopy());
      }
    }
  }

  /** Pod-spec lists whose items strategic merge patches merge by {@code name}. */
  private static final List<String> NAMED_LISTS =
      List.of("containers", "initContainers", "volumes", "env", "volumeMounts");

  private static void mergeByName(ArrayNode target, ArrayNode patch) {
    outer:
    for (JsonNode item : patch) {
      String name = item.path("name").asText("");
      if (!name.isEmpty() && item instanceof ObjectNode object) {
        for (JsonNode current : target) {
          if (current instanceof ObjectNode currentObject
              && current.path("name").asText("").equals(name)) {
            merge(currentObject, object);
            continue outer;
          }
        }
      }
      target.add(item.deepCopy());
    }
  }

  private static String randomSuffix() {
    char[] chars = new char[8];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = NAME_CHARS[RANDOM.nextInt(NAME_CHARS.length)];
    }
    return new String(chars);
  }

  /** What the watch saw of one pod. Guarded by {@link #lock}. */
  private static final class PodState implements ObjectListener {
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** The pod's latest state; null until seen. Guarded by {@link #lock}. */
    private ObjectNode pod;

    /** Whether a DELETED event came. Guarded by {@link #lock}. */
    private boolean deleted;

    /** Counts changes. Guarded by {@link #lock}. */
    private long version;

    PodState(String name) {
      this.name = name;
    }

    record Snapshot(long version, Optional<ObjectNode> pod, boolean deleted) {}

    @Override
    public void onEvent(ObjectEvent event) {
      if (!isMine(event.object())) {
        return;
      }
      lock.lock();
      try {
        if (event.type() == ObjectEvent.Type.DELETED) {
          deleted = true;
        }
        pod = event.object();
        version++;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void onResync(List<ObjectNode> objects) {
      for (ObjectNode object : objects) {
        if (isMine(object)) {
          observed(object);
        }
      }
    }

    void observed(ObjectNode object) {
      lock.lock();
      try {
        pod = object;
        version++;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Waits up to {@code millis} for a change after {@code seen}; returns the current state. */
    Snapshot awaitChange(long seen, long millis) throws InterruptedException {
      lock.lock();
      try {
        long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
        while (version == seen && nanos > 0) {
          nanos = changed.awaitNanos(nanos);
        }
        return new Snapshot(version, Optional.ofNullable(pod), deleted);
      } finally {
        lock.unlock();
      }
    }

    private boolean isMine(ObjectNode object) {
      return object.path("metadata").path("name").asText().equals(name);
    }
  }
}
