package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.tls.HookCrypto;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
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
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;

/** One application's complete call, as its pod would make it from its mounted Secrets. */
record HookCall(String name, URI url, String token, SSLContext tls) {

  /** How long one call may take. */
  static final Duration HOOK_CALL_TIMEOUT = Duration.ofSeconds(30);

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
   * Calls the hook as a pod that calls once and goes: a new TCP connection, a new TLS session with
   * the application's own context, key and certificate (the server's certificate and host name
   * checked), one {@code PUT} with {@code Connection: close}, the answer read, the socket closed.
   * An {@code http} URL (tests) goes without TLS.
   *
   * <p>Over a socket of the context, not {@code java.net.http.HttpClient}: a Java 17 {@code
   * HttpClient} cannot be closed, and its TLS engine keeps its native resources until it is garbage
   * collected. With Conscrypt that is a pipe per connection, so at 10,000 applications the driver
   * ran out of file descriptors ("AppData::create pipe(2) failed: Too many open files", 262 calls
   * failed); before that, abandoned clients' pooled connections closed in bursts when collected
   * (503s in a run of 1,000). A closed socket frees both at once. The connection (TCP and TLS
   * handshake) and the answer may each take {@link #HOOK_CALL_TIMEOUT}: with 10 s, 14 of 1,000
   * calls timed out while the host's two cores were shared with a load average of 30.
   */
  Answer complete() {
    byte[] body = ("{\"token\": \"" + token + "\"}").getBytes(UTF_8);
    String host = url.getHost();
    boolean https = "https".equals(url.getScheme());
    int port = url.getPort() >= 0 ? url.getPort() : https ? 443 : 80;
    int timeout = (int) HOOK_CALL_TIMEOUT.toMillis();
    long sent = System.nanoTime();
    try (Socket raw = new Socket()) {
      raw.setTcpNoDelay(true);
      raw.connect(new InetSocketAddress(host, port), timeout);
      raw.setSoTimeout(timeout);
      Socket socket = raw;
      if (https) {
        SSLSocket tlsSocket =
            (SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, true);
        SSLParameters parameters = tlsSocket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        tlsSocket.setSSLParameters(parameters);
        tlsSocket.startHandshake();
        socket = tlsSocket;
      }
      try (Socket open = socket) {
        OutputStream out = new BufferedOutputStream(open.getOutputStream());
        out.write(
            ("PUT "
                    + url.getRawPath()
                    + " HTTP/1.1\r\nHost: "
                    + host
                    + ":"
                    + port
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(UTF_8));
        out.write(body);
        out.flush();
        return read(new BufferedInputStream(open.getInputStream()), sent);
      }
    } catch (IOException | RuntimeException e) {
      return new Answer(name, -1, e.toString(), sent, System.nanoTime());
    }
  }

  /** Reads an HTTP/1.1 answer: status line, headers, then the body by its length or to the end. */
  private Answer read(InputStream in, long sent) throws IOException {
    String statusLine = line(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("not an HTTP answer: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    long length = -1;
    for (String header = line(in); !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        length = Long.parseLong(header.substring(colon + 1).trim());
      }
    }
    byte[] answer = length >= 0 ? in.readNBytes((int) length) : in.readAllBytes();
    return new Answer(name, status, new String(answer, UTF_8), sent, System.nanoTime());
  }

  /** One header line without its CRLF; EOF before a line is an error. */
  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("the connection closed before the answer's headers ended");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
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
    return "an SSLSocket of the context (HTTP/1.1 PUT, Connection: close), "
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
