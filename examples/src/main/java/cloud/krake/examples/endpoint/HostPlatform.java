package cloud.krake.examples.endpoint;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.Constraints;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Mounting the hook endpoint in the host's own HTTP server: the "host platform" runs a JDK {@code
 * HttpsServer} with its own routes ({@code /platform/health}) and its own TLS, and mounts Krake's
 * {@link HookEndpoint} there through {@link HookEndpointHandler}, instead of running the embedded
 * hook server. A Job with the {@code complete} hook runs on a fake cluster; acting as the Job's
 * pod, the example reads the token, URL and certificate files from the Secrets the library put on
 * the cluster and calls its {@code complete} hook over mutual TLS; Krake deletes the application.
 *
 * <p>Krake builds the hook URL as {@code <endpoint>/kubernetes/namespaces/<ns>/applications/<name>
 * /<hook>}, dropping any path of the configured endpoint (as Krake does), so the handler is mounted
 * at {@code /kubernetes/namespaces/}. A host whose reverse proxy maps those routes below its own
 * prefix passes that prefix to the handler, which strips it.
 *
 * <p>Run: {@code java -Dsun.net.httpserver.nodelay=true -cp examples/target/krake-examples.jar
 * cloud.krake.examples.endpoint.HostPlatform}.
 */
public final class HostPlatform {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private HostPlatform() {}

  /**
   * Runs the example; exits 0 when the hook call was answered 200 and the application removed, 1
   * otherwise.
   *
   * @param args none
   */
  public static void main(String[] args) {
    try {
      System.exit(run(System.out) == 200 ? 0 : 1);
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Runs the example.
   *
   * @param out where to print
   * @return the HTTP status of the {@code complete} call
   * @throws cloud.krake.KrakeException if the application did not run, or was not deleted, within
   *     30 s
   * @throws UncheckedIOException if the host's server cannot be started or the call fails
   */
  public static int run(PrintStream out) {
    Clock clock = Clock.systemUTC();
    ExecutorService requests = Executors.newFixedThreadPool(4, named("platform-http-"));
    try (FakeKubernetesApiServer cluster =
            FakeKubernetesApiServer.builder().name("edge-1").build();
        MemoryStore store = MemoryStore.create()) {
      // tag::server[]
      HttpsServer server =
          HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      URI publicUrl = URI.create("https://127.0.0.1:" + server.getAddress().getPort());
      GeneratedHookCa ca = GeneratedHookCa.generate(clock); // or the host's own intermediate
      HooksConfig hooks =
          HooksConfig.builder()
              .endpoint(publicUrl)
              .tls(true)
              .complete(ca.withIntermediate(HookConfig.completeDefaults()))
              .shutdown(
                  ShutdownHookConfig.defaults()
                      .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
              .addCaBundle(ca.rootCertificateSource())
              .build();
      HookCertificateAuthorities authorities = HookCertificateAuthorities.of(hooks, clock);
      IssuedCertificate tls = ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
      SSLContext context =
          TlsMaterial.serverContext(
              tls.certificatePem(), tls.privateKeyPem(), authorities.trustedCertificates());
      server.setHttpsConfigurator(
          new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
              SSLParameters parameters = context.getDefaultSSLParameters();
              parameters.setWantClientAuth(true); // the host's other routes need none
              params.setSSLParameters(parameters);
            }
          });
      // end::server[]
      // tag::mount[]
      Krake krake =
          Krake.builder()
              .store(store)
              .extension(
                  KubernetesBackend.builder()
                      .connector(KubeconfigClusterConnector.builder().build())
                      .krakeHooks(hooks, authorities)
                      .build())
              .build();
      HookEndpoint endpoint =
          HookEndpoint.builder()
              .applications(krake.applications())
              .config(hooks)
              .clientCertificateCheck(authorities)
              .build();
      server.createContext("/platform/health", HostPlatform::health);
      server.createContext("/kubernetes/namespaces/", new HookEndpointHandler(endpoint, ""));
      server.setExecutor(requests);
      server.start();
      // end::mount[]
      try (krake) {
        krake.start();
        return demo(out, krake, cluster, publicUrl);
      } finally {
        server.stop(0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      requests.shutdownNow();
    }
  }

  private static int demo(PrintStream out, Krake krake, FakeKubernetesApiServer cluster, URI url)
      throws IOException {
    out.println("host platform serving on " + url + ": /platform/health and Krake's hook routes");
    krake
        .clusters()
        .create(
            Cluster.of(
                Metadata.of("default", "edge-1"),
                ClusterSpec.ofKubeconfig(KrakeJson.read(cluster.kubeconfig(), ObjectNode.class))));
    String manifest =
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: nightly-report}
        spec:
          template:
            spec:
              restartPolicy: Never
              containers: [{name: report, image: registry.example.com/report:1.4}]
        """;
    krake
        .applications()
        .create(
            Application.of(
                Metadata.of("default", "nightly-report"),
                ApplicationSpec.of(KrakeJson.readAll(manifest, ObjectNode.class), Constraints.NONE)
                    .withHooks(List.of(HooksConfig.COMPLETE))));
    krake.awaitApplication(
        "default", "nightly-report", a -> a.status().state() == ApplicationState.RUNNING, TIMEOUT);
    out.println("nightly-report: RUNNING on edge-1");

    HttpResponse<String> answer = completeAsThePod(cluster);
    out.println("[pod] PUT complete hook -> HTTP " + answer.statusCode() + " " + answer.body());
    krake.awaitApplicationGone("default", "nightly-report", TIMEOUT);
    out.println(
        "nightly-report: deleted by Krake; objects left on edge-1: " + cluster.objects().size());
    return answer.statusCode();
  }

  /** What the pod does: read its Secrets and call its hook URL with token and certificate. */
  private static HttpResponse<String> completeAsThePod(FakeKubernetesApiServer cluster)
      throws IOException {
    Map<String, String> token = secret(cluster, "nightly-report-krake-complete-secret-token");
    Map<String, String> certs = secret(cluster, "nightly-report-krake-complete-secret-certs");
    // tag::call[]
    SSLContext tls =
        TlsMaterial.clientContext(
            TlsMaterial.certificates(certs.get("ca-bundle.pem")),
            certs.get("cert.pem"),
            certs.get("key.pem"));
    HttpClient client =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(token.get("krake_complete_url")))
            .timeout(Duration.ofSeconds(10))
            .PUT(
                HttpRequest.BodyPublishers.ofString(
                    "{\"token\":\"" + token.get("krake_complete_token") + "\"}"))
            .build();
    // end::call[]
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling the hook", e);
    }
  }

  private static Map<String, String> secret(FakeKubernetesApiServer cluster, String name) {
    ObjectNode secret = cluster.get("v1", "Secret", "default", name).orElseThrow();
    Map<String, String> data = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : secret.path("data").properties()) {
      data.put(e.getKey(), new String(Base64.getDecoder().decode(e.getValue().asText()), UTF_8));
    }
    return data;
  }

  private static void health(com.sun.net.httpserver.HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.sendResponseHeaders(204, -1);
    }
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
