package cloud.krake.benchmarks;

import cloud.krake.testing.kubernetes.FakeKubernetesApiServer.RequestCount;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one {@link ControllerLoad} run measured, and what went wrong; printed as the report. Filled
 * by the run's own thread, then read: not thread-safe.
 */
final class LoadResult {

  /** The number of rows in each profile table. */
  static final int TOP = 15;

  /**
   * One baseline round ({@link LoadBaseline}): wall and process CPU time of every application's
   * applies, then of every application's deletes, and the requests the fakes served meanwhile.
   */
  record BaselineRound(
      long applyNanos,
      long applyCpuNanos,
      long deleteNanos,
      long deleteCpuNanos,
      int failedCalls,
      Map<String, RequestCount> requests) {
    long nanos() {
      return applyNanos + deleteNanos;
    }

    long cpuNanos() {
      return applyCpuNanos + deleteCpuNanos;
    }
  }

  final LoadOptions options;
  final List<String> problems = new ArrayList<>();
  final List<String> notes = new ArrayList<>();
  boolean timedOut;
  long hostPid;
  List<Long> hostPids = List.of();
  List<Long> etcdPids = List.of();
  StoreTraffic storeStart;
  StoreTraffic storeAfterPhase1;
  StoreTraffic storeBeforePhase2;
  StoreTraffic storeEnd;
  long etcdCpuStart = -1;
  long etcdCpuAfterPhase1 = -1;
  long etcdCpuBeforePhase2 = -1;
  long etcdCpuEnd = -1;
  double loadAfterPhase1 = Double.NaN;
  long createLoopNanos;
  long phase1Nanos;
  long phase2Nanos;
  int documentBytes;
  Latencies createToRunning;
  Latencies hookCall;
  Latencies sentToGone;
  JvmUsage hostStart;
  JvmUsage hostAfterPhase1;
  JvmUsage hostBeforePhase2;
  JvmUsage hostEnd;

  /** The hosts' CPU time in nanoseconds by kind of thread in phase 1 ({@link ThreadCpu}). */
  Map<String, Long> threadsPhase1 = Map.of();

  /** The same in phase 2. */
  Map<String, Long> threadsPhase2 = Map.of();

  /** How the driver's hook clients call ({@link HookCall#clientDescription}). */
  String clientTls = "";

  /** The driver's CPU time in nanoseconds by kind of thread in phase 2 ({@link ThreadCpu}). */
  Map<String, Long> driverPhase2 = Map.of();

  long heapBeforeCreate = -1;
  long heapRunning = -1;
  long heapRunningCompacted = -1;
  long heapGone = -1;
  double loadAtStart = Double.NaN;
  double loadAtEnd = Double.NaN;
  Map<String, RequestCount> libraryRequests;
  final List<BaselineRound> baseline = new ArrayList<>();

  /** The library's warm-up rounds ({@code krake.load.warmup}), in order; empty without. */
  final List<LoadResult> warmup = new ArrayList<>();

  /** Whether the heap figures are a warm-up round's (the first round's), not this round's. */
  boolean heapOfFirstRound;

  Optional<Profile.Samples> profile1 = Optional.empty();
  Optional<Profile.Samples> profile2 = Optional.empty();

  LoadResult(LoadOptions options) {
    this.options = options;
  }

  /**
   * With warm-up rounds, takes the first round's heap figures: a later round starts with the store
   * history of the rounds before it in the heap, which would make the figure per application look
   * smaller than a first round's.
   */
  void useFirstRoundsHeap() {
    if (warmup.isEmpty()) {
      return;
    }
    LoadResult first = warmup.get(0);
    heapBeforeCreate = first.heapBeforeCreate;
    heapRunning = first.heapRunning;
    heapRunningCompacted = first.heapRunningCompacted;
    heapGone = first.heapGone;
    heapOfFirstRound = true;
  }

  void problem(String problem) {
    problems.add(problem);
  }

  void note(String note) {
    notes.add(note);
  }

  void timedOut(String what) {
    timedOut = true;
    problems.add(what + " within " + options.phaseTimeout());
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  int exitCode() {
    return timedOut ? 2 : problems.isEmpty() ? 0 : 1;
  }

  boolean ok() {
    return exitCode() == 0;
  }

  Optional<Latencies> createToRunning() {
    return Optional.ofNullable(createToRunning);
  }

  Optional<Latencies> sentToGone() {
    return Optional.ofNullable(sentToGone);
  }

  double phase1PerSecond() {
    return options.applications() / (phase1Nanos / 1e9);
  }

  double phase2PerSecond() {
    return options.applications() / (phase2Nanos / 1e9);
  }

  /** The host's CPU time over both phases, nanoseconds; -1 if unknown. */
  long hostCpuNanos() {
    if (hostStart == null
        || hostAfterPhase1 == null
        || hostBeforePhase2 == null
        || hostEnd == null) {
      return -1;
    }
    return hostAfterPhase1.cpuNanos()
        - hostStart.cpuNanos()
        + hostEnd.cpuNanos()
        - hostBeforePhase2.cpuNanos();
  }

  /**
   * The store calls of every host during phase 1 and phase 2 (not between them), summed; empty if
   * not measured.
   */
  Optional<StoreTraffic> storeTraffic() {
    if (storeStart == null
        || storeAfterPhase1 == null
        || storeBeforePhase2 == null
        || storeEnd == null) {
      return Optional.empty();
    }
    return Optional.of(
        StoreTraffic.sum(
            List.of(storeAfterPhase1.minus(storeStart), storeEnd.minus(storeBeforePhase2))));
  }

  /** The etcd members' CPU time in phase 1 and phase 2, nanoseconds; -1 if unknown. */
  long etcdCpuNanos() {
    if (etcdCpuStart < 0 || etcdCpuAfterPhase1 < 0 || etcdCpuBeforePhase2 < 0 || etcdCpuEnd < 0) {
      return -1;
    }
    return etcdCpuAfterPhase1 - etcdCpuStart + etcdCpuEnd - etcdCpuBeforePhase2;
  }

  /** The baseline round the ratios are taken against: the last (warm) one. */
  Optional<BaselineRound> warmBaseline() {
    return baseline.isEmpty() ? Optional.empty() : Optional.of(baseline.get(baseline.size() - 1));
  }

  /** Library wall time over both phases divided by the warm baseline's; NaN if not measured. */
  double wallRatio() {
    return warmBaseline()
        .map(b -> (phase1Nanos + phase2Nanos) / (double) b.nanos())
        .orElse(Double.NaN);
  }

  /** Library CPU (the host's) divided by the warm baseline's (its process's); NaN if unknown. */
  double cpuRatio() {
    long host = hostCpuNanos();
    return host < 0
        ? Double.NaN
        : warmBaseline().map(b -> host / (double) b.cpuNanos()).orElse(Double.NaN);
  }

  void print(PrintStream out) {
    int n = options.applications();
    Runtime rt = Runtime.getRuntime();
    out.println();
    out.println("== Krake for Java: controller load ==");
    out.printf(
        "%d applications (Deployment + NodePort Service, hooks complete+shutdown, TLS) over %d"
            + " fake clusters; %d workers per component; %d hook clients%n",
        n, LoadProtocol.LOCATIONS.size(), options.workers(), options.clientThreads());
    if (options.onEtcd()) {
      out.printf(
          "store: %d host instance(s), one membership group (lease TTL %d s), on a %d-member etcd"
              + " on loopback (pids %s); creates sent round-robin, complete calls spread over"
              + " every instance's endpoint (one shared hook CA)%n",
          options.instances(), options.leaseTtl().toSeconds(), options.etcdMembers(), etcdPids);
    } else {
      out.println("store: one host on a MemoryStore of its own");
    }
    out.printf(
        "processes: driver (fakes, creates, hook clients) pid %d max heap %d MiB; host%s (the"
            + " library) pid %s %s; baseline: the same applies and deletes, %d threads%n",
        ProcessHandle.current().pid(),
        rt.maxMemory() >> 20,
        hostPids.size() > 1 ? "s" : "",
        hostPids.isEmpty() ? String.valueOf(hostPid) : hostPids.toString(),
        options.hostJvmOptions(),
        options.workers());
    out.printf(
        "machine: %d CPUs, %s %s, load average %.2f at start, %.2f after phase 1, %.2f at end%n",
        rt.availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.version"),
        loadAtStart,
        loadAfterPhase1,
        loadAtEnd);
    out.println();
    out.printf(
        "%-34s %10s %10s %10s %12s%n",
        "phase (library, host process)", "wall s", "apps/s", "CPU s", "CPU ms/app");
    if (createLoopNanos > 0) {
      out.printf(
          "%-34s %10.2f %10.0f%n",
          "  create loop (sent to the host)", createLoopNanos / 1e9, n / (createLoopNanos / 1e9));
    }
    for (int i = 0; i < warmup.size(); i++) {
      LoadResult w = warmup.get(i);
      double c1 = cpuSeconds(w.hostStart, w.hostAfterPhase1);
      double c2 = cpuSeconds(w.hostBeforePhase2, w.hostEnd);
      out.printf(
          "%-34s%n", "warm-up round " + (i + 1) + (i == 0 ? " (cold JVM, not measured)" : ""));
      row(out, "  1 create -> all RUNNING", w.phase1Nanos, c1, n);
      row(out, "  2 complete -> all gone", w.phase2Nanos, c2, n);
      if (w.phase1Nanos > 0 && w.phase2Nanos > 0) {
        row(out, "  both", w.phase1Nanos + w.phase2Nanos, c1 + c2, n);
      }
    }
    if (!warmup.isEmpty()) {
      out.printf("%-34s%n", "measured round (warm JVM)");
    }
    double cpu1 = cpuSeconds(hostStart, hostAfterPhase1);
    double cpu2 = cpuSeconds(hostBeforePhase2, hostEnd);
    row(out, "1 create -> all RUNNING", phase1Nanos, cpu1, n);
    row(out, "2 complete -> all gone", phase2Nanos, cpu2, n);
    if (phase1Nanos > 0 && phase2Nanos > 0) {
      row(out, "both", phase1Nanos + phase2Nanos, cpu1 + cpu2, n);
    }
    printThreads(out, n);
    printDriver(out, n);
    for (int i = 0; i < baseline.size(); i++) {
      BaselineRound b = baseline.get(i);
      String round = "baseline round " + (i + 1) + (i == 0 ? " (cold JVM)" : " (warm)");
      out.println();
      out.printf("%-34s%n", round);
      row(out, "  6 applies per application", b.applyNanos(), b.applyCpuNanos() / 1e9, n);
      row(out, "  6 deletes per application", b.deleteNanos(), b.deleteCpuNanos() / 1e9, n);
      row(out, "  both", b.nanos(), b.cpuNanos() / 1e9, n);
      if (b.failedCalls() > 0) {
        out.printf("  %d calls failed%n", b.failedCalls());
      }
    }
    warmBaseline()
        .ifPresent(
            b -> {
              out.println();
              out.printf(
                  "library / baseline (warm round; cold round in brackets): wall %.2f [%.2f],"
                      + " phase 1 / applies %.2f, phase 2 / deletes %.2f; CPU %.2f [%.2f]%n",
                  wallRatio(),
                  (phase1Nanos + phase2Nanos) / (double) baseline.get(0).nanos(),
                  phase1Nanos / (double) b.applyNanos(),
                  phase2Nanos / (double) b.deleteNanos(),
                  cpuRatio(),
                  hostCpuNanos() / (double) baseline.get(0).cpuNanos());
            });
    if (!warmup.isEmpty() && !baseline.isEmpty()) {
      LoadResult cold = warmup.get(0);
      BaselineRound coldBaseline = baseline.get(0);
      out.printf(
          "library's cold round (warm-up round 1) / baseline's cold round: wall %.2f, CPU %.2f%n",
          (cold.phase1Nanos + cold.phase2Nanos) / (double) coldBaseline.nanos(),
          cold.hostCpuNanos() / (double) coldBaseline.cpuNanos());
    }
    printStoreTraffic(out, n);
    printRequests(out, n);
    out.println();
    out.printf("%-34s %10s %10s %10s%n", "latency (ms)", "p50", "p99", "max");
    latency(out, "create sent -> RUNNING", createToRunning);
    latency(out, "complete call (PUT over mTLS)", hookCall);
    latency(out, "complete PUT sent -> gone", sentToGone);
    printMemory(out, n);
    if (profile1.isPresent()) {
      printProfile(out, profile1.get(), profile2);
    }
    out.println();
    notes.forEach(note -> out.println("note: " + note));
    problems.forEach(problem -> out.println("PROBLEM: " + problem));
    out.println(
        timedOut ? "result: TIMED OUT" : problems.isEmpty() ? "result: OK" : "result: FAILED");
  }

  private static double cpuSeconds(JvmUsage from, JvmUsage to) {
    return from == null || to == null ? Double.NaN : to.cpuSecondsSince(from);
  }

  private static void row(PrintStream out, String what, long nanos, double cpuSeconds, int n) {
    if (nanos <= 0) {
      return;
    }
    out.printf(
        "%-34s %10.2f %10.1f %10.2f %12.2f%n",
        what, nanos / 1e9, n / (nanos / 1e9), cpuSeconds, cpuSeconds * 1000 / n);
  }

  /** The hosts' CPU by kind of thread, per phase, in ms per application and share of the phase. */
  private void printThreads(PrintStream out, int n) {
    if (threadsPhase1.isEmpty() && threadsPhase2.isEmpty()) {
      return;
    }
    out.println();
    out.println(
        "host CPU by kind of thread (/proc, 10 ms per thread resolution), ms per application:");
    java.util.Set<String> kinds = new java.util.LinkedHashSet<>();
    kinds.addAll(threadsPhase1.keySet());
    kinds.addAll(threadsPhase2.keySet());
    kinds.remove("total");
    kinds.add("total");
    out.printf("  %-28s %10s %6s %10s %6s%n", "kind", "phase 1", "%", "phase 2", "%");
    for (String kind : kinds) {
      out.printf(
          "  %-28s %10.2f %6.1f %10.2f %6.1f%n",
          kind,
          threadsPhase1.getOrDefault(kind, 0L) / 1e6 / n,
          share(threadsPhase1, kind),
          threadsPhase2.getOrDefault(kind, 0L) / 1e6 / n,
          share(threadsPhase2, kind));
    }
  }

  /** The kinds of the driver's threads that make the hook calls of phase 2. */
  static boolean hookClientThread(String kind) {
    return kind.startsWith("load-hook-client")
        || kind.startsWith("load-http")
        || kind.startsWith("HttpClient-")
        || kind.equals(ThreadCpu.ENDED);
  }

  /**
   * The driver's CPU per complete call in phase 2, in nanoseconds: its hook-calling threads ({@link
   * #hookClientThread}; the threads that ended are those of the abandoned clients); -1 if unknown.
   */
  double driverCpuPerCall() {
    if (driverPhase2.isEmpty()) {
      return -1;
    }
    return driverPhase2.entrySet().stream()
            .filter(e -> hookClientThread(e.getKey()))
            .mapToLong(Map.Entry::getValue)
            .sum()
        / (double) options.applications();
  }

  private void printDriver(PrintStream out, int n) {
    if (driverPhase2.isEmpty()) {
      return;
    }
    out.println();
    out.printf(
        "driver CPU in phase 2 (fakes and hook clients; the clients on the host's cores): %.2f ms"
            + " per complete call by the hook clients (%s), of %.2f ms per application in all%n",
        driverCpuPerCall() / 1e6, clientTls, driverPhase2.getOrDefault("total", 0L) / 1e6 / n);
    driverPhase2.forEach(
        (kind, nanos) -> {
          if (!kind.equals("total") && nanos / 1e6 / n >= 0.01) {
            out.printf("  %-34s %8.2f ms/app%n", kind, nanos / 1e6 / n);
          }
        });
  }

  private static double share(Map<String, Long> phase, String kind) {
    long total = phase.getOrDefault("total", 0L);
    return total == 0 ? 0 : 100.0 * phase.getOrDefault(kind, 0L) / total;
  }

  private void printStoreTraffic(PrintStream out, int n) {
    Optional<StoreTraffic> traffic = storeTraffic();
    if (traffic.isEmpty()) {
      return;
    }
    out.println();
    out.printf(
        "store requests per application, every host summed, phases 1 and 2 (%s):%n",
        options.onEtcd() ? "etcd" : "MemoryStore");
    traffic
        .get()
        .groups()
        .forEach((group, calls) -> out.printf("  %-16s %8.2f%n", group, calls / (double) n));
    out.printf(
        "  by kind: %s; compare-and-set conflicts %d%n",
        traffic.get().calls().entrySet().stream()
            .filter(
                e ->
                    !e.getKey().equals(StoreTraffic.CONFLICTS)
                        && !e.getKey().startsWith(CountingStore.CONFLICT_PREFIX)
                        && e.getValue() > 0)
            .map(e -> String.format("%s %.2f", e.getKey(), e.getValue() / (double) n))
            .collect(java.util.stream.Collectors.joining(", ")),
        traffic.get().conflicts());
    out.printf(
        "  compare-and-set conflicts per 100 applications: %.1f%n",
        traffic.get().conflicts() * 100.0 / n);
    traffic
        .get()
        .conflictsBySite()
        .forEach((site, count) -> out.printf("    %6d  lost < won: %s%n", count, site));
    long etcd = etcdCpuNanos();
    if (etcd >= 0) {
      double host = hostCpuNanos();
      out.printf(
          "etcd CPU: %.2f s, %.2f ms per application; host%s and etcd: %.2f ms per application%n",
          etcd / 1e9, etcd / 1e6 / n, hostPids.size() > 1 ? "s" : "", (host + etcd) / 1e6 / n);
    }
  }

  private void printRequests(PrintStream out, int n) {
    Optional<BaselineRound> warm = warmBaseline();
    if (libraryRequests == null) {
      return;
    }
    Map<String, RequestCount> base = warm.map(BaselineRound::requests).orElse(Map.of());
    out.println();
    out.printf(
        "%-72s %9s %9s %9s%n",
        "requests per application, all fakes", "library", "baseline", "KiB/req");
    TreeSet<String> keys = new TreeSet<>(libraryRequests.keySet());
    keys.addAll(base.keySet());
    for (String key : keys) {
      RequestCount lib = libraryRequests.getOrDefault(key, new RequestCount(0, 0));
      RequestCount b = base.getOrDefault(key, new RequestCount(0, 0));
      out.printf(
          "%-72s %9.2f %9.2f %4.1f/%4.1f%n",
          key,
          lib.requests() / (double) n,
          b.requests() / (double) n,
          lib.requests() == 0 ? 0 : lib.bodyBytes() / 1024.0 / lib.requests(),
          b.requests() == 0 ? 0 : b.bodyBytes() / 1024.0 / b.requests());
    }
  }

  /**
   * The writes (PATCH, DELETE, POST, PUT) the library sent that the baseline did not send as many
   * of, or the other way round: empty when the calls are the same.
   */
  List<String> callDifferences() {
    List<String> out = new ArrayList<>();
    if (libraryRequests == null || warmBaseline().isEmpty()) {
      return out;
    }
    Map<String, RequestCount> base = warmBaseline().get().requests();
    Map<String, long[]> both = new TreeMap<>();
    libraryRequests.forEach((k, v) -> both.computeIfAbsent(k, x -> new long[2])[0] = v.requests());
    base.forEach((k, v) -> both.computeIfAbsent(k, x -> new long[2])[1] = v.requests());
    both.forEach(
        (key, c) -> {
          boolean write = !key.startsWith("GET ");
          if (write && c[0] != c[1]) {
            out.add(key + ": library " + c[0] + ", baseline " + c[1]);
          }
        });
    return out;
  }

  private void printMemory(PrintStream out, int n) {
    out.println();
    if (heapOfFirstRound) {
      out.println("heap figures of warm-up round 1 (the first round, as without a warm-up):");
    }
    if (heapBeforeCreate >= 0 && heapRunning >= 0 && heapRunningCompacted < 0) {
      out.printf(
          "host live heap (after a full GC, every host summed): %.1f MiB before the first create,"
              + " %.1f MiB with %d applications RUNNING: %.1f KiB per RUNNING application%n",
          heapBeforeCreate / 1048576.0,
          heapRunning / 1048576.0,
          n,
          (heapRunning - heapBeforeCreate) / 1024.0 / n);
    } else if (heapBeforeCreate >= 0 && heapRunning >= 0) {
      out.printf(
          "host live heap (after a full GC): %.1f MiB before the first create, %.1f MiB with %d"
              + " applications RUNNING: %.1f KiB per RUNNING application (%.1f KiB with the store's"
              + " history compacted)%n",
          heapBeforeCreate / 1048576.0,
          heapRunning / 1048576.0,
          n,
          (heapRunning - heapBeforeCreate) / 1024.0 / n,
          (heapRunningCompacted - heapBeforeCreate) / 1024.0 / n);
    }
    if (heapGone >= 0) {
      out.printf(
          "host live heap with every application gone (%s): %.1f MiB (%+.1f KiB"
              + " per application)%n",
          options.onEtcd() ? "every host summed; the history is etcd's" : "history compacted",
          heapGone / 1048576.0,
          (heapGone - heapBeforeCreate) / 1024.0 / n);
    }
    if (hostStart != null && hostEnd != null) {
      long[] gc = hostEnd.collectionsSince(hostStart);
      StringBuilder collectors = new StringBuilder();
      hostEnd
          .collections()
          .forEach(
              (name, now) -> {
                long[] then = hostStart.collections().getOrDefault(name, new long[2]);
                collectors.append(
                    String.format("; %s %d (%d ms)", name, now[0] - then[0], now[1] - then[1]));
              });
      out.printf(
          "host peak heap: %d MiB (sum of the heap pools' peaks, both phases and the heap"
              + " measurements); GC: %d collections, %d ms%s; peak live threads %d%n",
          hostEnd.heapPeakBytes() >> 20, gc[0], gc[1], collectors, hostEnd.peakThreads());
    }
    if (documentBytes > 0) {
      out.printf("one RUNNING application as stored: %.1f KiB of JSON%n", documentBytes / 1024.0);
    }
  }

  private static void latency(PrintStream out, String what, Latencies latencies) {
    if (latencies != null) {
      out.printf(
          "%-34s %10.1f %10.1f %10.1f%n",
          what,
          latencies.percentileMillis(50),
          latencies.percentileMillis(99),
          latencies.maxMillis());
    }
  }

  private static void printProfile(
      PrintStream out, Profile.Samples phase1, Optional<Profile.Samples> phase2) {
    Profile.Samples both = phase2.map(phase1::plus).orElse(phase1);
    out.println();
    out.printf(
        "JFR execution samples of the host every %d ms, phase 1%s: %d samples (%d in phase 1; %d"
            + " with truncated stacks)%n",
        Profile.SAMPLE_PERIOD.toMillis(),
        phase2.isPresent() ? " and phase 2" : "",
        both.count(),
        phase1.count(),
        both.truncated());
    table(out, "hot frames, self time", both.selfByMethod(), both.count(), TOP);
    table(
        out,
        "where time goes: first frame in " + String.join("/", Profile.LIBRARY_PREFIXES),
        both.byFirstLibraryFrame(),
        both.count(),
        TOP);
    table(
        out,
        "phase 1 by package of that frame",
        phase1.byFirstLibraryPackage(),
        phase1.count(),
        10);
    phase2.ifPresent(
        p ->
            table(
                out, "phase 2 by package of that frame", p.byFirstLibraryPackage(), p.count(), 10));
    table(out, "by thread (digits as #)", both.byThreadGroup(), both.count(), 10);
  }

  private static void table(
      PrintStream out, String title, Map<String, Long> counts, int total, int rows) {
    out.println();
    out.printf("%-6s %7s  %s%n", "%", "samples", title);
    for (Map.Entry<String, Long> e : Profile.Samples.top(counts, rows)) {
      out.printf("%5.1f%% %7d  %s%n", 100.0 * e.getValue() / total, e.getValue(), e.getKey());
    }
  }
}
