package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.HookCrypto;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.HookCredentials;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.SampleDocuments;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.conscrypt.Conscrypt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hook endpoint over HTTPS with client certificates: valid hook calls per second from 16
 * concurrent clients on keep-alive connections, next to a bare JDK {@code HttpsServer} with the
 * same TLS setup (same server key, client-certificate authentication, same pool size) that reads
 * the body and answers 200.
 *
 * <p>The calls are valid {@code PUT .../shutdown} calls on a RUNNING application: token and
 * certificate are checked and the application is read, but the state does not change, so nothing is
 * written (a complete would delete the application after the first call). Certificates come from a
 * {@link GeneratedHookCa}; the check is the real {@link HookCertificateAuthorities}.
 *
 * <p>Both servers run with {@code -Dsun.net.httpserver.nodelay=true}: without it the JDK's server
 * writes headers and body in two segments and, with Nagle's algorithm and delayed ACKs, every
 * keep-alive response waits about 40 ms (both servers then sit at about 360 calls per second).
 *
 * <p>These keep-alive cases are not what a pod does: it calls once. The first-complete cases
 * ({@link #firstCompleteLibrary} next to {@link #firstCompleteBare}) measure that call. Before each
 * measured invocation, {@link FirstComplete} creates {@value #BATCH} RUNNING applications in the
 * {@link MemoryStore} (the 23 KiB {@link SampleDocuments#runningApplication()}, renamed), each with
 * a fresh complete token and its own client certificate issued by the real {@link
 * HookCertificateAuthorities} (SAN {@code krake:bench/<name>/complete}, EC P-256) and its own
 * client TLS context. The invocation then makes one call per application from {@value #CLIENTS}
 * client threads: a new TCP connection, a full TLS handshake with the application's certificate (no
 * session can be resumed: each context is used once), one {@code PUT {"token": ...}} with {@code
 * Connection: close}, and the answer read to its end. The library answers 200 after writing the
 * application's deletion to the store; every answer is checked. The bare case sends the same bytes
 * over the same kind of connection to a bare JDK {@code HttpsServer} (same server key, client
 * certificates required, same TLS version and suite), which reads the body and answers 200. The
 * library's server has the library's TLS context ({@link TlsMaterial#serverContext(String, String,
 * List, HookCrypto)}, as {@link EmbeddedHookServer.Builder#tls} makes it, with the library's
 * client-certificate check); the bare server has the provider's standard context with the
 * provider's own PKIX trust manager, what an HTTPS server gets without the library. The score is
 * the invocation's time divided by {@value #BATCH}, so the ratio {@code firstCompleteBare /
 * firstCompleteLibrary} is the library's share of the bare server's throughput. The applications
 * are removed after each iteration, outside the measurement.
 *
 * <p>{@link FirstComplete#provider} is the servers' TLS provider: {@code JDK} (SunJSSE with SunEC)
 * or {@code Conscrypt} (BoringSSL: {@code SSLContext.getInstance("TLS", Conscrypt.newProvider())}
 * for the bare server, {@code HookCrypto.select(CryptoProvider.CONSCRYPT)} for the library's). The
 * clients use Conscrypt ({@link FirstComplete#clientProvider}), as a pod's curl uses OpenSSL; the
 * client threads run in the benchmark's JVM, so their handshakes are part of both scores.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar 'HookEndpointBenchmark.(hook|bare)' -wi
 * 2 -i 3 -w 2s -r 2s -f 1} for the keep-alive cases, and {@code java -jar
 * benchmarks/target/benchmarks.jar 'HookEndpointBenchmark.firstComplete'} for the first-complete
 * cases (their own warm-up and measurement iterations; add {@code -p provider=Conscrypt} for one
 * provider).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = "-Dsun.net.httpserver.nodelay=true")
public class HookEndpointBenchmark {

  private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");
  private static final int POOL_THREADS = EmbeddedHookServer.DEFAULT_THREADS;

  private MemoryStore store;
  private EmbeddedHookServer hookServer;
  private HttpsServer bareServer;
  private ExecutorService barePool;
  private OkHttpClient client;
  private String hookUrl;
  private String bareUrl;
  private RequestBody body;
  private final AtomicInteger connections = new AtomicInteger();

  /** Creates the PKI, the application, both servers and the client. */
  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Clock clock = Clock.systemUTC();
    GeneratedHookCa ca = GeneratedHookCa.generate(clock);
    HooksConfig config =
        HooksConfig.builder()
            .tls(true)
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
            .addCaBundle(ca.rootCertificateSource())
            .build();
    HookCertificateAuthorities authorities = HookCertificateAuthorities.of(config, clock);
    IssuedCertificate clientCert =
        authorities.issue(new HookIdentity("bench", "app", "shutdown", "system:shutdown-hook"));
    IssuedCertificate serverCert =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));

    store = MemoryStore.create();
    Applications apps = new Applications(store, Clock.systemUTC());
    String token = token();
    Application app =
        KrakeJson.read(
            """
            metadata: {name: app, namespace: bench}
            spec:
              manifest: [{apiVersion: v1, kind: Pod, metadata: {name: app}}]
              constraints: {cluster: {}}
              hooks: [shutdown]
            """,
            Application.class);
    apps.create(app);
    apps.modifyStatus(
        "bench",
        "app",
        a ->
            a.status()
                .withState(ApplicationState.RUNNING)
                .withCredentials(HookCredentials.SHUTDOWN, HookCredentials.NONE.withToken(token)));
    body = RequestBody.create("{\"token\":\"" + token + "\"}", FORM);

    HookEndpoint endpoint =
        HookEndpoint.builder()
            .applications(apps)
            .config(config)
            .clientCertificateCheck(authorities)
            .build();

    SSLContext serverTls =
        TlsMaterial.serverContext(
            serverCert.certificatePem(),
            serverCert.privateKeyPem(),
            authorities.trustedCertificates());
    hookServer =
        EmbeddedHookServer.builder()
            .endpoint(endpoint)
            .port(0)
            .threads(POOL_THREADS)
            .sslContext(serverTls)
            .build()
            .start();
    hookUrl = hookServer.url() + "/kubernetes/namespaces/bench/applications/app/shutdown";

    AtomicInteger count = new AtomicInteger();
    barePool =
        Executors.newFixedThreadPool(
            POOL_THREADS, r -> new Thread(r, "bare-https-" + count.incrementAndGet()));
    bareServer =
        bareServer(
            serverTls,
            barePool,
            "{\"name\":\"app\",\"namespace\":\"bench\",\"state\":\"RUNNING\"}".getBytes(UTF_8));
    bareUrl = "https://127.0.0.1:" + bareServer.getAddress().getPort() + "/bare";

    List<X509Certificate> serverCas = TlsMaterial.certificates(clientCert.caBundlePem());
    SSLContext clientTls =
        TlsMaterial.clientContext(
            serverCas, clientCert.certificatePem(), clientCert.privateKeyPem());
    client =
        new OkHttpClient.Builder()
            .sslSocketFactory(clientTls.getSocketFactory(), TlsMaterial.trustManager(serverCas))
            .connectionPool(new ConnectionPool(32, 5, TimeUnit.MINUTES))
            .protocols(List.of(okhttp3.Protocol.HTTP_1_1))
            .eventListener(
                new okhttp3.EventListener() {
                  @Override
                  public void connectStart(
                      okhttp3.Call call, InetSocketAddress address, java.net.Proxy proxy) {
                    connections.incrementAndGet();
                  }
                })
            .build();
    // Fail fast if either side does not answer 200.
    call(hookUrl);
    call(bareUrl);
  }

  /** Stops the servers and the client. */
  @TearDown(Level.Trial)
  public void tearDown() {
    // Keep-alive check: about 16 connections, not one per call.
    System.err.println("client connections opened: " + connections.get());
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    hookServer.close();
    bareServer.stop(0);
    barePool.shutdownNow();
    store.close();
  }

  /** A valid shutdown hook call through the embedded hook server, 16 clients. */
  @Benchmark
  @Threads(16)
  public int hookEndpoint16() throws IOException {
    return call(hookUrl);
  }

  /** The same call to a bare JDK HttpsServer answering 200, 16 clients. */
  @Benchmark
  @Threads(16)
  public int bareHttps16() throws IOException {
    return call(bareUrl);
  }

  // ---- first complete per new mutual-TLS connection ---------------------------------------------

  /** Connections, hence applications, in one measured invocation of the first-complete cases. */
  static final int BATCH = 100;

  /** Concurrent clients of the first-complete cases: as many as the hook server has threads. */
  static final int CLIENTS = POOL_THREADS;

  /**
   * The first {@code complete} of {@value #BATCH} new applications through the embedded hook
   * server, each on its own new TLS connection with a full handshake, {@value #CLIENTS} at a time.
   * Score: time per call.
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 5)
  @Measurement(iterations = 10)
  @OperationsPerInvocation(BATCH)
  public int firstCompleteLibrary(FirstComplete state) throws Exception {
    return state.run(true);
  }

  /**
   * The same connections, handshakes and bodies to a bare JDK {@code HttpsServer} with the same TLS
   * context that reads the body and answers 200. Score: time per call.
   */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 5)
  @Measurement(iterations = 10)
  @OperationsPerInvocation(BATCH)
  public int firstCompleteBare(FirstComplete state) throws Exception {
    return state.run(false);
  }

  /**
   * The first-complete cases' servers, and per iteration {@value #BATCH} new RUNNING applications,
   * each with its complete token and its own client certificate, prepared before the measured
   * invocation and removed after it.
   */
  @State(Scope.Benchmark)
  public static class FirstComplete {
    /** The servers' TLS provider: {@code JDK} (SunJSSE, SunEC) or {@code Conscrypt} (BoringSSL). */
    @Param({"JDK", "Conscrypt"})
    public String provider;

    /**
     * The clients' TLS provider. Conscrypt by default: a pod calls with curl, that is OpenSSL, and
     * BoringSSL keeps the clients' share of the benchmark's CPU small.
     */
    @Param({"Conscrypt"})
    public String clientProvider;

    private static final String NAMESPACE = "bench";

    private final Provider conscrypt = Conscrypt.newProvider();
    private final List<Prepared> batch = new ArrayList<>();
    private final byte[] template = SampleDocuments.runningApplication();
    private HookCertificateAuthorities authorities;
    private String hookUser;
    private List<X509Certificate> serverCas;
    private MemoryStore store;
    private Applications apps;
    private EmbeddedHookServer hookServer;
    private HttpsServer bareServer;
    private ExecutorService barePool;
    private ExecutorService clients;
    private int iteration;

    /** One prepared application: its name, and the two requests on its own TLS context. */
    private record Prepared(
        String name, SSLSocketFactory sockets, byte[] libraryRequest, byte[] bareRequest) {}

    /** Creates the PKI, the store, both servers (same TLS context) and the client threads. */
    @Setup(Level.Trial)
    public void setUp() throws Exception {
      Clock clock = Clock.systemUTC();
      GeneratedHookCa ca = GeneratedHookCa.generate(clock);
      HookConfig complete = ca.withIntermediate(HookConfig.completeDefaults());
      HooksConfig config =
          HooksConfig.builder()
              .tls(true)
              .complete(complete)
              .shutdown(
                  ShutdownHookConfig.defaults()
                      .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
              .addCaBundle(ca.rootCertificateSource())
              .build();
      hookUser = complete.hookUser();
      authorities = HookCertificateAuthorities.of(config, clock);
      IssuedCertificate serverCert =
          ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
      serverCas = TlsMaterial.certificates(ca.rootCertificatePem());
      SSLContext serverTls =
          context(
              provider,
              TlsMaterial.keyManager(serverCert.certificatePem(), serverCert.privateKeyPem()),
              trustManager(provider, authorities.trustedCertificates()));

      store = MemoryStore.create();
      apps = new Applications(store, clock);
      HookEndpoint endpoint =
          HookEndpoint.builder()
              .applications(apps)
              .config(config)
              .clientCertificateCheck(authorities)
              .build();
      // The library's own TLS context, as EmbeddedHookServer.Builder.tls makes it (with its
      // client-certificate check); the bare server keeps the provider's standard one.
      SSLContext libraryTls =
          TlsMaterial.serverContext(
              serverCert.certificatePem(),
              serverCert.privateKeyPem(),
              authorities.trustedCertificates(),
              HookCrypto.select(
                  provider.equals("JDK") ? CryptoProvider.JDK : CryptoProvider.CONSCRYPT));
      hookServer =
          EmbeddedHookServer.builder()
              .endpoint(endpoint)
              .port(0)
              .threads(POOL_THREADS)
              .sslContext(libraryTls)
              .build()
              .start();
      AtomicInteger count = new AtomicInteger();
      barePool =
          Executors.newFixedThreadPool(
              POOL_THREADS, r -> new Thread(r, "bare-https-" + count.incrementAndGet()));
      bareServer =
          bareServer(
              serverTls,
              barePool,
              "{\"name\":\"app\",\"namespace\":\"bench\",\"state\":\"READY_FOR_ACTION\"}"
                  .getBytes(UTF_8));
      AtomicInteger clientCount = new AtomicInteger();
      clients =
          Executors.newFixedThreadPool(
              CLIENTS,
              r -> new Thread(r, "first-complete-client-" + clientCount.incrementAndGet()));

      // Fail fast: one call to each answers 200, the library's deletes the application, and both
      // negotiate the same protocol and cipher suite without resuming a session.
      prepare(1);
      Prepared probe = batch.get(0);
      String library = probe(probe, true);
      if (!apps.require(NAMESPACE, probe.name()).metadata().isDeleted()) {
        throw new IllegalStateException("the first complete did not delete " + probe.name());
      }
      String bare = probe(probe, false);
      if (!library.equals(bare)) {
        throw new IllegalStateException("library " + library + ", bare " + bare);
      }
      System.err.println("first complete: server " + provider + ", " + library);
      removeBatch();
    }

    /** Stops the servers and the clients. */
    @TearDown(Level.Trial)
    public void tearDown() {
      clients.shutdownNow();
      hookServer.close();
      bareServer.stop(0);
      barePool.shutdownNow();
      store.close();
    }

    /** Prepares this iteration's applications (not measured). */
    @Setup(Level.Iteration)
    public void prepareBatch() throws Exception {
      prepare(BATCH);
    }

    /** Removes this iteration's applications from the store (not measured). */
    @TearDown(Level.Iteration)
    public void removeBatch() {
      for (Prepared prepared : batch) {
        apps.forceDelete(NAMESPACE, prepared.name());
      }
      batch.clear();
    }

    /**
     * Creates {@code n} RUNNING applications as the library stores them (the 23 KiB sample
     * document), each with a fresh complete token and its own client certificate, SAN {@code
     * krake:bench/<name>/complete}, and a client TLS context of its own (so no session can be
     * resumed).
     */
    private void prepare(int n) throws Exception {
      iteration++;
      for (int i = 0; i < n; i++) {
        String name = "app-" + iteration + "-" + i;
        ObjectNode document = (ObjectNode) KrakeJson.mapper().readTree(template);
        ((ObjectNode) document.get("metadata")).put("name", name).put("namespace", NAMESPACE);
        Application sample = KrakeJson.convert(document, Application.class);
        IssuedCertificate cert =
            authorities.issue(new HookIdentity(NAMESPACE, name, "complete", hookUser));
        String token = token();
        apps.create(sample);
        apps.modifyStatus(
            NAMESPACE,
            name,
            a ->
                sample
                    .status()
                    .withCredentials(
                        HookCredentials.COMPLETE,
                        HookCredentials.NONE
                            .withToken(token)
                            .withCertificate(cert.certificatePem(), cert.privateKeyPem())));
        SSLContext clientTls =
            context(
                clientProvider,
                TlsMaterial.keyManager(cert.certificatePem(), cert.privateKeyPem()),
                trustManager(clientProvider, serverCas));
        byte[] body = ("{\"token\":\"" + token + "\"}").getBytes(UTF_8);
        String path = "/kubernetes/namespaces/" + NAMESPACE + "/applications/" + name + "/complete";
        batch.add(
            new Prepared(
                name,
                clientTls.getSocketFactory(),
                request(path, hookServer.port(), body),
                request(path, bareServer.getAddress().getPort(), body)));
      }
    }

    /** Runs the batch on the client threads and checks that every call was answered 200. */
    int run(boolean library) throws InterruptedException, ExecutionException {
      int port = library ? hookServer.port() : bareServer.getAddress().getPort();
      List<Future<Integer>> calls = new ArrayList<>(batch.size());
      for (Prepared prepared : batch) {
        byte[] request = library ? prepared.libraryRequest() : prepared.bareRequest();
        calls.add(clients.submit(() -> put(prepared.sockets(), port, request, null)));
      }
      int ok = 0;
      for (Future<Integer> call : calls) {
        int status = call.get();
        if (status != 200) {
          throw new IllegalStateException("a first complete answered " + status);
        }
        ok++;
      }
      return ok;
    }

    private String probe(Prepared prepared, boolean library) throws IOException {
      int port = library ? hookServer.port() : bareServer.getAddress().getPort();
      StringBuilder session = new StringBuilder();
      int status =
          put(
              prepared.sockets(),
              port,
              library ? prepared.libraryRequest() : prepared.bareRequest(),
              session);
      if (status != 200) {
        throw new IllegalStateException((library ? "library" : "bare") + " answered " + status);
      }
      return session.toString();
    }

    private SSLContext context(String name, KeyManager keyManager, TrustManager trustManager)
        throws GeneralSecurityException {
      SSLContext context =
          switch (name) {
            case "JDK" -> SSLContext.getInstance("TLS");
            case "Conscrypt" -> SSLContext.getInstance("TLS", conscrypt);
            default -> throw new IllegalArgumentException("unknown TLS provider " + name);
          };
      context.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
      return context;
    }

    /**
     * The provider's own trust manager: Conscrypt passes the TLS 1.3 auth type {@code GENERIC},
     * which the JDK's trust manager refuses.
     */
    private TrustManager trustManager(String name, List<X509Certificate> trusted)
        throws GeneralSecurityException, IOException {
      if (name.equals("JDK")) {
        return TlsMaterial.trustManager(trusted);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < trusted.size(); i++) {
        store.setCertificateEntry("ca-" + i, trusted.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX", conscrypt);
      factory.init(store);
      return factory.getTrustManagers()[0];
    }

    private static byte[] request(String path, int port, byte[] body) {
      byte[] head =
          ("PUT "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1:"
                  + port
                  + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                  + body.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(UTF_8);
      byte[] request = new byte[head.length + body.length];
      System.arraycopy(head, 0, request, 0, head.length);
      System.arraycopy(body, 0, request, head.length, body.length);
      return request;
    }

    /**
     * One call as a pod makes it: connect, full handshake, one request with {@code Connection:
     * close}, read to the end. Returns the status; appends the session's protocol and suite to
     * {@code session} if given.
     */
    private static int put(
        SSLSocketFactory sockets, int port, byte[] request, StringBuilder session)
        throws IOException {
      // Connected by address and wrapped with a host name string: Conscrypt otherwise reads the
      // InetAddress's original host name by reflection, which Java 17 refuses.
      Socket plain = new Socket(InetAddress.getLoopbackAddress(), port);
      plain.setTcpNoDelay(true);
      plain.setSoTimeout(30_000);
      try (SSLSocket socket = (SSLSocket) sockets.createSocket(plain, "127.0.0.1", port, true)) {
        socket.startHandshake();
        if (session != null) {
          session
              .append(socket.getSession().getProtocol())
              .append(' ')
              .append(socket.getSession().getCipherSuite());
        }
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        byte[] answer = socket.getInputStream().readAllBytes();
        // "HTTP/1.1 200 OK"
        return Integer.parseInt(new String(answer, 9, 3, UTF_8));
      }
    }
  }

  /**
   * A bare JDK {@code HttpsServer} on loopback: client certificates required, every request's body
   * read and answered 200 with {@code ok}.
   */
  static HttpsServer bareServer(SSLContext tls, ExecutorService pool, byte[] ok)
      throws IOException {
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
            parameters.setNeedClientAuth(true);
            params.setSSLParameters(parameters);
          }
        });
    server.setExecutor(pool);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            try (InputStream in = exchange.getRequestBody()) {
              in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, ok.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(ok);
            }
          }
        });
    server.start();
    return server;
  }

  private int call(String url) throws IOException {
    Request request = new Request.Builder().url(url).put(body).build();
    try (Response response = client.newCall(request).execute()) {
      int status = response.code();
      response.body().bytes();
      if (status != 200) {
        throw new IllegalStateException(url + " answered " + status);
      }
      return status;
    }
  }

  private static String token() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
