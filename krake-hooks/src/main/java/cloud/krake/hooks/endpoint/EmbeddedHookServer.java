package cloud.krake.hooks.endpoint;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.KrakeException;
import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.HookCrypto;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.FieldError;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.store.Applications;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default HTTP(S) server of the {@link HookEndpoint}, on the JDK's {@code
 * com.sun.net.httpserver.HttpServer} (plain HTTP) or {@code HttpsServer} (TLS with client
 * certificates). Applications call it at the hook URLs the mangling gave them.
 *
 * <pre>{@code
 * try (EmbeddedHookServer server = EmbeddedHookServer.builder()
 *         .endpoint(endpoint)
 *         .bindAddress(InetAddress.getByName("0.0.0.0"))
 *         .port(8443)
 *         .tls(PemSource.file(serverCert), PemSource.file(serverKey), PemSource.file(hookCa))
 *         .build()
 *         .start()) {
 *   ... // hooks are served until close()
 * }
 * }</pre>
 *
 * <h2>Limits</h2>
 *
 * <ul>
 *   <li>Requests run on a library-owned pool of {@link Builder#threads(int)} threads named {@code
 *       krake-hook-endpoint-N} with a queue of {@link Builder#queueCapacity(int)} requests. The JDK
 *       server queues a connection as soon as it is readable, before its TLS handshake: each
 *       concurrent client takes a place, and so does a client closing an idle keep-alive
 *       connection. When both are full, one extra thread ({@code krake-hook-endpoint-overload},
 *       queue of {@value #OVERLOAD_QUEUE}) answers 503 with {@code Retry-After: 1} without reading
 *       the body; when that is full too, the connection is closed (over TLS the client sees its
 *       handshake fail). With the defaults, {@value #DEFAULT_THREADS} threads and {@value
 *       #DEFAULT_QUEUE_CAPACITY} places, the pool holds 1,028 connections at once. The listen
 *       backlog is the sum of the three capacities (the OS may cap it).
 *   <li>A request (TLS handshake, headers and body) must arrive within {@link
 *       Builder#readTimeout(Duration)} of the moment its first bytes were seen; otherwise the
 *       connection is closed without an answer. Timed by one thread, {@code
 *       krake-hook-endpoint-timer}.
 *   <li>A body over the endpoint's {@link HookEndpoint#maxBodyBytes()} (declared or actual) is
 *       answered 413 without being read beyond the limit.
 * </ul>
 *
 * <h2>TLS</h2>
 *
 * With {@link Builder#tls} or {@link Builder#sslContext}, the server requires a client certificate
 * ({@link SSLParameters#setNeedClientAuth(boolean)}): a client that presents none, or one not
 * signed by a trusted CA, fails the TLS handshake and never reaches the endpoint (curl reports an
 * SSL error; there is no HTTP status). The verified chain is passed on as {@link
 * HookRequest#clientCertificateChain()}, where the endpoint's {@code ClientCertificateCheck}
 * decides whether it belongs to the application and hook of the URL (403 otherwise). An endpoint
 * built with TLS enabled refuses a plain-HTTP server at {@link Builder#build()}.
 *
 * <p>With {@link Builder#tls}, the TLS context is made by the provider {@link
 * Builder#cryptoProvider} selects ({@link HookCrypto}): Conscrypt (BoringSSL) when it is on the
 * class path and loads, else the JDK's SunJSSE. Conscrypt does the server's side of a mutual-TLS
 * handshake (key exchange, signature, verification of the client's chain) in native code, several
 * times cheaper in CPU than SunJSSE; clients (curl, Python, the JDK's {@code HttpClient}, OkHttp)
 * see the same TLS 1.3 or 1.2 server. A context given with {@link Builder#sslContext} is used as it
 * is.
 *
 * <h2>Threading and lifecycle</h2>
 *
 * {@link #start()} and {@link #close()} are idempotent and thread-safe; a closed server cannot be
 * started again. {@link #close()} stops accepting, gives running requests up to {@link
 * Builder#stopGrace(Duration)} to finish (the JDK server counts in whole seconds), closes every
 * connection, then shuts down the pools. The JDK server's own dispatcher thread is named by the JDK
 * and, started from a non-daemon thread, is not a daemon: a host must {@link #close()} the server
 * (or the {@code Krake} instance owning it) for its JVM to exit.
 *
 * <p>Run the JVM with {@code -Dsun.net.httpserver.nodelay=true}: the JDK's server writes headers
 * and body separately, and without {@code TCP_NODELAY} every keep-alive response waits about 40 ms
 * for the client's delayed ACK. The property is global to the JVM, so the library leaves it to the
 * host.
 */
public final class EmbeddedHookServer implements AutoCloseable {

  /** The default bind address: loopback, so nothing is exposed until the host says so. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** The default port, Krake's API port. */
  public static final int DEFAULT_PORT = 8080;

  /** The default number of request threads. */
  public static final int DEFAULT_THREADS = 4;

  /**
   * The default number of requests waiting for a thread: 1024. The JDK server hands every
   * connection to the pool before its TLS handshake and request are read, so the queue must hold a
   * burst of connections (100 jobs completing at once, a client closing its idle keep-alive
   * connections), not just requests; a waiting entry costs only the accepted socket.
   */
  public static final int DEFAULT_QUEUE_CAPACITY = 1024;

  /** The default time a request has to arrive completely: 10 seconds. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

  /** The default time {@link #close()} gives running requests: 1 second. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(1);

  /** How many requests may wait for their 503 when the pool and its queue are full. */
  public static final int OVERLOAD_QUEUE = 16;

  private static final Logger log = LoggerFactory.getLogger(EmbeddedHookServer.class);

  /** Longer read timeouts are cut to this. */
  private static final Duration MAX_READ_TIMEOUT = Duration.ofDays(1);

  /** Set while a request runs on the overload thread. */
  private static final ThreadLocal<Boolean> OVERLOADED = ThreadLocal.withInitial(() -> false);

  /** The read deadline of the request running on this thread. */
  private static final ThreadLocal<ReadDeadline> DEADLINE = new ThreadLocal<>();

  private final HookEndpoint endpoint;
  private final InetAddress bindAddress;
  private final int requestedPort;
  private final int threads;
  private final int queueCapacity;
  private final Duration readTimeout;
  private final long readTimeoutNanos;
  private final Duration stopGrace;
  private final Optional<SSLContext> sslContext;

  private final Object lock = new Object();
  // The following are guarded by lock.
  private HttpServer server;
  private ThreadPoolExecutor workers;
  private ThreadPoolExecutor overflow;
  private ScheduledThreadPoolExecutor timer;
  private boolean closed;

  private EmbeddedHookServer(Builder builder, Optional<SSLContext> sslContext) {
    this.endpoint = builder.endpoint;
    this.bindAddress = builder.bindAddress;
    this.requestedPort = builder.port;
    this.threads = builder.threads;
    this.queueCapacity = builder.queueCapacity;
    this.readTimeout = builder.readTimeout;
    this.readTimeoutNanos =
        builder.readTimeout.compareTo(MAX_READ_TIMEOUT) > 0
            ? MAX_READ_TIMEOUT.toNanos()
            : builder.readTimeout.toNanos();
    this.stopGrace = builder.stopGrace;
    this.sslContext = sslContext;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns whether this server speaks HTTPS. */
  public boolean tls() {
    return sslContext.isPresent();
  }

  /**
   * Binds the port and starts serving. Does nothing if already started.
   *
   * @return this server
   * @throws IllegalStateException if the server was closed
   * @throws KrakeException if the address cannot be bound
   */
  public EmbeddedHookServer start() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("the hook server was closed");
      }
      if (server != null) {
        return this;
      }
      workers =
          new ThreadPoolExecutor(
              threads,
              threads,
              0,
              TimeUnit.MILLISECONDS,
              new ArrayBlockingQueue<>(queueCapacity),
              KrakeExecutors.daemonThreads("krake-hook-endpoint-"),
              this::overload);
      overflow =
          new ThreadPoolExecutor(
              1,
              1,
              0,
              TimeUnit.MILLISECONDS,
              new ArrayBlockingQueue<>(OVERLOAD_QUEUE),
              KrakeExecutors.namedThreads("krake-hook-endpoint-overload", false, true),
              new ThreadPoolExecutor.AbortPolicy());
      timer =
          new ScheduledThreadPoolExecutor(
              1, KrakeExecutors.namedThreads("krake-hook-endpoint-timer", false, true));
      timer.setRemoveOnCancelPolicy(true);
      try {
        InetSocketAddress address = new InetSocketAddress(bindAddress, requestedPort);
        // The JVM's default listen backlog (50) would make the kernel drop the SYNs of a burst
        // the queue can hold (clients then retry after a second); the OS may cap it lower.
        int backlog = threads + queueCapacity + OVERLOAD_QUEUE;
        if (sslContext.isPresent()) {
          HttpsServer https = HttpsServer.create(address, backlog);
          https.setHttpsConfigurator(new ClientAuthConfigurator(sslContext.get()));
          server = https;
        } else {
          server = HttpServer.create(address, backlog);
        }
      } catch (IOException e) {
        shutdownPools();
        throw new KrakeException(
            "cannot bind the hook server to " + bindAddress.getHostAddress() + ":" + requestedPort,
            e);
      }
      ThreadPoolExecutor pool = workers;
      Executor timed = task -> pool.execute(new TimedTask(task));
      server.setExecutor(timed);
      server.createContext("/", this::exchange);
      server.start();
      log.info("hook endpoint listening on {}", url());
      return this;
    }
  }

  /**
   * Returns the bound port.
   *
   * @throws IllegalStateException if the server is not started
   */
  public int port() {
    synchronized (lock) {
      if (server == null || closed) {
        throw new IllegalStateException("the hook server is not running");
      }
      return server.getAddress().getPort();
    }
  }

  /**
   * Returns the base URL of the running server, e.g. {@code https://127.0.0.1:8443}; hook URLs
   * append {@code /kubernetes/namespaces/...}. An IPv6 address is bracketed.
   *
   * @throws IllegalStateException if the server is not started
   */
  public URI url() {
    int port = port();
    try {
      return new URI(
          tls() ? "https" : "http", null, bindAddress.getHostAddress(), port, null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot form the hook server URL", e);
    }
  }

  /**
   * Stops the server: no new connections, running requests get the stop grace, then every
   * connection is closed and the pools are shut down. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      if (server != null) {
        server.stop((int) Math.min(Integer.MAX_VALUE, stopGrace.toSeconds()));
        log.info("hook endpoint stopped");
      }
      shutdownPools();
    }
  }

  private void shutdownPools() {
    for (var pool : new ExecutorService[] {workers, overflow, timer}) {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /** The pool and its queue are full: answer 503 on the overload thread, or drop the call. */
  private void overload(Runnable task, ThreadPoolExecutor pool) {
    if (pool.isShutdown()) {
      throw new RejectedExecutionException("the hook server is stopping");
    }
    log.warn("hook endpoint overloaded: answering 503");
    overflow.execute(
        () -> {
          OVERLOADED.set(true);
          try {
            task.run();
          } finally {
            OVERLOADED.remove();
          }
        });
  }

  private void exchange(HttpExchange exchange) throws IOException {
    HookExchanges.serve(exchange, endpoint, DEADLINE.get(), OVERLOADED.get(), readTimeout);
  }

  /** Runs one JDK exchange task with a read deadline that interrupts (and so closes) its reads. */
  private final class TimedTask implements Runnable {
    private final Runnable task;

    TimedTask(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      ReadDeadline deadline = new ReadDeadline(Thread.currentThread());
      DEADLINE.set(deadline);
      ScheduledFuture<?> expiry = null;
      try {
        expiry = timer.schedule(deadline::expire, readTimeoutNanos, TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        // Stopping: the server closes the connection anyway.
      }
      try {
        task.run();
      } finally {
        deadline.finish();
        if (expiry != null) {
          expiry.cancel(false);
        }
        DEADLINE.remove();
        // Never hand a pool thread on with a pending interrupt from an expiry.
        Thread.interrupted();
      }
    }
  }

  /**
   * Returns a builder already set up for a host whose applications reach the endpoint on this
   * machine ({@code https://127.0.0.1:<port>}, as the quickstart and the test fixtures): the
   * endpoint checks the hook certificates of {@code config} ({@link HookCertificateAuthorities}),
   * serves HTTPS with a server certificate {@code ca} issues for {@code localhost} and {@code
   * 127.0.0.1}, and asks clients for certificates of the hook CAs. The caller sets the port and
   * other options, builds and starts it, then gives Krake's hooks the server's {@link #url()}.
   *
   * <pre>{@code
   * GeneratedHookCa ca = GeneratedHookCa.generate(clock);
   * HooksConfig unbound = hooks(ca, URI.create("https://127.0.0.1")); // the endpoint is not known yet
   * EmbeddedHookServer server =
   *     EmbeddedHookServer.loopback(ca, krake.applications(), unbound, clock).port(0).build().start();
   * HooksConfig config = hooks(ca, server.url());
   * }</pre>
   *
   * @param ca the CA that issues the server's certificate (its root must be in the clients' CA
   *     bundle: {@code HooksConfig.Builder.addCaBundle(ca.rootCertificateSource())})
   * @param applications the applications the endpoint acknowledges
   * @param config the hooks configuration; only its hooks' CAs are used (not the endpoint URL)
   * @param clock checks certificate validity
   * @return the builder, with {@code endpoint}, {@code tls} and {@code cryptoProvider} (the
   *     configuration's) set
   * @throws InvalidConfigurationException if the configuration's CAs cannot be read
   */
  public static Builder loopback(
      GeneratedHookCa ca, Applications applications, HooksConfig config, Clock clock) {
    // Only checks certificates: its pool of key pairs never starts a thread.
    HookCertificateAuthorities authorities = HookCertificateAuthorities.of(config, clock);
    IssuedCertificate certificate =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    return builder()
        .endpoint(
            HookEndpoint.builder()
                .applications(applications)
                .config(config)
                .clientCertificateCheck(authorities)
                .build())
        .tls(
            PemSource.of(certificate.certificatePem()),
            PemSource.of(certificate.privateKeyPem()),
            PemSource.of(TlsMaterial.pem(authorities.trustedCertificates())))
        .cryptoProvider(config.cryptoProvider());
  }

  /** Builds an {@link EmbeddedHookServer}; not thread-safe. */
  public static final class Builder {
    private HookEndpoint endpoint;
    private InetAddress bindAddress = InetAddress.getLoopbackAddress();
    private int port = DEFAULT_PORT;
    private int threads = DEFAULT_THREADS;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration stopGrace = DEFAULT_STOP_GRACE;
    private PemSource certificateChain;
    private PemSource privateKey;
    private PemSource trustedCertificates;
    private SSLContext sslContext;
    private CryptoProvider cryptoProvider = CryptoProvider.AUTO;

    private Builder() {}

    /**
     * Sets the endpoint that answers the requests (required).
     *
     * @param endpoint the hook endpoint
     * @return this builder
     */
    public Builder endpoint(HookEndpoint endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Sets the address to listen on. The default is loopback ({@value #DEFAULT_BIND_ADDRESS}),
     * which pods on a cluster cannot reach: a deployment sets the address of the interface they
     * route to, or {@code 0.0.0.0}.
     *
     * @param bindAddress the local address
     * @return this builder
     */
    public Builder bindAddress(InetAddress bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /**
     * Sets the port; {@code 0} picks a free one, readable with {@link #port()} after {@link
     * #start()}.
     *
     * @param port 0 to 65535; default {@value #DEFAULT_PORT}
     * @return this builder
     */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * Sets the number of request threads.
     *
     * @param threads at least 1; default {@value #DEFAULT_THREADS}
     * @return this builder
     */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * Sets how many requests (connections, before their TLS handshake) may wait for a thread before
     * further ones get 503.
     *
     * @param queueCapacity at least 1; default {@value #DEFAULT_QUEUE_CAPACITY}
     * @return this builder
     */
    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = queueCapacity;
      return this;
    }

    /**
     * Sets how long a request (TLS handshake, headers, body) may take to arrive.
     *
     * @param readTimeout positive; default 10 s
     * @return this builder
     */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
      return this;
    }

    /**
     * Sets how long {@link #close()} waits for running requests; the JDK server rounds down to
     * whole seconds.
     *
     * @param stopGrace zero or positive; default 1 s
     * @return this builder
     */
    public Builder stopGrace(Duration stopGrace) {
      this.stopGrace = Objects.requireNonNull(stopGrace, "stopGrace");
      return this;
    }

    /**
     * Serves HTTPS with a server certificate, requiring client certificates signed by one of {@code
     * trustedCertificates} (the hook CA: its intermediate, or the root above it).
     *
     * @param certificateChain the server certificate, then its intermediates, PEM
     * @param privateKey the server's unencrypted private key, PEM (PKCS#8, SEC1 or PKCS#1)
     * @param trustedCertificates the CA certificates client certificates must chain to, PEM
     * @return this builder
     */
    public Builder tls(
        PemSource certificateChain, PemSource privateKey, PemSource trustedCertificates) {
      this.certificateChain = Objects.requireNonNull(certificateChain, "certificateChain");
      this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
      this.trustedCertificates = Objects.requireNonNull(trustedCertificates, "trustedCertificates");
      return this;
    }

    /**
     * Serves HTTPS with a ready TLS context (its key managers present the server certificate, its
     * trust managers verify clients); client certificates are still required. Replaces {@link
     * #tls}.
     *
     * @param sslContext an initialised context
     * @return this builder
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * Sets which provider makes the TLS context of {@link #tls}: by default {@link
     * CryptoProvider#AUTO}, Conscrypt when it is on the class path and its native library loads (or
     * what the system property {@value HookCrypto#PROVIDER_PROPERTY} says), else the JDK's SunJSSE.
     * Not used with {@link #sslContext}.
     *
     * @param cryptoProvider the choice; default {@link CryptoProvider#AUTO}
     * @return this builder
     */
    public Builder cryptoProvider(CryptoProvider cryptoProvider) {
      this.cryptoProvider = Objects.requireNonNull(cryptoProvider, "cryptoProvider");
      return this;
    }

    /**
     * Checks the settings, reads the TLS material and builds the (not yet started) server.
     *
     * @throws InvalidConfigurationException naming every invalid setting: no endpoint, a port out
     *     of range, no threads, an empty queue, a non-positive read timeout, a negative stop grace,
     *     an endpoint with TLS but a plain-HTTP server, a {@code crypto_provider} (or {@value
     *     HookCrypto#PROVIDER_PROPERTY}) choosing a Conscrypt that cannot be used
     * @throws KrakeException if the PEM material cannot be read
     */
    public EmbeddedHookServer build() {
      List<FieldError> errors = new ArrayList<>();
      if (endpoint == null) {
        errors.add(new FieldError("endpoint", "is required"));
      }
      if (port < 0 || port > 65535) {
        errors.add(new FieldError("port", "must be 0 to 65535"));
      }
      if (threads < 1) {
        errors.add(new FieldError("threads", "must be at least 1"));
      }
      if (queueCapacity < 1) {
        errors.add(new FieldError("queue_capacity", "must be at least 1"));
      }
      if (readTimeout.isNegative() || readTimeout.isZero()) {
        errors.add(new FieldError("read_timeout", "must be positive"));
      }
      if (stopGrace.isNegative()) {
        errors.add(new FieldError("stop_grace", "must not be negative"));
      }
      boolean https = sslContext != null || certificateChain != null;
      if (endpoint != null && endpoint.tls() && !https) {
        errors.add(
            new FieldError(
                "tls", "the endpoint checks client certificates, so the server needs TLS"));
      }
      HookCrypto crypto = null;
      if (sslContext == null && certificateChain != null) {
        try {
          crypto = HookCrypto.select(cryptoProvider);
        } catch (InvalidConfigurationException e) {
          errors.addAll(e.errors());
        }
      }
      if (!errors.isEmpty()) {
        throw new InvalidConfigurationException(errors);
      }
      Optional<SSLContext> context =
          sslContext != null
              ? Optional.of(sslContext)
              : certificateChain != null
                  ? Optional.of(
                      TlsMaterial.serverContext(
                          certificateChain.read(),
                          privateKey.read(),
                          TlsMaterial.certificates(trustedCertificates.read()),
                          crypto))
                  : Optional.empty();
      return new EmbeddedHookServer(this, context);
    }
  }
}
