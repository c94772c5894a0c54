package cloud.krake;

import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.dispatcher.HookHandler;
import cloud.krake.membership.KrakeMembership;
import cloud.krake.membership.MembershipConfig;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationValidator;
import cloud.krake.model.Cloud;
import cloud.krake.model.CloudStatus;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterValidator;
import cloud.krake.model.FieldError;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.model.Resource;
import cloud.krake.runtime.Component;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.Timer;
import cloud.krake.runtime.internal.MeteredStore;
import cloud.krake.scheduler.MetricsFetcher;
import cloud.krake.scheduler.SchedulerConfig;
import cloud.krake.scheduler.metrics.MetricsProviders;
import cloud.krake.store.Applications;
import cloud.krake.store.ApplyResult;
import cloud.krake.store.Clusters;
import cloud.krake.store.DeclarativeApply;
import cloud.krake.store.Resources;
import cloud.krake.store.StatusResources;
import cloud.krake.store.Store;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The entry point of Krake for Java: one store, one clock, one hook dispatcher, typed access to
 * Krake's resources over them, and the loops that act on them ({@link Component}s): Krake's
 * scheduler and garbage collector, built in, plus what extensions add (the Kubernetes backend's
 * application and cluster controllers, the hook endpoint).
 *
 * <pre>{@code
 * try (Krake krake = Krake.builder()
 *         .store(MemoryStore.create())
 *         .extension(KubernetesBackend.builder()
 *             .connector(KubeconfigClusterConnector.builder().build())
 *             .krakeHooks(hooksConfig, certificateAuthorities)
 *             .build())
 *         .build()) {
 *   krake.start();
 *   krake.applications().create(app);
 *   krake.awaitApplication("default", "echo", a -> a.status().state() == RUNNING, Duration.ofMinutes(1));
 * }
 * }</pre>
 *
 * <p>Two ways to run the loops: {@link #start()} runs them on library-owned worker threads until
 * {@link #close()}; or {@link #watch()} and then {@link #drain()} / {@link #settle(Duration)} run
 * the work on the caller's thread, step by step, for tests and for hosts that schedule work
 * themselves. Delays (requeue after, back-off, retries) come from the builder's {@link
 * Builder#timer timer}, so a test can inject a manual one and move time by hand.
 *
 * <p>Thread-safe. The store belongs to the host: Krake never closes it.
 */
public final class Krake implements KrakeContext, AutoCloseable {

  /** How long the work queues must stay empty for {@link #settle} to return. */
  public static final Duration SETTLE_QUIET_PERIOD = Duration.ofMillis(100);

  /** The default number of worker threads per component. */
  public static final int DEFAULT_WORKERS = 2;

  /** The longest fingerprint {@link Builder#groupFingerprint} accepts, in characters. */
  public static final int MAX_GROUP_FINGERPRINT = 1024;

  private final Store store;
  private final Clock clock;
  private final HookDispatcher dispatcher;
  private final TypedLayers layers;
  private final Timer timer;
  private final KrakeExecutors executors;
  private final int workers;
  private final Membership membership;
  private final ComponentLoops loops;
  private final KrakeMetricsRecorder metricsRecorder;
  private final KrakeHealthChecks healthChecks;

  private Krake(Builder builder) {
    this.metricsRecorder = builder.metricsRecorder;
    this.store = MeteredStore.wrap(builder.store, metricsRecorder);
    this.clock = builder.clock;
    this.dispatcher = builder.hooks.build();
    this.layers = TypedLayers.of(store, clock, builder.validators, builder.clusterValidators);
    this.workers = builder.workers;
    this.executors = builder.executors != null ? builder.executors : KrakeExecutors.create();
    this.timer = builder.timer != null ? builder.timer : Timer.system(executors.timer());
    this.membership = Membership.of(this, builder);
    this.loops = new ComponentLoops(this, builder, membership);
    this.healthChecks = new KrakeHealthChecks(store, clock, executors, loops);
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the store. */
  @Override
  public Store store() {
    return store;
  }

  /** Returns the clock every timestamp and deadline comes from. */
  @Override
  public Clock clock() {
    return clock;
  }

  /** Returns the hook dispatcher with every registered handler. */
  @Override
  public HookDispatcher dispatcher() {
    return dispatcher;
  }

  /** Returns the typed access to applications. */
  @Override
  public Applications applications() {
    return layers.applications();
  }

  /** Returns the typed access to clusters. */
  @Override
  public Clusters clusters() {
    return layers.clusters();
  }

  /** Returns the typed access to namespaced metrics. */
  @Override
  public Resources<Metric> metrics() {
    return layers.metrics();
  }

  /** Returns the typed access to global metrics. */
  @Override
  public Resources<GlobalMetric> globalMetrics() {
    return layers.globalMetrics();
  }

  /** Returns the typed access to namespaced metrics providers. */
  @Override
  public Resources<MetricsProvider> metricsProviders() {
    return layers.metricsProviders();
  }

  /** Returns the typed access to global metrics providers. */
  @Override
  public Resources<GlobalMetricsProvider> globalMetricsProviders() {
    return layers.globalMetricsProviders();
  }

  /**
   * Returns the typed access to namespaced clouds ({@code
   * /infrastructure/clouds/{namespace}/{name}}, Krake's {@code Cloud}), whose labels and metrics
   * clusters placed on them may inherit.
   */
  @Override
  public StatusResources<Cloud, CloudStatus> clouds() {
    return layers.clouds();
  }

  /**
   * Returns the typed access to global clouds ({@code /infrastructure/globalclouds/{name}}, Krake's
   * {@code GlobalCloud}).
   */
  @Override
  public StatusResources<GlobalCloud, CloudStatus> globalClouds() {
    return layers.globalClouds();
  }

  /** Returns the source of delays every component uses. */
  @Override
  public Timer timer() {
    return timer;
  }

  /** Returns the number of worker threads each component starts. */
  @Override
  public int workers() {
    return workers;
  }

  /**
   * Returns the one owner of this instance's pools and shared clients, closed by {@link #close}.
   */
  @Override
  public KrakeExecutors executors() {
    return executors;
  }

  /** Returns where the library reports reconciles, hook runs and store operations. */
  @Override
  public KrakeMetricsRecorder metricsRecorder() {
    return metricsRecorder;
  }

  /**
   * Runs the health checks ({@link KrakeHealth}) with the store timeout {@link
   * KrakeHealth#DEFAULT_STORE_TIMEOUT}; blocks at most that long. Thread-safe.
   */
  public KrakeHealth health() {
    return health(KrakeHealth.DEFAULT_STORE_TIMEOUT);
  }

  /**
   * Runs the health checks ({@link KrakeHealth}): store reachable, watches current, controllers
   * running; blocks at most {@code storeTimeout}. Thread-safe.
   *
   * @param storeTimeout how long to wait for the store's answer (wall-clock)
   */
  public KrakeHealth health(Duration storeTimeout) {
    return healthChecks.check(Objects.requireNonNull(storeTimeout, "storeTimeout"));
  }

  /**
   * Returns this instance's membership: its id, its peers and the shards it owns ({@link
   * Builder#membership}); {@link KrakeMembership#standalone()} without a configuration.
   */
  @Override
  public KrakeMembership membership() {
    return membership.view();
  }

  /** Returns the components in the order they start: built-in ones first, then the added ones. */
  public List<Component> components() {
    return loops.components();
  }

  /**
   * Returns the component with that name.
   *
   * @param name e.g. {@code scheduler}
   * @return the component, or empty
   */
  public Optional<Component> component(String name) {
    return loops.components().stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * Starts every component on its worker threads (and its watches, if not yet). Idempotent.
   *
   * @throws IllegalStateException if this instance was closed
   */
  public void start() {
    loops.start();
  }

  /**
   * Starts every component's watches without worker threads, for driving the loops step by step
   * with {@link #drain()} or {@link #settle(Duration)}. Idempotent.
   *
   * @throws IllegalStateException if this instance was closed
   */
  public void watch() {
    loops.watch();
  }

  /**
   * Runs the work that is ready now, on the calling thread, component after component, until a
   * whole pass finds nothing ready. Does not wait: changes whose watch events are still on their
   * way, and work delayed into the future, are left for later.
   *
   * @return how many items were processed
   * @throws IllegalStateException if {@link #start()} was called (the workers own the queues)
   */
  public int drain() {
    return loops.drain();
  }

  /**
   * Drains until the loops are quiet: every work queue empty for {@link #SETTLE_QUIET_PERIOD} of
   * wall-clock time (watch events arrive asynchronously, so "nothing queued now" alone does not
   * mean "nothing coming"). Work delayed into the future by the {@link Builder#timer timer} is not
   * waited for: with a manual timer, advance it and settle again.
   *
   * @param timeout the longest wall-clock time to try
   * @return how many items were processed
   * @throws KrakeException if the loops did not become quiet within {@code timeout} (work that
   *     keeps re-queueing itself)
   */
  public int settle(Duration timeout) {
    return loops.settle(timeout);
  }

  /** Returns how many items are ready in every component's work queue together. */
  public int queued() {
    return loops.queued();
  }

  /**
   * Creates or updates the resources of a file of Krake documents (YAML or JSON, one or many), each
   * changing only the fields it sets; nothing is written if any document is invalid. See {@link
   * DeclarativeApply} for the contract; the host's application validators run.
   *
   * @param file the documents, UTF-8
   * @return what happened to each document
   * @throws cloud.krake.model.InvalidResourceException if any document is invalid, naming document
   *     index, kind, name and field; nothing is written
   * @throws cloud.krake.store.ApplyException if a write failed after others were done
   * @throws KrakeException if the file cannot be read
   */
  public ApplyResult apply(Path file) {
    return declarativeApply().apply(file);
  }

  /**
   * As {@link #apply(Path)}, for documents in a string.
   *
   * @param documents the documents
   * @return what happened to each document
   */
  public ApplyResult apply(String documents) {
    return declarativeApply().apply(documents);
  }

  /**
   * As {@link #apply(Path)}, for documents read from a stream to its end (not closed).
   *
   * @param documents the documents, UTF-8
   * @return what happened to each document
   */
  public ApplyResult apply(InputStream documents) {
    return declarativeApply().apply(documents);
  }

  private DeclarativeApply declarativeApply() {
    return new DeclarativeApply(layers.all());
  }

  /**
   * Waits until an application meets a condition, by watching it in the store (not by polling).
   * Someone must drive the loops meanwhile: {@link #start()}, or another thread.
   *
   * <p>Fails fast, without waiting out the timeout, once the application is in a <em>terminal</em>
   * state that does not meet the condition, one no loop of the library moves it out of by itself
   * (see {@link #terminal(Resource)}): FAILED outside a deletion with a reason other than {@code
   * KUBERNETES_ERROR} (the one the application controller retries), or removed from the store after
   * the wait had seen it. An application that does not exist yet is waited for.
   *
   * @param namespace the application's namespace
   * @param name its name
   * @param condition what to wait for, e.g. {@code a -> a.status().state() == RUNNING}
   * @param timeout how long to wait at most (wall-clock)
   * @return the application as it met the condition
   * @throws KrakeException if the application reached a terminal state first (the message names the
   *     application, its state, and its {@code status.reason} code and message) or the timeout
   *     passed first (the message names the state and reason it was last seen with)
   */
  public Application awaitApplication(
      String namespace, String name, Predicate<Application> condition, Duration timeout) {
    return await(
            layers.applications(),
            namespace,
            name,
            o -> o.isPresent() && condition.test(o.get()),
            timeout)
        .orElseThrow(
            () -> new KrakeException("application " + namespace + "/" + name + " is gone"));
  }

  /**
   * Waits until an application is removed from the store. Fails fast if it is FAILED outside a
   * deletion with a reason the controller does not retry ({@link #terminal(Resource)}): nothing
   * removes such an application until someone deletes it.
   *
   * @param namespace the application's namespace
   * @param name its name
   * @param timeout how long to wait at most (wall-clock)
   * @throws KrakeException if it reached a terminal state, or still exists when the timeout passed;
   *     the message names its state and {@code status.reason}
   */
  public void awaitApplicationGone(String namespace, String name, Duration timeout) {
    await(layers.applications(), namespace, name, Optional::isEmpty, timeout);
  }

  /**
   * Waits until a cluster meets a condition, as {@link #awaitApplication}. Fails fast once the
   * cluster is in a terminal state that does not meet the condition ({@link #terminal(Resource)}):
   * FAILED (the cluster controller no longer probes it), or removed from the store after the wait
   * had seen it.
   *
   * @param namespace the cluster's namespace
   * @param name its name
   * @param condition what to wait for
   * @param timeout how long to wait at most (wall-clock)
   * @return the cluster as it met the condition
   * @throws KrakeException if the cluster reached a terminal state first, or the timeout passed
   *     first; the message names its state and {@code status.reason} (code and message)
   */
  public Cluster awaitCluster(
      String namespace, String name, Predicate<Cluster> condition, Duration timeout) {
    return await(
            layers.clusters(),
            namespace,
            name,
            o -> o.isPresent() && condition.test(o.get()),
            timeout)
        .orElseThrow(() -> new KrakeException("cluster " + namespace + "/" + name + " is gone"));
  }

  /**
   * Waits until an application's status reports the outcome of its current spec ({@code
   * status.observed_generation >= metadata.generation}, written by the application controller once
   * it has applied that spec) and meets a condition; otherwise as {@link #awaitApplication}. Use it
   * after writing a spec (an update, an {@link #apply}): a status left by an earlier spec, or by an
   * earlier run of the host on the same store, does not satisfy it.
   *
   * <p>{@link #awaitApplication} keeps its contract (any status meeting the condition), because
   * conditions on what the scheduler writes ({@code status.scheduled_to}) or on states no
   * controller writes are met without a controller's observation; a document written by Krake
   * (generation {@code 0}) counts as observed.
   *
   * @param namespace the application's namespace
   * @param name its name
   * @param condition what to wait for, e.g. {@code a -> a.status().state() == RUNNING}
   * @param timeout how long to wait at most (wall-clock)
   * @return the application as it met the condition
   * @throws KrakeException as {@link #awaitApplication}
   */
  public Application awaitApplicationObserved(
      String namespace, String name, Predicate<Application> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    return awaitApplication(
        namespace,
        name,
        a -> a.status().observedGeneration() >= a.metadata().generation() && condition.test(a),
        timeout);
  }

  /**
   * Waits until a cluster's status reports the cluster controller's observation of its current spec
   * ({@code status.observed_generation >= metadata.generation}) and meets a condition; otherwise as
   * {@link #awaitCluster}. After a host restarts on a store where the cluster was ONLINE, and its
   * spec (say its kubeconfig) is changed, {@code awaitClusterObserved(..., ONLINE)} waits for the
   * probe with the new spec where {@link #awaitCluster} would return at once.
   *
   * @param namespace the cluster's namespace
   * @param name its name
   * @param condition what to wait for
   * @param timeout how long to wait at most (wall-clock)
   * @return the cluster as it met the condition
   * @throws KrakeException as {@link #awaitCluster}
   */
  public Cluster awaitClusterObserved(
      String namespace, String name, Predicate<Cluster> condition, Duration timeout) {
    Objects.requireNonNull(condition, "condition");
    return awaitCluster(
        namespace,
        name,
        c -> c.status().observedGeneration() >= c.metadata().generation() && condition.test(c),
        timeout);
  }

  /**
   * Waits until a resource, as read from the store, meets a condition: reads it, and then follows
   * the store's watch of its namespace from the revision read, re-reading after a compaction. Stops
   * early when the resource is in a terminal state ({@link #terminal(Resource)}) or removed after
   * it was seen, and that does not meet the condition.
   *
   * @param resources the typed layer
   * @param namespace the namespace ({@code ""} for global kinds)
   * @param name the name
   * @param condition over the resource, empty once it is removed
   * @param timeout how long to wait at most (wall-clock)
   * @param <T> the resource type
   * @return the resource as it met the condition (empty: removed)
   * @throws KrakeException if the resource reached a terminal state, or was removed, without
   *     meeting the condition; or if the timeout passed first. The message names the resource and
   *     the state and reason it was last seen with.
   */
  public <T extends Resource<T>> Optional<T> await(
      Resources<T> resources,
      String namespace,
      String name,
      Predicate<Optional<T>> condition,
      Duration timeout) {
    return ResourceWaits.await(store, resources, namespace, name, condition, timeout);
  }

  /**
   * Returns whether a resource is in a terminal state, one that no loop of this library moves it
   * out of by itself (only a host's or user's write can), and if so a description of the state and
   * reason. Terminal are:
   *
   * <ul>
   *   <li>an {@link Application} FAILED, not in deletion ({@code metadata.deleted} unset), whose
   *       {@code status.reason} is absent or has another code than {@code KUBERNETES_ERROR}: the
   *       scheduler leaves FAILED applications alone and the application controller retries only a
   *       failure of the Kubernetes API (a deletion is retried whatever its failure);
   *   <li>a {@link Cluster} FAILED: the cluster controller stops probing it (as Krake's, where only
   *       the infrastructure provider sets that state).
   * </ul>
   *
   * <p>The await methods of this class stop at a terminal state that does not meet their condition,
   * and also at a resource removed from the store.
   *
   * @param resource the resource as read
   * @return empty if not terminal, else e.g. {@code "state FAILED, reason INVALID_RESOURCE:
   *     spec.manifest[0]: ..."}
   */
  public static Optional<String> terminal(Resource<?> resource) {
    return ResourceWaits.terminal(resource);
  }

  /**
   * Stops every component (in reverse order of start), then closes the {@link KrakeExecutors}
   * (every pool and shared client it created, among them the library-owned timer); waits a bounded
   * time for work in progress. The store stays open. Idempotent.
   */
  @Override
  public void close() {
    loops.close();
  }

  /** Builds a {@link Krake}; not thread-safe. */
  public static final class Builder {
    // the package-private fields are read by ComponentLoops, which makes the components
    private Store store;
    private Clock clock = Clock.systemUTC();
    private final HookDispatcher.Builder hooks = HookDispatcher.builder();
    private Timer timer;
    private KrakeExecutors executors;
    private int workers = DEFAULT_WORKERS;
    private KrakeMetricsRecorder metricsRecorder = KrakeMetricsRecorder.NOOP;
    boolean builtInControllers = true;
    SchedulerConfig schedulerConfig = SchedulerConfig.DEFAULTS;
    MetricsProviders metricsProviders = MetricsProviders.STATIC_ONLY;
    Duration metricsCacheTtl = MetricsFetcher.DEFAULT_CACHE_TTL;
    RandomGenerator random = RandomGenerator.getDefault();
    final List<Function<? super KrakeContext, ? extends Component>> components = new ArrayList<>();
    final List<ApplicationValidator> validators = new ArrayList<>();
    final List<ClusterValidator> clusterValidators = new ArrayList<>();
    Optional<MembershipConfig> membership = Optional.empty();
    final Map<String, String> groupFingerprints = new TreeMap<>();
    final List<KrakeExtension> extensions = new ArrayList<>();

    private Builder() {}

    /**
     * Sets the store (required).
     *
     * @param store a {@code MemoryStore}, an {@code EtcdStore} or the host's own
     * @return this builder
     */
    public Builder store(Store store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /**
     * Sets the clock (default {@link Clock#systemUTC()}); tests pass a manual one.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Registers a handler of the hook dispatcher ({@link HookDispatcher}: Krake's hook points,
     * {@link DispatcherHookPoint}) after those already registered at the point. Not the Kubernetes
     * backend's hooks (Krake's complete/shutdown hooks, container lifecycle and execution hooks).
     *
     * @param point where it runs
     * @param name its name, unique at the point
     * @param handler the handler
     * @return this builder
     * @throws IllegalArgumentException if the name is empty or taken at the point
     */
    public Builder dispatcherHook(DispatcherHookPoint point, String name, HookHandler handler) {
      hooks.register(point, name, handler);
      return this;
    }

    /**
     * Sets the source of delays for every component (requeue after, back-off, retries). Default:
     * one library-owned daemon thread {@code krake-timer-1}, stopped by {@link Krake#close()};
     * tests pass {@code cloud.krake.testing.ManualTimer}.
     *
     * @param timer the scheduler of delayed tasks; stays the caller's
     * @return this builder
     */
    public Builder timer(Timer timer) {
      this.timer = Objects.requireNonNull(timer, "timer");
      return this;
    }

    /**
     * Sets the owner of the instance's pools and shared clients (default: a new {@link
     * KrakeExecutors#create()}), for a host that puts in pools of its own by name, e.g. {@link
     * KrakeExecutors#TIMER}. {@link Krake#close()} closes it: the pools it created are shut down,
     * the host's are left alone. One owner serves one instance.
     *
     * @param executors the owner
     * @return this builder
     */
    public Builder executors(KrakeExecutors executors) {
      this.executors = Objects.requireNonNull(executors, "executors");
      return this;
    }

    /**
     * Sets the number of worker threads each component starts with {@link Krake#start()} (default
     * {@value Krake#DEFAULT_WORKERS}).
     *
     * @param workers at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public Builder workers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("workers must be at least 1, was " + workers);
      }
      this.workers = workers;
      return this;
    }

    /**
     * Sets where the library reports what it does (default {@link KrakeMetricsRecorder#NOOP}); e.g.
     * {@code new MicrometerKrakeMetrics(registry)} from {@code krake-micrometer}. With a recorder
     * other than {@code NOOP}, {@link Krake#store()} is the given store wrapped to time each
     * operation; with {@code NOOP} it is the given store itself.
     *
     * @param recorder the recorder
     * @return this builder
     */
    public Builder metricsRecorder(KrakeMetricsRecorder recorder) {
      this.metricsRecorder = Objects.requireNonNull(recorder, "recorder");
      return this;
    }

    /**
     * Whether the built-in components run: Krake's scheduler and garbage collector (default true).
     * Turn them off only when the host runs its own, or in a test of one component.
     *
     * @param enabled whether they run
     * @return this builder
     */
    public Builder builtInControllers(boolean enabled) {
      this.builtInControllers = enabled;
      return this;
    }

    /**
     * Sets the scheduler's configuration (default {@link SchedulerConfig#DEFAULTS}).
     *
     * @param config stickiness and {@code reschedule_after}
     * @return this builder
     */
    public Builder schedulerConfig(SchedulerConfig config) {
      this.schedulerConfig = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * Sets the metrics providers the scheduler can query (default {@link
     * MetricsProviders#STATIC_ONLY}; {@code cloud.krake.metrics.HttpMetricsProviders} adds
     * Prometheus, Kafka and InfluxDB).
     *
     * @param providers the registry
     * @return this builder
     */
    public Builder metricsProviders(MetricsProviders providers) {
      this.metricsProviders = Objects.requireNonNull(providers, "providers");
      return this;
    }

    /**
     * Sets how long fetched metric values are reused (default 10 s).
     *
     * @param ttl the cache time; zero disables caching
     * @return this builder
     */
    public Builder metricsCacheTtl(Duration ttl) {
      this.metricsCacheTtl = Objects.requireNonNull(ttl, "ttl");
      return this;
    }

    /**
     * Sets the source of randomness that breaks ties between equally ranked clusters.
     *
     * @param random the generator
     * @return this builder
     */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Adds a component, made once the instance exists (it usually needs the store, the clock and
     * the timer from it). Components start in the order added, after the built-in ones.
     *
     * @param factory makes the component from the instance's {@link KrakeContext} (a component is
     *     never handed the {@code Krake} that starts it)
     * @return this builder
     */
    public Builder component(Function<? super KrakeContext, ? extends Component> factory) {
      components.add(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /**
     * Adds a check that {@link Krake#applications()} runs when an application is created and when
     * an update changes its spec (see {@link ApplicationValidator}); the Kubernetes backend
     * registers the check of {@code spec.lifecycle} and {@code spec.execution_hooks} this way.
     *
     * @param validator the check
     * @return this builder
     */
    public Builder applicationValidator(ApplicationValidator validator) {
      validators.add(Objects.requireNonNull(validator, "validator"));
      return this;
    }

    /**
     * Adds a check that {@link Krake#clusters()} runs when a cluster is created and when an update
     * changes its spec (see {@link ClusterValidator}); the Kubernetes backend registers the check
     * of {@code spec.kubeconfig} this way.
     *
     * @param validator the check
     * @return this builder
     */
    public Builder clusterValidator(ClusterValidator validator) {
      clusterValidators.add(Objects.requireNonNull(validator, "validator"));
      return this;
    }

    /**
     * Makes this instance a member of a group of instances sharing the store, each reconciling a
     * share of the applications and clusters ({@link KrakeMembership}); the store must implement
     * leases and guarded writes (both shipped stores do). Without it (the default) the instance is
     * alone: it reconciles everything and the store sees no membership traffic.
     *
     * @param config the instance id, lease TTL and shard count
     * @return this builder
     */
    public Builder membership(MembershipConfig config) {
      this.membership = Optional.of(Objects.requireNonNull(config, "config"));
      return this;
    }

    /**
     * Declares a part of this instance's configuration that every instance of its group must share
     * ({@link #membership}), as an opaque fingerprint: written into the instance's member record
     * ({@code /krake/members/{id}}, field {@code fingerprints}) and compared with every other
     * member's when the instance starts, as the shard count is. An instance that finds a live
     * member whose record has another fingerprint for the field, or none while it has one (or the
     * reverse), refuses to start with an {@link InvalidConfigurationException} naming {@code field}
     * and quoting both fingerprints; a member seen later with a different one is logged at ERROR
     * and left out of the group. A member record without fingerprints (written by a version before
     * them) is compared by its shard count only. A standalone instance ignores them.
     *
     * <p>The Kubernetes backend's hooks declare {@code hooks} this way ({@code
     * HooksConfig.groupFingerprint()}: the hook URLs and the hash of each hook's CA bundle).
     *
     * @param field the configuration it stands for, named in the error, 1-128 of {@code
     *     [A-Za-z0-9._-]}; a second call for a field replaces the first
     * @param fingerprint printable text, at most {@value Krake#MAX_GROUP_FINGERPRINT} characters;
     *     it is stored and quoted in errors and logs, so it must never contain key material or
     *     other secrets (a hash of a public certificate, a URL)
     * @return this builder
     * @throws IllegalArgumentException naming {@code field} or {@code fingerprint} if malformed
     */
    public Builder groupFingerprint(String field, String fingerprint) {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(fingerprint, "fingerprint");
      if (!field.matches("[A-Za-z0-9._-]{1,128}")) {
        throw new IllegalArgumentException(
            "groupFingerprint field must be 1-128 of [A-Za-z0-9._-]: '" + field + "'");
      }
      if (fingerprint.length() > MAX_GROUP_FINGERPRINT
          || fingerprint.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException(
            "groupFingerprint fingerprint of "
                + field
                + " must be at most "
                + MAX_GROUP_FINGERPRINT
                + " characters without control characters (length "
                + fingerprint.length()
                + ")");
      }
      groupFingerprints.put(field, fingerprint);
      return this;
    }

    /**
     * Installs an extension: it registers its hook handlers and components now; the instance closes
     * it ({@link KrakeExtension#close()}) after its components.
     *
     * @param extension e.g. the Kubernetes backend
     * @return this builder
     */
    public Builder extension(KrakeExtension extension) {
      Objects.requireNonNull(extension, "extension").install(this);
      extensions.add(extension);
      return this;
    }

    /**
     * Returns the instance.
     *
     * @throws InvalidConfigurationException naming {@code store} if none was set
     */
    public Krake build() {
      if (store == null) {
        throw new InvalidConfigurationException(List.of(new FieldError("store", "is required")));
      }
      return new Krake(this);
    }
  }
}
