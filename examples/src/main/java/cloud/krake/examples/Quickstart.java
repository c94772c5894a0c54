package cloud.krake.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.KrakeException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.execution.Blueprint;
import cloud.krake.hooks.execution.HookAction;
import cloud.krake.hooks.execution.HookKind;
import cloud.krake.hooks.execution.HookRecord;
import cloud.krake.hooks.execution.HookRecords;
import cloud.krake.hooks.execution.HookState;
import cloud.krake.hooks.lifecycle.LifecycleEvent;
import cloud.krake.hooks.lifecycle.LifecycleHookPoint;
import cloud.krake.hooks.lifecycle.LifecycleRecords;
import cloud.krake.hooks.lifecycle.LifecycleRun;
import cloud.krake.hooks.lifecycle.RestartBackoff;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.k8s.ClusterClient;
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
import cloud.krake.store.Applications;
import cloud.krake.store.ResourceEvent;
import cloud.krake.store.Store;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

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
 *       kubelet counts it, with a {@code LifecycleHTTPNon2xx} warning event.
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

  private static final String NS = "demo";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String PINNED_TO_DE =
      "constraints: {cluster: {labels: [\"location is DE\"]}}";
  private static final DateTimeFormatter HH_MM_SS =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private final QuickstartOptions options;
  private final Clock clock = Clock.systemUTC();
  private final Timeline timeline;
  private final Store store;
  private final ScheduledExecutorService observers =
      Executors.newSingleThreadScheduledExecutor(daemon("quickstart-pod-logs"));
  private final KubeconfigClusterConnector connector = KubeconfigClusterConnector.builder().build();
  private final List<DemoCluster> clusters = new ArrayList<>();
  private final Map<String, ClusterClient> clients = new LinkedHashMap<>();
  private final List<PodObserver> podObservers = new ArrayList<>();
  private final Map<String, AppRow> apps = new LinkedHashMap<>();
  private final List<String[]> outcomes = new ArrayList<>();
  private final Set<Integer> portsTaken = new HashSet<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final boolean kubectl = onPath("kubectl");
  private EmbeddedHookServer hookServer;
  private Krake krake;
  private Watch stateWatch;

  /** What the table shows of an application, kept from the store's watch (guarded by this). */
  private static final class AppRow {
    ApplicationState state = ApplicationState.PENDING;
    String runningOn = "-";
    Instant created;
    Optional<Instant> removed = Optional.empty();
    Optional<Instant> firstRunning = Optional.empty();
    String reason = "-";
    List<ApplicationState> history = new ArrayList<>();
    List<ObjectNode> applied = List.of();
  }

  private Quickstart(QuickstartOptions options, PrintStream out) {
    this.options = options;

    this.timeline = new Timeline(out, clock);
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
      demo.scenario(
          "echo", "-", "RUNNING on de, endpoint answers, deleted, nothing left", demo::echoServer);
      demo.scenario(
          "nightly-report",
          "complete",
          "its pod called the hook over mTLS, deleted by the library, nothing left",
          demo::completeHook);
      demo.scenario(
          "ledger",
          "shutdown",
          demo.clusters.size() < 2
              ? "acknowledged, deleted, nothing left (migration skipped: one cluster)"
              : "acknowledged, migrated de -> fr, acknowledged, deleted, nothing left",
          demo::shutdownHookAndMigration);
      demo.scenario(
          "legacy-db",
          "shutdown (give_up)",
          "no acknowledgement: DEGRADED, retried, DEGRADED, resources kept",
          demo::giveUp);
      demo.scenario(
          "scratch-cache",
          "shutdown (delete)",
          "no acknowledgement, deleted anyway, nothing left",
          demo::deleteAnyway);
      demo.scenario(
          "fortune",
          "postStart, preStop",
          "RUNNING only after postStart wrote the content, served; preStop drained it within its"
              + " grace period; nothing left",
          demo::lifecycleHooks);
      demo.scenario(
          "misprint",
          "postStart http_get",
          "404 counted as success (RUNNING), warning event LifecycleHTTPNon2xx; nothing left",
          demo::httpGetTrap);
      demo.scenario(
          "inventory",
          "preHook, onSuccess",
          demo.kubectl
              ? "preHook artifact reached onSuccess; pods ready (Wait); migrate label removed"
                  + " (KubeTask kubectl patch); nothing left"
              : "preHook artifact reached onSuccess; pods ready (Wait); label removal skipped"
                  + " (no kubectl); nothing left",
          demo::executionHooks);
      demo.scenario(
          "vetoed",
          "preHook, onFailure",
          "preHook failed, deploy FAILED, nothing applied, onFailure ran exactly once",
          demo::failingAction);
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
    if (options.kubeconfigs().isEmpty()) {
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
    stateWatch = krake.applications().watch(store.revision() + 1, this::stateChange);
    krake.start();
    timeline.say("-", "-", "hook CA generated; hook endpoint on " + hookServer.url() + " (mTLS)");
    for (Resource<?> r : KrakeJson.readAllResources(resource("metrics.yaml"))) {
      if (r instanceof GlobalMetricsProvider p) {
        krake.globalMetricsProviders().create(p);
      } else if (r instanceof GlobalMetric m) {
        krake.globalMetrics().create(m);
      }
    }
    for (DemoCluster cluster : clusters) {
      register(cluster);
    }
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

  private void echoServer() throws Exception {
    create("echo", "echo-server.yaml", "[]", PINNED_TO_DE);
    Application running =
        await(
            "echo",
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().services().containsKey("echo"));
    String endpoint = running.status().services().get("echo");
    timeline.say("echo", "RUNNING", "service endpoint echo -> " + endpoint);
    for (int i = 0; i < 2; i++) {
      timeline.say("echo", "[client]", "GET http://" + endpoint + "/ -> " + get(endpoint));
    }
    krake.applications().delete(NS, "echo");
    krake.awaitApplicationGone(NS, "echo", TIMEOUT);
    awaitNothingLeft("echo");
  }

  private void completeHook() throws Exception {
    create("nightly-report", "batch-job.yaml", "[complete]", PINNED_TO_DE);
    krake.awaitApplicationGone(NS, "nightly-report", TIMEOUT);
    check(
        history("nightly-report").contains(ApplicationState.RUNNING), "removed without having run");
    awaitNothingLeft("nightly-report");
  }

  private void shutdownHookAndMigration() throws Exception {
    create("ledger", "stateful-service.yaml", "[shutdown]", "shutdown_grace_time: 10");
    Application placed = awaitServing("ledger");
    String first = placed.status().runningOn().orElseThrow().name();
    timeline.say("ledger", "RUNNING", "placed on " + first + " by the green_energy metric");
    if (clusters.size() < 2) {
      timeline.say("ledger", "-", "only one cluster given: the migration is skipped");
    } else {
      String to = first.equals("de") ? "fr" : "de";
      krake
          .globalMetricsProviders()
          .modify(
              "",
              "energy",
              p -> {
                ObjectNode doc = KrakeJson.toObjectNode(p);
                ObjectNode metrics = (ObjectNode) doc.at("/spec/static/metrics");
                metrics.put("green_energy_" + first, 0.1);
                metrics.put("green_energy_" + to, 0.9);
                return KrakeJson.convert(doc, GlobalMetricsProvider.class);
              });
      timeline.say("ledger", "-", "metrics changed: " + to + " is greener now");
      await(
          "ledger",
          a ->
              a.status().state() == ApplicationState.RUNNING
                  && a.status().runningOn().map(r -> r.name().equals(to)).orElse(false));
      check(
          history("ledger").contains(ApplicationState.READY_FOR_ACTION),
          "migrated without the shutdown acknowledgement");
      awaitNothingLeftOn(first, "ledger");
      awaitServing("ledger");
      timeline.say("ledger", "RUNNING", "migrated " + first + " -> " + to);
    }
    int acknowledgements = count(history("ledger"), ApplicationState.READY_FOR_ACTION);
    krake.applications().delete(NS, "ledger");
    krake.awaitApplicationGone(NS, "ledger", TIMEOUT);
    check(
        count(history("ledger"), ApplicationState.READY_FOR_ACTION) > acknowledgements,
        "deleted without the shutdown acknowledgement");
    awaitNothingLeft("ledger");
  }

  private void giveUp() throws Exception {
    create(
        "legacy-db",
        "never-acknowledges.yaml",
        "[shutdown]",
        PINNED_TO_DE
            + "\n  shutdown_grace_time: 1\n  shutdown_failure_strategy: give_up\n"
            + "  shutdown_retry_count: 1");
    Application running = awaitServing("legacy-db");
    ClusterClient de = clients.get("de");
    krake.applications().delete(NS, "legacy-db");
    awaitState("legacy-db", ApplicationState.DEGRADED);
    int before = history("legacy-db").size();
    krake.applications().retryShutdown(NS, "legacy-db");
    timeline.say("legacy-db", "-", "retry requested through the Java API");
    until(
        "legacy-db: not DEGRADED again after WAITING_FOR_CLEANING",
        () -> {
          List<ApplicationState> since = history("legacy-db");
          since = since.subList(Math.min(before, since.size()), since.size());
          int waiting = since.indexOf(ApplicationState.WAITING_FOR_CLEANING);
          return waiting >= 0
              && since.subList(waiting, since.size()).contains(ApplicationState.DEGRADED);
        });
    Application degraded = krake.applications().require(NS, "legacy-db");
    List<ObjectNode> kept = present(de, running.status().lastAppliedManifest());
    check(degraded.metadata().isDeleted(), "not marked deleted");
    check(!kept.isEmpty(), "its resources were removed although the strategy is give_up");
    timeline.say(
        "legacy-db",
        "DEGRADED",
        "gave up again; its resources are kept on de (" + kinds(kept) + ")");
    krake.applications().forceDelete(NS, "legacy-db");
    for (ObjectNode o : kept) {
      de.delete(o);
    }
    timeline.say("legacy-db", "-", "force-deleted by the operator; its resources removed by hand");
    krake.awaitApplicationGone(NS, "legacy-db", TIMEOUT);
    awaitNothingLeft("legacy-db");
  }

  private void deleteAnyway() throws Exception {
    create(
        "scratch-cache",
        "never-acknowledges.yaml",
        "[shutdown]",
        PINNED_TO_DE + "\n  shutdown_grace_time: 1\n  shutdown_failure_strategy: delete");
    awaitServing("scratch-cache");
    krake.applications().delete(NS, "scratch-cache");
    krake.awaitApplicationGone(NS, "scratch-cache", TIMEOUT);
    check(
        !history("scratch-cache").contains(ApplicationState.READY_FOR_ACTION),
        "acknowledged although it never calls its hook");
    awaitNothingLeft("scratch-cache");
  }

  /**
   * Container lifecycle hooks: the server serves what its postStart hook writes, so the content is
   * there when the application is RUNNING; its preStop drains it before the kubelet's SIGTERM.
   */
  private void lifecycleHooks() throws Exception {
    create(
        "fortune",
        manifest("fortune", "fortune.yaml"),
        "[]",
        PINNED_TO_DE
            + spec(
                """

              lifecycle:
                post_start:
                  exec:
                    command:
                    - /bin/sh
                    - -c
                    - |
                      set -- "Krake moves what the greenest cluster can run." \
                        "A hook that succeeded is never run twice." \
                        "Drain first, then stop."
                      shift $(( $(date +%s) % 3 ))
                      echo "$1" > "$CONTENT_DIR/index.txt"
                      echo "postStart: wrote the fortune to $CONTENT_DIR/index.txt"
                pre_stop:
                  exec:
                    command:
                    - python3
                    - -c
                    - |
                      import os, urllib.request
                      url = "http://127.0.0.1:%s/drain" % os.environ["PORT"]
                      print(urllib.request.urlopen(url, timeout=8).read().decode().strip())"""));
    Application running =
        await(
            "fortune",
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().services().containsKey("fortune"));
    LifecycleRun postStart = lifecycle("fortune", LifecycleHookPoint.POST_START);
    // the timeline's watch records the first RUNNING event; the read above may come first
    until(
        "fortune: the timeline saw no RUNNING event",
        () -> {
          synchronized (this) {
            return apps.get("fortune").firstRunning.isPresent();
          }
        });
    Instant firstRunning;
    synchronized (this) {
      firstRunning = apps.get("fortune").firstRunning.orElseThrow();
    }
    check(
        postStart.state() == LifecycleRun.State.SUCCEEDED
            && !postStart.finishedAt().orElseThrow().isAfter(firstRunning),
        "RUNNING before its postStart hook succeeded: " + postStart);
    String endpoint = running.status().services().get("fortune");
    String first = firstAnswer(endpoint);
    timeline.say("fortune", "[client]", "GET http://" + endpoint + "/ -> " + first);
    check(first.startsWith("200 "), "RUNNING, but the content was not there: " + first);
    krake.applications().delete(NS, "fortune");
    krake.awaitApplicationGone(NS, "fortune", TIMEOUT);
    LifecycleRun preStop = lifecycle("fortune", LifecycleHookPoint.PRE_STOP);
    Duration took = Duration.between(preStop.startedAt(), preStop.finishedAt().orElseThrow());
    check(
        preStop.state() == LifecycleRun.State.SUCCEEDED
            && preStop.outputTail().contains("drained")
            && took.compareTo(Duration.ofSeconds(10)) < 0,
        "preStop did not drain the server within its 10 s grace period: " + preStop);
    timeline.say(
        "fortune",
        "-",
        String.format(
            "preStop drained the server in %.1f s of its 10 s grace period",
            took.toMillis() / 1e3));
    awaitNothingLeft("fortune");
    forgetHookRecords("fortune");
  }

  /**
   * The kubelet's http_get trap: a mistyped path answered 404 still counts as success, so the
   * application becomes RUNNING; the library records a warning event that makes it visible.
   */
  private void httpGetTrap() throws Exception {
    List<ObjectNode> manifest = manifest("misprint", "fortune.yaml");
    int port = containerPort(manifest);
    create(
        "misprint",
        manifest,
        "[]",
        PINNED_TO_DE
            + spec(
                """

              lifecycle:
                post_start:
                  http_get: {path: /warm-up, port: %d}"""
                    .formatted(port)));
    awaitState("misprint", ApplicationState.RUNNING);
    LifecycleRun postStart = lifecycle("misprint", LifecycleHookPoint.POST_START);
    List<LifecycleEvent> warnings =
        postStart.events().stream()
            .filter(e -> e.reason().equals(LifecycleEvent.LIFECYCLE_HTTP_NON_2XX))
            .toList();
    check(
        postStart.state() == LifecycleRun.State.SUCCEEDED && !warnings.isEmpty(),
        "no LifecycleHTTPNon2xx warning for the 404: " + postStart);
    timeline.say(
        "misprint",
        "RUNNING",
        "the 404 counted as success, as the kubelet counts it; only the warning shows the typo");
    krake.applications().delete(NS, "misprint");
    krake.awaitApplicationGone(NS, "misprint", TIMEOUT);
    awaitNothingLeft("misprint");
    forgetHookRecords("misprint");
  }

  /**
   * Execution hooks with Kasten K10's rules: a preHook whose output artifact reaches onSuccess, and
   * K10's two documented examples in the onSuccess action (blueprint {@code k10-examples}): Wait
   * until the StatefulSet's pods are ready, KubeTask removing the namespace's label.
   */
  private void executionHooks() throws Exception {
    ClusterClient de = clients.get("de");
    String namespace = de.defaultNamespace();
    ObjectNode ns = namespaceObject(de, namespace);
    metadataLabels(ns).put("migrate", "true");
    de.apply(ns);
    timeline.say("inventory", "-", "namespace " + namespace + " on de labelled migrate=true");
    ObjectNode secret = JsonNodeFactory.instance.objectNode();
    secret.put("apiVersion", "v1").put("kind", "Secret");
    secret.putObject("metadata").put("name", "task-kubeconfig").put("namespace", namespace);
    secret
        .putObject("data")
        .put("config", java.util.Base64.getEncoder().encodeToString(kubeconfigOf("de")));
    de.apply(secret);
    create(
        "inventory",
        manifest("inventory", "inventory.yaml"),
        "[]",
        PINNED_TO_DE
            + spec(
                """

              execution_hooks:
                deploy:
                  preHook:
                    action:
                      phases:
                      - func: KubeTask
                        name: snapshot
                        args:
                          image: busybox
                          command: [/bin/sh, -c, 'echo "###Phase-output###: {\\\"key\\\": \\\"id\\\", \\\"value\\\": \\\"snap-$(date +%H%M%S)\\\"}"']
                      outputArtifacts:
                        snapshot:
                          keyValue: {id: "{{ .Phases.snapshot.Output.id }}"}
                  onSuccess: {blueprint: k10-examples, actionName: afterDeploy}"""));
    awaitState("inventory", ApplicationState.RUNNING);
    HookRecord preHook = finalRecord("inventory", HookKind.PRE_HOOK);
    HookRecord onSuccess = finalRecord("inventory", HookKind.ON_SUCCESS);
    say(preHook);
    say(onSuccess);
    String id = preHook.artifacts().get("snapshot").keyValue().get("id");
    check(preHook.state() == HookState.SUCCEEDED, "preHook " + preHook);
    check(onSuccess.state() == HookState.SUCCEEDED, "onSuccess " + onSuccess);
    String reported = onSuccess.outputs().getOrDefault("report", Map.of()).get("snapshot");
    check(id.equals(reported), "onSuccess got snapshot " + reported + ", the preHook made " + id);
    timeline.say(
        "inventory", "-", "the preHook's artifact snapshot.id=" + id + " reached onSuccess");
    List<ObjectNode> pods = pods(de, "inventory");
    check(
        pods.size() == 2 && pods.stream().allMatch(Quickstart::ready),
        "onSuccess's Wait held but not both pods are ready");
    timeline.say("inventory", "-", "Wait held: both pods of StatefulSet/inventory ready");
    boolean labelled = metadataLabels(namespaceObject(de, namespace)).has("migrate");
    if (kubectl) {
      check(!labelled, "the KubeTask did not remove the label migrate");
      timeline.say(
          "inventory", "-", "namespace " + namespace + ": label migrate removed by kubectl patch");
    } else {
      timeline.say("inventory", "-", "no kubectl on this machine: the label removal was skipped");
    }
    krake.applications().delete(NS, "inventory");
    krake.awaitApplicationGone(NS, "inventory", TIMEOUT);
    awaitNothingLeft("inventory");
    de.delete(secret);
    forgetHookRecords("inventory");
  }

  /** A failing action: the preHook vetoes the deploy, which fails; onFailure runs exactly once. */
  private void failingAction() throws Exception {
    create(
        "vetoed",
        manifest("vetoed", "inventory.yaml"),
        "[]",
        PINNED_TO_DE
            + spec(
                """

              execution_hooks:
                deploy:
                  preHook:
                    action: {phases: [{func: KubeTask, name: quota, args: {image: busybox, command: [/bin/sh, -c, 'echo "no quota left for a third inventory"; exit 1']}}]}
                    retry: {attempts: 2, backoff: {initial: 1, max: 1}}
                  onFailure:
                    action: {phases: [{func: KubeTask, name: alert, args: {image: busybox, command: [/bin/sh, -c, 'echo "###Phase-output###: {\\\"key\\\": \\\"paged\\\", \\\"value\\\": \\\"on-call\\\"}"']}}]}"""));
    Application failed = awaitState("vetoed", ApplicationState.FAILED);
    timeline.say(
        "vetoed",
        "FAILED",
        "reason: " + failed.status().reason().map(r -> oneLine(r.message())).orElse("-"));
    HookRecord preHook = finalRecord("vetoed", HookKind.PRE_HOOK);
    HookRecord onFailure = finalRecord("vetoed", HookKind.ON_FAILURE);
    say(preHook);
    say(onFailure);
    check(preHook.state() == HookState.FAILED, "preHook " + preHook);
    check(
        onFailure.state() == HookState.SUCCEEDED && onFailure.attempt() == 1,
        "onFailure did not run exactly once: " + onFailure);
    check(
        clients.get("de").list("apps/v1", "StatefulSet", Optional.empty()).stream()
            .noneMatch(o -> o.at("/metadata/name").asText().equals("inventory")),
        "the vetoed deploy was applied anyway");
    timeline.say("vetoed", "-", "nothing applied; onFailure ran once (attempt 1)");
    krake.applications().delete(NS, "vetoed");
    krake.awaitApplicationGone(NS, "vetoed", TIMEOUT);
    until("vetoed: its removal not seen by the store's watch", () -> removed("vetoed"));
    check(
        finalRecord("vetoed", HookKind.ON_FAILURE).attempt() == 1,
        "onFailure ran again on deletion");
    forgetHookRecords("vetoed");
  }

  /** Indents a block of YAML by two spaces, to go under the application's {@code spec}. */
  private static String spec(String yaml) {
    return String.join("\n", yaml.lines().map(line -> "  " + line).toList());
  }

  /** The K10 examples' blueprint; without kubectl on this machine, without its KubeTask. */
  private Blueprint k10Blueprint() {
    Blueprint blueprint = Blueprint.parse(resource("k10-examples.yaml"));
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

  private byte[] kubeconfigOf(String cluster) {
    for (DemoCluster c : clusters) {
      if (c.name().equals(cluster)) {
        return c.kubeconfig().getBytes(UTF_8);
      }
    }
    throw new IllegalStateException("no cluster " + cluster);
  }

  private static ObjectNode namespaceObject(ClusterClient client, String name) {
    ObjectNode ref = JsonNodeFactory.instance.objectNode();
    ref.put("apiVersion", "v1").put("kind", "Namespace");
    ref.putObject("metadata").put("name", name);
    return client.get(ref).orElse(ref);
  }

  private static boolean ready(ObjectNode pod) {
    for (JsonNode condition : pod.at("/status/conditions")) {
      if (condition.path("type").asText().equals("Ready")) {
        return condition.path("status").asText().equals("True");
      }
    }
    return false;
  }

  /** The first HTTP answer of the endpoint (connection failures retried: the pod may start). */
  private String firstAnswer(String endpoint) {
    List<String> answer = new ArrayList<>();
    until(
        "no answer from http://" + endpoint + "/",
        () -> {
          try {
            HttpResponse<String> response =
                http.send(
                    HttpRequest.newBuilder(URI.create("http://" + endpoint + "/"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            answer.add(response.statusCode() + " " + response.body().strip());
            return true;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
          }
        });
    return answer.isEmpty() ? "interrupted" : answer.get(0);
  }

  /**
   * The latest run of a lifecycle hook, once it has ended, after printing it and the runs before it
   * (a postStart that failed, say, because the server did not listen yet, and its pod's restart).
   */
  private LifecycleRun lifecycle(String app, LifecycleHookPoint hook) {
    LifecycleRecords records = new LifecycleRecords(store);
    until(
        app + ": no ended " + hook.displayName() + " run",
        () ->
            records
                .latest(NS, app, hook)
                .map(r -> r.state() != LifecycleRun.State.RUNNING)
                .orElse(false));
    records.runs(NS, app, hook).forEach(v -> say(app, v.run()));
    return records.latest(NS, app, hook).orElseThrow();
  }

  /** The deploy action's hook record, once no further attempt will be made. */
  private HookRecord finalRecord(String app, HookKind kind) {
    HookRecords records = new HookRecords(store);
    until(
        app + ": no final " + kind + " record",
        () ->
            records
                .find(NS, app, HookAction.DEPLOY, kind)
                .map(v -> v.record().isFinal())
                .orElse(false));
    return records.find(NS, app, HookAction.DEPLOY, kind).orElseThrow().record();
  }

  private void say(String app, LifecycleRun run) {
    String took =
        run.finishedAt()
            .map(
                f ->
                    String.format(
                        " in %.1f s", Duration.between(run.startedAt(), f).toMillis() / 1e3))
            .orElse("");
    timeline.say(
        app,
        "[" + run.hook().displayName() + "]",
        run.handler()
            + " "
            + run.state()
            + took
            + " on "
            + run.target()
            + output(run.outputTail()));
    for (LifecycleEvent event : run.events()) {
      timeline.say(app, "[event]", event.type() + " " + event.reason() + ": " + event.message());
    }
  }

  private void say(HookRecord record) {
    String what =
        "deploy "
            + record.hook()
            + " "
            + record.state()
            + " (attempt "
            + record.attempt()
            + ", "
            + record.handler()
            + ")";
    if (!record.artifacts().isEmpty()) {
      what += ", output artifacts " + record.artifacts();
    }
    if (!record.outputs().isEmpty()) {
      what += ", phase outputs " + record.outputs();
    }
    if (record.error().isPresent()) {
      what += ": " + oneLine(record.error().get());
    }
    timeline.say(record.application(), "[exec hook]", what);
  }

  private static String output(String tail) {
    String line = tail.strip().replace('\n', ' ');
    return line.isEmpty()
        ? ""
        : ": " + (line.length() > 100 ? line.substring(0, 100) + "..." : line);
  }

  /**
   * Removes the hook records of an application that is gone: they are the host's to keep or remove
   * (with etcd, the next run starts clean).
   */
  private void forgetHookRecords(String app) {
    new LifecycleRecords(store).deleteAll(NS, app);
    new HookRecords(store).deleteAll(NS, app);
  }

  // ------------------------------------------------------------------ the host's calls

  private void create(String name, String manifestFile, String hooks, String extraSpec) {
    create(name, manifest(name, manifestFile), hooks, extraSpec);
  }

  /** A manifest file's resources, their pods labelled with the application's name. */
  private List<ObjectNode> manifest(String name, String manifestFile) {
    List<ObjectNode> manifest = KrakeJson.readAll(resource(manifestFile), ObjectNode.class);
    labelPods(manifest, name);
    shareNodePortsWithContainers(manifest);
    return manifest;
  }

  /** The first container port of the manifest's first workload. */
  private static int containerPort(List<ObjectNode> manifest) {
    for (ObjectNode resource : manifest) {
      JsonNode port = resource.at("/spec/template/spec/containers/0/ports/0/containerPort");
      if (port.isInt()) {
        return port.asInt();
      }
    }
    throw new IllegalStateException("no container port in the manifest");
  }

  private void create(String name, List<ObjectNode> manifest, String hooks, String extraSpec) {
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
    synchronized (this) {
      apps.put(name, new AppRow());
    }
    Application created =
        krake.applications().create(draft.withSpec(draft.spec().withManifest(manifest)));
    timeline.say(
        name,
        created.status().state().name(),
        "created: " + kinds(manifest) + (hooks.equals("[]") ? "" : ", hooks " + hooks));
  }

  /** Labels the pods of every workload with the application's name, for the pod observers. */
  private static void labelPods(List<ObjectNode> manifest, String app) {
    for (ObjectNode resource : manifest) {
      JsonNode template = resource.at("/spec/template");
      if (template instanceof ObjectNode t) {
        metadataLabels(t).put(PodObserver.APP_LABEL, app);
      }
    }
  }

  /**
   * The local kubelet runs pods on the host's network, without a kube-proxy: a NodePort reaches a
   * pod only if the pod listens on that very port. So every NodePort Service of the manifest gets a
   * free {@code nodePort}, and the container port it targets (and the container's {@code PORT}
   * variable, which the demo programs listen on) the same number. On a real cluster and on a
   * kubelet that relays NodePorts to pods this changes nothing but the numbers; drop this method
   * once the local kubelet gives pods their own network.
   */
  private void shareNodePortsWithContainers(List<ObjectNode> manifest) {
    for (ObjectNode service : manifest) {
      if (!service.path("kind").asText().equals("Service")
          || !service.at("/spec/type").asText().equals("NodePort")) {
        continue;
      }
      JsonNode selector = service.at("/spec/selector");
      for (JsonNode p : service.at("/spec/ports")) {
        ObjectNode port = (ObjectNode) p;
        int free = freeNodePort();
        port.put("nodePort", free);
        JsonNode target = port.path("targetPort");
        if (target.isInt()) {
          port.put("targetPort", free);
        }
        for (ObjectNode workload : manifest) {
          if (!(workload.at("/spec/template") instanceof ObjectNode template)
              || !selects(selector, metadataLabels(template))) {
            continue;
          }
          for (JsonNode container : template.at("/spec/containers")) {
            boolean targeted = false;
            for (JsonNode cp : container.path("ports")) {
              if (target.isTextual()
                  ? cp.path("name").asText().equals(target.asText())
                  : cp.path("containerPort").asInt() == target.asInt()) {
                ((ObjectNode) cp).put("containerPort", free);
                targeted = true;
              }
            }
            for (JsonNode env : container.path("env")) {
              if (targeted && env.path("name").asText().equals("PORT")) {
                ((ObjectNode) env).put("value", Integer.toString(free));
              }
            }
          }
        }
      }
    }
  }

  private static boolean selects(JsonNode selector, ObjectNode labels) {
    for (Map.Entry<String, JsonNode> e : selector.properties()) {
      if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
        return false;
      }
    }
    return selector.size() > 0;
  }

  private static ObjectNode metadataLabels(ObjectNode object) {
    ObjectNode metadata =
        object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
    return metadata.get("labels") instanceof ObjectNode l ? l : metadata.putObject("labels");
  }

  /** A port in the NodePort range that is free on this machine and not yet given out. */
  private int freeNodePort() {
    for (int i = 0; i < 200; i++) {
      int candidate = ThreadLocalRandom.current().nextInt(30000, 32768);
      if (portsTaken.contains(candidate)) {
        continue;
      }
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(candidate));
        portsTaken.add(candidate);
        return candidate;
      } catch (IOException taken) {
        // in use; try another
      }
    }
    throw new IllegalStateException("no free port in 30000-32767");
  }

  private Application await(String name, Predicate<Application> condition) {
    return krake.awaitApplication(NS, name, condition, TIMEOUT);
  }

  private Application awaitState(String name, ApplicationState state) {
    return await(name, a -> a.status().state() == state);
  }

  /** Waits until the application runs and its shutdown service accepts connections. */
  private Application awaitServing(String name) {
    Application running =
        await(
            name,
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().services().containsKey("shutdown"));
    String endpoint = running.status().services().get("shutdown");
    until(name + ": shutdown service " + endpoint + " not listening", () -> listening(endpoint));
    timeline.say(name, "RUNNING", "shutdown service listening at " + endpoint);
    return running;
  }

  private void awaitNothingLeft(String app) {
    String cluster;
    synchronized (this) {
      cluster = apps.get(app).runningOn;
    }
    awaitNothingLeftOn(cluster, app);
  }

  /** Waits until neither the application's resources nor its pods are left on a cluster. */
  private void awaitNothingLeftOn(String cluster, String app) {
    ClusterClient client = clients.get(cluster);
    List<ObjectNode> applied;
    synchronized (this) {
      applied = apps.get(app).applied;
    }
    check(!applied.isEmpty(), app + " was never applied to " + cluster);
    List<String> left = new ArrayList<>();
    boolean empty =
        poll(
            () -> {
              left.clear();
              present(client, applied).forEach(o -> left.add(kind(o)));
              pods(client, app).forEach(o -> left.add(kind(o)));
              return left.isEmpty();
            });
    check(empty, "left on " + cluster + " after " + TIMEOUT.toSeconds() + " s: " + left);
    timeline.say(
        app,
        "-",
        "nothing left on "
            + cluster
            + " (checked "
            + applied.size()
            + " applied resources and the pods)");
  }

  private static List<ObjectNode> present(ClusterClient client, List<ObjectNode> resources) {
    List<ObjectNode> found = new ArrayList<>();
    for (ObjectNode resource : resources) {
      client.get(resource).ifPresent(found::add);
    }
    return found;
  }

  private static List<ObjectNode> pods(ClusterClient client, String app) {
    return client.list(
        "v1", "Pod", Optional.of(client.defaultNamespace()), PodObserver.APP_LABEL + "=" + app);
  }

  private String get(String endpoint) {
    List<String> answer = new ArrayList<>();
    until(
        "no answer from http://" + endpoint + "/",
        () -> {
          try {
            HttpResponse<String> response =
                http.send(
                    HttpRequest.newBuilder(URI.create("http://" + endpoint + "/"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            answer.add(response.statusCode() + " " + response.body().strip());
            return response.statusCode() == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
          }
        });
    return answer.get(answer.size() - 1);
  }

  /**
   * Whether an HTTP server answers at the endpoint (any answer counts, as a readiness probe's
   * connection check would): a bare TCP connect is not enough, because a node port accepts
   * connections before the pod behind it listens.
   */
  private static boolean listening(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(
              endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1))),
          1000);
      socket.setSoTimeout(1000);
      socket
          .getOutputStream()
          .write(
              "GET /ready HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] start = socket.getInputStream().readNBytes(5);
      return new String(start, java.nio.charset.StandardCharsets.US_ASCII).equals("HTTP/");
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  /** Polls a condition every 100 ms until it holds or {@link #TIMEOUT} passes; false then. */
  private static boolean poll(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private static void until(String failure, BooleanSupplier condition) {
    check(poll(condition), failure + " within " + TIMEOUT.toSeconds() + " s");
  }

  private static void check(boolean reached, String failure) {
    if (!reached) {
      throw new IllegalStateException(failure);
    }
  }

  // ------------------------------------------------------------------ output

  private void stateChange(ResourceEvent<Application> event) {
    Application app = event.resource();
    String name = app.metadata().name();
    boolean removed = event.type() == WatchEvent.Type.DELETED;
    ApplicationState state = app.status().state();
    ApplicationState before;
    synchronized (this) {
      AppRow row = apps.computeIfAbsent(name, n -> new AppRow());
      before = row.history.isEmpty() ? null : row.history.get(row.history.size() - 1);
      if (!removed && before != state) {
        row.history.add(state);
      }
      if (!removed && state == ApplicationState.RUNNING && row.firstRunning.isEmpty()) {
        row.firstRunning = Optional.of(clock.instant());
      }
      row.state = state;
      row.created = app.metadata().created().orElse(row.created);
      app.status().runningOn().ifPresent(r -> row.runningOn = r.name());
      app.status()
          .reason()
          .ifPresent(r -> row.reason = abbreviate(r.code() + ": " + oneLine(r.message()), 60));
      if (!app.status().lastAppliedManifest().isEmpty()) {
        row.applied = app.status().lastAppliedManifest();
      }
      if (removed) {
        row.removed = Optional.of(clock.instant());
      }
    }
    if (removed) {
      timeline.say(name, "-", "removed from the store");
    } else if (before != state) {
      String where =
          app.status()
              .runningOn()
              .or(() -> app.status().scheduledTo())
              .map(r -> " on " + r.name())
              .orElse("");
      timeline.say(
          name,
          state.name(),
          "state " + state + where + (app.metadata().isDeleted() ? " (deleted)" : ""));
    }
  }

  /** A message on one line (a KubeTask's log tail may end with a newline). */
  private static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\n\\s*", " ");
  }

  private static String abbreviate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 3) + "...";
  }

  private synchronized boolean removed(String app) {
    AppRow row = apps.get(app);
    return row != null && row.removed.isPresent();
  }

  private synchronized List<ApplicationState> history(String app) {
    AppRow row = apps.get(app);
    return row == null ? List.of() : List.copyOf(row.history);
  }

  private static int count(List<ApplicationState> history, ApplicationState state) {
    return (int) history.stream().filter(s -> s == state).count();
  }

  private static String kind(ObjectNode o) {
    return o.path("kind").asText() + "/" + o.at("/metadata/name").asText();
  }

  private static String kinds(List<ObjectNode> manifest) {
    List<String> kinds = new ArrayList<>();
    manifest.forEach(r -> kinds.add(kind(r)));
    return String.join(", ", kinds);
  }

  private int report() {
    if (options.etcd().isPresent() && outcomes.stream().allMatch(o -> o[3].equals("yes"))) {
      removeRegistrations();
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"name", "namespace", "state", "running_on", "created", "age", "reason"});
    synchronized (this) {
      for (Map.Entry<String, AppRow> e : apps.entrySet()) {
        AppRow row = e.getValue();
        String age =
            row.created == null
                ? "-"
                : String.format(
                    "%.1fs",
                    Duration.between(row.created, row.removed.orElse(clock.instant())).toMillis()
                        / 1000.0);
        rows.add(
            new String[] {
              e.getKey(),
              NS,
              row.state + (row.removed.isPresent() ? " (removed)" : ""),
              row.runningOn,
              row.created == null ? "-" : HH_MM_SS.format(row.created),
              age,
              row.reason
            });
      }
    }
    timeline.print("");
    timeline.print("Applications, as `rok kube app list` showed each of them last:");
    table(rows);
    timeline.print("");
    List<String[]> results = new ArrayList<>();
    results.add(new String[] {"scenario", "hook", "expected end", "reached"});
    outcomes.forEach(o -> results.add(new String[] {o[0], o[1], o[2], o[3]}));
    table(results);
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

  /** Prints rows as a table framed like rok's. */
  private void table(List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int w : widths) {
      rule.append("-".repeat(w + 2)).append('+');
    }
    timeline.print(rule.toString());
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder("|");
      for (int i = 0; i < widths.length; i++) {
        line.append(' ').append(String.format("%-" + widths[i] + "s", rows.get(r)[i])).append(" |");
      }
      timeline.print(line.toString());
      if (r == 0) {
        timeline.print(rule.toString().replace('-', '='));
      }
    }
    timeline.print(rule.toString());
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
