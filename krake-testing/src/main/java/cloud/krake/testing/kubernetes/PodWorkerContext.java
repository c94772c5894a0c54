package cloud.krake.testing.kubernetes;

import static cloud.krake.testing.kubernetes.LocalKubelet.CLOSE_TIMEOUT;
import static cloud.krake.testing.kubernetes.LocalKubelet.POD_IP;

import cloud.krake.runtime.Timer;
import cloud.krake.testing.kubernetes.LocalKubelet.PodIsolation;
import cloud.krake.testing.kubernetes.LocalKubelet.PodNetwork;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the {@link PodWorker}s and the {@link KubeletEndpoints} of a {@link LocalKubelet} use of it:
 * its clock, timer, sync thread and I/O threads, the command line of a container process (in a
 * bubblewrap sandbox or as a plain process), the environment and volumes' lookups a container
 * starts from, the node network of isolated Pods, the host ports relayed into them, the claims'
 * directories, its once-only warnings, and its {@link PodSyncLoop} (through {@link #podChanged},
 * {@link #enqueuePod} and {@link #worker}). Thread-safe.
 */
final class PodWorkerContext {
  private static final Logger log = LoggerFactory.getLogger(LocalKubelet.class);

  private static final Pattern LOOPBACK_PORT =
      Pattern.compile("(?i)(?:127\\.0\\.0\\.1|localhost):(\\d{1,5})(?!\\d)");

  private final String cluster;
  private final String kubelet; // its toString()
  private final Clock clock;
  private final Timer scheduler;
  private final ExecutorService sync;
  private final Executor io;
  private final AtomicBoolean closed;
  private final Path workDirectory;
  private final Path bwrap;
  private final PodIsolation podIsolation; // BUBBLEWRAP or PLAIN_PROCESS
  private final PlainProcess.Tools plain; // with PLAIN_PROCESS
  private final Set<Path> createdOnHost = ConcurrentHashMap.newKeySet();
  private final List<String> defaultCommand;
  private final int logLimitBytes;
  private final PodConfig.Lookup lookup;
  private final NodeNetwork network; // null with PodNetwork.HOST
  private final Set<Integer> hostPorts;
  private final int apiServerPort;
  private final Set<Process> execs = ConcurrentHashMap.newKeySet();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final PodSyncLoop pods;

  /** The kubelet's settings, as it resolved them; {@code pods} makes its sync loop. */
  PodWorkerContext(
      String cluster,
      String kubelet,
      Clock clock,
      Timer scheduler,
      ExecutorService sync,
      Executor io,
      AtomicBoolean closed,
      Path workDirectory,
      Path bwrap,
      PodIsolation podIsolation,
      PlainProcess.Tools plain,
      List<String> defaultCommand,
      int logLimitBytes,
      PodConfig.Lookup lookup,
      NodeNetwork network,
      Set<Integer> hostPorts,
      int apiServerPort,
      Function<PodWorkerContext, PodSyncLoop> pods) {
    this.cluster = cluster;
    this.kubelet = kubelet;
    this.clock = clock;
    this.scheduler = scheduler;
    this.sync = sync;
    this.io = io;
    this.closed = closed;
    this.workDirectory = workDirectory;
    this.bwrap = bwrap;
    this.podIsolation = podIsolation;
    this.plain = plain;
    this.defaultCommand = defaultCommand;
    this.logLimitBytes = logLimitBytes;
    this.lookup = lookup;
    this.network = network;
    this.hostPorts = hostPorts;
    this.apiServerPort = apiServerPort;
    this.pods = pods.apply(this);
  }

  /** The kubelet's sync loop. */
  PodSyncLoop pods() {
    return pods;
  }

  /** The isolation a kubelet gives its Pods, as {@link LocalKubelet#isolation()} says it. */
  String describeIsolation(PodIsolation asked, String hostNetworkReason) {
    String processes;
    if (podIsolation == PodIsolation.BUBBLEWRAP) {
      processes = "Pods run in bubblewrap sandboxes (" + bwrap + ")";
    } else {
      String why = asked == PodIsolation.PLAIN_PROCESS ? "as asked" : "no bubblewrap at " + bwrap;
      processes =
          plain.namespaces()
              ? "Pods run as plain processes in private mount and PID namespaces (" + why + ")"
              : "Pods run as plain processes sharing the host's mounts, PIDs and /tmp ("
                  + why
                  + "; private namespaces need root and unshare)";
    }
    String networking =
        network == null
            ? "on the host's network (" + hostNetworkReason + ")"
            : "each in its own network namespace (bridge "
                + network.bridge()
                + ", "
                + network.gateway()
                + "/24)";
    return processes + ", " + networking;
  }

  /**
   * Removes the mount points plain processes had created on the host, where they hold nothing but
   * directories (another kubelet may have put something there meanwhile: left alone).
   */
  void removeCreatedMountPoints() {
    for (Path path : createdOnHost) {
      try (Stream<Path> tree = Files.walk(path)) {
        if (tree.allMatch(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
          deleteRecursively(path);
        }
      } catch (IOException | UncheckedIOException e) {
        // gone already, or not ours to remove
      }
    }
  }

  void enqueuePod(String namespace, String name) {
    pods.enqueuePod(namespace, name);
  }

  /** After a container of the worker exited. */
  void podChanged(PodWorker worker) {
    pods.podChanged(worker);
  }

  /** The worker of a Pod, for a log or exec request; an {@link ApiError} if there is none. */
  PodWorker worker(String namespace, String pod) {
    return pods.worker(namespace, pod);
  }

  Instant now() {
    return clock.instant();
  }

  Timer timer() {
    return scheduler;
  }

  Executor io() {
    return io;
  }

  /** The running exec processes, ended by {@link LocalKubelet#close()}. */
  Set<Process> execs() {
    return execs;
  }

  /**
   * The command line running {@code argv} as a container (or exec) process: in a bubblewrap
   * sandbox, or as a plain process ({@link PlainProcess}), whose mount points missing on the host
   * are remembered to be removed on close.
   *
   * @throws IllegalStateException if a plain process cannot have its volumes (message says why)
   */
  List<String> containerCommand(
      Path tmp, List<Sandbox.Mount> mounts, String workingDir, List<String> argv) {
    if (podIsolation == PodIsolation.BUBBLEWRAP) {
      return Sandbox.command(bwrap, tmp, mounts, workingDir, argv);
    }
    List<String> command = PlainProcess.command(plain, tmp, mounts, workingDir, argv);
    if (plain.namespaces()) {
      createdOnHost.addAll(PlainProcess.missingOnHost(mounts, workingDir));
    }
    return command;
  }

  /**
   * Whether a container's PID 1 is the child of the process the kubelet started (bubblewrap, or
   * {@code unshare --fork}) rather than that process itself.
   */
  boolean pid1IsChild() {
    return podIsolation == PodIsolation.BUBBLEWRAP || plain.namespaces();
  }

  List<String> defaultCommand() {
    return defaultCommand;
  }

  int logLimitBytes() {
    return logLimitBytes;
  }

  PodConfig.Lookup lookup() {
    return lookup;
  }

  /** The node network of isolated Pods; empty with {@link PodNetwork#HOST}. */
  java.util.Optional<NodeNetwork> network() {
    return java.util.Optional.ofNullable(network);
  }

  /**
   * The host ports a container of an isolated Pod reaches at its {@code 127.0.0.1}: the API
   * server's, every {@code 127.0.0.1:<port>} or {@code localhost:<port>} in its environment's
   * values (the hook URLs), and {@link LocalKubelet.Builder#hostPorts}.
   */
  Set<Integer> hostPorts(Map<String, String> env) {
    Set<Integer> ports = new java.util.TreeSet<>(hostPorts);
    ports.add(apiServerPort);
    for (String value : env.values()) {
      Matcher matcher = LOOPBACK_PORT.matcher(value);
      while (matcher.find()) {
        int port = Integer.parseInt(matcher.group(1));
        if (port > 0 && port < 65536) {
          ports.add(port);
        }
      }
    }
    return ports;
  }

  /** Runs a task on the sync thread (dropped once closed). */
  void onSync(Runnable task) {
    try {
      sync.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("Local kubelet for {}: task failed", cluster, e);
            }
          });
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  <T> T onSyncAndWait(Callable<T> task) {
    if (closed.get()) {
      throw new IllegalStateException(this + " is closed");
    }
    try {
      return sync.submit(task).get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException | RejectedExecutionException e) {
      throw new IllegalStateException(this + " did not answer", e);
    }
  }

  /** The environment every container starts from, as an image and the kubelet would set it. */
  Map<String, String> baseEnvironment(ObjectNode pod) {
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOSTNAME", pod.path("metadata").path("name").asText());
    env.put("HOME", "/root");
    env.put("KUBERNETES_SERVICE_HOST", POD_IP);
    env.put("KUBERNETES_SERVICE_PORT", Integer.toString(apiServerPort));
    return env;
  }

  /** The directory standing in for a PersistentVolumeClaim, kept while the kubelet lives. */
  Path claimDirectory(String namespace, JsonNode claim) {
    Path directory =
        workDirectory
            .resolve("claims")
            .resolve(namespace)
            .resolve(claim.path("claimName").asText("unnamed"));
    try {
      return Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void imageIgnored(String image) {
    if (warned.add("image:" + image)) {
      log.info(
          "Local kubelet for {}: image {} is ignored; containers run the host's userland",
          cluster,
          image.isEmpty() ? "(none)" : image);
    }
  }

  void warnOnce(String key, String message) {
    if (warned.add(key)) {
      log.warn("Local kubelet for {}: {}", cluster, message);
    }
  }

  /**
   * A duration as Go prints it ({@code 10s}, {@code 1m20s}, {@code 5m0s}), as in kubelet messages.
   */
  static String goDuration(Duration duration) {
    long seconds = duration.toSeconds();
    return seconds < 60 ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
  }

  static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      log.debug("cannot delete {}: {}", path, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return kubelet;
  }
}
