package cloud.krake.micrometer;

import cloud.krake.Krake;
import cloud.krake.model.ApplicationState;
import cloud.krake.runtime.Component;
import cloud.krake.runtime.KrakeMetricsRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * Krake's meters in a Micrometer {@link MeterRegistry}: records what the library reports as its
 * {@link KrakeMetricsRecorder}, and, once {@link #monitor(Krake) monitoring} an instance, gauges of
 * its work queues and of its applications per state.
 *
 * <pre>{@code
 * MicrometerKrakeMetrics metrics = new MicrometerKrakeMetrics(registry);
 * Krake krake = Krake.builder().store(store).metricsRecorder(metrics).build();
 * metrics.monitor(krake);
 * krake.start();
 * }</pre>
 *
 * <p>The meters, all with the prefix {@code krake.}, base units (seconds) and lowercase tag values
 * except Krake's own state names:
 *
 * <ul>
 *   <li>{@value #RECONCILE} (timer; tags {@code controller}, {@code outcome}: {@code success},
 *       {@code requeue}, {@code conflict}, {@code error}): one per reconcile of a key.
 *   <li>{@value #QUEUE_DEPTH} (gauge; tag {@code component}): keys ready in the component's work
 *       queue ({@link Component#queued()}).
 *   <li>{@value #APPLICATIONS} (gauge; tag {@code state}, Krake's state name, e.g. {@code
 *       RUNNING}): applications in the store in that state. Kept from the store's watch of
 *       applications, opened by {@link #monitor}: one listing at start (and after a compaction),
 *       then one map update per change, so that a scrape reads a counter instead of listing a store
 *       of, say, 10,000 applications (what a gauge over {@code applications().list()} would do at
 *       every scrape: a full read and decode of every document, every 15 seconds).
 *   <li>{@value #HOOK_ENDPOINT_CALLS} (counter; tags {@code hook}: {@code complete} or {@code
 *       shutdown}, {@code status}: the HTTP status code): calls answered by the hook endpoint.
 *   <li>{@value #SHUTDOWN_ATTEMPTS} (counter; tag {@code outcome}: {@code called}, {@code
 *       call_failed}, {@code proceeded_without_acknowledgement}, {@code gave_up}): Krake's shutdown
 *       protocol's attempts and how rounds without acknowledgement ended.
 *   <li>{@value #EXECUTION_HOOK} (timer; tags {@code kind}: {@code preHook}, {@code onSuccess} or
 *       {@code onFailure}, {@code outcome}: {@code success}, {@code failure}, {@code timeout}):
 *       runs of execution hooks' blueprint actions.
 *   <li>{@value #LIFECYCLE_HOOK} (timer; tags {@code kind}: {@code post_start} or {@code pre_stop},
 *       {@code outcome}): runs of container lifecycle hook handlers.
 *   <li>{@value #STORE_OPERATION} (timer; tag {@code operation}: {@code get}, {@code list}, {@code
 *       create}, {@code update}, {@code delete}, {@code revision}, {@code watch}, {@code compact},
 *       {@code lease}): store calls, with their failures.
 *   <li>{@value #STORE_CONFLICTS} (counter; tag {@code operation}): store calls that lost a
 *       compare-and-set or found the key already there ({@code ConflictException}).
 * </ul>
 *
 * <p>Recording costs one map lookup by a name the library already holds (or an array index by an
 * enum's ordinal) and the meter's own update; a meter is registered on the first use of its tags.
 *
 * <p>Thread-safe. {@link #close()} stops the watch that {@link #monitor} opened; the meters stay.
 */
public final class MicrometerKrakeMetrics
    implements KrakeMetricsRecorder, MeterBinder, AutoCloseable {

  /** Timer of reconciles. */
  public static final String RECONCILE = "krake.reconcile";

  /** Gauge of ready keys per component. */
  public static final String QUEUE_DEPTH = "krake.queue.depth";

  /** Gauge of applications per state. */
  public static final String APPLICATIONS = "krake.applications";

  /** Counter of hook endpoint calls. */
  public static final String HOOK_ENDPOINT_CALLS = "krake.hook.endpoint.calls";

  /** Counter of shutdown attempts and outcomes. */
  public static final String SHUTDOWN_ATTEMPTS = "krake.shutdown.attempts";

  /** Timer of execution hook runs. */
  public static final String EXECUTION_HOOK = "krake.execution.hook";

  /** Timer of container lifecycle hook runs. */
  public static final String LIFECYCLE_HOOK = "krake.lifecycle.hook";

  /** Timer of store operations. */
  public static final String STORE_OPERATION = "krake.store.operation";

  /** Counter of store operations that failed with a conflict. */
  public static final String STORE_CONFLICTS = "krake.store.conflicts";

  private static final int STATUS_CODES = 600;

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer[]> reconciles = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicReferenceArray<Counter>> hookCalls =
      new ConcurrentHashMap<>();
  private final Counter[] shutdownAttempts;
  private final ConcurrentHashMap<String, Timer[]> executionHooks = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Timer[]> lifecycleHooks = new ConcurrentHashMap<>();
  private final Timer[] storeOperations;
  private final Counter[] storeConflicts;

  // made once: a method reference or capturing lambda per call would allocate on every record
  private final Function<String, Timer[]> newReconcileTimers = this::reconcileTimers;
  private final Function<String, Timer[]> newExecutionHookTimers =
      k -> hookTimers(EXECUTION_HOOK, "Execution hook runs", k);
  private final Function<String, Timer[]> newLifecycleHookTimers =
      k -> hookTimers(LIFECYCLE_HOOK, "Lifecycle hook runs", k);
  private final Function<String, AtomicReferenceArray<Counter>> newStatusCounters =
      h -> new AtomicReferenceArray<>(STATUS_CODES);

  /** The registries gauges go to: the constructor's and those of {@link #bindTo}. */
  private final List<MeterRegistry> bound = new ArrayList<>();

  /** The monitored instances. Guarded by this, as {@code bound}. */
  private final List<Monitored> monitored = new ArrayList<>();

  /**
   * Creates the recorder; the meters of shutdown attempts and store operations are registered now,
   * the others on first use.
   *
   * @param registry where the meters go
   */
  public MicrometerKrakeMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.bound.add(registry);
    ShutdownAttemptOutcome[] outcomes = ShutdownAttemptOutcome.values();
    this.shutdownAttempts = new Counter[outcomes.length];
    for (ShutdownAttemptOutcome o : outcomes) {
      shutdownAttempts[o.ordinal()] =
          Counter.builder(SHUTDOWN_ATTEMPTS)
              .description("Shutdown hook attempts, and rounds ended without acknowledgement")
              .tag("outcome", o.tag())
              .register(registry);
    }
    StoreOperation[] operations = StoreOperation.values();
    this.storeOperations = new Timer[operations.length];
    this.storeConflicts = new Counter[operations.length];
    for (StoreOperation op : operations) {
      storeOperations[op.ordinal()] =
          Timer.builder(STORE_OPERATION)
              .description("Store calls")
              .tag("operation", op.tag())
              .register(registry);
      storeConflicts[op.ordinal()] =
          Counter.builder(STORE_CONFLICTS)
              .description("Store calls that failed with a conflict")
              .tag("operation", op.tag())
              .register(registry);
    }
  }

  /**
   * Adds the gauges of a Krake instance: {@value #QUEUE_DEPTH} per component and {@value
   * #APPLICATIONS} per state, in this recorder's registry and every registry bound with {@link
   * #bindTo}. Lists the applications once and opens a watch of them on the instance's store (on the
   * calling thread); {@link #close()} stops it. Call it before or after {@code start()}; pass the
   * instance this recorder was given to, or another.
   *
   * @param krake the instance
   * @return this
   * @throws cloud.krake.KrakeException if the listing fails (the store is unavailable)
   */
  public synchronized MicrometerKrakeMetrics monitor(Krake krake) {
    Objects.requireNonNull(krake, "krake");
    ApplicationStateCounts counts = new ApplicationStateCounts(krake.applications());
    counts.start();
    Monitored m = new Monitored(krake.components(), counts);
    monitored.add(m);
    for (MeterRegistry r : bound) {
      m.register(r);
    }
    return this;
  }

  /**
   * Registers the gauges of every monitored instance in {@code registry} too (Micrometer's {@link
   * MeterBinder}; the recorded meters stay in the constructor's registry). Binding the
   * constructor's registry again changes nothing.
   */
  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (bound.stream().noneMatch(r -> r == registry)) {
      bound.add(registry);
    }
    for (Monitored m : monitored) {
      m.register(registry);
    }
  }

  /** Stops the watches opened by {@link #monitor}; the gauges then keep their last values. */
  @Override
  public synchronized void close() {
    monitored.forEach(m -> m.counts.close());
  }

  @Override
  public void reconcileFinished(String controller, ReconcileOutcome outcome, long durationNanos) {
    timers(reconciles, controller, newReconcileTimers)[outcome.ordinal()].record(
        durationNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void hookEndpointCall(String hook, int status) {
    AtomicReferenceArray<Counter> byStatus = hookCalls.get(hook);
    if (byStatus == null) {
      byStatus = hookCalls.computeIfAbsent(hook, newStatusCounters);
    }
    int index = status >= 0 && status < STATUS_CODES ? status : 0;
    Counter c = byStatus.get(index);
    if (c == null) {
      c =
          Counter.builder(HOOK_ENDPOINT_CALLS)
              .description("Calls answered by the hook endpoint")
              .tag("hook", hook)
              .tag("status", Integer.toString(status))
              .register(registry);
      byStatus.compareAndSet(index, null, c);
    }
    c.increment();
  }

  @Override
  public void shutdownAttempt(ShutdownAttemptOutcome outcome) {
    shutdownAttempts[outcome.ordinal()].increment();
  }

  @Override
  public void executionHookRun(String kind, HookRunOutcome outcome, long durationNanos) {
    timers(executionHooks, kind, newExecutionHookTimers)[outcome.ordinal()].record(
        durationNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void lifecycleHookRun(String kind, HookRunOutcome outcome, long durationNanos) {
    timers(lifecycleHooks, kind, newLifecycleHookTimers)[outcome.ordinal()].record(
        durationNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void storeOperation(StoreOperation operation, long durationNanos, boolean conflict) {
    storeOperations[operation.ordinal()].record(durationNanos, TimeUnit.NANOSECONDS);
    if (conflict) {
      storeConflicts[operation.ordinal()].increment();
    }
  }

  private static Timer[] timers(
      ConcurrentHashMap<String, Timer[]> map, String key, Function<String, Timer[]> factory) {
    Timer[] t = map.get(key);
    return t != null ? t : map.computeIfAbsent(key, factory);
  }

  private Timer[] reconcileTimers(String controller) {
    ReconcileOutcome[] outcomes = ReconcileOutcome.values();
    Timer[] t = new Timer[outcomes.length];
    for (ReconcileOutcome o : outcomes) {
      t[o.ordinal()] =
          Timer.builder(RECONCILE)
              .description("Reconciles of a key by a controller")
              .tag("controller", controller)
              .tag("outcome", o.tag())
              .register(registry);
    }
    return t;
  }

  private Timer[] hookTimers(String name, String description, String kind) {
    HookRunOutcome[] outcomes = HookRunOutcome.values();
    Timer[] t = new Timer[outcomes.length];
    for (HookRunOutcome o : outcomes) {
      t[o.ordinal()] =
          Timer.builder(name)
              .description(description)
              .tag("kind", kind)
              .tag("outcome", o.tag())
              .register(registry);
    }
    return t;
  }

  @Override
  public String toString() {
    return "MicrometerKrakeMetrics[" + registry.getClass().getSimpleName() + "]";
  }

  /** A monitored instance's components and application counts. */
  private record Monitored(List<Component> components, ApplicationStateCounts counts) {

    void register(MeterRegistry r) {
      for (Component c : components) {
        Gauge.builder(QUEUE_DEPTH, c, Component::queued)
            .description("Keys ready in the component's work queue")
            .tag("component", c.name())
            .strongReference(true)
            .register(r);
      }
      for (ApplicationState s : ApplicationState.values()) {
        Gauge.builder(APPLICATIONS, counts.count(s), Number::doubleValue)
            .description("Applications in the store in that state")
            .tag("state", s.name())
            .strongReference(true)
            .register(r);
      }
    }
  }
}
