package cloud.krake.k8s.e2e;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.Store;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Krake for Java on two Kubernetes clusters ({@code a} and {@code b}, labelled {@code location=a|b}
 * in the Krake namespace {@value #NS}), with the complete and shutdown hooks over the embedded
 * HTTPS hook endpoint and a generated hook CA: the whole library path, as a host would wire it. The
 * clusters come from a {@link ClusterSource}: two fake API servers ({@link #a}, {@link #b}, for the
 * suites that inject faults), or the module's two shared real control planes with a local kubelet
 * as their node ({@link #clusterA}, {@link #clusterB} are either).
 */
final class FakeClusters implements AutoCloseable {

  static final String NS = "tenant";

  /**
   * The bound of every wait: generous, since on a real control plane a rollout goes through the
   * controller manager, the scheduler and the kubelet's status reports on a loaded 2-core machine
   * (one sample stayed CREATING past 60 s in a full run beside another build).
   */
  static final Duration TIMEOUT = Duration.ofSeconds(180);

  /**
   * Where the complete-hook scripts read their certificates (complete-job.yaml, Krake's samples).
   */
  static final String COMPLETE_CERT_DEST = "/etc/krake_complete_cert";

  /**
   * Where the shutdown-hook scripts read their certificates (shutdown-statefulset.yaml, Krake's
   * samples).
   */
  static final String SHUTDOWN_CERT_DEST = "/etc/krake_shutdown_cert";

  /** Cluster {@code a} as a fake; null for real clusters. */
  final FakeKubernetesApiServer a;

  /** Cluster {@code b} as a fake; null for real clusters. */
  final FakeKubernetesApiServer b;

  final TestCluster clusterA;
  final TestCluster clusterB;
  final Store store;
  final GeneratedHookCa ca;
  final Clock clock = Clock.systemUTC();
  EmbeddedHookServer server;
  HooksConfig config;
  Krake krake;
  private final ShutdownHookConfig shutdownDefaults;
  private final java.util.function.Consumer<KubernetesBackend.Builder> backend;
  private final java.util.function.Consumer<Krake.Builder> entryPoint;
  private final String completeCertDest;
  private final String shutdownCertDest;
  private final java.util.function.Consumer<HooksConfig.Builder> hooks;

  FakeClusters(Store store) {
    this(store, ShutdownHookConfig.defaults());
  }

  /**
   * With other {@code cert_dest}s for the two hooks, and the hooks' builder adjusted last (the
   * endpoint, TLS, CA and intermediates stay the fixture's).
   */
  FakeClusters(
      Store store,
      String completeCertDest,
      String shutdownCertDest,
      java.util.function.Consumer<HooksConfig.Builder> hooks) {
    this(
        store,
        ShutdownHookConfig.defaults(),
        b -> {},
        k -> {},
        completeCertDest,
        shutdownCertDest,
        hooks);
  }

  FakeClusters(Store store, ShutdownHookConfig shutdown) {
    this(store, shutdown, b -> {});
  }

  /** With the backend's builder adjusted (blueprints, functions, back-off) before it is built. */
  FakeClusters(
      Store store,
      ShutdownHookConfig shutdown,
      java.util.function.Consumer<KubernetesBackend.Builder> backend) {
    this(store, shutdown, backend, k -> {});
  }

  /**
   * As {@link #FakeClusters(Store, ShutdownHookConfig, java.util.function.Consumer)}, with the
   * entry point's builder adjusted too (dispatcher hooks).
   */
  FakeClusters(
      Store store,
      ShutdownHookConfig shutdown,
      java.util.function.Consumer<KubernetesBackend.Builder> backend,
      java.util.function.Consumer<Krake.Builder> entryPoint) {
    this(store, shutdown, backend, entryPoint, COMPLETE_CERT_DEST, SHUTDOWN_CERT_DEST, b -> {});
  }

  /** On the clusters of a source, with the backend's builder adjusted before it is built. */
  FakeClusters(
      Store store,
      ClusterSource source,
      ShutdownHookConfig shutdown,
      java.util.function.Consumer<KubernetesBackend.Builder> backend) {
    this(
        store, source, shutdown, backend, k -> {}, COMPLETE_CERT_DEST, SHUTDOWN_CERT_DEST, b -> {});
  }

  /** On the clusters of a source, with the default hooks. */
  FakeClusters(Store store, ClusterSource source) {
    this(
        store,
        source,
        ShutdownHookConfig.defaults(),
        b -> {},
        k -> {},
        COMPLETE_CERT_DEST,
        SHUTDOWN_CERT_DEST,
        b -> {});
  }

  private FakeClusters(
      Store store,
      ShutdownHookConfig shutdown,
      java.util.function.Consumer<KubernetesBackend.Builder> backend,
      java.util.function.Consumer<Krake.Builder> entryPoint,
      String completeCertDest,
      String shutdownCertDest,
      java.util.function.Consumer<HooksConfig.Builder> hooks) {
    this(
        store,
        ClusterSource.FAKE,
        shutdown,
        backend,
        entryPoint,
        completeCertDest,
        shutdownCertDest,
        hooks);
  }

  private FakeClusters(
      Store store,
      ClusterSource source,
      ShutdownHookConfig shutdown,
      java.util.function.Consumer<KubernetesBackend.Builder> backend,
      java.util.function.Consumer<Krake.Builder> entryPoint,
      String completeCertDest,
      String shutdownCertDest,
      java.util.function.Consumer<HooksConfig.Builder> hooks) {
    this.completeCertDest = completeCertDest;
    this.shutdownCertDest = shutdownCertDest;
    this.hooks = hooks;
    this.backend = backend;
    this.entryPoint = entryPoint;
    this.store = store;
    this.shutdownDefaults = shutdown;
    this.clusterA = source.cluster("a");
    this.clusterB = source.cluster("b");
    this.a = clusterA instanceof FakeTestCluster f ? f.fake() : null;
    this.b = clusterB instanceof FakeTestCluster f ? f.fake() : null;
    for (TestCluster cluster : List.of(clusterA, clusterB)) {
      cluster.createNamespace("secondary");
    }
    this.ca = GeneratedHookCa.generate(clock);
    start();
  }

  /**
   * A test manifest by file name; with a {@code krake:} prefix, one of Krake's sample files from
   * the directory the {@code krake-samples} Maven profile gives as {@code krake.samples.dir}.
   */
  static Path sample(String file) {
    if (file.startsWith("krake:")) {
      String dir = System.getProperty("krake.samples.dir");
      if (dir == null || dir.isBlank()) {
        throw new IllegalStateException(
            "krake.samples.dir is not set: the conformance tests run in the krake-samples profile");
      }
      return Path.of(dir, file.substring("krake:".length()));
    }
    return Path.of(URI.create(FakeClusters.class.getResource("/manifests/" + file).toString()));
  }

  static List<ObjectNode> documents(String file) {
    try {
      List<ObjectNode> out = new ArrayList<>();
      for (ObjectNode doc : KrakeJson.readAll(Files.readString(sample(file)), ObjectNode.class)) {
        if (doc != null && doc.size() > 0) {
          out.add(doc);
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HooksConfig config(URI endpoint) {
    HooksConfig.Builder builder =
        HooksConfig.builder()
            .endpoint(endpoint)
            .tls(true)
            .complete(
                ca.withIntermediate(HookConfig.completeDefaults()).withCertDest(completeCertDest))
            .shutdown(
                shutdownDefaults.withHook(
                    ca.withIntermediate(HookConfig.shutdownDefaults())
                        .withCertDest(shutdownCertDest)))
            .addCaBundle(ca.rootCertificateSource());
    hooks.accept(builder);
    return builder.build();
  }

  /** Starts a Krake instance (again) on the store, with a new hook endpoint. */
  void start() {
    start(store);
  }

  /**
   * Starts a Krake instance on a view of the store (for example one that fails like a killed host),
   * with a new hook endpoint.
   */
  void start(Store instanceStore) {
    HooksConfig unbound = config(URI.create("https://127.0.0.1"));
    server =
        EmbeddedHookServer.loopback(ca, new Applications(instanceStore, clock), unbound, clock)
            .port(0)
            .build()
            .start();
    config = config(server.url());
    KubernetesBackend.Builder backendBuilder =
        KubernetesBackend.builder()
            .connector(KubeconfigClusterConnector.builder().build())
            .krakeHooks(config, HookCertificateAuthorities.of(config, clock))
            .krakeHookServer(server)
            .clusterProbeInterval(Duration.ofSeconds(1));
    backend.accept(backendBuilder);
    Krake.Builder krakeBuilder =
        Krake.builder().store(instanceStore).clock(clock).extension(backendBuilder.build());
    entryPoint.accept(krakeBuilder);
    krake = krakeBuilder.build();
    krake.start();
  }

  /** Closes the Krake instance (not the store, not the fakes). */
  void stop() {
    krake.close();
  }

  void registerClusters() {
    for (TestCluster fake : List.of(clusterA, clusterB)) {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      ObjectNode metadata = doc.putObject("metadata");
      metadata.put("name", fake.name()).put("namespace", NS);
      metadata.putObject("labels").put("location", fake.name());
      doc.putObject("spec").set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
      krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
      krake.awaitCluster(NS, fake.name(), c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
    }
  }

  Application create(
      String name,
      List<ObjectNode> manifest,
      List<ObjectNode> observerSchema,
      List<String> hooks,
      String location) {
    return create(name, manifest, observerSchema, hooks, location, spec -> {});
  }

  /** As {@link #create(String, List, List, List, String)}, with the spec adjusted last. */
  Application create(
      String name,
      List<ObjectNode> manifest,
      List<ObjectNode> observerSchema,
      List<String> hooks,
      String location,
      java.util.function.Consumer<ObjectNode> adjust) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.putObject("metadata").put("name", name).put("namespace", NS);
    ObjectNode spec = doc.putObject("spec");
    spec.putArray("manifest").addAll(manifest);
    spec.putArray("observer_schema").addAll(observerSchema);
    ArrayNode hookNames = spec.putArray("hooks");
    hooks.forEach(hookNames::add);
    constraints(spec, location);
    adjust.accept(spec);
    return krake.applications().create(KrakeJson.convert(doc, Application.class));
  }

  private static void constraints(ObjectNode spec, String location) {
    spec.putObject("constraints")
        .putObject("cluster")
        .putArray("labels")
        .add("location is " + location);
  }

  /** Changes an application's cluster label constraint, so that the scheduler moves it. */
  Application moveTo(String name, String location) {
    return krake
        .applications()
        .modify(
            NS,
            name,
            app -> {
              ObjectNode spec = KrakeJson.toObjectNode(app.spec());
              constraints(spec, location);
              return app.withSpec(KrakeJson.convert(spec, app.spec().getClass()));
            });
  }

  Application await(String name, Predicate<Application> condition) {
    return krake.awaitApplication(NS, name, condition, TIMEOUT);
  }

  Application awaitState(String name, ApplicationState state) {
    return await(name, app -> app.status().state() == state);
  }

  Application awaitRunningOn(String name, FakeKubernetesApiServer fake) {
    return awaitRunningOn(name, fake.name());
  }

  Application awaitRunningOn(String name, TestCluster cluster) {
    return awaitRunningOn(name, cluster.name());
  }

  private Application awaitRunningOn(String name, String cluster) {
    return await(
        name,
        app ->
            app.status().state() == ApplicationState.RUNNING
                && app.status().runningOn().map(r -> r.name().equals(cluster)).orElse(false));
  }

  void awaitGone(String name) {
    krake.awaitApplicationGone(NS, name, TIMEOUT);
  }

  /** The Secret data of an application's hook Secret, decoded. */
  Map<String, String> secret(FakeKubernetesApiServer fake, String namespace, String name) {
    ObjectNode secret = fake.get("v1", "Secret", namespace, name).orElseThrow();
    Map<String, String> out = new java.util.TreeMap<>();
    secret
        .path("data")
        .properties()
        .forEach(
            e ->
                out.put(
                    e.getKey(),
                    new String(
                        java.util.Base64.getDecoder().decode(e.getValue().asText()),
                        java.nio.charset.StandardCharsets.UTF_8)));
    return out;
  }

  @Override
  public void close() {
    krake.close();
    clusterA.close();
    clusterB.close();
  }
}
