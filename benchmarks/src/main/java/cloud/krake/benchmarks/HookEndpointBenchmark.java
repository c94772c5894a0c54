package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.ClientCertificateCheck;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
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
 * written (a complete would delete the application after the first call). The certificate check is
 * a stand-in for {@code HookCertificateAuthority}: signature, CN and SAN URI of the leaf.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar HookEndpoint -wi 2 -i 3 -w 2s -r 2s -f
 * 1}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
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
    KeyPair caKeys = ecKeys();
    X500Principal caName = new X500Principal("CN=bench-hook-ca");
    X509Certificate ca = sign(caKeys, caName, caName, caKeys, true, null);
    KeyPair serverKeys = ecKeys();
    X509Certificate serverCert =
        sign(
            caKeys,
            caName,
            new X500Principal("CN=127.0.0.1"),
            serverKeys,
            false,
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    HookIdentity identity = new HookIdentity("bench", "app", "shutdown", "system:shutdown-hook");
    KeyPair clientKeys = ecKeys();
    X509Certificate clientCert =
        sign(
            caKeys,
            caName,
            new X500Principal("CN=" + identity.commonName()),
            clientKeys,
            false,
            new GeneralName(GeneralName.uniformResourceIdentifier, identity.sanUri()));

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
        a -> a.status().withState(ApplicationState.RUNNING).withShutdownToken(Optional.of(token)));
    body = RequestBody.create("{\"token\":\"" + token + "\"}", FORM);

    PemSource caPem = PemSource.of(pem(ca));
    PemSource caKeyPem = PemSource.of(pkcs8(caKeys));
    HooksConfig config =
        HooksConfig.builder()
            .tls(true)
            .complete(HookConfig.completeDefaults().withIntermediate(caPem, caKeyPem))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(HookConfig.shutdownDefaults().withIntermediate(caPem, caKeyPem)))
            .build();
    HookEndpoint endpoint =
        HookEndpoint.builder()
            .applications(apps)
            .config(config)
            .clientCertificateCheck(check(ca))
            .build();

    SSLContext serverTls = context(serverKeys, serverCert, ca);
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

    SSLContext clientTls = context(clientKeys, clientCert, ca);
    TrustManagerFactory tmf = trust(ca);
    client =
        new OkHttpClient.Builder()
            .sslSocketFactory(
                clientTls.getSocketFactory(), (X509TrustManager) tmf.getTrustManagers()[0])
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

  // ---- PKI

  private static ClientCertificateCheck check(X509Certificate ca) {
    return (chain, expected) -> {
      X509Certificate leaf = chain.get(0);
      try {
        leaf.verify(ca.getPublicKey());
      } catch (GeneralSecurityException e) {
        return Optional.of("not issued by the hook CA");
      }
      if (!leaf.getSubjectX500Principal()
          .equals(new X500Principal("CN=" + expected.commonName()))) {
        return Optional.of("wrong CN");
      }
      try {
        Collection<List<?>> names = leaf.getSubjectAlternativeNames();
        boolean named =
            names != null
                && names.stream()
                    .anyMatch(
                        n ->
                            Integer.valueOf(6).equals(n.get(0))
                                && expected.sanUri().equals(n.get(1)));
        return named ? Optional.empty() : Optional.of("issued for another application or hook");
      } catch (CertificateParsingException e) {
        return Optional.of("unreadable SAN");
      }
    };
  }

  private static SSLContext context(KeyPair keys, X509Certificate cert, X509Certificate ca)
      throws GeneralSecurityException, IOException {
    KeyStore identity = KeyStore.getInstance("PKCS12");
    identity.load(null, null);
    identity.setKeyEntry("key", keys.getPrivate(), new char[0], new X509Certificate[] {cert, ca});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(identity, new char[0]);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), trust(ca).getTrustManagers(), null);
    return context;
  }

  private static TrustManagerFactory trust(X509Certificate ca)
      throws GeneralSecurityException, IOException {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", ca);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    return tmf;
  }

  private static X509Certificate sign(
      KeyPair issuerKeys,
      X500Principal issuer,
      X500Principal subject,
      KeyPair subjectKeys,
      boolean isCa,
      GeneralName san)
      throws Exception {
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            issuer,
            new BigInteger(127, new SecureRandom()),
            Date.from(Instant.now().minus(Duration.ofMinutes(5))),
            Date.from(Instant.now().plus(Duration.ofDays(1))),
            subject,
            subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (san != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
    }
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
  }

  private static KeyPair ecKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static String pem(X509Certificate certificate) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    }
    return out.toString();
  }

  private static String pkcs8(KeyPair keys) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
    }
    return out.toString();
  }

  private static String token() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
