package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The line protocol between {@link ControllerLoad} (the driver) and its child JVMs, {@link
 * LoadHost} and {@link LoadBaseline}, and the way the driver starts them.
 *
 * <p>The driver writes commands to a child's standard input, one per line ({@code create <JSON>},
 * {@code usage}, {@code heap}, ...). A child writes to its standard output lines starting with
 * {@value #PREFIX}: an answer to a command ({@code usage <JSON>}) or an event ({@code running
 * <name> <nanos> <cluster>}, {@code gone <name> <nanos>}); any other line (a library's stray print)
 * is copied to the driver's standard error. A child's standard error (its log) is the driver's. A
 * child ends when its standard input ends, so it never outlives the driver.
 *
 * <p>Times: {@link System#nanoTime()} of the JVM that saw the moment. On Linux it reads {@code
 * CLOCK_MONOTONIC}, one clock for every process of the machine, so a host's event time and the
 * driver's send time are compared directly.
 */
final class LoadProtocol {

  /** The start of every protocol line a child writes. */
  static final String PREFIX = "@krake ";

  /** The Krake namespace of the applications and clusters. */
  static final String NS = "load";

  /**
   * The system property naming how many fake clusters the run uses (default {@value
   * #DEFAULT_CLUSTERS}, at most {@value #MAX_CLUSTERS}); the driver passes it on to its children.
   */
  static final String CLUSTERS_PROPERTY = "krake.load.clusters";

  /** Fake clusters without {@link #CLUSTERS_PROPERTY}. */
  static final int DEFAULT_CLUSTERS = 2;

  /** The most fake clusters: their names are the letters {@code a} to {@code z}. */
  static final int MAX_CLUSTERS = 26;

  /**
   * The fake clusters' names, also their {@code location} labels: {@code a}, {@code b}, ... as many
   * as {@link #CLUSTERS_PROPERTY} says. Application {@code i} goes to {@code LOCATIONS.get(i %
   * LOCATIONS.size())}.
   */
  static final List<String> LOCATIONS = locations(clusters());

  /**
   * The number of clusters {@link #CLUSTERS_PROPERTY} asks for.
   *
   * @throws IllegalArgumentException if it is not a number from 1 to {@value #MAX_CLUSTERS}
   */
  static int clusters() {
    String value = System.getProperty(CLUSTERS_PROPERTY, String.valueOf(DEFAULT_CLUSTERS));
    int clusters = Integer.parseInt(value.trim());
    if (clusters < 1 || clusters > MAX_CLUSTERS) {
      throw new IllegalArgumentException(
          CLUSTERS_PROPERTY + " must be from 1 to " + MAX_CLUSTERS + ": " + value);
    }
    return clusters;
  }

  private static List<String> locations(int clusters) {
    List<String> names = new ArrayList<>(clusters);
    for (int i = 0; i < clusters; i++) {
      names.add(String.valueOf((char) ('a' + i)));
    }
    return List.copyOf(names);
  }

  /** The application template, a class-path resource beside this class. */
  static final String APPLICATION_RESOURCE = "controller-load-application.yaml";

  private LoadProtocol() {}

  static String name(int i) {
    return String.format("app-%05d", i);
  }

  static String location(int i) {
    return LOCATIONS.get(i % LOCATIONS.size());
  }

  /** The template, read once. */
  static String applicationTemplate() {
    try (InputStream in = LoadProtocol.class.getResourceAsStream(APPLICATION_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing class-path resource " + APPLICATION_RESOURCE);
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Application {@code i} as one line of JSON, as the driver sends it to the host. */
  static String applicationJson(String template, int i) {
    JsonNode doc =
        KrakeJson.read(
            template.replace("${name}", name(i)).replace("${location}", location(i)),
            JsonNode.class);
    return doc.toString();
  }

  // ------------------------------------------------------------------ JVM usage on one line

  static String encode(JvmUsage usage) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("heapPeakBytes", usage.heapPeakBytes())
        .put("cpuNanos", usage.cpuNanos())
        .put("peakThreads", usage.peakThreads());
    ObjectNode gc = out.putObject("collections");
    usage.collections().forEach((name, c) -> gc.putArray(name).add(c[0]).add(c[1]));
    return out.toString();
  }

  static JvmUsage decodeUsage(String json) {
    JsonNode in = KrakeJson.read(json, JsonNode.class);
    Map<String, long[]> gc = new LinkedHashMap<>();
    in.path("collections")
        .properties()
        .forEach(
            e ->
                gc.put(
                    e.getKey(),
                    new long[] {e.getValue().get(0).asLong(), e.getValue().get(1).asLong()}));
    return new JvmUsage(
        in.path("heapPeakBytes").asLong(),
        gc,
        in.path("cpuNanos").asLong(),
        in.path("peakThreads").asInt());
  }

  // ------------------------------------------------------------------ the child side

  /** Writes protocol lines to standard output, one at a time; thread-safe. */
  static final class Out {
    private final PrintStream out;

    Out(PrintStream out) {
      this.out = out;
    }

    synchronized void send(String line) {
      out.print(PREFIX);
      out.print(line);
      out.print('\n');
      out.flush();
    }
  }

  // ------------------------------------------------------------------ the driver side

  /**
   * A child JVM of the driver: the same {@code java} and class path, its own JVM options. Answers
   * go to a queue ({@link #await}); lines for which {@code events} returns true are events and are
   * not queued.
   */
  static final class Child implements AutoCloseable {
    private final String what;
    private final Process process;
    private final Writer in;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Thread reader;

    private Child(String what, Process process, EventSink events) {
      this.what = what;
      this.process = process;
      this.in = process.outputWriter(UTF_8);
      this.reader =
          new Thread(() -> read(process.getInputStream(), events), "load-" + what + "-stdout");
      reader.setDaemon(true);
      reader.start();
    }

    /** Tells whether a line is an event (consumed) or an answer (queued). */
    interface EventSink {
      boolean event(String line);
    }

    /**
     * Starts {@code main} in a new JVM.
     *
     * @param jvmOptions options before the main class ({@code -Xmx1g}, {@code -Dx=y})
     */
    static Child start(
        String what, Class<?> main, List<String> jvmOptions, List<String> args, EventSink events) {
      return start(what, main, jvmOptions, args, events, ProcessBuilder.Redirect.INHERIT);
    }

    /**
     * Starts {@code main} in a new JVM whose standard error goes to {@code stderr} (a file, to read
     * its log afterwards, or {@link ProcessBuilder.Redirect#INHERIT}).
     */
    static Child start(
        String what,
        Class<?> main,
        List<String> jvmOptions,
        List<String> args,
        EventSink events,
        ProcessBuilder.Redirect stderr) {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.add("-D" + CLUSTERS_PROPERTY + "=" + LOCATIONS.size());
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(main.getName());
      command.addAll(args);
      try {
        Process process = new ProcessBuilder(command).redirectError(stderr).start();
        return new Child(what, process, events);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the " + what + " JVM", e);
      }
    }

    private void read(InputStream stdout, EventSink events) {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (!line.startsWith(PREFIX)) {
            System.err.println("[" + what + "] " + line);
            continue;
          }
          String message = line.substring(PREFIX.length());
          if (!events.event(message)) {
            answers.add(message);
          }
        }
      } catch (IOException e) {
        // the child is gone
      } finally {
        answers.add("eof");
      }
    }

    /** Sends one command line. */
    synchronized void send(String line) {
      try {
        in.write(line);
        in.write('\n');
        in.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("the " + what + " JVM does not read its input", e);
      }
    }

    /**
     * Waits for the next answer, which must start with {@code word}.
     *
     * @throws IllegalStateException if the child ended, answered something else or not in time
     */
    String await(String word, Duration timeout) {
      try {
        String answer = answers.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (answer == null) {
          throw new IllegalStateException(
              "the " + what + " JVM did not answer " + word + " within " + timeout);
        }
        if (answer.equals("eof")) {
          answers.add("eof");
          throw new IllegalStateException("the " + what + " JVM ended (waiting for " + word + ")");
        }
        if (!answer.equals(word) && !answer.startsWith(word + " ")) {
          throw new IllegalStateException(
              "the " + what + " JVM answered " + abbreviate(answer) + " instead of " + word);
        }
        return answer.length() > word.length() ? answer.substring(word.length() + 1) : "";
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the " + what + " JVM", e);
      }
    }

    /** Sends a command and waits for its answer. */
    String call(String command, String word, Duration timeout) {
      send(command);
      return await(word, timeout);
    }

    boolean isAlive() {
      return process.isAlive();
    }

    long pid() {
      return process.pid();
    }

    /**
     * Kills the JVM at once ({@code SIGKILL}: no shutdown of any kind) and waits until it is gone.
     */
    void kill() {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
        reader.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * Sends a signal with {@code kill -<signal> <pid>}: {@code STOP} freezes the JVM (every thread,
     * its lease keep-alives too), {@code CONT} resumes it.
     */
    void signal(String signal) {
      try {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
          throw new IllegalStateException("kill -" + signal + " " + pid() + " failed");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run kill", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted sending " + signal, e);
      }
    }

    /** Closes its input (the child ends) and waits for it, then kills it. */
    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }

    private static String abbreviate(String s) {
      return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
  }

  /** Runs {@code body} for each line of standard input until it ends. */
  static void eachInputLine(Consumer<String> body) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(System.in, UTF_8));
    String line;
    while ((line = lines.readLine()) != null) {
      body.accept(line);
    }
  }
}
