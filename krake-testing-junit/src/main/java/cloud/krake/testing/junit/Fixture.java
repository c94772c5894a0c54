package cloud.krake.testing.junit;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one {@link KrakeTestExtension} run owns, from start to close: the thread snapshot and error
 * recorder, the store, the fake clusters and their kubelets, the hook CA and endpoint, and the
 * started {@link Krake}. Built all at once; {@link #close()} closes in reverse order of start.
 */
final class Fixture implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Fixture.class);

  final KrakeTestExtension.Builder settings;
  final ThreadLeakCheck threads;
  final UncaughtErrors errors;
  final Clock clock;
  final Optional<ManualTimer> timer;
  final MemoryStore store;
  final Map<String, FakeKubernetesApiServer> clusters;
  final Map<String, LocalKubelet> kubelets;
  final GeneratedHookCa ca;
  final HooksConfig hooks;
  final EmbeddedHookServer hookServer;
  final Krake krake;

  /** Everything to close, the last started first. Confined to the starting/closing thread. */
  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();

  private boolean closed;

  private Fixture(KrakeTestExtension.Builder settings) {
    this.settings = settings;
    this.threads = ThreadLeakCheck.snapshot(settings.ignoredThreads);
    this.errors = UncaughtErrors.install();
    closeables.push(errors);
    try {
      if (settings.manualTime) {
        ManualClock manual =
            new ManualClock(
                settings.manualStart.orElseGet(() -> now().truncatedTo(ChronoUnit.MILLIS)));
        this.clock = manual;
        this.timer = Optional.of(new ManualTimer(manual));
      } else {
        this.clock = Clock.systemUTC();
        this.timer = Optional.empty();
      }
      this.store = MemoryStore.create();
      closeables.push(store);

      Map<String, FakeKubernetesApiServer> fakes = new LinkedHashMap<>();
      Map<String, LocalKubelet> runners = new LinkedHashMap<>();
      for (KrakeTestExtension.ClusterSpec spec : settings.clusters) {
        FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name(spec.name()).build();
        closeables.push(fake);
        fakes.put(spec.name(), fake);
        if (settings.kubelet) {
          LocalKubelet.Builder kubeletBuilder =
              LocalKubelet.builder(fake).defaultCommand(KrakeTestExtension.DEFAULT_POD_COMMAND);
          settings.kubelets.accept(kubeletBuilder);
          LocalKubelet kubelet = kubeletBuilder.build();
          closeables.push(kubelet);
          runners.put(spec.name(), kubelet);
        }
      }
      this.clusters = Collections.unmodifiableMap(fakes);
      this.kubelets = Collections.unmodifiableMap(runners);

      // The CA and the endpoint's certificate are checked by TLS peers against the real time.
      Clock real = Clock.systemUTC();
      this.ca = GeneratedHookCa.generate(real);
      HooksConfig unbound = hooksConfig(URI.create("https://127.0.0.1"));
      this.hookServer =
          EmbeddedHookServer.loopback(ca, new Applications(store, clock), unbound, real)
              .port(0)
              // The test is over when it closes: no hook call is waited for.
              .stopGrace(java.time.Duration.ZERO)
              .build()
              .start();
      closeables.push(hookServer);
      this.hooks = hooksConfig(hookServer.url());

      KubernetesBackend.Builder backend =
          KubernetesBackend.builder()
              .connector(KubeconfigClusterConnector.builder().build())
              .krakeHooks(hooks, HookCertificateAuthorities.of(hooks, clock))
              .krakeHookServer(hookServer)
              .clusterProbeInterval(KrakeTestExtension.DEFAULT_CLUSTER_PROBE_INTERVAL);
      settings.backend.accept(backend);
      Krake.Builder builder = Krake.builder().store(store).clock(clock);
      timer.ifPresent(builder::timer);
      settings.krake.accept(builder);
      this.krake = builder.extension(backend.build()).build();
      closeables.push(krake);
      krake.start();
      registerClusters();
    } catch (RuntimeException | Error e) {
      closeAll().forEach(e::addSuppressed);
      throw e;
    }
  }

  /** Starts everything the settings describe; on failure closes what was started and throws. */
  static Fixture start(KrakeTestExtension.Builder settings) {
    return new Fixture(settings);
  }

  private static Instant now() {
    return Clock.systemUTC().instant();
  }

  private HooksConfig hooksConfig(URI endpoint) {
    return HooksConfig.builder()
        .endpoint(endpoint)
        .tls(true)
        .complete(settings.completeHook.apply(ca.withIntermediate(HookConfig.completeDefaults())))
        .shutdown(
            settings.shutdownHook.apply(
                ShutdownHookConfig.defaults()
                    .withHook(ca.withIntermediate(HookConfig.shutdownDefaults()))))
        .addCaBundle(ca.rootCertificateSource())
        .build();
  }

  private void registerClusters() {
    for (KrakeTestExtension.ClusterSpec spec : settings.clusters) {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      ObjectNode metadata = doc.putObject("metadata");
      metadata.put("name", spec.name()).put("namespace", settings.namespace);
      ObjectNode labels = metadata.putObject("labels");
      spec.labels().forEach(labels::put);
      doc.putObject("spec")
          .set(
              "kubeconfig",
              KrakeJson.read(clusters.get(spec.name()).kubeconfig(), ObjectNode.class));
      krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
    }
    for (KrakeTestExtension.ClusterSpec spec : settings.clusters) {
      krake.awaitCluster(
          settings.namespace,
          spec.name(),
          c -> c.status().state() == ClusterState.ONLINE,
          settings.timeout);
    }
  }

  /**
   * Closes everything, the last started first, and restores the uncaught-exception handler.
   * Idempotent; failures to close are returned, not thrown.
   */
  List<Throwable> closeAll() {
    if (closed) {
      return List.of();
    }
    closed = true;
    java.util.ArrayList<Throwable> failures = new java.util.ArrayList<>();
    while (!closeables.isEmpty()) {
      AutoCloseable next = closeables.pop();
      try {
        next.close();
      } catch (Exception | Error e) {
        log.warn("closing {} failed", next, e);
        failures.add(e);
      }
    }
    return failures;
  }

  @Override
  public void close() {
    closeAll();
  }
}
