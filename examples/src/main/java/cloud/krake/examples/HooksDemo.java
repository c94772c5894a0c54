package cloud.krake.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.dispatcher.HookContext;
import cloud.krake.dispatcher.HookPoint;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.mangling.HookMangling;
import cloud.krake.hooks.shutdown.ShutdownDecision;
import cloud.krake.hooks.shutdown.ShutdownProtocol;
import cloud.krake.hooks.shutdown.ShutdownPurpose;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.ObserverSchemas;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * Krake's application hooks end to end on the embedded defaults: a {@code MemoryStore}, a hook CA
 * generated at start, the embedded HTTPS hook endpoint with client certificates, and applications
 * from this project's own manifests ({@code demo/*.yaml}). Prints a timeline and a summary table;
 * exits 0 only when every scenario reached its expected end.
 *
 * <ol>
 *   <li>{@code nightly-report}, a Job with the {@code complete} hook: it calls its injected URL
 *       with its token and client certificate when done, and is deleted.
 *   <li>{@code ledger}, a StatefulSet with the {@code shutdown} hook: on deletion its shutdown
 *       service is called, it acknowledges through the hook, and only then is it deleted.
 *   <li>{@code legacy-db}, which never acknowledges, with {@code give_up}: DEGRADED, retried,
 *       DEGRADED again, its resources kept.
 *   <li>{@code scratch-cache}, which never acknowledges, with {@code delete}: deleted after its
 *       attempts ran out.
 * </ol>
 *
 * <p>The Kubernetes controllers are not part of this release: where they would apply manifests,
 * register the shutdown Service's endpoint and delete resources, the demo does it in their place
 * and says so ({@code [controller]} lines). Everything else is the library.
 */
public final class HooksDemo {

  private static final String NS = "demo";
  private static final String RESOURCES_FINALIZER = "kubernetes_resources_deletion";

  private final PrintStream out;
  private final Clock clock = Clock.systemUTC();
  private final Instant start = clock.instant();
  private final MemoryStore store = MemoryStore.create();
  private final ExecutorService pods = Executors.newCachedThreadPool(daemon("demo-pod"));
  private final List<String[]> summary = new ArrayList<>();
  private final List<HttpServer> shutdownServices = new ArrayList<>();
  private GeneratedHookCa ca;
  private EmbeddedHookServer server;
  private HooksConfig config;
  private Krake krake;
  private Applications apps;
  private ShutdownProtocol protocol;

  private HooksDemo(PrintStream out) {
    this.out = out;
  }

  /**
   * Runs the demo.
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
    HooksDemo demo = new HooksDemo(out);
    try {
      demo.setUp();
      demo.completeHook();
      demo.shutdownHookAcknowledged();
      demo.shutdownHookGivenUp();
      demo.shutdownHookDeleted();
      return demo.report();
    } catch (Exception e) {
      out.println("FAILED: " + e);
      e.printStackTrace(out);
      return 1;
    } finally {
      demo.tearDown();
    }
  }

  // ------------------------------------------------------------------ set-up

  private static HooksConfig config(GeneratedHookCa ca, URI endpoint) {
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

  private void setUp() {
    ca = GeneratedHookCa.generate(clock);
    HooksConfig unbound = config(ca, URI.create("https://127.0.0.1"));
    HookCertificateAuthorities authorities = HookCertificateAuthorities.of(unbound, clock);
    IssuedCertificate serverCertificate =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    server =
        EmbeddedHookServer.builder()
            .endpoint(
                HookEndpoint.builder()
                    .applications(new Applications(store, clock))
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
    config = config(ca, server.url());
    krake =
        HookMangling.register(Krake.builder().store(store).clock(clock), config, authorities)
            .build();
    apps = krake.applications();
    protocol =
        ShutdownProtocol.builder()
            .applications(apps)
            .config(config.shutdown())
            .clock(clock)
            .build();
    say("-", "-", "hook CA generated; hook endpoint listening on " + server.url() + " (mTLS)");
  }

  private void tearDown() {
    shutdownServices.forEach(s -> s.stop(0));
    pods.shutdownNow();
    if (protocol != null) {
      protocol.close();
    }
    if (server != null) {
      server.close();
    }
    store.close();
  }

  // ------------------------------------------------------------------ scenarios

  private void completeHook() throws Exception {
    Application app = deploy("nightly-report", "batch-job.yaml", "[complete]", "");
    Map<String, String> env = secret(app, "complete", "token");
    Map<String, String> certs = secret(app, "complete", "certs");
    say(app, "the Job's pod gets " + String.join(", ", envNames(app)) + " and a certificate mount");

    HttpResponse<String> answer =
        pods.submit(
                () -> put(env.get("krake_complete_url"), env.get("krake_complete_token"), certs))
            .get();
    say(app, "the Job calls its complete hook: HTTP " + answer.statusCode() + " " + answer.body());

    Application completed = apps.require(NS, "nightly-report");
    say(completed, "marked deleted by the hook");
    deleteResources(completed);
    expect("nightly-report", "complete", apps.get(NS, "nightly-report").isEmpty(), "deleted");
  }

  private void shutdownHookAcknowledged() throws Exception {
    Application app = deploy("ledger", "stateful-service.yaml", "[shutdown]", "");
    Map<String, String> env = secret(app, "shutdown", "token");
    Map<String, String> certs = secret(app, "shutdown", "certs");
    registerShutdownService(
        app,
        () ->
            pods.submit(
                () -> {
                  HttpResponse<String> ack =
                      put(env.get("krake_shutdown_url"), env.get("krake_shutdown_token"), certs);
                  say("ledger", "-", "flushed its state, acknowledged: HTTP " + ack.statusCode());
                  return ack;
                }));

    say(apps.delete(NS, "ledger"), "deletion requested");
    ShutdownDecision decision = runShutdown("ledger");
    deleteResources(apps.require(NS, "ledger"));
    expect(
        "ledger",
        "shutdown",
        decision.isProceed() && decision.acknowledged() && apps.get(NS, "ledger").isEmpty(),
        "acknowledged, then deleted");
  }

  private void shutdownHookGivenUp() throws Exception {
    Application app =
        deploy(
            "legacy-db",
            "stateful-service.yaml",
            "[shutdown]",
            "shutdown_grace_time: 1\n  shutdown_failure_strategy: give_up\n  shutdown_retry_count: 1");
    registerShutdownService(app, () -> {});

    say(apps.delete(NS, "legacy-db"), "deletion requested; this service never acknowledges");
    ShutdownDecision first = runShutdown("legacy-db");
    Application degraded = apps.require(NS, "legacy-db");
    say(degraded, "gave up: resources kept, waiting for a retry");
    say(apps.retryShutdown(NS, "legacy-db"), "retry requested through the Java API");
    ShutdownDecision second = runShutdown("legacy-db");
    Application after = apps.require(NS, "legacy-db");
    expect(
        "legacy-db",
        "shutdown (give_up)",
        first.kind() == ShutdownDecision.Kind.GAVE_UP
            && second.kind() == ShutdownDecision.Kind.GAVE_UP
            && after.status().state() == ApplicationState.DEGRADED,
        "DEGRADED, retried, DEGRADED, resources kept");
  }

  private void shutdownHookDeleted() throws Exception {
    Application app =
        deploy(
            "scratch-cache",
            "stateful-service.yaml",
            "[shutdown]",
            "shutdown_grace_time: 1\n  shutdown_failure_strategy: delete");
    registerShutdownService(app, () -> {});

    say(apps.delete(NS, "scratch-cache"), "deletion requested; this service never acknowledges");
    ShutdownDecision decision = runShutdown("scratch-cache");
    deleteResources(apps.require(NS, "scratch-cache"));
    expect(
        "scratch-cache",
        "shutdown (delete)",
        decision.isProceed() && !decision.acknowledged() && apps.get(NS, "scratch-cache").isEmpty(),
        "deleted without acknowledgement");
  }

  // ------------------------------------------------------------------ the library at work

  /** Steps the shutdown protocol until it proceeds or gives up, waiting for its deadlines. */
  private ShutdownDecision runShutdown(String name) throws InterruptedException {
    while (true) {
      ShutdownDecision decision = protocol.step(NS, name, ShutdownPurpose.DELETION);
      Application app = apps.require(NS, name);
      if (decision.deadline().isEmpty()) {
        say(app, "shutdown protocol: " + describe(decision));
        return decision;
      }
      Instant deadline = decision.deadline().get();
      say(
          app,
          "shutdown attempt "
              + app.status().shutdownAttempts()
              + " called the service; waiting for the acknowledgement until +"
              + seconds(deadline));
      ApplicationState waiting = app.status().state();
      while (clock.instant().isBefore(deadline)
          && apps.require(NS, name).status().state() == waiting) {
        Thread.sleep(20);
      }
    }
  }

  private static String describe(ShutdownDecision decision) {
    return switch (decision.kind()) {
      case PROCEED -> decision.acknowledged() ? "acknowledged, proceed" : "no ack, delete anyway";
      case GAVE_UP -> "no acknowledgement, give_up: DEGRADED";
      case WAIT -> "wait";
      case NOT_APPLICABLE -> "not applicable: " + decision.reason();
    };
  }

  // ------------------------------------------------------------------ controller stand-ins

  /** Creates an application and does what the controller will: finalizer, mangling, RUNNING. */
  private Application deploy(String name, String manifestFile, String hooks, String extraSpec)
      throws IOException {
    List<ObjectNode> manifest = KrakeJson.readAll(resource(manifestFile), ObjectNode.class);
    Application draft =
        KrakeJson.read(
            """
            spec:
              manifest: []
              constraints: {cluster: {labels: ["location is DE"]}}
              hooks: %s
              %s
            """
                .formatted(hooks, extraSpec),
            Application.class);
    Application created =
        apps.create(
            draft
                .withMetadata(Metadata.of(NS, name))
                .withSpec(draft.spec().withManifest(manifest)));
    say(created, "created with hooks " + created.spec().hooks());

    Application withFinalizer =
        apps.modify(
            NS,
            name,
            a -> a.withMetadata(a.metadata().withFinalizers(List.of(RESOURCES_FINALIZER))));
    Application regenerated =
        withFinalizer.withStatus(
            withFinalizer
                .status()
                .withLastAppliedManifest(manifest)
                .withMangledObserverSchema(
                    ObserverSchemas.effectiveSchema(
                        manifest, withFinalizer.spec().observerSchema())));
    Application mangled =
        krake
            .dispatcher()
            .dispatch(HookContext.of(HookPoint.APPLICATION_MANGLING, regenerated, Optional.empty()))
            .requireApplication();
    Application running =
        apps.updateStatus(mangled.withStatus(mangled.status().withState(ApplicationState.RUNNING)));
    say(
        running,
        "[controller] applied "
            + kinds(running.status().lastAppliedManifest())
            + " (mangled by the hooks)");
    return running;
  }

  /** Deletes the application's resources and its finalizers, as the controller and GC will. */
  private void deleteResources(Application app) {
    say(app, "[controller] deleted " + kinds(app.status().lastAppliedManifest()));
    Application gone =
        apps.modify(
            NS, app.metadata().name(), a -> a.withMetadata(a.metadata().withFinalizers(List.of())));
    say(gone, "removed from the store");
  }

  /** Starts the application's shutdown service and registers it as Krake's register_service. */
  private void registerShutdownService(Application app, Runnable onShutdown) throws IOException {
    HttpServer service =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String name = app.metadata().name();
    service.createContext(
        "/shutdown",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          say(
              name,
              "-",
              "shutdown service called ("
                  + exchange.getRequestHeaders().getFirst(ShutdownProtocol.ATTEMPT_HEADER)
                  + ")");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
          onShutdown.run();
        });
    service.start();
    shutdownServices.add(service);
    String endpoint = "127.0.0.1:" + service.getAddress().getPort();
    apps.modifyStatus(NS, name, a -> a.status().withServices(Map.of("shutdown", endpoint)));
    say(name, "-", "[controller] registered service shutdown -> " + endpoint);
  }

  // ------------------------------------------------------------------ the pod's side

  /** What the pod reads from a mangled Secret: its decoded data. */
  private static Map<String, String> secret(Application app, String hook, String kind) {
    String secretName = app.metadata().name() + "-krake-" + hook + "-secret-" + kind;
    Map<String, String> data = new HashMap<>();
    for (ObjectNode resource : app.status().lastAppliedManifest()) {
      if (resource.path("kind").asText().equals("Secret")
          && resource.path("metadata").path("name").asText().equals(secretName)) {
        for (Map.Entry<String, JsonNode> entry : resource.path("data").properties()) {
          data.put(
              entry.getKey(),
              new String(Base64.getDecoder().decode(entry.getValue().asText()), UTF_8));
        }
      }
    }
    if (data.isEmpty()) {
      throw new IllegalStateException("no Secret " + secretName + " in the mangled manifest");
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
            .PUT(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> envNames(Application app) {
    List<String> names = new ArrayList<>();
    for (ObjectNode resource : app.status().lastAppliedManifest()) {
      resource
          .at("/spec/template/spec/containers/0/env")
          .forEach(
              e -> {
                if (e.path("valueFrom").has("secretKeyRef")) {
                  names.add(e.path("name").asText());
                }
              });
    }
    return names;
  }

  // ------------------------------------------------------------------ output

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

  private void expect(String app, String hook, boolean reached, String expected) {
    summary.add(new String[] {app, hook, expected, reached ? "yes" : "NO"});
  }

  private int report() {
    out.println();
    out.printf("%-15s %-20s %-45s %s%n", "NAME", "HOOK", "EXPECTED END", "REACHED");
    summary.forEach(row -> out.printf("%-15s %-20s %-45s %s%n", (Object[]) row));
    boolean all = summary.stream().allMatch(row -> row[3].equals("yes"));
    out.println();
    out.println(all ? "All scenarios reached their expected end." : "Some scenarios FAILED.");
    return all ? 0 : 1;
  }

  private static String resource(String file) {
    try (InputStream in = HooksDemo.class.getResourceAsStream("/demo/" + file)) {
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
