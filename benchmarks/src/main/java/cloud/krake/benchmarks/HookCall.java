package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.tls.HookCrypto;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/** One application's complete call, as its pod would make it from its mounted Secrets. */
record HookCall(String name, URI url, String token, SSLContext tls) {

  /** How long one call may take. */
  static final Duration HOOK_CALL_TIMEOUT = Duration.ofSeconds(30);

  private static final String RESTRICTED_HEADERS = "jdk.httpclient.allowRestrictedHeaders";

  /** The outcome: HTTP status (-1 for an I/O error) and {@link System#nanoTime()} marks. */
  record Answer(String name, int status, String detail, long sentAt, long answeredAt) {
    String describe() {
      return status < 0 ? detail : status + " " + detail;
    }
  }

  /**
   * Reads one application's hook URL, token and client certificate from its Secrets and builds its
   * client's own TLS context (its own key and certificate, its own session cache).
   *
   * <p>Not with {@link TlsMaterial#clientContext(List, String, String)}: that goes through an
   * in-memory PKCS#12 key store, which encrypts the key when it is stored and decrypts it again for
   * the key manager, each with 10,000 PBKDF2 iterations; at 10,000 applications on two busy cores
   * this took the driver more than 10 minutes between phase 1 and phase 2. The key manager here
   * presents the same chain and key without a key store, and the trust manager, the same for every
   * application of a run (one {@code ca-bundle.pem}), is built once per bundle.
   *
   * <p>With a {@code provider} (Conscrypt, {@link #clientProvider()}), the context and the private
   * key are that provider's: the handshake's P-256 operations run in native code, as in a pod that
   * calls with curl or Python (OpenSSL). Still one context, one key and one certificate per
   * application.
   *
   * @param trustManagers trust managers already built, by {@code ca-bundle.pem}; shared by the
   *     calls of one run
   * @param provider the TLS provider of the client, empty for the JDK's (SunJSSE, SunEC)
   */
  static HookCall read(
      FakeKubernetesApiServer cluster,
      String name,
      Map<String, X509TrustManager> trustManagers,
      Optional<Provider> provider) {
    Map<String, String> token = secret(cluster, name + "-krake-complete-secret-token");
    Map<String, String> certs = secret(cluster, name + "-krake-complete-secret-certs");
    X509TrustManager trust =
        trustManagers.computeIfAbsent(
            certs.get("ca-bundle.pem"),
            pem -> TlsMaterial.trustManager(TlsMaterial.certificates(pem)));
    try {
      PrivateKey privateKey = TlsMaterial.privateKey(certs.get("key.pem"));
      if (provider.isPresent()) {
        privateKey =
            KeyFactory.getInstance(privateKey.getAlgorithm(), provider.get())
                .generatePrivate(new PKCS8EncodedKeySpec(privateKey.getEncoded()));
      }
      KeyManager key =
          new FixedKeyManager(
              TlsMaterial.certificates(certs.get("cert.pem")).toArray(new X509Certificate[0]),
              privateKey);
      SSLContext tls =
          provider.isPresent()
              ? SSLContext.getInstance("TLS", provider.get())
              : SSLContext.getInstance("TLS");
      tls.init(
          new KeyManager[] {key},
          new TrustManager[] {provider.isPresent() ? new GenericAuthType(trust) : trust},
          null);
      return new HookCall(
          name,
          URI.create(token.get("krake_complete_url")),
          token.get("krake_complete_token"),
          tls);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise the TLS context of " + name, e);
    }
  }

  /**
   * The JDK's trust manager as Conscrypt calls it: for TLS 1.3, Conscrypt names the server's key
   * exchange {@code GENERIC}, which SunJSSE's trust manager refuses ("Unknown authType"); the JDK
   * itself passes {@code UNKNOWN} there, which this passes on instead. Every check is the
   * delegate's.
   */
  private static final class GenericAuthType implements X509TrustManager {
    private final X509TrustManager delegate;

    GenericAuthType(X509TrustManager delegate) {
      this.delegate = delegate;
    }

    private static String authType(String authType) {
      return "GENERIC".equals(authType) ? "UNKNOWN" : authType;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      delegate.checkClientTrusted(chain, authType(authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      delegate.checkServerTrusted(chain, authType(authType));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate.getAcceptedIssuers();
    }
  }

  /**
   * Presents one certificate chain and its private key, for any key type and issuer the server asks
   * for that match the key's algorithm: what the JDK's key manager does with a key store of one
   * entry, without the key store.
   */
  private static final class FixedKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "hook";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    FixedKeyManager(X509Certificate[] chain, PrivateKey key) {
      this.chain = chain;
      this.key = key;
    }

    private String alias(String... keyTypes) {
      for (String type : keyTypes) {
        if (type.equals(key.getAlgorithm())) {
          return ALIAS;
        }
      }
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return alias(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return alias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(
        String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return alias(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }

    @Override
    public String toString() {
      return "FixedKeyManager[" + chain[0].getSubjectX500Principal() + "]"; // never the key
    }
  }

  private static Map<String, String> secret(FakeKubernetesApiServer cluster, String name) {
    ObjectNode secret =
        cluster
            .get("v1", "Secret", "default", name)
            .orElseThrow(() -> new IllegalStateException("no Secret " + name));
    Map<String, String> out = new LinkedHashMap<>();
    secret
        .path("data")
        .properties()
        .forEach(
            e ->
                out.put(
                    e.getKey(),
                    new String(Base64.getDecoder().decode(e.getValue().asText()), UTF_8)));
    return out;
  }

  /**
   * Lets {@link HttpClient} send {@code Connection: close} (a restricted header), if the JVM was
   * not started with a {@code jdk.httpclient.allowRestrictedHeaders} of its own. Must run before
   * the JVM's first use of {@link HttpClient}: the property is read once.
   */
  static void allowConnectionHeader() {
    if (System.getProperty(RESTRICTED_HEADERS) == null) {
      System.setProperty(RESTRICTED_HEADERS, "connection");
    }
  }

  /**
   * Calls the hook with a client of its own (own TLS session and certificate), with {@code
   * Connection: close}: a pod calls once and goes. A Java 17 {@link HttpClient} cannot be closed;
   * without it each abandoned client's pooled connection stays open until the client is garbage
   * collected, and then hundreds close at once: each close is a task on the endpoint's pool, and
   * the burst fills its queue, so that real calls are answered 503 (seen in a run of 1,000). The
   * connection (TCP and TLS handshake) may take as long as the whole call, {@link
   * #HOOK_CALL_TIMEOUT}: with 10 s, 14 of 1,000 calls timed out while the host's two cores were
   * shared with a load average of 30.
   */
  Answer complete(ExecutorService httpExecutor) {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(tls)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(HOOK_CALL_TIMEOUT)
            .executor(httpExecutor)
            .build();
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(HOOK_CALL_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Connection", "close")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + token + "\"}"))
            .build();
    long sent = System.nanoTime();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      return new Answer(name, response.statusCode(), response.body(), sent, System.nanoTime());
    } catch (IOException e) {
      return new Answer(name, -1, e.toString(), sent, System.nanoTime());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(name, -1, "interrupted", sent, System.nanoTime());
    }
  }

  /** The system property choosing the clients' TLS: {@code conscrypt} (default) or {@code jdk}. */
  static final String CLIENT_TLS_PROPERTY = "krake.load.clientTls";

  /**
   * The clients' TLS provider as {@value #CLIENT_TLS_PROPERTY} chooses: Conscrypt (BoringSSL) by
   * default, the JDK's (empty) with {@code jdk}.
   *
   * @throws IllegalArgumentException for another value, or {@code conscrypt} when Conscrypt does
   *     not load on this machine
   */
  static Optional<Provider> clientProvider() {
    String choice = System.getProperty(CLIENT_TLS_PROPERTY, "conscrypt").trim();
    return switch (choice) {
      case "jdk" -> Optional.empty();
      case "conscrypt" -> {
        HookCrypto crypto = HookCrypto.select(CryptoProvider.CONSCRYPT);
        yield Optional.of(
            crypto
                .jcaProvider()
                .orElseThrow(
                    () -> new IllegalArgumentException(CLIENT_TLS_PROPERTY + ": " + crypto)));
      }
      default ->
          throw new IllegalArgumentException(
              CLIENT_TLS_PROPERTY + " must be conscrypt or jdk: " + choice);
    };
  }

  /** How the calls are made, for the report. */
  static String clientDescription(Optional<Provider> provider) {
    return "java.net.http.HttpClient, "
        + provider
            .map(p -> p.getName() + " " + p.getVersionStr() + " TLS (BoringSSL)")
            .orElse("the JDK's TLS (SunJSSE, P-256 in SunEC)")
        + ", one context and certificate per application, a new mutual-TLS connection per call";
  }

  @Override
  public String toString() {
    return "HookCall[" + name + ", " + url + "]"; // never the token
  }
}
