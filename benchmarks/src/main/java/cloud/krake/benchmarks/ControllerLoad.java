package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.membership.MembershipConfig;
import cloud.krake.model.KrakeJson;
import cloud.krake.testing.EtcdCluster;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer.RequestCount;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The controller load test of issues 5 and 16: many applications through the whole library path, on
 * fake Kubernetes clusters (two unless {@code krake.load.clusters} says otherwise), measured from
 * outside as a host would see them, against an in-run baseline of the API calls alone. A one-shot
 * program with phases, not a JMH benchmark.
 *
 * <p>Three processes ({@link LoadProtocol}): this one, the <b>driver</b>, holds the {@link
 * FakeKubernetesApiServer}s (labelled {@code location=a}, {@code b}, ...) and the load clients; the
 * <b>host</b> ({@link LoadHost}, a child JVM) runs only the library, as a host platform does
 * ({@link Krake} on a {@code MemoryStore}, the {@link KubernetesBackend} with the official client
 * to the fakes over loopback, hook TLS and the {@code EmbeddedHookServer}); the <b>baseline</b>
 * ({@link LoadBaseline}, a child JVM) sends the same applies and deletes with the official client
 * alone. Each application is the module's own {@value LoadProtocol#APPLICATION_RESOURCE} (a
 * Deployment and a NodePort Service, {@code hooks: [complete, shutdown]}); application {@code i} is
 * constrained to cluster {@code i} modulo the number of clusters ({@code a} for even, {@code b} for
 * odd ones with two).
 *
 * <ol>
 *   <li><b>Create → RUNNING.</b> The driver sends every application to the host ({@code create}, a
 *       line on its standard input) in a loop, as fast as it can; the host calls {@code
 *       applications().create} for each and reports from a store watch when each first reaches
 *       RUNNING. Latency: the driver's {@link System#nanoTime()} just before sending to the host's
 *       at the watch event (one monotonic clock on Linux). Checked: every application RUNNING on
 *       its cluster, {@value #OBJECTS_PER_APPLICATION} objects per application on each fake.
 *   <li><b>Complete → gone.</b> Each application's hook URL, token and client certificate are read
 *       from its Secrets on its fake (as its pod would mount them); then {@value #CLIENT_THREADS}
 *       driver threads call {@code PUT {"token": ...}} on each URL, one client (own TLS session,
 *       own certificate) per application; a call that got no HTTP answer at all is sent again, with
 *       a backoff, as a pod would ({@code LoadPhases.completeRetrying}; the retries are counted in
 *       a note). Checked: every call answered 200, no application left in the host's store, no
 *       object left on either fake.
 *   <li><b>Baseline</b>, after both phases: two rounds (the first in a cold JVM, the second warm)
 *       of the calls alone, with the bodies the library applied ({@link LoadBaseline}). It runs
 *       after the library because its bodies are the library's own (read from the host after phase
 *       1); the ratios are taken against the warm round, the stricter.
 * </ol>
 *
 * <p>Reported ({@link LoadResult}): per phase wall time, applications per second and the host's CPU
 * time (process CPU, so the fakes and the load clients are not in it); the baseline's per round;
 * the ratios library / baseline of wall and CPU time; the requests each fake served per application
 * by method and path pattern for both (checked equal for every write); latencies; the host's live
 * heap after a full GC before the first create and with every application RUNNING (per
 * application); the host's GC and peak heap; the host's CPU per phase by kind of thread and the
 * driver's hook clients' CPU per complete call ({@link ThreadCpu}); the store calls per application
 * with the compare-and-set conflicts by the write that lost and the one that won ({@link
 * CountingStore}); and a JDK Flight Recorder profile of the host in each phase ({@link Profile}).
 *
 * <p>Run it from the shaded jar of this module (see {@code docs/performance.md}):
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar cloud.krake.benchmarks.ControllerLoad [applications [workers]]
 * </pre>
 *
 * <p>System properties: {@code krake.load.clusters} (the number of fake clusters, 1 to 26, default
 * 2: each NodePort Service takes one of a cluster's 2,768 node ports, so 10,000 applications need
 * at least 4); {@code krake.load.phaseTimeout} (an ISO-8601 duration, default {@code PT10M}: how
 * long each phase may take); {@code krake.load.hostXmx} (the host's {@code -Xmx}, e.g. {@code 1g});
 * {@code krake.load.hostJvmArgs} (more host JVM options, space-separated); {@code krake.load.jfr}
 * (a directory to keep the host's recordings in); {@code krake.load.histogram=N} (the host prints
 * the first N lines of its live class histogram with every application RUNNING, on standard error);
 * {@code krake.load.clientTls} ({@code conscrypt}, the default, or {@code jdk}: the TLS of the
 * driver's hook clients, {@link HookCall#clientProvider()}); {@code krake.load.warmup=R} (0 to
 * {@value #MAX_WARMUP_ROUNDS}, default 0): before the measured round, the host takes the same
 * applications through phases 1 and 2 R times, with every check of a measured round, so that the
 * measured round runs in a warm JVM as the baseline's second round does. Each warm-up round's wall
 * and CPU time are printed (the first is the cold library, compared with the baseline's cold
 * round); the heap figures are the first round's (a later round's start holds the store history of
 * the rounds before it, which would make the figure per application look smaller).
 *
 * <p>Several instances (issue 17): {@code krake.load.instances=N} (1 to {@value #MAX_INSTANCES})
 * starts an etcd on loopback ({@link EtcdCluster}, {@code krake.load.etcdMembers} members, default
 * 1) and N host JVMs on it, members of one group ({@code membership=i<k>}, lease TTL {@code
 * krake.load.leaseTtl} seconds, default 5) sharing one hook CA ({@link LoadHost#writeHookCa}, in a
 * private temporary directory deleted after the run) and one hook address ({@link
 * #GROUP_HOOK_URL}). Creates go round-robin to the instances, and call {@code i} of phase 2 to
 * instance {@code i} modulo N's endpoint, whichever instance applied the application. The first
 * create is sent once the instances have partitioned the shards. CPU time, heap and profiles are
 * those of every host summed; the report adds the etcd members' CPU time and the store requests per
 * application of every host, by group ({@link StoreTraffic}), with the compare-and-set conflicts.
 * The baseline is the same. Without the property: one host on a {@code MemoryStore} of its own, as
 * before (its store requests are reported too).
 *
 * <p>Exit status: 0 when every check passed; 1 when a check failed (something left behind, a hook
 * call refused, an application FAILED, a baseline call failed); 2 when a phase did not finish
 * within its timeout; 64 for bad arguments.
 */
public final class ControllerLoad {

  /** The number of applications without an argument. */
  public static final int DEFAULT_APPLICATIONS = 1000;

  /** The number of threads that call the hook endpoint in phase 2. */
  public static final int CLIENT_THREADS = 16;

  /** How long each phase may take, unless {@code krake.load.phaseTimeout} says otherwise. */
  public static final Duration PHASE_TIMEOUT = Duration.ofMinutes(10);

  /** Kubernetes objects per application: Deployment, Service, two Secrets per hook. */
  public static final int OBJECTS_PER_APPLICATION = 6;

  /**
   * The system property naming how many host instances share one etcd ({@value #MAX_INSTANCES} at
   * most); without it, one host on a {@code MemoryStore} of its own.
   */
  static final String INSTANCES_PROPERTY = "krake.load.instances";

  /**
   * The one hook address the instances of a group advertise in the applications' hook Secrets (no
   * server listens on it: phase 2's calls go to the instances' own endpoints).
   */
  static final String GROUP_HOOK_URL = "https://hooks.krake.test:8443";

  /** The most host instances. */
  static final int MAX_INSTANCES = 8;

  /** The group's lease TTL unless {@code krake.load.leaseTtl} says otherwise. */
  static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(5);

  /** Baseline rounds: the first in a cold JVM, the last the one compared with. */
  static final int BASELINE_ROUNDS = 2;

  /** The most warm-up rounds of the library {@code krake.load.warmup} may ask for. */
  static final int MAX_WARMUP_ROUNDS = 3;

  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  private final LoadOptions options;
  private final PrintStream out;
  private java.util.Optional<java.security.Provider> clientProvider;

  ControllerLoad(LoadOptions options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /**
   * Runs the load test and exits with its status.
   *
   * @param args {@code [applications [workers]]}, defaults {@value #DEFAULT_APPLICATIONS} and
   *     {@link Krake#DEFAULT_WORKERS}; system properties as in the class documentation
   */
  public static void main(String[] args) {
    LoadOptions options;
    try {
      if (args.length > 2) {
        throw new IllegalArgumentException("too many arguments");
      }
      int applications = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_APPLICATIONS;
      int workers = args.length > 1 ? Integer.parseInt(args[1]) : Krake.DEFAULT_WORKERS;
      int clusters = LoadProtocol.clusters();
      if (applications < clusters) {
        throw new IllegalArgumentException(
            "at least one application per cluster: " + applications + " < " + clusters);
      }
      HookCall.clientProvider(); // a bad krake.load.clientTls is a usage error
      Duration phaseTimeout =
          Optional.ofNullable(System.getProperty("krake.load.phaseTimeout"))
              .map(Duration::parse)
              .orElse(PHASE_TIMEOUT);
      List<String> host = new ArrayList<>();
      Optional.ofNullable(System.getProperty("krake.load.hostXmx"))
          .ifPresent(x -> host.add("-Xmx" + x));
      Optional.ofNullable(System.getProperty("krake.load.hostJvmArgs"))
          .ifPresent(
              a ->
                  Arrays.stream(a.trim().split("\\s+"))
                      .filter(s -> !s.isEmpty())
                      .forEach(host::add));
      options =
          new LoadOptions(
              applications,
              workers,
              CLIENT_THREADS,
              phaseTimeout,
              Optional.ofNullable(System.getProperty("krake.load.jfr")).map(Path::of),
              host,
              Integer.parseInt(System.getProperty(INSTANCES_PROPERTY, "0").trim()),
              Integer.parseInt(System.getProperty("krake.load.etcdMembers", "1").trim()),
              Duration.ofSeconds(
                  Long.parseLong(
                      System.getProperty(
                              "krake.load.leaseTtl", String.valueOf(DEFAULT_LEASE_TTL.toSeconds()))
                          .trim())),
              Integer.parseInt(System.getProperty("krake.load.warmup", "0").trim()));
    } catch (IllegalArgumentException | DateTimeParseException e) {
      System.err.println("usage: ControllerLoad [applications [workers]]: " + e.getMessage());
      System.exit(64);
      return;
    }
    LoadResult result = new ControllerLoad(options, System.out).run();
    result.print(System.out);
    System.exit(result.exitCode());
  }

  /** Runs both phases and the baseline and returns what was measured; never throws for a check. */
  LoadResult run() {
    LoadResult result = new LoadResult(options);
    result.clientTls = HookCall.clientDescription(clientProvider());
    LoadTracker tracker = new LoadTracker(options.applications(), result);
    // each round of the library has a tracker of its own; the hosts' events go to the current one
    java.util.concurrent.atomic.AtomicReference<LoadTracker> current =
        new java.util.concurrent.atomic.AtomicReference<>(tracker);
    List<FakeKubernetesApiServer> fakes = new ArrayList<>();
    LoadInstances hosts = null;
    EtcdCluster etcd = null;
    Path hookCa = null;
    try {
      for (String location : LoadProtocol.LOCATIONS) {
        // requests() off: a run of 10,000 applications sends 120,000 writes; counts suffice
        fakes.add(FakeKubernetesApiServer.builder().name(location).requestLogLimit(0).build());
      }
      List<String> hostOptions = new ArrayList<>(options.hostJvmOptions());
      hostOptions.add("-XX:FlightRecorderOptions=stackdepth=256");
      hostOptions.add("-Dsun.net.httpserver.nodelay=true");
      List<String> args = new ArrayList<>(List.of(String.valueOf(options.workers())));
      int count = 1;
      if (options.onEtcd()) {
        count = options.instances();
        etcd = EtcdCluster.start(options.etcdMembers());
        args.add("etcd=" + String.join(",", etcd.endpoints().stream().map(URI::toString).toList()));
        args.add("leaseTtl=" + options.leaseTtl().toSeconds());
        // one hook CA for every instance: each endpoint accepts what any instance issued
        hookCa =
            Files.createTempDirectory(
                "controller-load-hook-ca-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        LoadHost.writeHookCa(hookCa, java.time.Clock.systemUTC());
        args.add("hookCa=" + hookCa);
        // one hook address in the Secrets, the group's (docs/configuration.md): with each
        // instance's own, every hand-over of a shard would rewrite its applications' hook Secrets
        args.add("hookUrl=" + GROUP_HOOK_URL);
      }
      hosts =
          LoadInstances.start(
              count,
              hostOptions,
              args,
              options.onEtcd(),
              line -> current.get().event(line),
              COMMAND_TIMEOUT);
      result.hostPids = hosts.pids();
      result.hostPid = result.hostPids.get(0);
      result.etcdPids = etcdPids();
      for (FakeKubernetesApiServer fake : fakes) {
        String kubeconfig = Base64.getEncoder().encodeToString(fake.kubeconfig().getBytes(UTF_8));
        // the first registers it, the others find it in the store and wait until it is ONLINE
        hosts.callEach("cluster " + fake.name() + " " + kubeconfig, "cluster", COMMAND_TIMEOUT);
      }
      if (options.onEtcd()) {
        hosts.awaitPartitioned(MembershipConfig.DEFAULT_SHARD_COUNT, COMMAND_TIMEOUT);
      }
      boolean warm = warmUp(hosts, fakes, current, result);
      current.set(tracker);
      List<JsonNode> templates = warm ? libraryPhases(hosts, fakes, tracker, result) : null;
      result.useFirstRoundsHeap();
      hosts.close();
      hosts = null;
      if (etcd != null) {
        etcd.close();
        etcd = null;
      }
      if (templates != null) {
        runBaseline(fakes, templates, result);
      }
    } catch (IOException e) {
      result.problem("the run failed: " + e);
    } catch (RuntimeException e) {
      result.problem("the run failed: " + e);
    } finally {
      result.loadAtEnd = loadAverage();
      if (hosts != null) {
        hosts.close();
      }
      if (etcd != null) {
        etcd.close();
      }
      deleteHookCa(hookCa, result);
      fakes.forEach(FakeKubernetesApiServer::close);
    }
    return result;
  }

  /**
   * The warm-up rounds ({@code krake.load.warmup}): the same applications through both phases, each
   * round with its own tracker and result; false (with the round's problems copied into {@code
   * result}) if a round failed a check.
   */
  private boolean warmUp(
      LoadInstances hosts,
      List<FakeKubernetesApiServer> fakes,
      java.util.concurrent.atomic.AtomicReference<LoadTracker> current,
      LoadResult result) {
    for (int round = 1; round <= options.warmupRounds(); round++) {
      LoadResult warm = new LoadResult(options);
      LoadTracker tracker = new LoadTracker(options.applications(), warm);
      current.set(tracker);
      out.printf("warm-up round %d of %d%n", round, options.warmupRounds());
      List<JsonNode> templates = libraryPhases(hosts, fakes, tracker, warm);
      result.warmup.add(warm);
      if (templates == null || !warm.ok()) {
        String prefix = "warm-up round " + round + ": ";
        warm.problems.forEach(p -> result.problem(prefix + p));
        result.timedOut |= warm.timedOut;
        return false;
      }
    }
    return true;
  }

  /**
   * Phases 1 and 2 on the host; returns the baseline's templates (the objects the library applied
   * for {@code app-00000} and {@code app-00001}), or null if a phase failed.
   */
  private List<JsonNode> libraryPhases(
      LoadInstances hosts,
      List<FakeKubernetesApiServer> fakes,
      LoadTracker tracker,
      LoadResult result) {
    int n = options.applications();
    String template = LoadProtocol.applicationTemplate();
    List<String> creates = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      creates.add("create " + LoadProtocol.applicationJson(template, i));
    }
    result.heapBeforeCreate = heap(hosts, "heap");
    hosts.callEach("reset-peaks", "ok", COMMAND_TIMEOUT);
    Map<String, RequestCount> before = requests(fakes);
    result.loadAtStart = loadAverage();
    result.storeStart = storeTraffic(hosts);
    result.etcdCpuStart = etcdCpuNanos(result);
    result.hostStart = usage(hosts);
    List<Map<String, Long>> threadsStart = threadCpu(hosts);
    hosts.callEach("profile-start", "ok", COMMAND_TIMEOUT);
    boolean running = LoadPhases.phase1(this, hosts, creates, tracker, result);
    result.hostAfterPhase1 = usage(hosts);
    result.threadsPhase1 = threadPhase(threadsStart, threadCpu(hosts));
    result.etcdCpuAfterPhase1 = etcdCpuNanos(result);
    result.storeAfterPhase1 = storeTraffic(hosts);
    result.loadAfterPhase1 = loadAverage();
    result.profile1 = Optional.of(stopProfile(hosts, "phase1", result));
    if (!running) {
      return null;
    }
    LoadPhases.checkRunning(fakes, tracker, n, result);
    List<JsonNode> templates = new ArrayList<>();
    for (int i = 0; i < LoadProtocol.LOCATIONS.size(); i++) {
      String[] manifest =
          hosts.call("manifest " + LoadProtocol.name(i), "manifest", COMMAND_TIMEOUT).split(" ");
      result.documentBytes = Integer.parseInt(manifest[0]);
      templates.add(KrakeJson.read(Base64.getDecoder().decode(manifest[1]), JsonNode.class));
    }
    result.heapRunning = heap(hosts, "heap");
    if (!options.onEtcd()) {
      // compacting etcd would compact it under the other instances' watches too
      result.heapRunningCompacted = heap(hosts, "heap-compacted");
    }
    Integer lines = Integer.getInteger("krake.load.histogram");
    if (lines != null) {
      hosts.callEach("histogram " + lines, "ok", COMMAND_TIMEOUT);
    }
    if (!result.problems.isEmpty()) {
      return null;
    }
    List<HookCall> calls = LoadPhases.prepareCalls(this, fakes);
    if (options.onEtcd()) {
      // every instance answers every application's hooks (one CA): spread the calls over them
      // (the Secrets name the group's address, GROUP_HOOK_URL, which no server listens on)
      calls = LoadPhases.spread(calls, hosts.hookEndpoints());
    }
    result.storeBeforePhase2 = storeTraffic(hosts);
    result.etcdCpuBeforePhase2 = etcdCpuNanos(result);
    result.hostBeforePhase2 = usage(hosts);
    List<Map<String, Long>> threadsBefore2 = threadCpu(hosts);
    hosts.callEach("profile-start", "ok", COMMAND_TIMEOUT);
    Map<String, Long> driverBefore2 = ThreadCpu.snapshot();
    boolean gone = LoadPhases.phase2(this, hosts, fakes, calls, tracker, result);
    result.driverPhase2 = ThreadCpu.phase(driverBefore2, ThreadCpu.snapshot());
    result.hostEnd = usage(hosts);
    result.threadsPhase2 = threadPhase(threadsBefore2, threadCpu(hosts));
    result.etcdCpuEnd = etcdCpuNanos(result);
    result.storeEnd = storeTraffic(hosts);
    result.profile2 = Optional.of(stopProfile(hosts, "phase2", result));
    result.libraryRequests = minus(requests(fakes), before);
    if (!gone) {
      return null;
    }
    result.heapGone = heap(hosts, options.onEtcd() ? "heap" : "heap-compacted");
    return templates;
  }

  private void runBaseline(
      List<FakeKubernetesApiServer> fakes, List<JsonNode> templates, LoadResult result) {
    out.printf("baseline: %d rounds of the same applies and deletes%n", BASELINE_ROUNDS);
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.put("applications", options.applications()).put("workers", options.workers());
    ObjectNode clusters = spec.putObject("clusters");
    ObjectNode byLocation = spec.putObject("templates");
    for (int i = 0; i < fakes.size(); i++) {
      clusters.put(fakes.get(i).name(), fakes.get(i).kubeconfig());
      byLocation.set(fakes.get(i).name(), templates.get(i));
    }
    Path file = null;
    try {
      // holds the fakes' tokens and the hook Secrets' keys: a private temporary file, deleted
      file = Files.createTempFile("controller-load-baseline-", ".json");
      Files.write(file, KrakeJson.writeBytes(spec));
      try (LoadProtocol.Child baseline =
          LoadProtocol.Child.start(
              "baseline", LoadBaseline.class, List.of(), List.of(file.toString()), line -> false)) {
        baseline.await("ready", COMMAND_TIMEOUT);
        for (int round = 0; round < BASELINE_ROUNDS; round++) {
          Map<String, RequestCount> before = requests(fakes);
          String[] answer = baseline.call("round", "round", options.phaseTimeout()).split(" ", 6);
          LoadResult.BaselineRound r =
              new LoadResult.BaselineRound(
                  Long.parseLong(answer[0]),
                  Long.parseLong(answer[1]),
                  Long.parseLong(answer[2]),
                  Long.parseLong(answer[3]),
                  Integer.parseInt(answer[4]),
                  minus(requests(fakes), before));
          result.baseline.add(r);
          if (r.failedCalls() > 0) {
            result.problem(
                "baseline round "
                    + (round + 1)
                    + ": "
                    + r.failedCalls()
                    + " calls failed, first "
                    + answer[5]);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (file != null) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException e) {
          result.note("could not delete " + file);
        }
      }
    }
    result.callDifferences().forEach(d -> result.note("the library's calls differ: " + d));
  }

  // ------------------------------------------------------------------ helpers

  /** The live heap of every host after a full GC, summed. */
  private static long heap(LoadInstances hosts, String command) {
    return hosts.callEach(command, "heap", COMMAND_TIMEOUT).stream()
        .mapToLong(Long::parseLong)
        .sum();
  }

  /** Every host's usage, summed. */
  private static JvmUsage usage(LoadInstances hosts) {
    return JvmUsage.sum(
        hosts.callEach("usage", "usage", COMMAND_TIMEOUT).stream()
            .map(LoadProtocol::decodeUsage)
            .toList());
  }

  /** Every host's CPU time by thread so far ({@link ThreadCpu}), one snapshot per host. */
  private static List<Map<String, Long>> threadCpu(LoadInstances hosts) {
    return hosts.callEach("thread-cpu", "thread-cpu", COMMAND_TIMEOUT).stream()
        .map(ControllerLoad::longs)
        .toList();
  }

  /** Each host's CPU time by kind of thread between two snapshots, summed over the hosts. */
  private static Map<String, Long> threadPhase(
      List<Map<String, Long>> before, List<Map<String, Long>> after) {
    List<Map<String, Long>> phases = new ArrayList<>();
    for (int i = 0; i < after.size(); i++) {
      phases.add(ThreadCpu.phase(before.get(i), after.get(i)));
    }
    return ThreadCpu.sum(phases);
  }

  private static Map<String, Long> longs(String json) {
    Map<String, Long> out = new TreeMap<>();
    KrakeJson.read(json, JsonNode.class)
        .properties()
        .forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
    return out;
  }

  /** Every host's store calls so far, summed. */
  private static StoreTraffic storeTraffic(LoadInstances hosts) {
    return StoreTraffic.sum(
        hosts.callEach("store-counts", "store-counts", COMMAND_TIMEOUT).stream()
            .map(StoreTraffic::parse)
            .toList());
  }

  /** The etcd processes this driver started (its descendants named {@code etcd}). */
  private static List<Long> etcdPids() {
    return ProcessHandle.current()
        .descendants()
        .filter(p -> p.info().command().map(c -> Path.of(c).endsWith("etcd")).orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }

  /** The CPU time of the etcd members so far, summed; -1 if unknown or none runs. */
  private static long etcdCpuNanos(LoadResult result) {
    if (result.etcdPids.isEmpty()) {
      return -1;
    }
    long sum = 0;
    for (long pid : result.etcdPids) {
      Optional<Duration> cpu = ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration());
      if (cpu.isEmpty()) {
        return -1;
      }
      sum += cpu.get().toNanos();
    }
    return sum;
  }

  /** Each host's profile of the phase, merged. */
  private Profile.Samples stopProfile(LoadInstances hosts, String phase, LoadResult result) {
    Profile.Samples all = null;
    for (int i = 0; i < hosts.size(); i++) {
      String name = "controller-load-" + phase + (hosts.size() == 1 ? "" : "-host" + i);
      try {
        Path file =
            options.jfr().isPresent()
                ? Files.createDirectories(options.jfr().get())
                    .resolve(name + ".jfr")
                    .toAbsolutePath()
                : Files.createTempFile(name + "-", ".jfr");
        try {
          hosts.callOne(i, "profile-stop " + file, "ok", COMMAND_TIMEOUT);
          Profile.Samples samples = Profile.Samples.read(file);
          all = all == null ? samples : all.plus(samples);
        } finally {
          if (options.jfr().isEmpty()) {
            Files.deleteIfExists(file);
          } else {
            result.note("JFR recording of the host kept in " + file);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return all;
  }

  /** Deletes the shared hook CA's files (they hold its key). */
  private static void deleteHookCa(Path dir, LoadResult result) {
    if (dir == null) {
      return;
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      result.note("could not delete the hook CA in " + dir + ": " + e);
    }
  }

  /** Both fakes' request counts, summed by key. */
  private static Map<String, RequestCount> requests(List<FakeKubernetesApiServer> fakes) {
    Map<String, RequestCount> sum = new TreeMap<>();
    for (FakeKubernetesApiServer fake : fakes) {
      fake.requestCounts()
          .forEach(
              (k, v) ->
                  sum.merge(
                      k,
                      v,
                      (x, y) ->
                          new RequestCount(
                              x.requests() + y.requests(), x.bodyBytes() + y.bodyBytes())));
    }
    return sum;
  }

  private static Map<String, RequestCount> minus(
      Map<String, RequestCount> after, Map<String, RequestCount> before) {
    Map<String, RequestCount> out = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          RequestCount b = before.getOrDefault(k, new RequestCount(0, 0));
          if (v.requests() > b.requests()) {
            out.put(
                k, new RequestCount(v.requests() - b.requests(), v.bodyBytes() - b.bodyBytes()));
          }
        });
    return out;
  }

  LoadOptions options() {
    return options;
  }

  /** The hook clients' TLS provider ({@link HookCall#clientProvider()}), chosen once per run. */
  java.util.Optional<java.security.Provider> clientProvider() {
    if (clientProvider == null) {
      clientProvider = HookCall.clientProvider();
    }
    return clientProvider;
  }

  PrintStream out() {
    return out;
  }

  /** How a wait ended. */
  enum Outcome {
    /** The latch reached zero. */
    DONE,
    /** Nothing more can happen: the give-up condition held. */
    GAVE_UP,
    /** The phase timeout passed (or the thread was interrupted). */
    TIMED_OUT
  }

  /**
   * Waits for the latch within the phase timeout, printing progress every {@link #PROGRESS_EVERY}
   * and checking {@code giveUp} every {@link #CHECK_EVERY}.
   */
  Outcome await(CountDownLatch latch, IntSupplier reached, String what, BooleanSupplier giveUp) {
    long start = System.nanoTime();
    long deadline = start + options.phaseTimeout().toNanos();
    long nextProgress = start + PROGRESS_EVERY.toNanos();
    try {
      while (true) {
        long now = System.nanoTime();
        if (now - deadline >= 0) {
          return Outcome.TIMED_OUT;
        }
        if (latch.await(Math.min(deadline - now, CHECK_EVERY.toNanos()), TimeUnit.NANOSECONDS)) {
          return Outcome.DONE;
        }
        if (giveUp.getAsBoolean()) {
          return Outcome.GAVE_UP;
        }
        if (System.nanoTime() - nextProgress >= 0) {
          nextProgress += PROGRESS_EVERY.toNanos();
          out.printf(
              "  %d/%d %s after %d s%n",
              reached.getAsInt(),
              options.applications(),
              what,
              TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Outcome.TIMED_OUT;
    }
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static boolean allAnswered(List<Future<HookCall.Answer>> answers) {
    return answers.stream().allMatch(Future::isDone);
  }

  static HookCall.Answer answer(Future<HookCall.Answer> future, LoadResult result) {
    try {
      return future.get(HookCall.HOOK_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result.problem("interrupted while waiting for a hook call");
    } catch (ExecutionException e) {
      result.problem("a hook call failed: " + e.getCause());
    } catch (TimeoutException e) {
      result.problem("a hook call did not finish within " + HookCall.HOOK_CALL_TIMEOUT);
    }
    return null;
  }

  static ExecutorService pool(int threads, String prefix) {
    return Executors.newFixedThreadPool(threads, threads(prefix));
  }
}
