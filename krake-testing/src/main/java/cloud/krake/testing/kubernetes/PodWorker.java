package cloud.krake.testing.kubernetes;

import cloud.krake.runtime.Timer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Pod on the local kubelet: its volumes, its containers' processes, their restarts with the
 * kubelet's back-off, its termination, and the status it reports.
 *
 * <p>Confined to the kubelet's sync thread, except {@link Container#log} buffers (thread-safe) and
 * the process pumps, which only post back to the sync thread.
 */
final class PodWorker {
  private static final Logger log = LoggerFactory.getLogger(PodWorker.class);

  /** The kubelet's first back-off, doubled per restart. */
  static final Duration BACKOFF_INITIAL = Duration.ofSeconds(10);

  /** The kubelet's longest back-off. */
  static final Duration BACKOFF_MAX = Duration.ofMinutes(5);

  /** A container that ran this long without exiting resets its back-off, as the kubelet's. */
  static final Duration BACKOFF_RESET = Duration.ofMinutes(10);

  /** The kubelet's minimum grace period, used when the Pod object is already gone. */
  static final long MINIMUM_GRACE_SECONDS = 2;

  enum State {
    WAITING,
    RUNNING,
    TERMINATED
  }

  /** One container and its current and previous run. */
  final class Container {
    final String name;
    final JsonNode spec;
    State state = State.WAITING;
    String waitingReason = "ContainerCreating";
    String waitingMessage = "";
    int restartCount;
    boolean everStarted;
    Instant startedAt;
    Instant finishedAt;
    int exitCode;
    String terminatedReason = "";
    ObjectNode lastTerminated;
    Process process;
    long run;
    LogBuffer log;
    LogBuffer previousLog;
    Duration backoff = BACKOFF_INITIAL;
    Timer.Handle restartTimer;
    boolean restartDue = true;
    Map<String, String> env = Map.of();
    List<Sandbox.Mount> mounts = List.of();

    Container(JsonNode spec) {
      this.name = spec.path("name").asText();
      this.spec = spec;
    }

    String workingDir() {
      String dir = spec.path("workingDir").asText("");
      return dir.startsWith("/") ? dir : "/";
    }

    Path tmp() {
      return directory.resolve("containers").resolve(name).resolve("tmp");
    }
  }

  final String namespace;
  final String name;
  final String uid;
  private final PodWorkerContext kubelet;
  private final Path directory;
  final Instant startTime;
  private final Map<String, Container> containers = new LinkedHashMap<>();
  private final PodStatusReport report = new PodStatusReport();
  ObjectNode pod;
  boolean volumesReady;
  String volumeError = "";
  private PodSandbox sandbox; // null until created, and on the host's network
  String sandboxError = "";
  private boolean terminating;
  private boolean gone;
  private Timer.Handle killTimer;

  PodWorker(PodWorkerContext kubelet, ObjectNode pod, Path directory) {
    this.kubelet = kubelet;
    this.pod = pod;
    JsonNode metadata = pod.path("metadata");
    this.namespace = metadata.path("namespace").asText();
    this.name = metadata.path("name").asText();
    this.uid = metadata.path("uid").asText();
    this.directory = directory;
    this.startTime = kubelet.now();
    for (JsonNode spec : pod.path("spec").path("containers")) {
      containers.put(spec.path("name").asText(), new Container(spec));
    }
    if (pod.path("spec").path("initContainers").size() > 0) {
      log.warn("Pod {}/{}: init containers are not run by the local kubelet", namespace, name);
    }
  }

  Map<String, Container> containers() {
    return containers;
  }

  boolean terminating() {
    return terminating;
  }

  /** Whether a container waits for a Secret or ConfigMap that may still appear. */
  boolean waitingForConfig() {
    return !terminating
        && (!volumesReady
            || containers.values().stream()
                .anyMatch(c -> c.waitingReason.equals("CreateContainerConfigError")));
  }

  /** Whether no process of this Pod is running. */
  boolean stopped() {
    return containers.values().stream().allMatch(c -> c.process == null);
  }

  /** Starts what should run (first start, config now present, restart due). */
  void sync(ObjectNode current) {
    this.pod = current;
    if (terminating) {
      return;
    }
    if (!volumesReady && !materialiseVolumes()) {
      return;
    }
    if (!sandboxReady()) {
      return;
    }
    for (Container container : containers.values()) {
      if (container.state == State.WAITING && container.restartDue) {
        start(container);
      }
    }
  }

  /** Whether the Pod uses the host's network ({@code hostNetwork: true} or a HOST kubelet). */
  private boolean hostNetwork() {
    return kubelet.network().isEmpty() || pod.path("spec").path("hostNetwork").asBoolean(false);
  }

  /**
   * Creates the Pod's network sandbox if it has none (or its holder died while no container ran),
   * as the kubelet's RunPodSandbox; false (containers wait) if that fails.
   */
  private boolean sandboxReady() {
    if (hostNetwork()) {
      return true;
    }
    if (sandbox != null && !sandbox.alive() && stopped()) {
      log.warn("Pod {}/{}: its network sandbox exited; creating a new one", namespace, name);
      releaseNetwork();
    }
    if (sandbox != null) {
      return true;
    }
    try {
      sandbox = kubelet.network().orElseThrow().open(namespace + "/" + name);
      sandboxError = "";
      return true;
    } catch (IllegalStateException e) {
      sandboxError = "failed to create pod sandbox: " + e.getMessage();
      log.warn("Pod {}/{}: {}", namespace, name, sandboxError);
      return false;
    }
  }

  /** The command prefix that enters the Pod's network namespace (empty on the host's network). */
  List<String> enterNetwork() {
    return sandbox == null ? List.of() : sandbox.enter();
  }

  /** Gives the Pod's address back, once its processes have stopped; idempotent. */
  void releaseNetwork() {
    if (sandbox != null) {
      PodSandbox released = sandbox;
      sandbox = null;
      kubelet.network().ifPresent(network -> network.release(released));
    }
  }

  /** The Pod's {@code podIP}: its sandbox's, the host's, or empty before the sandbox exists. */
  Optional<String> podIp() {
    if (sandbox != null) {
      return Optional.of(sandbox.ip());
    }
    return hostNetwork() ? Optional.of(LocalKubelet.POD_IP) : Optional.empty();
  }

  private boolean materialiseVolumes() {
    try {
      for (JsonNode volume : pod.path("spec").path("volumes")) {
        String volumeName = volume.path("name").asText();
        if (volume.has("persistentVolumeClaim")) {
          continue; // a directory per claim, kept by the kubelet
        }
        if (!volume.has("secret")
            && !volume.has("configMap")
            && !volume.has("projected")
            && !volume.has("emptyDir")) {
          kubelet.warnOnce(
              "volume-" + volume.fieldNames().next(),
              "volume sources other than secret, configMap, projected, emptyDir,"
                  + " persistentVolumeClaim and hostPath are mounted as empty directories");
        }
        if (volume.has("hostPath")) {
          continue;
        }
        PodConfig.materialise(pod, volume, volumeDirectory(volumeName), kubelet.lookup());
      }
      volumesReady = true;
      volumeError = "";
      return true;
    } catch (PodConfig.ConfigError e) {
      volumeError = e.getMessage();
      for (Container container : containers.values()) {
        container.waitingReason = "ContainerCreating";
        container.waitingMessage = "";
      }
      log.debug("Pod {}/{} waits for a volume: {}", namespace, name, e.getMessage());
      return false;
    } catch (IOException e) {
      volumeError = "cannot write volume: " + e.getMessage();
      log.warn("Pod {}/{}: cannot materialise its volumes", namespace, name, e);
      return false;
    }
  }

  private Path volumeDirectory(String volumeName) {
    return directory.resolve("volumes").resolve(volumeName);
  }

  private List<Sandbox.Mount> mounts(Container container) {
    Map<String, JsonNode> volumes = new HashMap<>();
    for (JsonNode volume : pod.path("spec").path("volumes")) {
      volumes.put(volume.path("name").asText(), volume);
    }
    List<Sandbox.Mount> mounts = new ArrayList<>();
    for (JsonNode mount : container.spec.path("volumeMounts")) {
      JsonNode volume = volumes.get(mount.path("name").asText());
      String target = mount.path("mountPath").asText("");
      if (volume == null || !target.startsWith("/")) {
        log.warn(
            "Pod {}/{} container {}: volume mount {} skipped (no such volume or relative path)",
            namespace,
            name,
            container.name,
            mount.path("name").asText());
        continue;
      }
      Path source;
      boolean readOnly = mount.path("readOnly").asBoolean(false);
      if (volume.has("persistentVolumeClaim")) {
        source = kubelet.claimDirectory(namespace, volume.get("persistentVolumeClaim"));
      } else if (volume.has("hostPath")) {
        source = Path.of(volume.get("hostPath").path("path").asText("/"));
        readOnly = true; // the host stays read-only
      } else {
        source = volumeDirectory(volume.path("name").asText());
        readOnly |= volume.has("secret") || volume.has("configMap") || volume.has("projected");
      }
      String subPath = mount.path("subPath").asText("");
      if (!subPath.isEmpty()) {
        source = source.resolve(subPath).normalize();
      }
      mounts.add(new Sandbox.Mount(source, Path.of(target).normalize().toString(), readOnly));
    }
    return mounts;
  }

  private void start(Container container) {
    try {
      ObjectNode withIp = pod;
      if (sandbox != null) {
        withIp = pod.deepCopy();
        Json.child(withIp, "status").put("podIP", sandbox.ip());
      }
      container.env =
          PodConfig.environment(
              withIp, container.spec, kubelet.lookup(), kubelet.baseEnvironment(pod));
    } catch (PodConfig.ConfigError e) {
      container.waitingReason = "CreateContainerConfigError";
      container.waitingMessage = e.getMessage();
      return;
    }
    if (sandbox != null) {
      try {
        kubelet.network().orElseThrow().forward(sandbox, kubelet.hostPorts(container.env));
      } catch (IllegalStateException | java.io.UncheckedIOException e) {
        log.warn("Pod {}/{}: container {}: {}", namespace, name, container.name, e.getMessage());
        container.waitingReason = "RunContainerError";
        container.waitingMessage = e.getMessage();
        return;
      }
    }
    List<String> argv = new ArrayList<>();
    for (JsonNode part : container.spec.path("command")) {
      argv.add(PodConfig.expand(part.asText(), container.env));
    }
    for (JsonNode part : container.spec.path("args")) {
      argv.add(PodConfig.expand(part.asText(), container.env));
    }
    kubelet.imageIgnored(container.spec.path("image").asText(""));
    if (argv.isEmpty()) {
      argv.addAll(kubelet.defaultCommand());
    }
    container.mounts = mounts(container);
    Process process;
    try {
      PodWorkerContext.deleteRecursively(container.tmp());
      java.nio.file.Files.createDirectories(container.tmp());
      for (Sandbox.Mount mount : container.mounts) {
        if (!mount.readOnly()) {
          java.nio.file.Files.createDirectories(mount.source());
        }
      }
      List<String> command = new ArrayList<>(enterNetwork());
      command.addAll(
          kubelet.containerCommand(
              container.tmp(), container.mounts, container.workingDir(), argv));
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      builder.environment().clear();
      builder.environment().putAll(container.env);
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      log.warn("Pod {}/{}: cannot start container {}", namespace, name, container.name, e);
      container.waitingReason = "RunContainerError";
      container.waitingMessage = "cannot start the sandbox: " + e.getMessage();
      return;
    }
    if (container.everStarted) {
      container.restartCount++;
    }
    container.everStarted = true;
    container.state = State.RUNNING;
    container.waitingReason = "";
    container.waitingMessage = "";
    container.startedAt = kubelet.now();
    container.process = process;
    container.run++;
    container.previousLog = container.log;
    container.log = new LogBuffer(kubelet.logLimitBytes());
    long run = container.run;
    LogBuffer buffer = container.log;
    try {
      kubelet.io().execute(() -> pump(container, run, process, buffer));
    } catch (RejectedExecutionException e) {
      process.destroyForcibly();
      log.warn("Pod {}/{}: no I/O thread left for container {}", namespace, name, container.name);
    }
    log.debug("Pod {}/{}: container {} started (run {})", namespace, name, container.name, run);
  }

  private void pump(Container container, long run, Process process, LogBuffer buffer) {
    byte[] chunk = new byte[8192];
    try (InputStream output = process.getInputStream()) {
      int n;
      while ((n = output.read(chunk)) > 0) {
        buffer.append(chunk, 0, n);
      }
    } catch (IOException e) {
      // the process went away
    }
    int exitCode;
    try {
      exitCode = process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return;
    }
    kubelet.onSync(() -> exited(container, run, exitCode));
  }

  private void exited(Container container, long run, int exitCode) {
    if (container.run != run || container.state != State.RUNNING) {
      return;
    }
    Instant now = kubelet.now();
    container.process = null;
    container.state = State.TERMINATED;
    container.exitCode = exitCode;
    container.terminatedReason = exitCode == 0 ? "Completed" : "Error";
    container.finishedAt = now;
    log.debug("Pod {}/{}: container {} exited with {}", namespace, name, container.name, exitCode);
    if (!terminating && restarts(exitCode)) {
      if (Duration.between(container.startedAt, now).compareTo(BACKOFF_RESET) >= 0) {
        container.backoff = BACKOFF_INITIAL;
      }
      Duration delay = container.backoff;
      container.backoff =
          container.backoff.multipliedBy(2).compareTo(BACKOFF_MAX) > 0
              ? BACKOFF_MAX
              : container.backoff.multipliedBy(2);
      container.lastTerminated = PodStatusReport.terminatedState(this, container);
      container.state = State.WAITING;
      container.waitingReason = "CrashLoopBackOff";
      container.waitingMessage =
          "back-off "
              + PodWorkerContext.goDuration(delay)
              + " restarting failed container="
              + container.name
              + " pod="
              + name
              + "_"
              + namespace
              + "("
              + uid
              + ")";
      container.restartDue = false;
      container.restartTimer =
          kubelet
              .timer()
              .schedule(
                  () ->
                      kubelet.onSync(
                          () -> {
                            if (container.run == run && !terminating && !gone) {
                              container.restartDue = true;
                              kubelet.enqueuePod(namespace, name);
                            }
                          }),
                  delay);
    }
    kubelet.podChanged(this);
  }

  private boolean restarts(int exitCode) {
    return switch (restartPolicy()) {
      case "Never" -> false;
      case "OnFailure" -> exitCode != 0;
      default -> true;
    };
  }

  String restartPolicy() {
    return pod.path("spec").path("restartPolicy").asText("Always");
  }

  /**
   * Stops the Pod's containers as the kubelet does on deletion: SIGTERM to each container's PID 1
   * now, SIGKILL after {@code graceSeconds} (through the kubelet's scheduler); back-off timers are
   * cancelled. A shorter grace period later (a second delete) brings SIGKILL forward.
   *
   * @param podGone whether the Pod object is gone already (no more status is written)
   */
  void terminate(long graceSeconds, boolean podGone) {
    gone |= podGone;
    boolean first = !terminating;
    terminating = true;
    for (Container container : containers.values()) {
      if (container.restartTimer != null) {
        container.restartTimer.cancel();
        container.restartTimer = null;
      }
      if (container.state == State.WAITING) {
        container.restartDue = false;
      }
    }
    if (!first && killTimer == null) {
      return; // killed already
    }
    if (first) {
      log.debug("Pod {}/{}: terminating with grace {} s", namespace, name, graceSeconds);
      for (Container container : containers.values()) {
        if (container.process != null) {
          signal(container.process, false, kubelet.pid1IsChild());
        }
      }
    }
    if (killTimer != null) {
      killTimer.cancel();
    }
    if (graceSeconds <= 0) {
      killTimer = null;
      kill();
      return;
    }
    killTimer =
        kubelet
            .timer()
            .schedule(
                () ->
                    kubelet.onSync(
                        () -> {
                          killTimer = null;
                          kill();
                        }),
                Duration.ofSeconds(graceSeconds));
  }

  /**
   * SIGKILL to every process of the Pod: each container's, and, for an isolated Pod, any other
   * process in its network namespace (one that lost its sandbox while starting, an exec).
   */
  void kill() {
    for (Container container : containers.values()) {
      if (container.process != null) {
        signal(container.process, true, kubelet.pid1IsChild());
      }
    }
    if (sandbox != null) {
      sandbox.killProcesses();
    }
  }

  /** Cancels timers and kills every process at once (the kubelet is closing). */
  void abort() {
    terminating = true;
    gone = true;
    if (killTimer != null) {
      killTimer.cancel();
    }
    for (Container container : containers.values()) {
      if (container.restartTimer != null) {
        container.restartTimer.cancel();
      }
    }
    kill();
  }

  /**
   * Signals the container's PID 1: the sandbox's child (bubblewrap, {@code unshare --fork}), or the
   * process itself (a plain process without namespaces). A container whose command has not started
   * yet cannot trap SIGTERM, so it is killed at once, as SIGTERM would end it; SIGTERM to the
   * sandbox itself would end {@code bwrap} and could leave its child running.
   */
  private static void signal(Process sandbox, boolean kill, boolean pid1IsChild) {
    Optional<ProcessHandle> pid1 =
        pid1IsChild ? sandbox.toHandle().children().findFirst() : Optional.of(sandbox.toHandle());
    if (kill || pid1.isEmpty()) {
      // The sandbox first, so that it ends by SIGKILL (exit code 137) whatever its wrapper does
      // when it sees its child killed (util-linux 2.38's unshare then exits with 1); its tree is
      // listed before, while the processes are still its descendants.
      List<ProcessHandle> tree = sandbox.toHandle().descendants().toList();
      sandbox.destroyForcibly();
      pid1.ifPresent(ProcessHandle::destroyForcibly);
      tree.forEach(ProcessHandle::destroyForcibly);
    } else {
      pid1.get().destroy();
    }
  }

  boolean gone() {
    return gone;
  }

  // ------------------------------------------------------------------------------- status

  /** The Pod's status as the kubelet reports it. */
  ObjectNode status() {
    return report.status(this);
  }

  /** The phase as the kubelet's {@code getPhase}. */
  String phase() {
    return PodStatusReport.phase(this);
  }

  Instant now() {
    return kubelet.now();
  }

  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  Path directory() {
    return directory;
  }
}
