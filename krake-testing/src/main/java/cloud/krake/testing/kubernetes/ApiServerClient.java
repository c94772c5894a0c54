package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import okio.BufferedSource;

/**
 * The local kubelet's connection to a real API server: JSON requests and watches over OkHttp with
 * the credentials of a kubeconfig (its current context: the cluster's {@code server} and {@code
 * certificate-authority-data}, the user's {@code client-certificate-data} and {@code
 * client-key-data} (PKCS#8, or PKCS#1 RSA), or {@code token}). Thread-safe.
 *
 * <p>Errors: {@link Failure} carries the HTTP status and the server's {@code Status} message;
 * credentials never appear in messages or {@link #toString()}.
 */
final class ApiServerClient implements AutoCloseable {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final MediaType MERGE_PATCH = MediaType.get("application/merge-patch+json");

  /** An HTTP status other than 2xx, with the server's message. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    Failure(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    int code() {
      return code;
    }
  }

  private final HttpUrl server;
  private final OkHttpClient http;
  private final OkHttpClient watching;
  private final String caPem;
  private final Set<Call> watches = ConcurrentHashMap.newKeySet();

  private ApiServerClient(HttpUrl server, OkHttpClient http, String caPem) {
    this.server = server;
    this.http = http;
    this.caPem = caPem;
    this.watching = http.newBuilder().readTimeout(Duration.ZERO).build();
  }

  /**
   * A client for the current context of a kubeconfig.
   *
   * @throws IllegalArgumentException if the kubeconfig lacks the current context, its cluster's
   *     {@code server} or its user's credentials, or a certificate or key cannot be read (the
   *     message names the field, never its value)
   */
  static ApiServerClient fromKubeconfig(String kubeconfig) {
    JsonNode config;
    try {
      config = Json.YAML.readTree(kubeconfig);
    } catch (IOException e) {
      throw new IllegalArgumentException("the kubeconfig is not YAML: " + e.getMessage(), e);
    }
    String current = config.path("current-context").asText("");
    JsonNode context = named(config.path("contexts"), current, "contexts").path("context");
    JsonNode cluster =
        named(config.path("clusters"), context.path("cluster").asText(), "clusters")
            .path("cluster");
    JsonNode user =
        named(config.path("users"), context.path("user").asText(), "users").path("user");
    HttpUrl server = HttpUrl.parse(cluster.path("server").asText(""));
    if (server == null) {
      throw new IllegalArgumentException("clusters[].cluster.server is missing or not a URL");
    }
    OkHttpClient.Builder builder =
        new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofSeconds(30));
    String caPem = "";
    if (server.isHttps()) {
      HandshakeCertificates.Builder tls = new HandshakeCertificates.Builder();
      if (cluster.hasNonNull("certificate-authority-data")) {
        caPem = decode(cluster.get("certificate-authority-data"), "certificate-authority-data");
        for (java.security.cert.X509Certificate ca : Pem.certificates(caPem)) {
          tls.addTrustedCertificate(ca);
        }
      } else {
        tls.addPlatformTrustedCertificates();
      }
      if (user.hasNonNull("client-certificate-data")) {
        String cert = decode(user.get("client-certificate-data"), "client-certificate-data");
        String key = decode(user.path("client-key-data"), "client-key-data");
        tls.heldCertificate(Pem.heldCertificate(cert, key));
      }
      HandshakeCertificates certificates = tls.build();
      builder.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
    }
    String token = user.path("token").asText("");
    if (!token.isEmpty()) {
      builder.addInterceptor(
          chain ->
              chain.proceed(
                  chain.request().newBuilder().header("Authorization", "Bearer " + token).build()));
    }
    return new ApiServerClient(server, builder.build(), caPem);
  }

  private static JsonNode named(JsonNode list, String name, String field) {
    for (JsonNode entry : list) {
      if (entry.path("name").asText().equals(name)) {
        return entry;
      }
    }
    if (list.size() == 1 && name.isEmpty()) {
      return list.get(0);
    }
    throw new IllegalArgumentException("the kubeconfig has no " + field + " entry named " + name);
  }

  private static String decode(JsonNode value, String field) {
    try {
      return new String(Base64.getDecoder().decode(value.asText("")), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kubeconfig " + field + " is not base64", e);
    }
  }

  /** The API server's port. */
  int port() {
    return server.port();
  }

  /** The API server's host as the kubeconfig names it. */
  String host() {
    return server.host();
  }

  /** The PEM of the cluster's certificate authority, or empty. */
  String certificateAuthority() {
    return caPem;
  }

  HttpUrl.Builder url(String path) {
    return server.newBuilder().encodedPath(path);
  }

  JsonNode get(String path) {
    return call(new Request.Builder().url(url(path).build()).get().build());
  }

  Optional<JsonNode> find(String path) {
    try {
      return Optional.of(get(path));
    } catch (Failure e) {
      if (e.code() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  JsonNode list(HttpUrl url) {
    return call(new Request.Builder().url(url).get().build());
  }

  JsonNode post(String path, JsonNode body) {
    return call(
        new Request.Builder()
            .url(url(path).build())
            .post(RequestBody.create(Json.bytes(body), JSON))
            .build());
  }

  JsonNode mergePatch(String path, JsonNode body) {
    return call(
        new Request.Builder()
            .url(url(path).build())
            .patch(RequestBody.create(Json.bytes(body), MERGE_PATCH))
            .build());
  }

  JsonNode delete(String path, JsonNode options) {
    return call(
        new Request.Builder()
            .url(url(path).build())
            .delete(RequestBody.create(Json.bytes(options), JSON))
            .build());
  }

  private JsonNode call(Request request) {
    try (Response response = http.newCall(request).execute()) {
      byte[] body = response.body().bytes();
      if (!response.isSuccessful()) {
        throw failure(request, response.code(), body);
      }
      return body.length == 0 ? Json.JSON.createObjectNode() : Json.read(body);
    } catch (IOException e) {
      throw new UncheckedIOException(
          request.method() + " " + request.url().encodedPath() + ": " + e.getMessage(), e);
    }
  }

  private static Failure failure(Request request, int code, byte[] body) {
    String message;
    try {
      message = Json.read(body).path("message").asText("");
    } catch (RuntimeException e) {
      message = "";
    }
    if (message.isEmpty()) {
      message = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
    }
    return new Failure(
        code,
        request.method() + " " + request.url().encodedPath() + ": HTTP " + code + ": " + message);
  }

  /**
   * Streams a watch: calls {@code onEvent} with each event ({@code type}, {@code object}) until the
   * server ends the stream, the call is cancelled by {@link #close()} or fails.
   *
   * @throws Failure for a non-2xx answer
   * @throws UncheckedIOException when the stream breaks (also after {@link #close()})
   */
  void watch(HttpUrl url, Consumer<JsonNode> onEvent) {
    Request request = new Request.Builder().url(url).get().build();
    Call call = watching.newCall(request);
    watches.add(call);
    try (Response response = call.execute()) {
      if (!response.isSuccessful()) {
        throw failure(request, response.code(), response.body().bytes());
      }
      BufferedSource source = response.body().source();
      String line;
      while ((line = source.readUtf8Line()) != null) {
        if (!line.isBlank()) {
          onEvent.accept(Json.read(line.getBytes(StandardCharsets.UTF_8)));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      watches.remove(call);
    }
  }

  /** Cancels the open watches and releases the connection pool. */
  @Override
  public void close() {
    watches.forEach(Call::cancel);
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "ApiServerClient[" + server + "]";
  }

  /** PEM decoding with okhttp-tls and the JDK. */
  static final class Pem {
    private Pem() {}

    static java.util.List<java.security.cert.X509Certificate> certificates(String pem) {
      java.util.List<java.security.cert.X509Certificate> out = new java.util.ArrayList<>();
      int start;
      int from = 0;
      while ((start = pem.indexOf("-----BEGIN CERTIFICATE-----", from)) >= 0) {
        int end = pem.indexOf("-----END CERTIFICATE-----", start);
        if (end < 0) {
          break;
        }
        from = end + "-----END CERTIFICATE-----".length();
        out.add(okhttp3.tls.Certificates.decodeCertificatePem(pem.substring(start, from)));
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no PEM certificate found");
      }
      return out;
    }

    /**
     * A certificate with its private key, in any PEM form BouncyCastle reads ({@code PRIVATE KEY}
     * PKCS#8, {@code RSA PRIVATE KEY} PKCS#1, {@code EC PRIVATE KEY} SEC 1), given to okhttp-tls as
     * PKCS#8.
     */
    static HeldCertificate heldCertificate(String certificatePem, String keyPem) {
      java.security.PrivateKey key;
      try (org.bouncycastle.openssl.PEMParser parser =
          new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(keyPem))) {
        Object parsed = parser.readObject();
        org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter converter =
            new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter();
        if (parsed instanceof org.bouncycastle.openssl.PEMKeyPair pair) {
          key = converter.getKeyPair(pair).getPrivate();
        } else if (parsed instanceof org.bouncycastle.asn1.pkcs.PrivateKeyInfo info) {
          key = converter.getPrivateKey(info);
        } else {
          throw new IllegalArgumentException("the private key is not an unencrypted PEM key");
        }
      } catch (IOException e) {
        throw new IllegalArgumentException("the private key cannot be read as PEM", e);
      }
      int end = certificatePem.indexOf("-----END CERTIFICATE-----");
      if (end < 0) {
        throw new IllegalArgumentException("no PEM certificate found");
      }
      String first = certificatePem.substring(0, end) + "-----END CERTIFICATE-----\n";
      String pkcs8 =
          "-----BEGIN PRIVATE KEY-----\n"
              + Base64.getMimeEncoder().encodeToString(key.getEncoded())
              + "\n-----END PRIVATE KEY-----\n";
      return HeldCertificate.decode(first + pkcs8);
    }
  }
}
