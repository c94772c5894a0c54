package cloud.krake.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A sampling CPU profile taken with JDK Flight Recorder from inside the JVM: {@code
 * jdk.ExecutionSample} events every {@link #SAMPLE_PERIOD} (a sample is taken only of a thread that
 * runs Java code at that moment; threads blocked, parked or in native I/O are not sampled), read
 * back with {@link RecordingFile} and aggregated.
 *
 * <p>Stacks are as deep as the JVM records them ({@code -XX:FlightRecorderOptions=stackdepth=N},
 * default 64); a truncated stack keeps its top frames, so self time is exact and the "first library
 * frame" may be missing for very deep JDK stacks (counted as JDK-only).
 *
 * <p>Not thread-safe: one thread starts and stops it.
 */
final class Profile {

  /** The sampling period of {@code jdk.ExecutionSample}. */
  static final Duration SAMPLE_PERIOD = Duration.ofMillis(10);

  /**
   * The package prefixes whose frames name "where the time goes": the library ({@code cloud.krake},
   * including this load program's own {@code cloud.krake.benchmarks}), the official Kubernetes
   * client, okhttp and the fake API server's {@code mockwebserver3}.
   */
  static final List<String> LIBRARY_PREFIXES =
      List.of("cloud.krake.", "io.kubernetes.", "okhttp3.", "mockwebserver3.");

  /** The key of samples without any frame of {@link #LIBRARY_PREFIXES}. */
  static final String JDK_ONLY = "(JDK and other frames only)";

  private static final Pattern DIGITS = Pattern.compile("\\d+");

  private final Recording recording;

  private Profile(Recording recording) {
    this.recording = recording;
  }

  /** Starts a recording of execution samples only. */
  static Profile start() {
    Recording recording = new Recording();
    recording.setName("controller-load");
    recording.enable("jdk.ExecutionSample").withPeriod(SAMPLE_PERIOD);
    recording.setToDisk(true);
    recording.start();
    return new Profile(recording);
  }

  /**
   * Stops the recording and writes it to {@code file}, for another process to read ({@link
   * Samples#read}).
   *
   * @throws java.io.UncheckedIOException if the file cannot be written
   */
  void stopTo(Path file) {
    try {
      recording.stop();
      recording.dump(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      recording.close();
    }
  }

  /**
   * Stops the recording, writes it to {@code file} and reads its samples back.
   *
   * @throws UncheckedIOException if the file cannot be written or read
   */
  Samples stop(Path file) {
    try {
      recording.stop();
      recording.dump(file);
      return Samples.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      recording.close();
    }
  }

  /**
   * One execution sample: the sampled thread's name and its frames, top (running) frame first, each
   * as {@code package.Class.method}.
   */
  record Sample(String thread, List<String> frames, boolean truncated) {
    Sample {
      Objects.requireNonNull(thread, "thread");
      frames = List.copyOf(frames);
    }
  }

  /** The samples of a recording and their aggregations; counts are numbers of samples. */
  record Samples(List<Sample> samples) {
    Samples {
      samples = List.copyOf(samples);
    }

    /** Reads the {@code jdk.ExecutionSample} events of a JFR file. */
    static Samples read(Path file) throws IOException {
      List<Sample> out = new ArrayList<>();
      for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null) {
          continue;
        }
        List<String> frames = new ArrayList<>();
        for (RecordedFrame frame : stack.getFrames()) {
          if (frame.getMethod() != null) {
            frames.add(frame.getMethod().getType().getName() + "." + frame.getMethod().getName());
          }
        }
        RecordedThread thread = event.getThread("sampledThread");
        String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
        out.add(new Sample(name, frames, stack.isTruncated()));
      }
      return new Samples(out);
    }

    /** Returns these samples and those of {@code other}. */
    Samples plus(Samples other) {
      List<Sample> all = new ArrayList<>(samples);
      all.addAll(other.samples);
      return new Samples(all);
    }

    /** Returns how many samples there are. */
    int count() {
      return samples.size();
    }

    /** Returns how many samples have a truncated stack. */
    long truncated() {
      return samples.stream().filter(Sample::truncated).count();
    }

    /** Self time: samples by their top frame's method. */
    Map<String, Long> selfByMethod() {
      return countBy(s -> s.frames().isEmpty() ? "(no frame)" : s.frames().get(0));
    }

    /**
     * Samples by the first frame, from the top, in one of {@link #LIBRARY_PREFIXES}: the library
     * method that (directly or through the JDK) spends the time; {@link #JDK_ONLY} if there is
     * none.
     */
    Map<String, Long> byFirstLibraryFrame() {
      return countBy(s -> firstLibraryFrame(s).orElse(JDK_ONLY));
    }

    /** As {@link #byFirstLibraryFrame()}, by the package of that frame. */
    Map<String, Long> byFirstLibraryPackage() {
      return countBy(s -> firstLibraryFrame(s).map(Samples::packageOf).orElse(JDK_ONLY));
    }

    /** Samples by thread name with every run of digits replaced by {@code #} (pools as one). */
    Map<String, Long> byThreadGroup() {
      return countBy(s -> DIGITS.matcher(s.thread()).replaceAll("#"));
    }

    private static Optional<String> firstLibraryFrame(Sample sample) {
      for (String frame : sample.frames()) {
        for (String prefix : LIBRARY_PREFIXES) {
          if (frame.startsWith(prefix)) {
            return Optional.of(frame);
          }
        }
      }
      return Optional.empty();
    }

    private static String packageOf(String frame) {
      String type = frame.substring(0, frame.lastIndexOf('.'));
      int dot = type.lastIndexOf('.');
      return dot < 0 ? type : type.substring(0, dot);
    }

    private Map<String, Long> countBy(Function<Sample, String> key) {
      Map<String, Long> counts = new HashMap<>();
      for (Sample s : samples) {
        counts.merge(key.apply(s), 1L, Long::sum);
      }
      return counts;
    }

    /** The {@code n} largest entries, largest first, ties by key. */
    static List<Map.Entry<String, Long>> top(Map<String, Long> counts, int n) {
      return counts.entrySet().stream()
          .sorted(
              Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                  .thenComparing(Map.Entry.comparingByKey()))
          .limit(n)
          .toList();
    }
  }
}
