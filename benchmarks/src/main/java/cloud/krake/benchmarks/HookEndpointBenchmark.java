package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.HookCredentials;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

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
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HookEndpoint -wi 2 -i 3 -w 2s -r 2s -f
 * 1}
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

    bareServer = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    bareServer.setHttpsConfigurator(
        new HttpsConfigurator(serverTls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
            parameters.setNeedClientAuth(true);
            params.setSSLParameters(parameters);
          }
        });
    AtomicInteger count = new AtomicInteger();
    barePool =
        Executors.newFixedThreadPool(
            POOL_THREADS, r -> new Thread(r, "bare-https-" + count.incrementAndGet()));
    bareServer.setExecutor(barePool);
    byte[] ok = "{\"name\":\"app\",\"namespace\":\"bench\",\"state\":\"RUNNING\"}".getBytes(UTF_8);
    bareServer.createContext(
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
    bareServer.start();
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
