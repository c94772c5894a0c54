package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Several host instances ({@link LoadHost} JVMs, started with the test's class path) on one etcd,
 * with the Kubernetes clusters of the test JVM's fakes, which outlive them: the launcher of the
 * multi-instance tests. Each instance is a separate process with its own store client, clock and
 * hook endpoint (plain HTTP, see {@link LoadHost}); its log (standard error) goes to a file of its
 * own so that the test can count its warnings.
 *
 * <p>Instances can be killed ({@code SIGKILL}), frozen and resumed ({@code SIGSTOP}/{@code
 * SIGCONT}) and restarted. No instance outlives the test: {@link #close()} ends every one (resuming
 * a frozen one first), and a JVM shutdown hook kills whatever is left if the test JVM ends first.
 *
 * <p>Events of every instance's store watch ({@code running}, {@code gone}, {@code failed}) are
 * merged: the first report of each application counts. Not thread-safe for starting and stopping
 * (the test thread does that); the event maps are concurrent.
 */
final class HostInstances implements AutoCloseable {

  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

  /**
   * The hook base URL every instance of a group puts into the applications' hook Secrets ({@code
   * HooksConfig.endpoint}): one address for the whole group, as a Service or load balancer in front
   * of the replicas would be, never an instance's own (a Secret naming one instance would be
   * rewritten by each new owner of its shard). Nothing dials it: {@link ShutdownServices} takes the
   * path from the Secret and sends it to a live instance, as that load balancer would.
   */
  static final URI GROUP_HOOK_URL = URI.create("http://hooks.krake.test:8080");

  /** One host JVM. */
  static final class Instance {
    final int index;
    final int generation;
    final LoadProtocol.Child child;
    final URI hookEndpoint;
    final Path log;

    /** The applications this instance's own store watch reported RUNNING, then gone. */
    final java.util.Set<String> sawRunning = ConcurrentHashMap.newKeySet();

    final java.util.Set<String> sawGone = ConcurrentHashMap.newKeySet();

    /** The latest {@code shards} event: its owned shards, and when ({@link System#nanoTime()}). */
    volatile List<Integer> ownedShards = List.of();

    volatile long shardsAt;

    volatile boolean frozen;
    volatile boolean gone;

    Instance(int index, int generation, LoadProtocol.Child child, URI hookEndpoint, Path log) {
      this.index = index;
      this.generation = generation;
      this.child = child;
      this.hookEndpoint = hookEndpoint;
      this.log = log;
    }

    boolean live() {
      return !gone && !frozen && child.isAlive();
    }

    long pid() {
      return child.pid();
    }

    @Override
    public String toString() {
      return "instance " + index + "." + generation + " (pid " + child.pid() + ")";
    }
  }

  final Map<String, Long> runningAt = new ConcurrentHashMap<>();
  final Map<String, String> runningOn = new ConcurrentHashMap<>();
  final Map<String, Long> goneAt = new ConcurrentHashMap<>();
  final Map<String, String> failures = new ConcurrentHashMap<>();
  final List<String> commandFailures = Collections.synchronizedList(new ArrayList<>());

  private final List<URI> etcd;
  private final int workers;
  private final List<String> jvmOptions;
  private final List<FakeKubernetesApiServer> clusters;
  private final Path logs;
  private final List<Instance> instances = new ArrayList<>();
  private final List<Instance> everyInstance = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger next = new AtomicInteger();
  private final Thread killer;
  private int leaseTtlSeconds;

  /**
   * @param etcd the etcd endpoints every instance's {@code EtcdStore} gets
   * @param workers each instance's {@code Krake.Builder#workers}
   * @param jvmOptions each instance's JVM options
   * @param clusters the fake clusters, registered by the first instance (labelled {@code
   *     location=<name>})
   */
  HostInstances(
      List<URI> etcd,
      int workers,
      List<String> jvmOptions,
      List<FakeKubernetesApiServer> clusters) {
    this.etcd = List.copyOf(etcd);
    this.workers = workers;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.clusters = List.copyOf(clusters);
    try {
      this.logs = Files.createTempDirectory("krake-instances-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.killer = new Thread(this::killAll, "krake-instances-killer");
    Runtime.getRuntime().addShutdownHook(killer);
  }

  /**
   * Makes the instances started from now on members of one group ({@code Krake.Builder#membership},
   * instance ids {@code i<slot>g<generation>}) with this lease TTL.
   */
  HostInstances grouped(int leaseTtlSeconds) {
    this.leaseTtlSeconds = leaseTtlSeconds;
    return this;
  }

  /** Starts {@code count} instances one after the other, each ready with the clusters ONLINE. */
  HostInstances start(int count) {
    for (int i = 0; i < count; i++) {
      instances.add(launch(i, 0));
    }
    return this;
  }

  private Instance launch(int index, int generation) {
    Path log = logs.resolve("instance-" + index + "." + generation + ".log");
    Instance[] self = new Instance[1];
    List<String> early = Collections.synchronizedList(new ArrayList<>());
    String endpoints = String.join(",", etcd.stream().map(URI::toString).toList());
    LoadProtocol.Child child =
        LoadProtocol.Child.start(
            "instance-" + index + "." + generation,
            LoadHost.class,
            Stream.concat(
                    jvmOptions.stream(),
                    Stream.of(
                        "-Dsun.net.httpserver.nodelay=true",
                        // the group's changes (joins, shares, lapses) in the instance's log
                        "-Dorg.slf4j.simpleLogger.log.cloud.krake.membership=info",
                        "-Dorg.slf4j.simpleLogger.showDateTime=true"))
                .toList(),
            Stream.concat(
                    Stream.of(String.valueOf(workers), "etcd=" + endpoints, "tls=false"),
                    leaseTtlSeconds == 0
                        ? Stream.of()
                        : Stream.of(
                            "membership=i" + index + "g" + generation,
                            "leaseTtl=" + leaseTtlSeconds,
                            "hookUrl=" + GROUP_HOOK_URL))
                .toList(),
            line -> {
              Instance me = self[0];
              if (me == null) {
                synchronized (early) {
                  if (self[0] == null) {
                    boolean isEvent = event(line);
                    if (isEvent) {
                      early.add(line);
                    }
                    return isEvent;
                  }
                  me = self[0];
                }
              }
              return event(me, line);
            },
            ProcessBuilder.Redirect.to(log.toFile()));
    String[] ready = child.await("ready", COMMAND_TIMEOUT).split(" ");
    Instance instance = new Instance(index, generation, child, URI.create(ready[0]), log);
    synchronized (early) {
      self[0] = instance;
      early.forEach(line -> event(instance, line));
    }
    everyInstance.add(instance);
    for (FakeKubernetesApiServer cluster : clusters) {
      String kubeconfig = Base64.getEncoder().encodeToString(cluster.kubeconfig().getBytes(UTF_8));
      child.call("cluster " + cluster.name() + " " + kubeconfig, "cluster", COMMAND_TIMEOUT);
    }
    return instance;
  }

  private boolean event(Instance instance, String line) {
    String[] parts = line.split(" ", 4);
    switch (parts[0]) {
      case "running" -> instance.sawRunning.add(parts[1]);
      case "gone" -> instance.sawGone.add(parts[1]);
      case "shards" -> {
        instance.ownedShards =
            parts.length < 3 || parts[2].isEmpty()
                ? List.of()
                : java.util.Arrays.stream(parts[2].split(",")).map(Integer::valueOf).toList();
        instance.shardsAt = System.nanoTime();
        return true;
      }
      default -> {
        // not an instance's own
      }
    }
    return event(line);
  }

  private boolean event(String line) {
    String[] parts = line.split(" ", 4);
    switch (parts[0]) {
      case "running" -> {
        runningOn.putIfAbsent(parts[1], parts[3]);
        runningAt.putIfAbsent(parts[1], Long.parseLong(parts[2]));
        return true;
      }
      case "gone" -> {
        goneAt.putIfAbsent(parts[1], Long.parseLong(parts[2]));
        return true;
      }
      case "failed" -> {
        failures.put(parts[1], line);
        return true;
      }
      case "create-failed", "delete-failed" -> {
        commandFailures.add(line);
        return true;
      }
      case "shards" -> {
        return true; // an instance's own, replayed to it once it is known
      }
      default -> {
        return false;
      }
    }
  }

  /** The current instance at {@code index}. */
  Instance instance(int index) {
    return instances.get(index);
  }

  /**
   * Asks instance {@code index} for its membership: {@code [instance id, peers, owned shards]}, the
   * lists comma-separated (empty strings for none).
   */
  String[] membership(int index) {
    String[] parts = call(index, "membership", "membership").split(" ", -1);
    return parts;
  }

  /** How many instance slots there are. */
  int size() {
    return instances.size();
  }

  /** The live (running, not frozen) instances. */
  List<Instance> live() {
    return instances.stream().filter(Instance::live).toList();
  }

  /** Sends a command without answer ({@code create}, {@code delete}) to the n-th live instance. */
  void send(int n, String command) {
    List<Instance> live = live();
    if (live.isEmpty()) {
      throw new IllegalStateException("no live instance");
    }
    live.get(Math.floorMod(n, live.size())).child.send(command);
  }

  /** A hook endpoint of a live instance: every instance serves every application's hooks. */
  URI liveHookEndpoint(int n) {
    List<Instance> live = live();
    if (live.isEmpty()) {
      throw new IllegalStateException("no live instance");
    }
    return live.get(Math.floorMod(n, live.size())).hookEndpoint;
  }

  /**
   * Kills instance {@code index} with {@code SIGKILL}; its slot stays empty until restarted. The
   * commands sent to it before are first drained (a {@code count} call, answered after them): a
   * create that a killed host never read is its client's to resend, not the group's to recover.
   */
  void kill(int index) {
    Instance instance = instances.get(index);
    instance.child.call("count", "count", COMMAND_TIMEOUT);
    instance.child.kill();
    instance.gone = true;
  }

  /** Freezes instance {@code index} ({@code SIGSTOP}). */
  void freeze(int index) {
    Instance instance = instances.get(index);
    instance.child.signal("STOP");
    instance.frozen = true;
  }

  /** Resumes a frozen instance ({@code SIGCONT}). */
  void resume(int index) {
    Instance instance = instances.get(index);
    instance.child.signal("CONT");
    instance.frozen = false;
  }

  /**
   * Restarts slot {@code index}: ends the current instance as a host's orderly shutdown does (its
   * standard input closes, it closes {@code Krake}) unless already killed, then starts a new one.
   */
  Instance restart(int index) {
    Instance old = instances.get(index);
    if (!old.gone) {
      if (old.frozen) {
        resume(index);
      }
      old.child.close();
      old.gone = true;
    }
    Instance fresh = launch(index, old.generation + 1);
    instances.set(index, fresh);
    return fresh;
  }

  /** Calls a command with an answer on instance {@code index}. */
  String call(int index, String command, String word) {
    return instances.get(index).child.call(command, word, COMMAND_TIMEOUT);
  }

  /**
   * The store calls of the live instances by kind, summed, with {@code conflicts}: the
   * compare-and-set conflicts their writes met ({@link CountingStore}).
   */
  Map<String, Long> storeCounts() {
    return StoreTraffic.sum(
            live().stream()
                .map(
                    instance ->
                        StoreTraffic.parse(
                            instance.child.call("store-counts", "store-counts", COMMAND_TIMEOUT)))
                .toList())
        .calls();
  }

  /** Every instance's CPU time so far, summed (the live ones; gone ones are not counted). */
  long cpuNanos() {
    long sum = 0;
    for (Instance instance : live()) {
      sum +=
          LoadProtocol.decodeUsage(instance.child.call("usage", "usage", COMMAND_TIMEOUT))
              .cpuNanos();
    }
    return sum;
  }

  /** The lines of every instance's log (all generations) that contain {@code text}. */
  long logLines(String text) {
    long count = 0;
    synchronized (everyInstance) {
      for (Instance instance : everyInstance) {
        count += logLines(instance, text);
      }
    }
    return count;
  }

  /** The lines of one instance's log that contain {@code text}. */
  static long logLines(Instance instance, String text) {
    try (Stream<String> lines = Files.lines(instance.log, UTF_8)) {
      return lines.filter(l -> l.contains(text)).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the instances' logs are. */
  Path logs() {
    return logs;
  }

  @Override
  public void close() {
    synchronized (everyInstance) {
      for (Instance instance : everyInstance) {
        if (!instance.gone) {
          if (instance.frozen) {
            instance.child.signal("CONT");
          }
          instance.child.close();
          instance.gone = true;
        }
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(killer);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }

  private void killAll() {
    for (Instance instance : List.copyOf(everyInstance)) {
      instance.child.kill();
    }
  }
}
