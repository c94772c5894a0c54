package cloud.krake.examples;

import cloud.krake.Krake;
import cloud.krake.KrakeException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.execution.Blueprint;
import cloud.krake.hooks.lifecycle.RestartBackoff;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.k8s.ClusterClient;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Resource;
import cloud.krake.scheduler.SchedulerConfig;
import cloud.krake.store.Applications;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The quickstart: Krake for Java on its embedded defaults — a {@code MemoryStore}, two fake
 * Kubernetes clusters ({@code de} and {@code fr}) whose pods really run as local processes (the
 * {@code LocalKubelet} of krake-testing: in bubblewrap sandboxes where {@code bwrap} is installed,
 * else as plain processes; the system property {@code krake.kubelet.bwrap} names another {@code
 * bwrap}), the embedded HTTPS hook endpoint with a hook CA generated at start — running the four
 * hook systems' scenarios through the real scheduler, application and cluster controllers, on this
 * project's own manifests ({@code demo/*.yaml}, small Python programs in ConfigMaps). Prints a
 * timeline (every state change of every application, the pods' phases and log lines, and what
 * happened) and a table like Krake's {@code rok kube app list}; exits 0 only when every scenario
 * reached its expected end, 1 with the reasons otherwise, 2 on a bad command line ({@code --help}
 * for the options: real clusters by kubeconfig, an etcd store).
 *
 * <ol>
 *   <li>{@code echo}: a Deployment and a NodePort Service scheduled by label onto {@code de},
 *       RUNNING, its service endpoint shown and called, then deleted with nothing left on the
 *       cluster.
 *   <li>{@code nightly-report}: a Job with the {@code complete} hook; its script calls the injected
 *       URL with its token and client certificate when done → deleted by the library.
 *   <li>{@code ledger}: a StatefulSet with the {@code shutdown} hook, placed by a metric, migrated
 *       to the other cluster when the metric changes (its shutdown service called, its
 *       acknowledgement received, moved), then deleted the same way.
 *   <li>{@code legacy-db}: never acknowledges, {@code give_up} → DEGRADED, retried, DEGRADED again;
 *       {@code scratch-cache}: never acknowledges, {@code delete} → deleted anyway.
 *   <li>{@code fortune}: container lifecycle hooks on a web server — its postStart writes the
 *       content it serves (RUNNING only once it has; the quickstart fetches it), its preStop drains
 *       it within the pod's grace period.
 *   <li>{@code misprint}: a postStart {@code http_get} answered 404 counts as success, as the
 *       kubelet counts it, with a {@code LifecycleHTTPNon2xx} warning event; the hook is a warm-up
 *       pod's, calling the server through its Service (an {@code http_get} against the server's own
 *       container races the server's start).
 *   <li>{@code inventory}: execution hooks on a StatefulSet's deploy — a preHook whose output
 *       artifact reaches onSuccess, whose blueprint action ({@code demo/k10-examples.yaml}) is
 *       Kasten K10's two documented examples: Wait until the StatefulSet's pods are ready, a
 *       KubeTask removing the {@code migrate} label from the namespace with {@code kubectl patch}
 *       (left out where {@code kubectl} is not installed).
 *   <li>{@code vetoed}: a failing preHook fails the deploy; nothing is applied, onFailure runs
 *       exactly once.
 * </ol>
 *
 * <p>Nothing here plays the pods' part: the library injects the token, URL and certificate, the
 * pods' scripts use them. The timeline's {@code [pod]} lines are read through the Kubernetes API
 * (pod phases by watch, logs by polling), {@code [client]} lines are the quickstart calling a
 * service as a user would.
 */
public final class Quickstart {

  private static final String NS = QuickstartHost.NS;
  private static final Duration TIMEOUT = QuickstartHost.TIMEOUT;

  private final QuickstartOptions options;
  private final Clock clock = Clock.systemUTC();
  private final Timeline timeline;
  private final ApplicationTable table;
  private final Store store;
  private final ScheduledExecutorService observers =
      Executors.newSingleThreadScheduledExecutor(daemon("quickstart-pod-logs"));
  private final KubeconfigClusterConnector connector = KubeconfigClusterConnector.builder().build();
  private final List<DemoCluster> clusters = new ArrayList<>();
  private final Map<String, ClusterClient> clients = new LinkedHashMap<>();
  private final List<PodObserver> podObservers = new ArrayList<>();
  private final List<String[]> outcomes = new ArrayList<>();
  private final boolean kubectl = onPath("kubectl");
  private EmbeddedHookServer hookServer;
  private Krake krake;
  private Watch stateWatch;

  /** What the scenarios share, once {@link #setUp()} has started Krake. */
  private QuickstartHost host;

  private Quickstart(QuickstartOptions options, PrintStream out) {
    this.options = options;

    this.timeline = new Timeline(out, clock);
    this.table = new ApplicationTable(clock, timeline);
    this.store =
        options
            .etcd()
            .<Store>map(url -> EtcdStore.builder().endpoint(url).build())
            .orElseGet(MemoryStore::create);
  }

  /**
   * Runs the quickstart with the command line's options and exits with its code.
   *
   * @param args {@code --help} lists them
   */
  public static void main(String[] args) {
    // The JDK's HTTP server otherwise holds keep-alive responses back for delayed ACKs (~40 ms).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs every scenario on the embedded defaults and prints the timeline and the summary.
   *
   * @param out where to print
   * @return 0 if every scenario reached its expected end, 1 otherwise
   */
  public static int run(PrintStream out) {
    return run(new String[0], out, out);
  }

  /**
   * Runs every scenario with the given options and prints the timeline and the summary to {@code
   * out}; a bad command line is reported on {@code err} with the usage.
   *
   * @param args the command line ({@code --kubeconfig FILE}, {@code --etcd URL}, {@code --help})
   * @param out where to print the timeline (and the help)
   * @param err where to print a bad command line's error
   * @return 0 if every scenario reached its expected end (or after {@code --help}), 1 otherwise, 2
   *     on a bad command line
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    QuickstartOptions options;
    try {
      options = QuickstartOptions.parse(args);
    } catch (QuickstartOptions.UsageException e) {
      err.println("error: " + e.getMessage());
      err.println();
      err.print(QuickstartOptions.USAGE);
      return QuickstartOptions.USAGE_EXIT_CODE;
    }
    if (options.help()) {
      out.print(QuickstartOptions.USAGE);
      return 0;
    }
    Quickstart demo = new Quickstart(options, out);
    try {
      demo.setUp();
      KrakeHookScenarios krakeHooks = new KrakeHookScenarios(demo.host);
      LifecycleHookScenarios lifecycleHooks = new LifecycleHookScenarios(demo.host);
      ExecutionHookScenarios executionHooks = new ExecutionHookScenarios(demo.host);
      demo.scenario(
          "echo",
          "-",
          "RUNNING on de, endpoint answers, deleted, nothing left",
          krakeHooks::echoServer);
      demo.scenario(
          "nightly-report",
          "complete",
          "its pod called the hook over mTLS, deleted by the library, nothing left",
          krakeHooks::completeHook);
      demo.scenario(
          "ledger",
          "shutdown",
          demo.clusters.size() < 2
              ? "acknowledged, deleted, nothing left (migration skipped: one cluster)"
              : "acknowledged, migrated de -> fr, acknowledged, deleted, nothing left",
          krakeHooks::shutdownHookAndMigration);
      demo.scenario(
          "legacy-db",
          "shutdown (give_up)",
          "no acknowledgement: DEGRADED, retried, DEGRADED, resources kept",
          krakeHooks::giveUp);
      demo.scenario(
          "scratch-cache",
          "shutdown (delete)",
          "no acknowledgement, deleted anyway, nothing left",
          krakeHooks::deleteAnyway);
      demo.scenario(
          "fortune",
          "postStart, preStop",
          "RUNNING only after postStart wrote the content, served; preStop drained it within its"
              + " grace period; nothing left",
          lifecycleHooks::lifecycleHooks);
      demo.scenario(
          "misprint",
          "postStart http_get",
          "404 counted as success (RUNNING), warning event LifecycleHTTPNon2xx; nothing left",
          lifecycleHooks::httpGetTrap);
      demo.scenario(
          "inventory",
          "preHook, onSuccess",
          demo.kubectl
              ? "preHook artifact reached onSuccess; pods ready (Wait); migrate label removed"
                  + " (KubeTask kubectl patch); nothing left"
              : "preHook artifact reached onSuccess; pods ready (Wait); label removal skipped"
                  + " (no kubectl); nothing left",
          executionHooks::executionHooks);
      demo.scenario(
          "vetoed",
          "preHook, onFailure",
          "preHook failed, deploy FAILED, nothing applied, onFailure ran exactly once",
          executionHooks::failingAction);
      return demo.report();
    } catch (RuntimeException | IOException e) {
      out.println();
      out.println("FAILED: the quickstart could not start: " + e.getMessage());
      return 1;
    } finally {
      demo.tearDown();
    }
  }

  // ------------------------------------------------------------------ set-up

  private void setUp() throws IOException {
    timeline.header();
    if (options.etcd().isPresent()) {
      timeline.say("-", "-", "store: etcd at " + options.etcd().get());
    } else {
      timeline.say("-", "-", "store: in memory");
    }
    if (options.kubeconfigs().isEmpty()
        && options.controlPlane() == QuickstartOptions.ControlPlane.REAL) {
      startRealControlPlanes();
    } else if (options.kubeconfigs().isEmpty()) {
      clusters.add(DemoCluster.fake("de", "DE"));
      clusters.add(DemoCluster.fake("fr", "FR"));
    } else {
      String[][] names = {{"de", "DE"}, {"fr", "FR"}};
      for (int i = 0; i < options.kubeconfigs().size(); i++) {
        clusters.add(
            DemoCluster.kubeconfig(names[i][0], names[i][1], options.kubeconfigs().get(i)));
      }
    }
    GeneratedHookCa ca = GeneratedHookCa.generate(clock);
    HooksConfig unbound = hooks(ca, URI.create("https://127.0.0.1"));
    hookServer =
        EmbeddedHookServer.loopback(ca, new Applications(store, clock), unbound, clock)
            .port(0)
            .build()
            .start();
    HooksConfig config = hooks(ca, hookServer.url());
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
                    .krakeHooks(config, HookCertificateAuthorities.of(config, clock))
                    .krakeHookServer(hookServer)
                    .clusterProbeInterval(Duration.ofSeconds(1))
                    .blueprints(k10Blueprint())
                    // a failed postStart restarts the pod after 1 s, not the kubelet's 10 s
                    .restartBackoff(
                        new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5)))
                    .build())
            .build();
    if (options.etcd().isPresent()) {
      refuseLeftovers();
    }
    stateWatch = krake.applications().watch(store.revision() + 1, table::stateChange);
    krake.start();
    timeline.say("-", "-", "hook CA generated; hook endpoint on " + hookServer.url() + " (mTLS)");
    for (Resource<?> r : KrakeJson.readAllResources(QuickstartHost.resource("metrics.yaml"))) {
      if (r instanceof GlobalMetricsProvider p) {
        krake.globalMetricsProviders().create(p);
      } else if (r instanceof GlobalMetric m) {
        krake.globalMetrics().create(m);
      }
    }
    host = new QuickstartHost(krake, store, clock, timeline, table, clients, clusters, kubectl);
    for (DemoCluster cluster : clusters) {
      register(cluster);
    }
  }

  /**
   * Starts the two real control planes side by side (each waits mostly for its own processes), and
   * says how long it took.
   */
  private void startRealControlPlanes() {
    long started = System.nanoTime();
    ExecutorService starters = Executors.newFixedThreadPool(2, daemon("quickstart-control-plane"));
    try {
      Future<DemoCluster> de = starters.submit(() -> DemoCluster.realControlPlane("de", "DE"));
      Future<DemoCluster> fr = starters.submit(() -> DemoCluster.realControlPlane("fr", "FR"));
      RuntimeException failure = null;
      for (Future<DemoCluster> cluster : List.of(de, fr)) {
        try {
          clusters.add(cluster.get()); // closed by tearDown, also when the other one failed
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (failure == null) {
            failure =
                cause instanceof RuntimeException r
                    ? r
                    : new KrakeException(String.valueOf(cause.getMessage()), cause);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KrakeException("interrupted while starting the control planes", e);
    } finally {
      starters.shutdown();
    }
    timeline.say(
        "-",
        "-",
        String.format(
            "two real control planes with their kubelet nodes started in %.1f s",
            (System.nanoTime() - started) / 1e9));
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

  /**
   * With etcd: an earlier run's resources would collide with this run's. Say which, touch nothing.
   */
  private void refuseLeftovers() {
    List<String> found = new ArrayList<>();
    krake.applications().list(NS).items().forEach(a -> found.add(a.metadata().name()));
    krake.clusters().list(NS).items().forEach(c -> found.add("cluster " + c.metadata().name()));
    krake.globalMetricsProviders().list().items().stream()
        .filter(p -> p.metadata().name().equals("energy"))
        .forEach(p -> found.add("global metrics provider energy"));
    if (!found.isEmpty()) {
      throw new KrakeException(
          "etcd already holds quickstart resources from an earlier run ("
              + String.join(", ", found)
              + "); use an empty etcd, or remove them");
    }
  }

  /** With etcd: remove what this run registered, so that the next run starts clean. */
  private void removeRegistrations() {
    for (DemoCluster cluster : clusters) {
      krake.clusters().delete(NS, cluster.name());
    }
    for (DemoCluster cluster : clusters) {
      krake.await(krake.clusters(), NS, cluster.name(), Optional::isEmpty, TIMEOUT);
    }
    for (String metric : List.of("green_energy_de", "green_energy_fr")) {
      krake.globalMetrics().delete("", metric);
    }
    krake.globalMetricsProviders().delete("", "energy");
    timeline.say("-", "-", "clusters and metrics removed from etcd");
  }

  private void register(DemoCluster demo) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    ObjectNode metadata = doc.putObject("metadata").put("name", demo.name()).put("namespace", NS);
    metadata.putObject("labels").put("location", demo.location());
    ObjectNode spec = doc.putObject("spec");
    spec.set("kubeconfig", KrakeJson.read(demo.kubeconfig(), ObjectNode.class));
    spec.putArray("metrics")
        .addObject()
        .put("name", "green_energy_" + demo.name())
        .put("weight", 1.0);
    krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
    Cluster online;
    try {
      online =
          krake.awaitCluster(
              NS, demo.name(), c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
    } catch (KrakeException e) {
      throw new KrakeException(
          "cluster "
              + demo.name()
              + " ("
              + demo.description()
              + ") is not ONLINE: "
              + e.getMessage(),
          e);
    }
    ClusterClient client = connector.connect(online);
    clients.put(demo.name(), client);
    podObservers.add(new PodObserver(demo.name(), client, timeline, observers));
    timeline.say(
        demo.name(),
        online.status().state().name(),
        "cluster registered (" + demo.description() + ", location=" + demo.location() + ")");
  }

  private void tearDown() {
    if (stateWatch != null) {
      stateWatch.close();
    }
    podObservers.forEach(PodObserver::close);
    observers.shutdownNow();
    if (krake != null) {
      krake.close();
    }
    if (hookServer != null) {
      hookServer.close();
    }
    connector.close();
    clusters.forEach(DemoCluster::close);
    store.close();
  }

  // ------------------------------------------------------------------ scenarios

  /** A scenario's body: returns normally once its expected end is reached, else throws why not. */
  private interface Body {
    void run() throws Exception;
  }

  private void scenario(String name, String hook, String expected, Body body) {
    try {
      body.run();
      outcomes.add(new String[] {name, hook, expected, "yes", ""});
    } catch (Exception | AssertionError e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String reason = String.valueOf(e.getMessage());
      timeline.say(name, "-", "FAILED: " + reason);
      outcomes.add(new String[] {name, hook, expected, "NO", reason});
    }
  }

  /** The K10 examples' blueprint; without kubectl on this machine, without its KubeTask. */
  private Blueprint k10Blueprint() {
    Blueprint blueprint = Blueprint.parse(QuickstartHost.resource("k10-examples.yaml"));
    if (kubectl) {
      return blueprint;
    }
    ObjectNode json = blueprint.toJson();
    ArrayNode phases = (ArrayNode) json.at("/actions/afterDeploy/phases");
    for (int i = phases.size() - 1; i >= 0; i--) {
      if (phases.get(i).path("name").asText().equals("unlabel")) {
        phases.remove(i);
      }
    }
    return Blueprint.fromJson(json);
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    return path != null
        && java.util.Arrays.stream(path.split(":"))
            .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, program)));
  }

  private int report() {
    if (options.etcd().isPresent() && outcomes.stream().allMatch(o -> o[3].equals("yes"))) {
      removeRegistrations();
    }
    List<String[]> rows = table.rows(NS);
    timeline.print("");
    timeline.print("Applications, as `rok kube app list` showed each of them last:");
    ApplicationTable.print(timeline, rows);
    timeline.print("");
    List<String[]> results = new ArrayList<>();
    results.add(new String[] {"scenario", "hook", "expected end", "reached"});
    outcomes.forEach(o -> results.add(new String[] {o[0], o[1], o[2], o[3]}));
    ApplicationTable.print(timeline, results);
    timeline.print("");
    List<String> failures = new ArrayList<>();
    outcomes.stream()
        .filter(o -> !o[3].equals("yes"))
        .forEach(o -> failures.add(o[0] + ": " + o[4]));
    if (failures.isEmpty()) {
      timeline.print(
          "All scenarios reached their expected end in " + timeline.seconds(clock.instant()) + ".");
      return 0;
    }
    timeline.print("FAILED: " + failures.size() + " scenario(s) did not reach their expected end:");
    failures.forEach(f -> timeline.print("  " + f));
    return 1;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
