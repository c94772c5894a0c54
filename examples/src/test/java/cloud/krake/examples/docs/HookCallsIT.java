package cloud.krake.examples.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the hook calls of docs/hooks.md and docs/hook-endpoint.md exactly as documented — curl,
 * Python {@code requests} and Java {@code HttpClient}, for {@code complete} and {@code shutdown} —
 * against a real embedded HTTPS hook endpoint with a generated hook CA, built as
 * docs/hook-endpoint.md shows. Each call is made for its own application, deployed through the
 * whole library path onto a fake cluster; the token, URL and certificate files are those the
 * mangling put into the application's Secrets, and the files are mounted at the default {@code
 * cert_dest} inside a bubblewrap sandbox (the host's {@code /etc} stays untouched).
 */
class HookCallsIT {

  private static final String NS = "default";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Path DOCS = Path.of("src", "test", "resources", "docs");

  @TempDir static Path files;

  private static final Clock clock = Clock.systemUTC();
  private static MemoryStore store;
  private static FakeKubernetesApiServer cluster;
  private static Krake krake;
  private static EmbeddedHookServer server;
  private static EmbeddedHookServer plainServer;

  @BeforeAll
  static void startKrakeWithTheHookEndpoint() throws IOException {
    store = MemoryStore.create();
    cluster = FakeKubernetesApiServer.builder().name("edge").build();
    GeneratedHookCa ca = GeneratedHookCa.generate(clock);
    int port = freePort();
    HooksConfig hooksConfig =
        HooksConfig.builder()
            .endpoint(URI.create("https://127.0.0.1:" + port))
            .tls(true)
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
            .addCaBundle(ca.rootCertificateSource())
            .build();
    krake =
        Krake.builder()
            .store(store)
            .clock(clock)
            .extension(
                KubernetesBackend.builder()
                    .connector(KubeconfigClusterConnector.builder().build())
                    .krakeHooks(hooksConfig, HookCertificateAuthorities.of(hooksConfig, clock))
                    .build())
            .build();
    IssuedCertificate serverCertificate =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    Path serverCert = write(files.resolve("server.pem"), serverCertificate.certificatePem());
    Path serverKey = write(files.resolve("server-key.pem"), serverCertificate.privateKeyPem());
    Path hookCa =
        write(
            files.resolve("hook-ca.pem"),
            TlsMaterial.pem(
                HookCertificateAuthorities.of(hooksConfig, clock).trustedCertificates()));

    // tag::embedded-server[]
    HookEndpoint endpoint =
        HookEndpoint.builder()
            .applications(krake.applications())
            .config(hooksConfig)
            .clientCertificateCheck(HookCertificateAuthorities.of(hooksConfig, clock)) // TLS only
            .build();
    server =
        EmbeddedHookServer.builder()
            .endpoint(endpoint)
            .bindAddress(InetAddress.getByName("127.0.0.1")) // default; pods need a routable one
            .port(port) // default 8080; 0 = any free port
            .tls(PemSource.file(serverCert), PemSource.file(serverKey), PemSource.file(hookCa))
            .build()
            .start();
    // end::embedded-server[]

    HooksConfig plain = HooksConfig.builder().build();
    plainServer =
        EmbeddedHookServer.builder()
            .endpoint(
                HookEndpoint.builder()
                    .applications(new Applications(store, clock))
                    .config(plain)
                    .build())
            .port(0)
            .build()
            .start();

    krake.start();
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.putObject("metadata").put("name", cluster.name()).put("namespace", NS);
    doc.putObject("spec").set("kubeconfig", KrakeJson.read(cluster.kubeconfig(), ObjectNode.class));
    krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
    krake.awaitCluster(NS, cluster.name(), c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
  }

  @AfterAll
  static void stopEverything() {
    if (krake != null) {
      krake.close();
    }
    if (server != null) {
      server.close();
    }
    if (plainServer != null) {
      plainServer.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void curlCompletesAnApplicationOverMutualTls() throws Exception {
    assertCompletedBy("curl-complete", List.of("sh", DOCS.resolve("curl-complete.sh").toString()));
  }

  @Test
  void pythonRequestsCompletesAnApplicationOverMutualTls() throws Exception {
    assertCompletedBy(
        "requests-complete", List.of("python3", DOCS.resolve("requests-complete.py").toString()));
  }

  @Test
  void javaHttpClientCompletesAnApplicationOverMutualTls() throws Exception {
    assertCompletedBy("java-complete", java("complete"));
  }

  @Test
  void curlAcknowledgesTheShutdownOfADeletedApplication() throws Exception {
    assertShutDownBy("curl-shutdown", List.of("sh", DOCS.resolve("curl-shutdown.sh").toString()));
  }

  @Test
  void pythonRequestsAcknowledgesTheShutdownOfADeletedApplication() throws Exception {
    assertShutDownBy(
        "requests-shutdown", List.of("python3", DOCS.resolve("requests-shutdown.py").toString()));
  }

  @Test
  void javaHttpClientAcknowledgesTheShutdownOfADeletedApplication() throws Exception {
    assertShutDownBy("java-shutdown", java("shutdown"));
  }

  @Test
  void curlCompletesAnApplicationOverPlainHttp() throws Exception {
    String name = "plain-complete";
    deploy(name, "complete");
    Map<String, String> token = secret(name, "complete", "token");
    String url =
        token
            .get("krake_complete_url")
            .replaceFirst("^https://[^/]+", plainServer.url().toString());

    String output =
        run(
            List.of("sh", DOCS.resolve("curl-complete-plain.sh").toString()),
            Map.of(
                "KRAKE_COMPLETE_TOKEN",
                token.get("krake_complete_token"),
                "KRAKE_COMPLETE_URL",
                url),
            Map.of());

    assertThat(output)
        .contains("\"state\":\"READY_FOR_ACTION\"")
        .doesNotContain(token.get("krake_complete_token"));
    krake.awaitApplicationGone(NS, name, TIMEOUT);
  }

  // ------------------------------------------------------------------ scenarios

  private void assertCompletedBy(String name, List<String> command) throws Exception {
    deploy(name, "complete");
    Map<String, String> token = secret(name, "complete", "token");

    String output =
        run(
            command,
            Map.of(
                "KRAKE_COMPLETE_TOKEN", token.get("krake_complete_token"),
                "KRAKE_COMPLETE_URL", token.get("krake_complete_url")),
            Map.of(HookConfig.COMPLETE_CERT_DEST, certificates(name, "complete")));

    assertThat(output).contains("\"state\":\"READY_FOR_ACTION\"");
    krake.awaitApplicationGone(NS, name, TIMEOUT);
    assertThat(cluster.objects()).noneMatch(o -> o.at("/metadata/name").asText().startsWith(name));
  }

  private void assertShutDownBy(String name, List<String> command) throws Exception {
    deploy(name, "shutdown");
    Map<String, String> token = secret(name, "shutdown", "token");
    Path certs = certificates(name, "shutdown");
    krake.applications().delete(NS, name);
    // No shutdown service in the manifest: the attempt fails at once and give_up leaves it
    // DEGRADED,
    // waiting for the application's acknowledgement.
    krake.awaitApplication(NS, name, a -> a.status().state() == ApplicationState.DEGRADED, TIMEOUT);

    String output =
        run(
            command,
            Map.of(
                "KRAKE_SHUTDOWN_TOKEN", token.get("krake_shutdown_token"),
                "KRAKE_SHUTDOWN_URL", token.get("krake_shutdown_url")),
            Map.of(HookConfig.SHUTDOWN_CERT_DEST, certs));

    assertThat(output).contains("\"state\":\"READY_FOR_ACTION\"");
    krake.awaitApplicationGone(NS, name, TIMEOUT);
  }

  private static void deploy(String name, String hook) {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: %1$s, namespace: default}
            spec:
              constraints: {cluster: {labels: []}}
              hooks: [%2$s]
              shutdown_failure_strategy: give_up
              manifest:
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: %1$s}
                  spec:
                    replicas: 1
                    selector: {matchLabels: {app: %1$s}}
                    template:
                      metadata: {labels: {app: %1$s}}
                      spec: {containers: [{name: app, image: registry.example.com/app:1}]}
            """
                .formatted(name, hook),
            Application.class);
    krake.applications().create(app);
    krake.awaitApplication(NS, name, a -> a.status().state() == ApplicationState.RUNNING, TIMEOUT);
  }

  /** The decoded data of a Secret the mangling put on the cluster. */
  private static Map<String, String> secret(String app, String hook, String kind) {
    String name = app + "-krake-" + hook + "-secret-" + kind;
    ObjectNode secret = cluster.get("v1", "Secret", NS, name).orElseThrow();
    Map<String, String> data = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : secret.path("data").properties()) {
      data.put(e.getKey(), new String(Base64.getDecoder().decode(e.getValue().asText()), UTF_8));
    }
    return data;
  }

  /** The certificate Secret's files (ca-bundle.pem, cert.pem, key.pem), as the pod gets them. */
  private static Path certificates(String app, String hook) throws IOException {
    Path dir = Files.createDirectories(files.resolve(app));
    Map<String, String> certs = secret(app, hook, "certs");
    assertThat(certs).containsOnlyKeys("ca-bundle.pem", "cert.pem", "key.pem");
    for (Map.Entry<String, String> file : certs.entrySet()) {
      write(dir.resolve(file.getKey()), file.getValue());
    }
    return dir;
  }

  private static List<String> java(String hook) {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp",
        System.getProperty("java.class.path"),
        HookCallInJava.class.getName(),
        hook);
  }

  /**
   * Runs the command in a bubblewrap sandbox: the host's root, with {@code /etc} shadowed by a
   * tmpfs that has the host's entries bound back and the given directories mounted at their paths.
   */
  private static String run(List<String> command, Map<String, String> env, Map<String, Path> mounts)
      throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("bwrap", "--dev-bind", "/", "/"));
    if (!mounts.isEmpty()) {
      argv.addAll(List.of("--tmpfs", "/etc"));
      try (Stream<Path> entries = Files.list(Path.of("/etc"))) {
        for (Path entry : (Iterable<Path>) entries.sorted()::iterator) {
          if (Files.isSymbolicLink(entry)) {
            argv.addAll(
                List.of("--symlink", Files.readSymbolicLink(entry).toString(), entry.toString()));
          } else {
            argv.addAll(List.of("--ro-bind-try", entry.toString(), entry.toString()));
          }
        }
      }
      mounts.forEach(
          (target, source) -> argv.addAll(List.of("--ro-bind", source.toString(), target)));
    }
    argv.add("--");
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private static Path write(Path file, String text) throws IOException {
    return Files.writeString(file, text, UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
