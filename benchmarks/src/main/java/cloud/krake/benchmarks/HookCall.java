package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.SSLContext;

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

  static HookCall read(FakeKubernetesApiServer cluster, String name) {
    Map<String, String> token = secret(cluster, name + "-krake-complete-secret-token");
    Map<String, String> certs = secret(cluster, name + "-krake-complete-secret-certs");
    return new HookCall(
        name,
        URI.create(token.get("krake_complete_url")),
        token.get("krake_complete_token"),
        TlsMaterial.clientContext(
            TlsMaterial.certificates(certs.get("ca-bundle.pem")),
            certs.get("cert.pem"),
            certs.get("key.pem")));
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

  @Override
  public String toString() {
    return "HookCall[" + name + ", " + url + "]"; // never the token
  }
}
