package cloud.krake.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The CPU time of a process's threads by kind of thread: the Java threads' from the {@link
 * ThreadMXBean} (by their full names, in nanoseconds), the VM's own threads (JIT compiler, GC, VM
 * thread, Flight Recorder: not visible as Java threads) from Linux's {@code
 * /proc/<pid>/task/<tid>/stat} ({@code utime + stime}, in clock ticks of {@value #USER_HZ} per
 * second, the {@code USER_HZ} the kernel reports {@code /proc} times in on every mainstream
 * architecture: known to 10 ms per thread), and the whole process's from {@code /proc/<pid>/stat}.
 * A {@code /proc} thread is taken for a Java thread, and left to the {@link ThreadMXBean}, when its
 * kernel name ({@code comm}, cut at 15 characters) is, or is the start of, a live Java thread's
 * name; the launcher's threads ({@code java}) are the {@code main} Java thread's.
 *
 * <p>Kinds: {@value #COMPILER} (C1 and C2 compiler threads), {@value #GC} (the garbage collector's
 * threads: {@code GC Thread#}, {@code G1 ...}, ...), {@value #VM} (the VM thread, which runs
 * safepoint operations, and the VM's other service threads), {@value #JFR} (Flight Recorder), and
 * every Java thread by its pool: its name without the trailing number ({@code krake-reconcile-3} is
 * {@code krake-reconcile}, {@code OkHttp TaskRunner} stays itself). A phase's CPU of threads that
 * ended within it is in no thread's time at its end; {@link #phase} reports it as {@value #ENDED}:
 * the process's time less that of the threads still there (with the 10 ms resolution of {@code
 * /proc}, a few tens of milliseconds either way).
 *
 * <p>A snapshot is a map {@code "<thread> <kind>"} to nanoseconds ({@code j<id>} for a Java thread,
 * the tid for another), plus {@value #PROCESS} for the whole process (every thread, also those that
 * ended), so that it travels as a JSON object of numbers. Stateless; thread-safe.
 */
final class ThreadCpu {

  /** Clock ticks per second of {@code /proc}'s times. */
  static final long USER_HZ = 100;

  static final String PROCESS = "process";
  static final String COMPILER = "JIT compiler";
  static final String GC = "GC";
  static final String VM = "VM threads";
  static final String JFR = "JFR";
  static final String ENDED = "threads that ended";

  private static final List<String> VM_THREADS =
      List.of(
          "VM Thread",
          "VM Periodic Tas",
          "Signal Dispatch",
          "Service Thread",
          "Monitor Deflati",
          "Finalizer",
          "Reference Handl",
          "Common-Cleaner",
          "Notification Th",
          "Attach Listener",
          "Sweeper thread");

  private ThreadCpu() {}

  /** A live Java thread and its CPU time so far in nanoseconds. */
  record JavaThread(long id, String name, long cpuNanos) {}

  /** This process's snapshot. */
  static Map<String, Long> snapshot() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    List<JavaThread> java = new ArrayList<>();
    for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds(), 0)) {
      if (info == null) {
        continue; // ended since
      }
      long cpu = mx.getThreadCpuTime(info.getThreadId());
      if (cpu >= 0) {
        java.add(new JavaThread(info.getThreadId(), info.getThreadName(), cpu));
      }
    }
    return snapshot(Path.of("/proc/self"), java);
  }

  /**
   * The snapshot of the process whose {@code /proc} directory is {@code proc}.
   *
   * @param java its live Java threads
   * @throws UncheckedIOException if {@code proc} cannot be read (not Linux)
   */
  static Map<String, Long> snapshot(Path proc, List<JavaThread> java) {
    Map<String, Long> out = new TreeMap<>();
    List<String> names = new ArrayList<>();
    for (JavaThread t : java) {
      out.put("j" + t.id() + " " + pool(t.name()), t.cpuNanos());
      names.add(t.name());
    }
    try {
      out.put(PROCESS, nanos(parseStat(Files.readString(proc.resolve("stat"))).ticks()));
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
        for (Path task : tasks) {
          Stat stat;
          try {
            stat = parseStat(Files.readString(task.resolve("stat")));
          } catch (NoSuchFileException e) {
            continue; // ended since the listing
          }
          if (!isJava(stat.comm(), names)) {
            out.put(task.getFileName() + " " + kind(stat.comm()), nanos(stat.ticks()));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + proc, e);
    }
    return out;
  }

  /** Whether a {@code /proc} thread of this {@code comm} is one of the Java threads named. */
  static boolean isJava(String comm, Collection<String> javaNames) {
    if (comm.equals("java")) {
      return true; // the launcher's threads: the main Java thread and the idle primordial one
    }
    for (String name : javaNames) {
      if (name.equals(comm) || comm.length() >= 15 && name.startsWith(comm)) {
        return true;
      }
    }
    return false;
  }

  /** A thread's (or process's) name and CPU time from its {@code stat}. */
  record Stat(String comm, long ticks) {}

  /**
   * Parses one {@code stat} line: {@code pid (comm) state ...}, where {@code comm} may hold spaces
   * and parentheses (it ends at the last {@code ')'}), {@code utime} and {@code stime} the 14th and
   * 15th fields.
   *
   * @throws IllegalArgumentException naming the field that is missing or not a number
   */
  static Stat parseStat(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 0 || close < open) {
      throw new IllegalArgumentException("stat: no (comm) in " + abbreviate(line));
    }
    String comm = line.substring(open + 1, close);
    String[] fields = line.substring(close + 1).trim().split("\\s+");
    // fields[0] is the 3rd field (state): utime, the 14th, is fields[11], stime fields[12]
    if (fields.length < 13) {
      throw new IllegalArgumentException("stat: no utime/stime field in " + abbreviate(line));
    }
    return new Stat(comm, number("utime", fields[11]) + number("stime", fields[12]));
  }

  private static long number(String field, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("stat: " + field + " is not a number: " + value, e);
    }
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 80) + "...";
  }

  /** The kind of a thread that is not a Java thread, from its {@code comm}. */
  static String kind(String comm) {
    if (comm.startsWith("C1 CompilerThre")
        || comm.startsWith("C2 CompilerThre")
        || comm.startsWith("CompilerThread")) {
      return COMPILER;
    }
    if (comm.startsWith("GC Thread")
        || comm.startsWith("G1 ")
        || comm.startsWith("GC ")
        || comm.startsWith("ZGC")
        || comm.startsWith("Shenandoah")) {
      return GC;
    }
    if (comm.startsWith("JFR ")) {
      return JFR;
    }
    if (VM_THREADS.stream().anyMatch(comm::startsWith)) {
      return VM;
    }
    return pool(comm);
  }

  /**
   * A thread's name without its trailing number, and a number between dashes as {@code #}: the pool
   * it is one of ({@code HttpClient-12-SelectorManager} is {@code HttpClient-#-SelectorManager}).
   */
  static String pool(String threadName) {
    String pool = threadName.replaceFirst("[-#_ ]*\\d+$", "").replaceAll("-\\d+-", "-#-");
    return pool.isEmpty() ? threadName : pool;
  }

  /**
   * The CPU time in nanoseconds by kind between two snapshots of one process, most first, with
   * {@value #ENDED} (if above zero) and {@code total} (the process's) last.
   */
  static Map<String, Long> phase(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> byKind = new TreeMap<>();
    long threads = 0;
    for (Map.Entry<String, Long> e : after.entrySet()) {
      if (e.getKey().equals(PROCESS)) {
        continue;
      }
      long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      String kind = e.getKey().substring(e.getKey().indexOf(' ') + 1);
      byKind.merge(kind, delta, Long::sum);
      threads += delta;
    }
    long process = after.getOrDefault(PROCESS, 0L) - before.getOrDefault(PROCESS, 0L);
    Map<String, Long> out = new LinkedHashMap<>();
    byKind.entrySet().stream()
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    if (process - threads > 0) {
      out.put(ENDED, process - threads);
    }
    out.put("total", process);
    return out;
  }

  /** Several processes' phases, summed by kind; {@code total} last. */
  static Map<String, Long> sum(List<Map<String, Long>> phases) {
    Map<String, Long> sum = new TreeMap<>();
    phases.forEach(p -> p.forEach((k, v) -> sum.merge(k, v, Long::sum)));
    Map<String, Long> out = new LinkedHashMap<>();
    sum.entrySet().stream()
        .filter(e -> !e.getKey().equals("total"))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    out.put("total", sum.getOrDefault("total", 0L));
    return out;
  }

  private static long nanos(long ticks) {
    return ticks * (TimeUnit.SECONDS.toNanos(1) / USER_HZ);
  }
}
