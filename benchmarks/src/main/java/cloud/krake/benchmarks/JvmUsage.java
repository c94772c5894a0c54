package cloud.krake.benchmarks;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the JVM has used so far, from its management beans: the peak heap (the sum of the peak usage
 * of every heap pool since {@link #resetPeaks()}: an upper bound of the true peak of the whole
 * heap, as the pools peak at different moments), garbage collections and their accumulated time,
 * the process's CPU time and the peak number of live threads.
 *
 * @param heapPeakBytes the sum of the heap pools' peak usage, bytes
 * @param collections per collector (e.g. {@code G1 Young Generation}): {@code [count, millis]}
 * @param cpuNanos the process's CPU time (all threads, user and system), nanoseconds; -1 if unknown
 * @param peakThreads the peak number of live threads since {@link #resetPeaks()}
 */
record JvmUsage(
    long heapPeakBytes, Map<String, long[]> collections, long cpuNanos, int peakThreads) {

  JvmUsage {
    collections = Map.copyOf(collections);
  }

  /** Resets the peak usage of every heap pool and the peak thread count. */
  static void resetPeaks() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
        pool.resetPeakUsage();
      }
    }
    ManagementFactory.getThreadMXBean().resetPeakThreadCount();
  }

  /**
   * Runs a full garbage collection (twice, so that objects freed by finalization-like cleaners of
   * the first are gone too) and returns the heap then in use: what is still reachable.
   */
  static long heapAfterFullGc() {
    ManagementFactory.getMemoryMXBean().gc();
    ManagementFactory.getMemoryMXBean().gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Returns the first {@code lines} lines of the JVM's class histogram of live objects (as {@code
   * jcmd <pid> GC.class_histogram}, which runs a full collection first), then its first {@code
   * lines} lines naming a {@code cloud.krake} class.
   */
  static String liveClassHistogram(int lines) {
    try {
      Object text =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "gcClassHistogram",
                  new Object[] {new String[0]},
                  new String[] {String[].class.getName()});
      List<String> all = String.valueOf(text).lines().toList();
      List<String> out = new ArrayList<>(all.subList(0, Math.min(lines, all.size())));
      out.add("... cloud.krake classes:");
      all.stream().filter(l -> l.contains(" cloud.krake.")).limit(lines).forEach(out::add);
      return String.join("\n", out);
    } catch (javax.management.JMException e) {
      return "(no class histogram: " + e + ")";
    }
  }

  /** Reads the beans now. */
  static JvmUsage now() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.isValid() && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    Map<String, long[]> gc = new LinkedHashMap<>();
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc.put(
          collector.getName(),
          new long[] {collector.getCollectionCount(), collector.getCollectionTime()});
    }
    long cpu = -1;
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      cpu = os.getProcessCpuTime();
    }
    return new JvmUsage(peak, gc, cpu, ManagementFactory.getThreadMXBean().getPeakThreadCount());
  }

  /**
   * The usage of several processes together (the host instances of one run): heap peaks, CPU time,
   * collections (by collector name) and peak threads summed; CPU time -1 if any process's is
   * unknown.
   *
   * @throws IllegalArgumentException if {@code processes} is empty
   */
  static JvmUsage sum(List<JvmUsage> processes) {
    if (processes.isEmpty()) {
      throw new IllegalArgumentException("no process to sum");
    }
    long heap = 0;
    long cpu = 0;
    int threads = 0;
    Map<String, long[]> gc = new LinkedHashMap<>();
    for (JvmUsage p : processes) {
      heap += p.heapPeakBytes;
      cpu = cpu < 0 || p.cpuNanos < 0 ? -1 : cpu + p.cpuNanos;
      threads += p.peakThreads;
      p.collections.forEach(
          (name, c) -> {
            long[] s = gc.computeIfAbsent(name, k -> new long[2]);
            s[0] += c[0];
            s[1] += c[1];
          });
    }
    return new JvmUsage(heap, gc, cpu, threads);
  }

  /** Returns the collections since {@code before} as {@code [count, millis]}, summed. */
  long[] collectionsSince(JvmUsage before) {
    long count = 0;
    long millis = 0;
    for (Map.Entry<String, long[]> e : collections.entrySet()) {
      long[] then = before.collections.getOrDefault(e.getKey(), new long[2]);
      count += e.getValue()[0] - then[0];
      millis += e.getValue()[1] - then[1];
    }
    return new long[] {count, millis};
  }

  /** Returns the CPU seconds since {@code before}, or NaN if unknown. */
  double cpuSecondsSince(JvmUsage before) {
    return cpuNanos < 0 || before.cpuNanos < 0 ? Double.NaN : (cpuNanos - before.cpuNanos) / 1e9;
  }
}
