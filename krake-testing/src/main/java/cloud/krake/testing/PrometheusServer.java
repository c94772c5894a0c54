package cloud.krake.testing;

import cloud.krake.testing.internal.LocalProcesses;
import cloud.krake.testing.internal.LoopbackPorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Prometheus server (the {@code prometheus} binary of the Debian package {@code prometheus})
 * on a free loopback port with a temporary data directory, scraping an exporter of gauges that this
 * class serves, for tests, examples and benchmarks of metrics-based scheduling.
 *
 * <p>Plain class, usable outside JUnit. {@link #start()} serves the exporter, launches Prometheus
 * and waits until Prometheus has scraped every gauge set so far; {@link #gauge(String, double)}
 * changes an exported value and {@link #awaitValue} waits until Prometheus answers it; {@link
 * #close()} stops the process (SIGTERM, then a kill), the exporter, and deletes the temporary
 * directory.
 *
 * <pre>{@code
 * try (PrometheusServer prometheus = PrometheusServer.builder()
 *     .gauge("green_energy_de", 0.9)
 *     .build()
 *     .start()) {
 *   URI url = prometheus.url();                       // http://127.0.0.1:<port>
 *   prometheus.gauge("green_energy_de", 0.1);
 *   prometheus.awaitValue("green_energy_de", 0.1, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Prometheus scrapes every {@link Builder#scrapeInterval scrape interval} (default 1 s), so a
 * changed gauge is visible at the query API about one interval later. Its output goes to {@link
 * #logFile()}; a failed start quotes its last lines.
 *
 * <p>Threading: the lifecycle methods are {@code synchronized}; {@link #gauge}, the queries and the
 * accessors may be called from any thread. The exporter answers on one thread of the JDK's HTTP
 * server.
 */
public final class PrometheusServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PrometheusServer.class);

  /** Where Debian's {@code prometheus} package installs the binary. */
  public static final Path DEBIAN_PROMETHEUS_BINARY = Path.of("/usr/bin/prometheus");

  /** How long {@link #start()} waits for the first scrape of every gauge by default: 60 s. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);

  /** The default scrape (and evaluation) interval: 1 s. */
  public static final Duration DEFAULT_SCRAPE_INTERVAL = Duration.ofSeconds(1);

  /** How long {@link #close()} waits after SIGTERM before it kills the process: 20 s. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final String INSTALL_HINT =
      "install the Debian package prometheus (apt-get install prometheus)";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path binary;
  private final Duration startupTimeout;
  private final Duration scrapeInterval;
  private final Map<String, Double> gauges = new ConcurrentSkipListMap<>();
  private final Path directory;
  private final Path logFile;
  private final OkHttpClient client;

  // Guarded by this.
  private HttpServer exporter;
  private Process process;
  private int port;
  private boolean closed;

  private PrometheusServer(Builder builder) {
    this.binary = builder.binary;
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "Prometheus binary " + binary + " is not executable; " + INSTALL_HINT);
    }
    this.startupTimeout = builder.startupTimeout;
    this.scrapeInterval = builder.scrapeInterval;
    this.gauges.putAll(builder.gauges);
    try {
      this.directory = Files.createTempDirectory("krake-prometheus-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for Prometheus", e);
    }
    this.logFile = directory.resolve("prometheus.log");
    this.client =
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(1))
            .callTimeout(Duration.ofSeconds(5))
            .retryOnConnectionFailure(false)
            .build();
  }

  /** Returns a builder: the Debian binary, no gauges, 1 s scrape interval, 60 s startup timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Serves the exporter, launches Prometheus and waits until its query API answers every gauge set
   * so far with its value. Does nothing if already started.
   *
   * @return this server
   * @throws IllegalStateException if the server was closed, Prometheus exited, or the gauges were
   *     not scraped within the startup timeout (the message quotes the end of Prometheus' log);
   *     {@link #close()} still stops what was started
   * @throws UncheckedIOException if the exporter or the process cannot be started
   */
  public synchronized PrometheusServer start() {
    if (closed) {
      throw new IllegalStateException("Prometheus server was closed");
    }
    if (process != null) {
      return this;
    }
    Path config = directory.resolve("prometheus.yml");
    try {
      exporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      exporter.createContext("/metrics", this::export);
      exporter.start();
      port = LoopbackPorts.free(1)[0];
      String interval = scrapeInterval.toMillis() + "ms";
      Files.writeString(
          config,
          """
          global:
            scrape_interval: %s
            evaluation_interval: %s
          scrape_configs:
            - job_name: krake_test_exporter
              static_configs:
                - targets: ['127.0.0.1:%d']
          """
              .formatted(interval, interval, exporter.getAddress().getPort()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Prometheus " + binary, e);
    }
    process =
        LocalProcesses.launch(
            List.of(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port),
            logFile);
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    while (!ready()
        || !gauges.entrySet().stream().allMatch(g -> matches(g.getKey(), g.getValue()))) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Prometheus exited with code " + process.exitValue() + " while starting" + logTail());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "Prometheus did not scrape "
                + gauges.keySet()
                + " within "
                + startupTimeout
                + logTail());
      }
      pause();
    }
    log.info("Prometheus started at {} (data in {})", url(), directory);
    return this;
  }

  /**
   * Sets the value the exporter reports for a gauge (adding it if new). Prometheus sees it with its
   * next scrape.
   *
   * @param name a Prometheus metric name
   * @param value the value
   * @return this server
   * @throws IllegalArgumentException if the name is not a valid metric name
   */
  public PrometheusServer gauge(String name, double value) {
    gauges.put(checkName(name), value);
    return this;
  }

  /**
   * Queries Prometheus for a metric's current value ({@code GET /api/v1/query?query=<name>}).
   *
   * @param name the metric name
   * @return the value of the first series of that name, or empty if Prometheus has none (yet) or
   *     cannot be reached
   */
  public OptionalDouble value(String name) {
    HttpUrl query =
        HttpUrl.get(url() + "/api/v1/query").newBuilder().addQueryParameter("query", name).build();
    try (Response response = client.newCall(new Request.Builder().url(query).build()).execute()) {
      if (!response.isSuccessful()) {
        return OptionalDouble.empty();
      }
      for (JsonNode series : JSON.readTree(response.body().string()).path("data").path("result")) {
        if (name.equals(series.path("metric").path("__name__").asText(null))) {
          return OptionalDouble.of(Double.parseDouble(series.path("value").path(1).asText()));
        }
      }
      return OptionalDouble.empty();
    } catch (IOException | NumberFormatException e) {
      return OptionalDouble.empty();
    }
  }

  /**
   * Waits until Prometheus answers a metric with a value.
   *
   * @param name the metric name
   * @param value the value to wait for
   * @param timeout how long to wait at most (wall-clock)
   * @throws IllegalStateException if the timeout passed first or Prometheus is not running; the
   *     message names the last value seen
   */
  public void awaitValue(String name, double value, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!matches(name, value)) {
      Process p = process();
      if (p == null || !p.isAlive()) {
        throw new IllegalStateException("Prometheus is not running" + logTail());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "Prometheus did not answer "
                + name
                + " = "
                + value
                + " within "
                + timeout
                + " (last: "
                + value(name)
                + ")");
      }
      pause();
    }
  }

  /**
   * Returns Prometheus' URL, {@code http://127.0.0.1:<port>}, the {@code spec.prometheus.url} of a
   * metrics provider.
   *
   * @throws IllegalStateException if not started
   */
  public synchronized URI url() {
    if (port == 0) {
      throw new IllegalStateException("Prometheus server not started");
    }
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Returns the file that collects Prometheus' output. */
  public Path logFile() {
    return logFile;
  }

  /**
   * Stops Prometheus (SIGTERM, then a kill after {@link #STOP_TIMEOUT}) and the exporter, and
   * deletes the temporary directory. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (process != null) {
      LocalProcesses.stop(List.of(process), STOP_TIMEOUT);
    }
    if (exporter != null) {
      exporter.stop(0);
    }
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", directory, e.toString());
    }
    log.info("Prometheus at 127.0.0.1:{} stopped", port);
  }

  private synchronized Process process() {
    return process;
  }

  private boolean matches(String name, double value) {
    OptionalDouble seen = value(name);
    return seen.isPresent() && Double.compare(seen.getAsDouble(), value) == 0;
  }

  private boolean ready() {
    Request request = new Request.Builder().url(url() + "/-/ready").build();
    try (Response response = client.newCall(request).execute()) {
      return response.isSuccessful();
    } catch (IOException e) {
      return false;
    }
  }

  private void export(HttpExchange exchange) throws IOException {
    StringBuilder text = new StringBuilder();
    gauges.forEach(
        (name, value) ->
            text.append("# TYPE ")
                .append(name)
                .append(" gauge\n")
                .append(name)
                .append(' ')
                .append(value)
                .append('\n'));
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream body = exchange.getResponseBody()) {
      body.write(bytes);
    }
  }

  private String logTail() {
    return LocalProcesses.logTail(logFile);
  }

  private static void pause() {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
    if (Thread.currentThread().isInterrupted()) {
      throw new IllegalStateException("interrupted while waiting for Prometheus");
    }
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!METRIC_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a Prometheus metric name: '" + name + "'");
    }
    return name;
  }

  /** Settings of a {@link PrometheusServer}; not thread-safe. */
  public static final class Builder {
    private Path binary = DEBIAN_PROMETHEUS_BINARY;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Duration scrapeInterval = DEFAULT_SCRAPE_INTERVAL;
    private final Map<String, Double> gauges = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Sets the Prometheus binary (default {@link #DEBIAN_PROMETHEUS_BINARY}).
     *
     * @param binary the executable
     * @return this builder
     */
    public Builder binary(Path binary) {
      this.binary = Objects.requireNonNull(binary, "binary");
      return this;
    }

    /**
     * Sets how long {@link #start()} waits for the first scrape (default 60 s).
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = positive(timeout, "startupTimeout");
      return this;
    }

    /**
     * Sets Prometheus' scrape and evaluation interval (default 1 s).
     *
     * @param interval positive, whole milliseconds
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder scrapeInterval(Duration interval) {
      this.scrapeInterval = positive(interval, "scrapeInterval");
      return this;
    }

    /**
     * Adds a gauge the exporter reports from the start; {@link #start()} waits until it is scraped.
     *
     * @param name a Prometheus metric name
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException if the name is not a valid metric name
     */
    public Builder gauge(String name, double value) {
      gauges.put(checkName(name), value);
      return this;
    }

    /**
     * Returns the server, not yet started.
     *
     * @throws IllegalStateException if the binary is not executable (the message says which package
     *     to install)
     * @throws UncheckedIOException if the temporary directory cannot be created
     */
    public PrometheusServer build() {
      return new PrometheusServer(this);
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
      return value;
    }
  }

  @Override
  public synchronized String toString() {
    return "PrometheusServer[" + (port == 0 ? "not started" : "127.0.0.1:" + port) + "]";
  }
}
