package cloud.krake.testing;

import cloud.krake.testing.internal.LocalProcesses;
import cloud.krake.testing.internal.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-member etcd server (the {@code etcd} binary of the Debian package {@code
 * etcd-server}) on free loopback ports with a temporary data directory, for tests and benchmarks.
 *
 * <p>Plain class, usable outside JUnit (JMH, main methods); {@link EtcdExtension} wraps it for
 * JUnit 5. {@link #start()} launches the process and waits until {@code GET /health} answers
 * healthy; {@link #stop()} ends it (SIGTERM, then a kill); {@link #start()} may be called again and
 * reuses the same ports and data directory, so a test can restart etcd under a running client;
 * {@link #close()} stops it and deletes the temporary directory.
 *
 * <pre>{@code
 * try (EtcdServer etcd = EtcdServer.builder().build()) {
 *   etcd.start();
 *   Store store = EtcdStore.builder().endpoint(etcd.endpoint()).build();
 *   ...
 * }
 * }</pre>
 *
 * <p>With {@link Builder#tls(boolean) tls(true)} the server speaks HTTPS and requires a client
 * certificate ({@code --client-cert-auth}); a test CA, the server certificate and one client
 * certificate are generated in memory and written as PEM files (PKCS#8 keys) into the temporary
 * directory, and {@link #tls()} exposes what a client needs.
 *
 * <p>etcd's output goes to {@link #logFile()}; a failed start quotes its last lines.
 *
 * <p>Threading: the lifecycle methods are {@code synchronized}; the accessors may be called from
 * any thread.
 */
public final class EtcdServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EtcdServer.class);

  /** Where Debian's {@code etcd-server} package installs the binary. */
  public static final Path DEBIAN_ETCD_BINARY = Path.of("/usr/bin/etcd");

  /** How long {@link #start()} waits for etcd to report itself healthy by default: 30 s. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(30);

  /** How long {@link #stop()} waits after SIGTERM before it kills the process: 10 s. */
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private static final String INSTALL_HINT =
      "install the Debian package etcd-server (apt-get install etcd-server)";

  private final Path binary;
  private final Duration startupTimeout;
  private final Path directory;
  private final Path dataDir;
  private final Path logFile;
  private final String name;
  private final int clientPort;
  private final int peerPort;
  private final String initialCluster;
  private final String clusterToken;
  private final Optional<Tls> tls;
  private final OkHttpClient healthClient;

  // Guarded by this.
  private Process process;
  private boolean closed;

  private EtcdServer(Builder builder) {
    this(builder, null);
  }

  /** A server, alone or (with {@code member} non-null) one member of an {@link EtcdCluster}. */
  EtcdServer(Builder builder, EtcdCluster.Member member) {
    this.binary = builder.binary.orElseGet(EtcdServer::findBinary);
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException(
          "etcd binary " + binary + " is not executable; " + INSTALL_HINT);
    }
    this.startupTimeout = builder.startupTimeout;
    try {
      this.directory = Files.createTempDirectory("krake-etcd-");
      this.dataDir = directory.resolve("data");
      this.logFile = directory.resolve("etcd.log");
      if (member == null) {
        int[] ports = LoopbackPorts.free(2);
        this.clientPort = ports[0];
        this.peerPort = ports[1];
      } else {
        this.clientPort = member.clientPort();
        this.peerPort = member.peerPort();
      }
      this.tls = builder.tls ? Optional.of(Tls.generate(directory)) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare a temporary directory for etcd", e);
    }
    this.name = member == null ? "krake-test-" + clientPort : member.name();
    this.initialCluster =
        member == null ? name + "=http://127.0.0.1:" + peerPort : member.initialCluster();
    this.clusterToken = member == null ? "etcd-cluster" : member.clusterToken();
    OkHttpClient.Builder client =
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(1))
            .callTimeout(Duration.ofSeconds(2))
            .retryOnConnectionFailure(false);
    tls.ifPresent(
        t -> {
          HandshakeCertificates certificates = t.clientHandshake();
          client.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
        });
    this.healthClient = client.build();
  }

  /** Returns a builder for a plain-HTTP server with the default startup timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts etcd and waits until it is healthy. A second call after {@link #stop()} restarts it on
   * the same ports with the same data; a call while it runs does nothing.
   *
   * @return this server
   * @throws IllegalStateException if the server was closed, or etcd did not become healthy within
   *     the startup timeout (the message quotes the end of etcd's log)
   * @throws UncheckedIOException if the process cannot be launched
   */
  public synchronized EtcdServer start() {
    if (launch()) {
      awaitHealthy();
    }
    return this;
  }

  /** Launches the process unless it runs; returns whether it did. */
  synchronized boolean launch() {
    if (closed) {
      throw new IllegalStateException("etcd server was closed");
    }
    if (process != null && process.isAlive()) {
      return false;
    }
    process = LocalProcesses.launch(command(), logFile);
    return true;
  }

  /**
   * Waits until the launched process reports itself healthy (a member: its cluster has a leader).
   */
  synchronized void awaitHealthy() {
    long deadline = System.nanoTime() + startupTimeout.toNanos();
    while (!healthy()) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "etcd exited with code " + process.exitValue() + " while starting" + logTail());
      }
      if (System.nanoTime() - deadline > 0) {
        stop();
        throw new IllegalStateException(
            "etcd did not become healthy within " + startupTimeout + logTail());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      if (Thread.currentThread().isInterrupted()) {
        stop();
        throw new IllegalStateException("interrupted while waiting for etcd to start");
      }
    }
    log.info("etcd started at {} (data in {})", endpoint(), dataDir);
  }

  /**
   * Kills etcd at once (SIGKILL), as a crash: no graceful shutdown, connections reset. The data
   * directory stays, so {@link #start()} restarts it with its data. Does nothing if etcd is not
   * running.
   */
  public synchronized void kill() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    p.destroyForcibly();
    try {
      p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("etcd at {} killed", endpoint());
  }

  /**
   * Stops etcd: SIGTERM, then a kill after {@link #STOP_TIMEOUT}. The data directory stays, so
   * {@link #start()} resumes with the same data. Does nothing if etcd is not running.
   */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    Process p = process;
    process = null;
    LocalProcesses.stop(List.of(p), STOP_TIMEOUT);
    log.info("etcd at {} stopped", endpoint());
  }

  /** Returns whether the etcd process is running. */
  public synchronized boolean running() {
    return process != null && process.isAlive();
  }

  /**
   * Stops etcd and deletes its temporary directory (data, log, certificates). Idempotent; the
   * server cannot be started again.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    healthClient.dispatcher().executorService().shutdown();
    healthClient.connectionPool().evictAll();
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", directory, e.toString());
    }
  }

  /**
   * Returns the client URL, {@code http://127.0.0.1:<port>} (or {@code https://} with TLS). It
   * stays the same across restarts.
   */
  public URI endpoint() {
    return URI.create((tls.isPresent() ? "https" : "http") + "://127.0.0.1:" + clientPort);
  }

  /** Returns the TLS material of a server built with {@code tls(true)}, or empty. */
  public Optional<Tls> tls() {
    return tls;
  }

  /** Returns etcd's data directory. */
  public Path dataDir() {
    return dataDir;
  }

  /** Returns the file that collects etcd's output. */
  public Path logFile() {
    return logFile;
  }

  private List<String> command() {
    String scheme = tls.isPresent() ? "https" : "http";
    String client = scheme + "://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(
        List.of(
            "--name",
            name,
            "--data-dir",
            dataDir.toString(),
            "--listen-client-urls",
            client,
            "--advertise-client-urls",
            client,
            "--listen-peer-urls",
            peer,
            "--initial-advertise-peer-urls",
            peer,
            "--initial-cluster",
            initialCluster,
            "--initial-cluster-token",
            clusterToken,
            "--initial-cluster-state",
            "new"));
    tls.ifPresent(
        t ->
            command.addAll(
                List.of(
                    "--cert-file",
                    t.serverCertificateFile().toString(),
                    "--key-file",
                    t.serverKeyFile().toString(),
                    "--trusted-ca-file",
                    t.caCertificateFile().toString(),
                    "--client-cert-auth")));
    return command;
  }

  private boolean healthy() {
    Request request = new Request.Builder().url(endpoint() + "/health").build();
    try (Response response = healthClient.newCall(request).execute()) {
      ResponseBody body = response.body();
      return response.isSuccessful() && body.string().contains("\"health\":\"true\"");
    } catch (IOException e) {
      return false;
    }
  }

  private String logTail() {
    return LocalProcesses.logTail(logFile);
  }

  private static Path findBinary() {
    if (Files.isExecutable(DEBIAN_ETCD_BINARY)) {
      return DEBIAN_ETCD_BINARY;
    }
    String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "etcd"))) {
        return Path.of(dir, "etcd");
      }
    }
    throw new IllegalStateException(
        "etcd not found at " + DEBIAN_ETCD_BINARY + " nor on the PATH; " + INSTALL_HINT);
  }

  /**
   * The TLS material of a server started with {@code tls(true)}: a test CA that signed both the
   * server certificate (for {@code 127.0.0.1} and {@code localhost}) and one client certificate.
   * Keys are EC P-256 in PKCS#8 PEM. {@link #toString()} never shows a key.
   *
   * @param caCertificatePem the CA certificate a client trusts
   * @param clientCertificatePem the client certificate etcd accepts
   * @param clientKeyPem the client certificate's private key (PKCS#8 PEM)
   * @param caCertificateFile the CA certificate as a file
   * @param serverCertificateFile the server certificate as a file
   * @param serverKeyFile the server key as a file (mode 600)
   */
  public record Tls(
      String caCertificatePem,
      String clientCertificatePem,
      String clientKeyPem,
      Path caCertificateFile,
      Path serverCertificateFile,
      Path serverKeyFile) {

    /** Checks the components. */
    public Tls {
      Objects.requireNonNull(caCertificatePem, "caCertificatePem");
      Objects.requireNonNull(clientCertificatePem, "clientCertificatePem");
      Objects.requireNonNull(clientKeyPem, "clientKeyPem");
      Objects.requireNonNull(caCertificateFile, "caCertificateFile");
      Objects.requireNonNull(serverCertificateFile, "serverCertificateFile");
      Objects.requireNonNull(serverKeyFile, "serverKeyFile");
    }

    static Tls generate(Path directory) throws IOException {
      HeldCertificate ca =
          new HeldCertificate.Builder()
              .certificateAuthority(0)
              .commonName("krake-test-etcd-ca")
              .duration(1, TimeUnit.DAYS)
              .build();
      HeldCertificate server =
          new HeldCertificate.Builder()
              .commonName("etcd")
              .addSubjectAlternativeName("127.0.0.1")
              .addSubjectAlternativeName("localhost")
              .duration(1, TimeUnit.DAYS)
              .signedBy(ca)
              .build();
      HeldCertificate client =
          new HeldCertificate.Builder()
              .commonName("krake-test-client")
              .duration(1, TimeUnit.DAYS)
              .signedBy(ca)
              .build();
      Path caFile = directory.resolve("ca.pem");
      Path serverCertFile = directory.resolve("server.pem");
      Path serverKeyFile = directory.resolve("server-key.pem");
      Files.writeString(caFile, ca.certificatePem());
      Files.writeString(serverCertFile, server.certificatePem());
      Files.createFile(
          serverKeyFile,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(serverKeyFile, server.privateKeyPkcs8Pem());
      return new Tls(
          ca.certificatePem(),
          client.certificatePem(),
          client.privateKeyPkcs8Pem(),
          caFile,
          serverCertFile,
          serverKeyFile);
    }

    HandshakeCertificates clientHandshake() {
      return new HandshakeCertificates.Builder()
          .addTrustedCertificate(okhttp3.tls.Certificates.decodeCertificatePem(caCertificatePem))
          .heldCertificate(HeldCertificate.decode(clientCertificatePem + clientKeyPem))
          .build();
    }

    @Override
    public String toString() {
      return "Tls[caCertificateFile="
          + caCertificateFile
          + ", serverCertificateFile="
          + serverCertificateFile
          + ", clientKey=<redacted>]";
    }
  }

  /** Builds an {@link EtcdServer}; not thread-safe. */
  public static final class Builder {
    private boolean tls;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Optional<Path> binary = Optional.empty();

    private Builder() {}

    /**
     * Whether the server speaks HTTPS and requires client certificates (default {@code false}).
     *
     * @param tls {@code true} for TLS with client-certificate authentication
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * How long {@link EtcdServer#start()} waits for a healthy server (default {@link
     * EtcdServer#DEFAULT_STARTUP_TIMEOUT}).
     *
     * @param startupTimeout a positive duration
     * @return this builder
     * @throws IllegalArgumentException if the duration is not positive
     */
    public Builder startupTimeout(Duration startupTimeout) {
      Objects.requireNonNull(startupTimeout, "startupTimeout");
      if (startupTimeout.isNegative() || startupTimeout.isZero()) {
        throw new IllegalArgumentException("startupTimeout must be positive: " + startupTimeout);
      }
      this.startupTimeout = startupTimeout;
      return this;
    }

    /**
     * The etcd binary to run (default {@link EtcdServer#DEBIAN_ETCD_BINARY} if it exists, else
     * {@code etcd} on the {@code PATH}).
     *
     * @param binary the executable
     * @return this builder
     */
    public Builder binary(Path binary) {
      this.binary = Optional.of(Objects.requireNonNull(binary, "binary"));
      return this;
    }

    /**
     * Creates the server (ports, temporary directory, certificates) without starting it.
     *
     * @return the server; call {@link EtcdServer#start()}
     * @throws IllegalStateException if no etcd binary is installed, or the configured one is not
     *     executable (the message says to install the Debian package {@code etcd-server})
     * @throws UncheckedIOException if the temporary directory cannot be prepared
     */
    public EtcdServer build() {
      return new EtcdServer(this);
    }
  }
}
