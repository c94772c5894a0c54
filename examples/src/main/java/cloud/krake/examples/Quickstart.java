package cloud.krake.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.shutdown.ShutdownProtocol;
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
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Resource;
import cloud.krake.scheduler.SchedulerConfig;
import cloud.krake.store.ResourceEvent;
import cloud.krake.store.Watch;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * The quickstart: Krake for Java on its embedded defaults — a {@code MemoryStore}, two fake
 * Kubernetes clusters ({@code de} and {@code fr}), the embedded HTTPS hook endpoint with a hook CA
 * generated at start — running Krake's scenarios through the real scheduler, application and
 * cluster controllers and garbage collector, on this project's own manifests ({@code demo/*.yaml}).
 * Prints a timeline (every state change of every application, and what happened) and a table like
 * Krake's {@code rok kube app list}; exits 0 only when every scenario reached its expected end.
 *
 * <ol>
 *   <li>{@code echo}: a Deployment and a NodePort Service scheduled by label onto {@code de},
 *       RUNNING, its service endpoint recorded, then deleted with nothing left on the cluster.
 *   <li>{@code nightly-report}: a Job with the {@code complete} hook that calls its injected URL
 *       with its token and client certificate → deleted by the library.
 *   <li>{@code ledger}: a StatefulSet with the {@code shutdown} hook, placed by a metric, migrated
 *       to the other cluster when the metric changes (shutdown service called, acknowledgement
 *       received, moved), then deleted the same way.
 *   <li>{@code legacy-db}: never acknowledges, {@code give_up} → DEGRADED, retried, DEGRADED again;
 *       {@code scratch-cache}: never acknowledges, {@code delete} → deleted anyway.
 * </ol>
 *
 * <p>The fake clusters run no containers: where a pod would act (call its hook, serve {@code PUT
 * /shutdown}), the quickstart does it with the very token, URL and certificate the library put into
 * the pod's Secret, and marks those lines {@code [pod]}; a NodePort is routed to the local shutdown
 * service, marked {@code [cluster]}.
 */
public final class Quickstart {

  private static final String NS = "demo";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final PrintStream out;
  private final Clock clock = Clock.systemUTC();
  private final Instant start = clock.instant();
  private final MemoryStore store = MemoryStore.create();
  private final ExecutorService pods = Executors.newCachedThreadPool(daemon("demo-pod"));
  private final List<String[]> summary = new ArrayList<>();
  private final List<HttpServer> services = new ArrayList<>();
  private final Map<String, ApplicationState> lastState = new ConcurrentHashMap<>();
  private FakeKubernetesApiServer de;
  private FakeKubernetesApiServer fr;
  private Krake krake;
  private Watch timeline;

  private Quickstart(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the quickstart.
   *
   * @param args none
   */
  public static void main(String[] args) {
    // The JDK's HTTP server otherwise holds keep-alive responses back for delayed ACKs (~40 ms).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    System.exit(run(System.out));
  }

  /**
   * Runs every scenario and prints the timeline and the summary to {@code out}.
   *
   * @param out where to print
   * @return 0 if every scenario reached its expected end, 1 otherwise
   */
  public static int run(PrintStream out) {
    Quickstart demo = new Quickstart(out);
    try {
      demo.setUp();
      demo.echoServer();
      demo.completeHook();
      demo.shutdownHookAndMigration();
      demo.neverAcknowledges();
      return demo.report();
    } catch (Exception | AssertionError e) {
      out.println("FAILED: " + e);
      e.printStackTrace(out);
      return 1;
    } finally {
      demo.tearDown();
    }
  }

  // ------------------------------------------------------------------ set-up

  private void setUp() {
    de = FakeKubernetesApiServer.builder().name("de").build();
    fr = FakeKubernetesApiServer.builder().name("fr").build();
    GeneratedHookCa ca = GeneratedHookCa.generate(clock);
    HooksConfig unbound = hooks(ca, URI.create("https://127.0.0.1"));
    HookCertificateAuthorities authorities = HookCertificateAuthorities.of(unbound, clock);
    IssuedCertificate serverCertificate =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    EmbeddedHookServer server =
        EmbeddedHookServer.builder()
            .endpoint(
                HookEndpoint.builder()
                    .applications(new cloud.krake.store.Applications(store, clock))
                    .config(unbound)
                    .clientCertificateCheck(authorities)
                    .build())
            .port(0)
            .tls(
                PemSource.of(serverCertificate.certificatePem()),
                PemSource.of(serverCertificate.privateKeyPem()),
                PemSource.of(TlsMaterial.pem(authorities.trustedCertificates())))
            .build()
            .start();
    HooksConfig config = hooks(ca, server.url());
    krake =
        Krake.builder()
            .store(store)
            .clock(clock)
            .schedulerConfig(
                new SchedulerConfig(SchedulerConfig.DEFAULT_STICKINESS, Duration.ofSeconds(2)))
            .metricsCacheTtl(Duration.ZERO)
            .extension(
                KubernetesBackend.builder()
                    .connector(KubeconfigClusterConnector.builder().build())
                    .hooks(config, HookCertificateAuthorities.of(config, clock))
                    .hookServer(server)
                    .clusterProbeInterval(Duration.ofSeconds(1))
                    .build())
            .build();
    timeline = krake.applications().watch(store.revision() + 1, this::stateChange);
    krake.start();
    say("-", "-", "hook CA generated; hook endpoint on " + server.url() + " (mTLS)");
    for (Resource<?> r : KrakeJson.readAllResources(resource("metrics.yaml"))) {
      if (r instanceof GlobalMetricsProvider p) {
        krake.globalMetricsProviders().create(p);
      } else if (r instanceof GlobalMetric m) {
        krake.globalMetrics().create(m);
      }
    }
    cluster(de, "DE", "green_energy_de");
    cluster(fr, "FR", "green_energy_fr");
  }

  private static HooksConfig hooks(GeneratedHookCa ca, URI endpoint) {
    return HooksConfig.builder()
        .endpoint(endpoint)
        .tls(true)
        .complete(ca.withIntermediate(HookConfig.completeDefaults()))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
        .addCaBundle(ca.rootCertificateSource())
        .build();
  }

  private void cluster(FakeKubernetesApiServer fake, String location, String metric) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    ObjectNode metadata = doc.putObject("metadata").put("name", fake.name()).put("namespace", NS);
    metadata.putObject("labels").put("location", location);
    ObjectNode spec = doc.putObject("spec");
    spec.set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
    spec.putArray("metrics").addObject().put("name", metric).put("weight", 1.0);
    krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
    Cluster online =
        krake.awaitCluster(
            NS, fake.name(), c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
    say(
        fake.name(),
        online.status().state().name(),
        "cluster registered (fake API server " + fake.url() + ", location=" + location + ")");
  }

  private void tearDown() {
    if (timeline != null) {
      timeline.close();
    }
    services.forEach(s -> s.stop(0));
    pods.shutdownNow();
    if (krake != null) {
      krake.close();
    }
    if (de != null) {
      de.close();
    }
    if (fr != null) {
      fr.close();
    }
    store.close();
  }

  // ------------------------------------------------------------------ scenarios

  private void echoServer() {
    create(
        "echo", "echo-server.yaml", "[]", "constraints: {cluster: {labels: [\"location is DE\"]}}");
    Application running = await("echo", a -> a.status().state() == ApplicationState.RUNNING);
    say(running, "service endpoint echo -> " + running.status().services().get("echo"));
    krake.applications().delete(NS, "echo");
    krake.awaitApplicationGone(NS, "echo", TIMEOUT);
    expect(
        "echo",
        "-",
        "RUNNING on de, endpoint shown, deleted, nothing left",
        running.status().services().containsKey("echo") && de.objects().isEmpty());
  }

  private void completeHook() throws Exception {
    create(
        "nightly-report",
        "batch-job.yaml",
        "[complete]",
        "constraints: {cluster: {labels: [\"location is DE\"]}}");
    await("nightly-report", a -> a.status().state() == ApplicationState.RUNNING);
    Map<String, String> token = secret(de, "nightly-report", "complete", "token");
    Map<String, String> certs = secret(de, "nightly-report", "complete", "certs");
    HttpResponse<String> answer =
        pods.submit(
                () ->
                    put(token.get("krake_complete_url"), token.get("krake_complete_token"), certs))
            .get();
    say(
        "nightly-report",
        "-",
        "[pod] report built; called its complete hook: HTTP " + answer.statusCode());
    krake.awaitApplicationGone(NS, "nightly-report", TIMEOUT);
    expect(
        "nightly-report",
        "complete",
        "called its hook over mTLS, deleted by the library",
        answer.statusCode() == 200 && de.objects().isEmpty());
  }

  private void shutdownHookAndMigration() throws Exception {
    create("ledger", "stateful-service.yaml", "[shutdown]", "shutdown_grace_time: 10");
    Application placed = await("ledger", a -> a.status().state() == ApplicationState.RUNNING);
    String first = placed.status().runningOn().orElseThrow().name();
    FakeKubernetesApiServer from = first.equals("de") ? de : fr;
    FakeKubernetesApiServer to = from == de ? fr : de;
    say(placed, "placed on " + first + " by the green_energy metric");
    serveShutdown("ledger", from, true);

    krake
        .globalMetricsProviders()
        .modify(
            "",
            "energy",
            p -> {
              ObjectNode doc = KrakeJson.toObjectNode(p);
              ObjectNode metrics = (ObjectNode) doc.at("/spec/static/metrics");
              metrics.put("green_energy_" + first, 0.1);
              metrics.put("green_energy_" + to.name(), 0.9);
              return KrakeJson.convert(doc, GlobalMetricsProvider.class);
            });
    say("ledger", "-", "metrics changed: " + to.name() + " is greener now");
    Application moved =
        await(
            "ledger",
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().runningOn().map(r -> r.name().equals(to.name())).orElse(false));
    say(moved, "migrated to " + to.name() + "; nothing left on " + from.name());
    boolean migrated = from.objects().isEmpty();

    serveShutdown("ledger", to, true);
    krake.applications().delete(NS, "ledger");
    krake.awaitApplicationGone(NS, "ledger", TIMEOUT);
    expect(
        "ledger",
        "shutdown",
        "acknowledged, migrated " + first + "->" + to.name() + ", acknowledged, deleted",
        migrated && to.objects().isEmpty());
  }

  private void neverAcknowledges() throws Exception {
    String pinned = "constraints: {cluster: {labels: [\"location is DE\"]}}";
    create(
        "legacy-db",
        "stateful-service.yaml",
        "[shutdown]",
        pinned
            + "\n  shutdown_grace_time: 1\n  shutdown_failure_strategy: give_up\n"
            + "  shutdown_retry_count: 1");
    await("legacy-db", a -> a.status().state() == ApplicationState.RUNNING);
    serveShutdown("legacy-db", de, false);
    krake.applications().delete(NS, "legacy-db");
    await("legacy-db", a -> a.status().state() == ApplicationState.DEGRADED);
    krake.applications().retryShutdown(NS, "legacy-db");
    say("legacy-db", "-", "retry requested through the Java API");
    await("legacy-db", a -> a.status().state() == ApplicationState.WAITING_FOR_CLEANING);
    Application degraded = await("legacy-db", a -> a.status().state() == ApplicationState.DEGRADED);
    boolean kept = de.get("apps/v1", "StatefulSet", "default", "ledger").isPresent();
    expect(
        "legacy-db",
        "shutdown (give_up)",
        "DEGRADED, retried, DEGRADED, resources kept",
        degraded.metadata().isDeleted() && kept);
    krake.applications().forceDelete(NS, "legacy-db");
    for (ObjectNode o : de.objects()) {
      de.delete(
          o.path("apiVersion").asText(),
          o.path("kind").asText(),
          o.at("/metadata/namespace").asText(),
          o.at("/metadata/name").asText());
    }
    say("legacy-db", "-", "force-deleted by the operator; its resources removed by hand");

    create(
        "scratch-cache",
        "stateful-service.yaml",
        "[shutdown]",
        pinned + "\n  shutdown_grace_time: 1\n  shutdown_failure_strategy: delete");
    await("scratch-cache", a -> a.status().state() == ApplicationState.RUNNING);
    serveShutdown("scratch-cache", de, false);
    krake.applications().delete(NS, "scratch-cache");
    krake.awaitApplicationGone(NS, "scratch-cache", TIMEOUT);
    expect(
        "scratch-cache",
        "shutdown (delete)",
        "no acknowledgement, deleted anyway",
        de.objects().isEmpty());
  }

  // ------------------------------------------------------------------ the host's calls

  private void create(String name, String manifestFile, String hooks, String extraSpec) {
    List<ObjectNode> manifest = KrakeJson.readAll(resource(manifestFile), ObjectNode.class);
    Application draft =
        KrakeJson.read(
            """
            metadata: {name: %s, namespace: %s}
            spec:
              manifest: []
              constraints: {cluster: {labels: []}}
              hooks: %s
              %s
            """
                .formatted(name, NS, hooks, extraSpec),
            Application.class);
    Application created =
        krake.applications().create(draft.withSpec(draft.spec().withManifest(manifest)));
    say(created, "created: " + kinds(manifest) + (hooks.equals("[]") ? "" : ", hooks " + hooks));
  }

  private Application await(String name, Predicate<Application> condition) {
    return krake.awaitApplication(NS, name, condition, TIMEOUT);
  }

  // ------------------------------------------------------------------ the pod's side

  /**
   * Serves the application's {@code PUT /shutdown} on a local port and routes the cluster's
   * NodePort of its {@code shutdown} Service there; when called, it acknowledges through its hook
   * (or, if {@code acknowledge} is false, never does).
   */
  private void serveShutdown(String name, FakeKubernetesApiServer cluster, boolean acknowledge)
      throws IOException {
    HttpServer service =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    service.createContext(
        "/shutdown",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          say(
              name,
              "-",
              "[pod] shutdown service called ("
                  + exchange.getRequestHeaders().getFirst(ShutdownProtocol.ATTEMPT_HEADER)
                  + ")"
                  + (acknowledge ? "" : "; it will never acknowledge"));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
          if (acknowledge) {
            pods.submit(
                () -> {
                  Map<String, String> token = secret(cluster, name, "shutdown", "token");
                  Map<String, String> certs = secret(cluster, name, "shutdown", "certs");
                  HttpResponse<String> ack =
                      put(
                          token.get("krake_shutdown_url"),
                          token.get("krake_shutdown_token"),
                          certs);
                  say(name, "-", "[pod] state flushed; acknowledged: HTTP " + ack.statusCode());
                  return ack;
                });
          }
        });
    service.start();
    services.add(service);
    int port = service.getAddress().getPort();
    ObjectNode svc = cluster.get("v1", "Service", "default", "shutdown").orElseThrow();
    ((ObjectNode) svc.at("/spec/ports/0")).put("nodePort", port);
    cluster.put(svc);
    await(name, a -> ("127.0.0.1:" + port).equals(a.status().services().get("shutdown")));
    say(
        name,
        "-",
        "[cluster] NodePort of Service shutdown on " + cluster.name() + " -> 127.0.0.1:" + port);
  }

  /** What the pod reads from its mangled Secret on the cluster: the decoded data. */
  private static Map<String, String> secret(
      FakeKubernetesApiServer cluster, String app, String hook, String kind) {
    String name = app + "-krake-" + hook + "-secret-" + kind;
    ObjectNode secret =
        cluster
            .get("v1", "Secret", "default", name)
            .orElseThrow(() -> new IllegalStateException("no Secret " + name));
    Map<String, String> data = new TreeMap<>();
    for (Map.Entry<String, JsonNode> e : secret.path("data").properties()) {
      data.put(e.getKey(), new String(Base64.getDecoder().decode(e.getValue().asText()), UTF_8));
    }
    return data;
  }

  /** The application's hook call: PUT {"token"} with its client certificate. */
  private static HttpResponse<String> put(String url, String token, Map<String, String> certs)
      throws IOException, InterruptedException {
    SSLContext tls =
        TlsMaterial.clientContext(
            TlsMaterial.certificates(certs.get("ca-bundle.pem")),
            certs.get("cert.pem"),
            certs.get("key.pem"));
    HttpClient client =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  // ------------------------------------------------------------------ output

  private void stateChange(ResourceEvent<Application> event) {
    Application app = event.resource();
    String name = app.metadata().name();
    if (event.type() == cloud.krake.store.WatchEvent.Type.DELETED) {
      lastState.remove(name);
      say(name, "-", "removed from the store");
      return;
    }
    ApplicationState state = app.status().state();
    ApplicationState before = lastState.put(name, state);
    if (before != state) {
      String where =
          app.status()
              .runningOn()
              .or(() -> app.status().scheduledTo())
              .map(r -> " on " + r.name())
              .orElse("");
      say(
          name,
          state.name(),
          "state " + state + where + (app.metadata().isDeleted() ? " (deleted)" : ""));
    }
  }

  private static String kinds(List<ObjectNode> manifest) {
    List<String> kinds = new ArrayList<>();
    manifest.forEach(
        r -> kinds.add(r.path("kind").asText() + "/" + r.path("metadata").path("name").asText()));
    return String.join(", ", kinds);
  }

  private String seconds(Instant t) {
    return String.format("%.2fs", Duration.between(start, t).toMillis() / 1000.0);
  }

  private void say(Application app, String what) {
    say(app.metadata().name(), app.status().state().name(), what);
  }

  private synchronized void say(String app, String state, String what) {
    out.printf("%8s  %-15s %-21s %s%n", "+" + seconds(clock.instant()), app, state, what);
  }

  private void expect(String app, String hook, String expected, boolean reached) {
    summary.add(new String[] {app, hook, expected, reached ? "yes" : "NO"});
  }

  private int report() {
    out.println();
    out.printf("%-15s %-19s %-58s %s%n", "NAME", "HOOK", "EXPECTED END", "REACHED");
    summary.forEach(row -> out.printf("%-15s %-19s %-58s %s%n", (Object[]) row));
    boolean all = summary.stream().allMatch(row -> row[3].equals("yes"));
    out.println();
    out.println(all ? "All scenarios reached their expected end." : "Some scenarios FAILED.");
    return all ? 0 : 1;
  }

  private static String resource(String file) {
    try (InputStream in = Quickstart.class.getResourceAsStream("/demo/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing resource demo/" + file);
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
