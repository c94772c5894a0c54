package cloud.krake.testing.junit;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.Resource;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives a test Krake for Java on its embedded defaults: a started {@link
 * Krake} on a {@link MemoryStore} with the {@link KubernetesBackend}; fake clusters (a {@link
 * FakeKubernetesApiServer} each, registered as Krake {@link Cluster}s with the labels given, ONLINE
 * before the test starts), each with a {@link LocalKubelet} running its Pods as sandboxed local
 * processes; the embedded HTTPS hook endpoint on a free loopback port with a hook CA generated at
 * start, and Krake's {@code complete} and {@code shutdown} hooks configured to use it; {@code
 * await} helpers; and on request a manual clock that drives Krake's delays.
 *
 * <pre>{@code
 * @RegisterExtension
 * final KrakeTestExtension krake =
 *     KrakeTestExtension.builder().cluster("a", Map.of("location", "a")).build();
 *
 * @Test void runsOnA() {
 *   krake.createApplication("echo", manifestYaml, "location is a");
 *   krake.awaitState("echo", ApplicationState.RUNNING);
 * }
 * }</pre>
 *
 * <h2>Registration and lifetime</h2>
 *
 * Register it with {@code @RegisterExtension}, as JUnit runs {@code @BeforeAll} and {@code
 * BeforeEach} methods: in an instance field, every test gets its own fixture, started before the
 * test's {@code @BeforeEach} methods and closed after its {@code @AfterEach} methods; in a {@code
 * static} field, the tests of the class (and its {@code @Nested} classes) share one, started before
 * the {@code @BeforeAll} methods and closed after the {@code @AfterAll} methods — the tests then
 * share the store and the clusters, so they should use distinct names. Parameters of type {@link
 * Krake} and {@code KrakeTestExtension} of test, lifecycle and (with static registration)
 * constructor methods are resolved to the running fixture.
 *
 * <p>Closing happens in reverse order of start: Krake (its loops, the backend's connector, the hook
 * endpoint), the kubelets (their processes are killed), the fake clusters, the store.
 *
 * <h2>What fails a test</h2>
 *
 * <ul>
 *   <li><b>Leaked threads.</b> The live threads are snapshot before the fixture starts; after it
 *       closed, every thread that is still alive and was not in the snapshot is a leak, once a
 *       grace period ({@link Builder#leakGrace}, default {@link #DEFAULT_LEAK_GRACE}) for threads
 *       that are ending has passed. The failure names each thread with the top of its stack.
 *       Threads of the JVM's shared pools, which outlive whoever used them ({@link
 *       #SHARED_THREAD_PREFIXES}), are not counted, nor what {@link Builder#ignoreThreads}
 *       excludes. The check counts every thread started while the fixture was up, the test's own
 *       included: a test that starts threads closes them.
 *   <li><b>Errors recorded.</b> An error is an exception that ended a thread while the fixture was
 *       up (a library thread whose task threw; the fixture installs a JVM-wide default {@link
 *       Thread.UncaughtExceptionHandler} at start, which passes each exception on to the handler it
 *       replaced, and restores that at close), or one the test reported with {@link
 *       #recordError(Throwable)} (from a hook handler, a watch listener, a fake's callback). The
 *       library's loops catch and log the failures of reconciliations and retry them with back-off
 *       ({@code Controller}): those are part of normal operation (conflicts, fault injection) and
 *       are not errors here; assert on the states they lead to. Errors fail the test during which
 *       they were recorded (with static registration too), with each error attached as suppressed.
 * </ul>
 *
 * Both checks can be switched off ({@link Builder#checkThreads}, {@link Builder#checkErrors}).
 *
 * <h2>Time</h2>
 *
 * By default Krake runs on the system clock. With {@link Builder#manualTime()}, Krake's clock is a
 * {@link ManualClock} and its timer a {@link ManualTimer}: re-queues, back-off, retries and the
 * shutdown protocol's deadlines wait until the test calls {@link #advance(Duration)}. The fake
 * clusters, the kubelets (their processes run in real time), the connector's watch reconnects and
 * the hook CA stay on real time.
 *
 * <p>Threading: accessors and helpers may be called from any thread while the fixture is up; start
 * and close happen on JUnit's thread. Running the tests of one class in parallel against a shared
 * (static) fixture is possible, but its error check cannot tell whose error it was.
 *
 * <p>Machine: the kubelets need {@code bwrap} (Debian {@code bubblewrap}); {@link
 * Builder#kubelet(boolean) kubelet(false)} leaves Pods to the fake's auto-ready instead.
 */
public final class KrakeTestExtension
    implements BeforeAllCallback,
        AfterAllCallback,
        BeforeEachCallback,
        AfterEachCallback,
        ParameterResolver {

  /** The Krake namespace the clusters are registered in and helpers default to. */
  public static final String DEFAULT_NAMESPACE = "default";

  /** How long the {@code await} helpers wait, unless told otherwise. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** How long threads started by the fixture get to end after it closed. */
  public static final Duration DEFAULT_LEAK_GRACE = Duration.ofSeconds(5);

  /**
   * What the kubelets run for a container without {@code command} and {@code args} (standing in for
   * the image's entrypoint): it waits until SIGTERM and then exits at once, as a server image does,
   * so that deleting a Pod does not take the 30 s grace period that the kubelet's own default
   * ({@code sleep infinity}, which as PID 1 ignores SIGTERM) takes.
   */
  public static final List<String> DEFAULT_POD_COMMAND =
      List.of("sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait");

  /** How often the clusters' nodes are listed (the backend's default is 10 s). */
  public static final Duration DEFAULT_CLUSTER_PROBE_INTERVAL = Duration.ofSeconds(1);

  /**
   * Name prefixes of threads that belong to JVM-wide shared pools, which keep idle threads alive
   * after their user is done and are therefore not leaks: okhttp's shared task runner, okio's
   * timeout watchdog, the JDK's process reaper, common fork-join pool, cleaner and keep-alive
   * timer, and JUnit's own threads.
   */
  public static final List<String> SHARED_THREAD_PREFIXES =
      List.of(
          "OkHttp TaskRunner",
          "Okio Watchdog",
          "process reaper",
          "ForkJoinPool.commonPool-",
          "Common-Cleaner",
          "Keep-Alive-Timer",
          "Attach Listener",
          "junit-");

  /** A cluster to create: its name (of the Krake Cluster and the fake) and Krake labels. */
  record ClusterSpec(String name, Map<String, String> labels) {
    ClusterSpec {
      Objects.requireNonNull(name, "name");
      labels = Map.copyOf(labels);
    }
  }

  private final Builder settings;
  private final FixtureLifecycle lifecycle;

  private KrakeTestExtension(Builder builder) {
    this.settings = builder.copy();
    this.lifecycle = new FixtureLifecycle(settings);
  }

  /** Returns a builder; without clusters, the fixture has none (add them with {@code cluster}). */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ JUnit callbacks

  @Override
  public void beforeAll(ExtensionContext context) {
    lifecycle.beforeAll();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    lifecycle.beforeEach();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    lifecycle.afterEach();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    lifecycle.afterAll();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Krake.class || type == KrakeTestExtension.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.getParameter().getType() == KrakeTestExtension.class) {
      return this;
    }
    return lifecycle
        .current()
        .orElseThrow(
            () ->
                new ParameterResolutionException(
                    "the Krake test fixture is not running for "
                        + parameter.getDeclaringExecutable()
                        + ": register the extension in a static field to inject into constructors"
                        + " and @BeforeAll methods"))
        .krake;
  }

  // ------------------------------------------------------------------ what the test uses

  private Fixture running() {
    return lifecycle.running();
  }

  /**
   * Returns the started Krake instance.
   *
   * @throws IllegalStateException outside a test of the registering class
   */
  public Krake krake() {
    return running().krake;
  }

  /**
   * Returns the store Krake runs on; the fixture closes it.
   *
   * @throws IllegalStateException outside a test of the registering class
   */
  public MemoryStore store() {
    return running().store;
  }

  /** Returns the Krake namespace of the clusters and the helpers' default. */
  public String namespace() {
    return settings.namespace;
  }

  /**
   * Returns the fake API server of a cluster, for example to inspect what Krake applied ({@code
   * cluster("a").objects()}) or inject faults ({@code failNext}).
   *
   * @param name the cluster's name, as given to {@link Builder#cluster}
   * @throws NoSuchElementException if there is no such cluster
   * @throws IllegalStateException outside a test of the registering class
   */
  public FakeKubernetesApiServer cluster(String name) {
    FakeKubernetesApiServer fake = running().clusters.get(Objects.requireNonNull(name, "name"));
    if (fake == null) {
      throw new NoSuchElementException(
          "no cluster " + name + "; the fixture has " + running().clusters.keySet());
    }
    return fake;
  }

  /**
   * Returns the fake API servers by cluster name, in the order they were configured.
   *
   * @throws IllegalStateException outside a test of the registering class
   */
  public Map<String, FakeKubernetesApiServer> clusters() {
    return running().clusters;
  }

  /**
   * Returns the local kubelet of a cluster, for example for a container's {@link LocalKubelet#logs
   * logs}.
   *
   * @param name the cluster's name
   * @throws NoSuchElementException if there is no such cluster
   * @throws IllegalStateException with {@code kubelet(false)}, or outside a test of the registering
   *     class
   */
  public LocalKubelet kubelet(String name) {
    Fixture f = running();
    cluster(name);
    if (!settings.kubelet) {
      throw new IllegalStateException("the fixture runs no kubelets: it was built kubelet(false)");
    }
    return f.kubelets.get(name);
  }

  /**
   * Returns the base URL of the embedded HTTPS hook endpoint ({@code https://127.0.0.1:<port>}).
   *
   * @throws IllegalStateException outside a test of the registering class
   */
  public URI hookEndpoint() {
    return running().hookServer.url();
  }

  /**
   * Returns the embedded hook server (owned and closed by Krake).
   *
   * @throws IllegalStateException outside a test of the registering class
   */
  public EmbeddedHookServer hookServer() {
    return running().hookServer;
  }

  /**
   * Returns the hook CA generated at start: its root certificate is what a client trusts to call
   * the hook endpoint ({@link GeneratedHookCa#rootCertificatePem()}), its intermediate signs the
   * applications' client certificates.
   *
   * @throws IllegalStateException outside a test of the registering class
   */
  public GeneratedHookCa hookCa() {
    return running().ca;
  }

  /**
   * Returns the hooks configuration Krake runs with (endpoint, TLS, complete and shutdown).
   *
   * @throws IllegalStateException outside a test of the registering class
   */
  public HooksConfig hooksConfig() {
    return running().hooks;
  }

  /**
   * Returns the manual clock Krake reads.
   *
   * @throws IllegalStateException without {@link Builder#manualTime()}, or outside a test of the
   *     registering class
   */
  public ManualClock clock() {
    return timer().clock();
  }

  /**
   * Returns the manual scheduler that is Krake's timer.
   *
   * @throws IllegalStateException without {@link Builder#manualTime()}, or outside a test of the
   *     registering class
   */
  public ManualTimer timer() {
    return running()
        .timer
        .orElseThrow(
            () ->
                new IllegalStateException("the fixture runs on real time: build it manualTime()"));
  }

  /**
   * Moves Krake's manual time forward, running the delayed tasks that come due (they only hand work
   * to Krake's worker threads, which then run it asynchronously: await the outcome).
   *
   * @param duration how far; not negative
   * @return the number of delayed tasks run
   * @throws IllegalStateException without {@link Builder#manualTime()}
   * @throws IllegalArgumentException if negative
   */
  public int advance(Duration duration) {
    return timer().advance(duration);
  }

  /**
   * Records an error that fails the current test, for code whose exceptions would otherwise get
   * lost (a hook handler, a listener called on a library thread).
   *
   * @param error what went wrong
   * @throws IllegalStateException outside a test of the registering class
   */
  public void recordError(Throwable error) {
    Objects.requireNonNull(error, "error");
    running().errors.record(Thread.currentThread().getName(), error);
  }

  /**
   * Returns the errors recorded so far and not yet reported.
   *
   * @throws IllegalStateException outside a test of the registering class
   */
  public List<Throwable> errors() {
    return running().errors.recorded().stream().map(UncaughtErrors.Recorded::error).toList();
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Creates the Krake resources of a YAML (or JSON) stream, as {@code rok kube ... create -f}: each
   * document is read as the kind its {@code kind} names ({@code Application}, {@code Cluster},
   * {@code Metric}, {@code MetricsProvider}, {@code GlobalMetric}, {@code GlobalMetricsProvider});
   * namespaced kinds without {@code metadata.namespace} go into {@link #namespace()}.
   *
   * @param yamlOrJson one or more documents
   * @return the created resources, in document order
   * @throws cloud.krake.model.InvalidResourceException naming the field, if a document is invalid
   * @throws cloud.krake.store.ConflictException if a resource already exists
   */
  public List<Resource<?>> create(String yamlOrJson) {
    Objects.requireNonNull(yamlOrJson, "yamlOrJson");
    return KrakeDocuments.create(krake(), settings.namespace, yamlOrJson);
  }

  /**
   * Creates an application in {@link #namespace()} from a Kubernetes manifest, placed by cluster
   * label constraints (Krake's grammar, {@code "location is a"}, {@code "location in (a, b)"}).
   *
   * @param name the application's name
   * @param manifestYaml the Kubernetes resources, one or more YAML documents
   * @param labelConstraints the cluster label constraints; none: any cluster
   * @return the application as created (PENDING)
   * @throws cloud.krake.model.InvalidResourceException naming the field, if invalid
   * @throws cloud.krake.store.ConflictException if it already exists
   */
  public Application createApplication(
      String name, String manifestYaml, String... labelConstraints) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(manifestYaml, "manifestYaml");
    Application application =
        KrakeDocuments.application(settings.namespace, name, manifestYaml, labelConstraints);
    return krake().applications().create(application);
  }

  /**
   * Waits for an application of {@link #namespace()} to reach a state, within {@link
   * Builder#timeout}; see {@link Krake#awaitApplication}. Fails at once if the application reaches
   * a terminal state ({@link Krake#terminal}) other than {@code state}, e.g. FAILED with {@code
   * INVALID_RESOURCE}, or is removed.
   *
   * @throws cloud.krake.KrakeException if it reached a terminal state, is gone, or did not reach
   *     {@code state} within the timeout; the message names the state and {@code status.reason} it
   *     was last seen with
   */
  public Application awaitState(String name, ApplicationState state) {
    return awaitState(name, state, settings.timeout);
  }

  /**
   * Waits for an application of {@link #namespace()} to reach a state; see {@link
   * Krake#awaitApplication}.
   *
   * @param name the application's name
   * @param state the state to wait for
   * @param timeout how long at most (wall-clock)
   * @return the application as it reached the state
   * @throws cloud.krake.KrakeException if it did not within the timeout, or is gone
   */
  public Application awaitState(String name, ApplicationState state, Duration timeout) {
    Objects.requireNonNull(state, "state");
    return awaitApplication(name, a -> a.status().state() == state, timeout);
  }

  /**
   * Waits for an application of {@link #namespace()} to meet a condition; see {@link
   * Krake#awaitApplication}.
   *
   * @param name the application's name
   * @param condition what to wait for
   * @param timeout how long at most (wall-clock)
   * @return the application as it met the condition
   * @throws cloud.krake.KrakeException if it did not within the timeout, or is gone
   */
  public Application awaitApplication(
      String name, Predicate<Application> condition, Duration timeout) {
    return krake().awaitApplication(settings.namespace, name, condition, timeout);
  }

  /**
   * Waits until an application of {@link #namespace()} is removed from the store, within {@link
   * Builder#timeout}.
   *
   * @throws cloud.krake.KrakeException if it still exists when the timeout passed
   */
  public void awaitGone(String name) {
    awaitGone(name, settings.timeout);
  }

  /**
   * Waits until an application of {@link #namespace()} is removed from the store.
   *
   * @param name the application's name
   * @param timeout how long at most (wall-clock)
   * @throws cloud.krake.KrakeException if it still exists when the timeout passed
   */
  public void awaitGone(String name, Duration timeout) {
    krake().awaitApplicationGone(settings.namespace, name, timeout);
  }

  /**
   * Waits for a cluster of {@link #namespace()} to reach a state, within {@link Builder#timeout}.
   *
   * @throws cloud.krake.KrakeException if it did not within the timeout, or is gone
   */
  public Cluster awaitCluster(String name, ClusterState state) {
    return awaitCluster(name, state, settings.timeout);
  }

  /**
   * Waits for a cluster of {@link #namespace()} to reach a state; see {@link Krake#awaitCluster}.
   *
   * @param name the cluster's name
   * @param state the state to wait for
   * @param timeout how long at most (wall-clock)
   * @return the cluster as it reached the state
   * @throws cloud.krake.KrakeException if it did not within the timeout, or is gone
   */
  public Cluster awaitCluster(String name, ClusterState state, Duration timeout) {
    Objects.requireNonNull(state, "state");
    return krake()
        .awaitCluster(settings.namespace, name, c -> c.status().state() == state, timeout);
  }

  @Override
  public String toString() {
    return "KrakeTestExtension[clusters="
        + settings.clusters.stream().map(ClusterSpec::name).toList()
        + ", kubelet="
        + settings.kubelet
        + ", manualTime="
        + settings.manualTime
        + "]";
  }

  // ------------------------------------------------------------------ builder

  /** Configures a {@link KrakeTestExtension}; not thread-safe. */
  public static final class Builder {
    final List<ClusterSpec> clusters = new ArrayList<>();
    String namespace = DEFAULT_NAMESPACE;
    boolean kubelet = true;
    boolean manualTime;
    Optional<Instant> manualStart = Optional.empty();
    Duration timeout = DEFAULT_TIMEOUT;
    Duration leakGrace = DEFAULT_LEAK_GRACE;
    boolean checkThreads = true;
    boolean checkErrors = true;
    Predicate<Thread> ignoredThreads =
        t -> SHARED_THREAD_PREFIXES.stream().anyMatch(p -> t.getName().startsWith(p));
    UnaryOperator<HookConfig> completeHook = UnaryOperator.identity();
    UnaryOperator<ShutdownHookConfig> shutdownHook = UnaryOperator.identity();
    Consumer<Krake.Builder> krake = b -> {};
    Consumer<KubernetesBackend.Builder> backend = b -> {};
    Consumer<LocalKubelet.Builder> kubelets = b -> {};

    private Builder() {}

    private Builder copy() {
      Builder copy = new Builder();
      copy.clusters.addAll(clusters);
      copy.namespace = namespace;
      copy.kubelet = kubelet;
      copy.manualTime = manualTime;
      copy.manualStart = manualStart;
      copy.timeout = timeout;
      copy.leakGrace = leakGrace;
      copy.checkThreads = checkThreads;
      copy.checkErrors = checkErrors;
      copy.ignoredThreads = ignoredThreads;
      copy.completeHook = completeHook;
      copy.shutdownHook = shutdownHook;
      copy.krake = krake;
      copy.backend = backend;
      copy.kubelets = kubelets;
      return copy;
    }

    /**
     * Adds a fake cluster: a {@link FakeKubernetesApiServer} named {@code name}, registered as the
     * Krake cluster {@code name} in {@link #namespace} with these labels, which the scheduler's
     * label constraints match ({@code "location is a"}).
     *
     * @param name the cluster's name; unique
     * @param labels its Krake labels
     * @return this builder
     * @throws IllegalArgumentException if a cluster of that name was added already
     */
    public Builder cluster(String name, Map<String, String> labels) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(labels, "labels");
      if (clusters.stream().anyMatch(c -> c.name().equals(name))) {
        throw new IllegalArgumentException("cluster " + name + " was added already");
      }
      clusters.add(new ClusterSpec(name, new LinkedHashMap<>(labels)));
      return this;
    }

    /**
     * Adds a fake cluster without labels.
     *
     * @param name the cluster's name; unique
     * @return this builder
     */
    public Builder cluster(String name) {
      return cluster(name, Map.of());
    }

    /**
     * The Krake namespace of the clusters and of the helpers' applications (default {@value
     * #DEFAULT_NAMESPACE}).
     *
     * @param namespace the namespace
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = Objects.requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * Whether each fake cluster gets a {@link LocalKubelet} that runs its Pods as sandboxed
     * processes (default {@code true}; needs {@code bwrap}). Without, the fake's auto-ready marks
     * workloads ready without running anything.
     *
     * @param enabled whether to run kubelets
     * @return this builder
     */
    public Builder kubelet(boolean enabled) {
      this.kubelet = enabled;
      return this;
    }

    /**
     * Gives Krake a {@link ManualClock} (starting at the real current time, so that the hook
     * certificates it issues are valid for TLS) and a {@link ManualTimer} as its timer; the test
     * moves time with {@link KrakeTestExtension#advance}.
     *
     * @return this builder
     */
    public Builder manualTime() {
      this.manualTime = true;
      return this;
    }

    /**
     * As {@link #manualTime()}, with the clock starting at {@code start}. Hook client certificates
     * are issued from Krake's clock: a start far from the real time makes them invalid for TLS.
     *
     * @param start the initial instant
     * @return this builder
     */
    public Builder manualTime(Instant start) {
      this.manualTime = true;
      this.manualStart = Optional.of(Objects.requireNonNull(start, "start"));
      return this;
    }

    /**
     * How long the {@code await} helpers, and the wait for the clusters to be ONLINE at start, wait
     * (default 60 s).
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeout(Duration timeout) {
      this.timeout = positive(timeout, "timeout");
      return this;
    }

    /**
     * How long threads started while the fixture was up get to end after it closed, before they
     * count as leaked (default 5 s).
     *
     * @param grace not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder leakGrace(Duration grace) {
      Objects.requireNonNull(grace, "grace");
      if (grace.isNegative()) {
        throw new IllegalArgumentException("leakGrace must not be negative: " + grace);
      }
      this.leakGrace = grace;
      return this;
    }

    /**
     * Whether leaked threads fail the test (default {@code true}).
     *
     * @param enabled whether to check
     * @return this builder
     */
    public Builder checkThreads(boolean enabled) {
      this.checkThreads = enabled;
      return this;
    }

    /**
     * Whether recorded errors fail the test (default {@code true}).
     *
     * @param enabled whether to check
     * @return this builder
     */
    public Builder checkErrors(boolean enabled) {
      this.checkErrors = enabled;
      return this;
    }

    /**
     * Excludes more threads from the leak check, in addition to {@link #SHARED_THREAD_PREFIXES}:
     * for threads of pools the test shares with other tests on purpose.
     *
     * @param ignored which threads not to count
     * @return this builder
     */
    public Builder ignoreThreads(Predicate<Thread> ignored) {
      Objects.requireNonNull(ignored, "ignored");
      this.ignoredThreads = this.ignoredThreads.or(ignored);
      return this;
    }

    /**
     * Changes the {@code complete} hook's configuration, which starts as {@link
     * HookConfig#completeDefaults()} with the generated CA's intermediate.
     *
     * @param change for example {@code h -> h.withCertDest("/etc/krake_complete_cert")}
     * @return this builder
     */
    public Builder completeHook(UnaryOperator<HookConfig> change) {
      this.completeHook = Objects.requireNonNull(change, "change");
      return this;
    }

    /**
     * Changes the {@code shutdown} hook's configuration, which starts as {@link
     * ShutdownHookConfig#defaults()} with the generated CA's intermediate.
     *
     * @param change for example {@code s -> s.withTimeout(Duration.ofSeconds(5))}
     * @return this builder
     */
    public Builder shutdownHook(UnaryOperator<ShutdownHookConfig> change) {
      this.shutdownHook = Objects.requireNonNull(change, "change");
      return this;
    }

    /**
     * Configures Krake's builder further (after the store, clock, timer; before the backend is
     * added): workers, scheduler configuration, hook handlers, metrics providers.
     *
     * @param configure called once per start
     * @return this builder
     */
    public Builder krake(Consumer<Krake.Builder> configure) {
      this.krake = Objects.requireNonNull(configure, "configure");
      return this;
    }

    /**
     * Configures the Kubernetes backend's builder further (after the connector, hooks, hook server
     * and a probe interval of {@link #DEFAULT_CLUSTER_PROBE_INTERVAL} are set).
     *
     * @param configure called once per start
     * @return this builder
     */
    public Builder backend(Consumer<KubernetesBackend.Builder> configure) {
      this.backend = Objects.requireNonNull(configure, "configure");
      return this;
    }

    /**
     * Configures each cluster's kubelet builder further (after its default command is set to {@link
     * #DEFAULT_POD_COMMAND}): work directory, {@code bwrap} path, log limit, threads.
     *
     * @param configure called once per cluster and start
     * @return this builder
     */
    public Builder kubelets(Consumer<LocalKubelet.Builder> configure) {
      this.kubelets = Objects.requireNonNull(configure, "configure");
      return this;
    }

    /** Returns the extension; register it with {@code @RegisterExtension}. */
    public KrakeTestExtension build() {
      return new KrakeTestExtension(this);
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive: " + d);
      }
      return d;
    }
  }
}
