package cloud.krake;

import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.dispatcher.HookHandler;
import cloud.krake.dispatcher.HookPoint;
import cloud.krake.model.FieldError;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.store.Applications;
import cloud.krake.store.Clusters;
import cloud.krake.store.ResourceType;
import cloud.krake.store.Resources;
import cloud.krake.store.Store;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The entry point of Krake for Java: one store, one clock, one hook dispatcher, and typed access to
 * Krake's resources over them. Built once with {@link #builder()}; immutable and thread-safe.
 *
 * <pre>{@code
 * Krake krake = Krake.builder()
 *     .store(MemoryStore.create())
 *     .hook(HookPoint.APPLICATION_MANGLING, "audit", ctx -> { audit(ctx); return ctx; })
 *     .build();
 * krake.applications().create(app);
 * }</pre>
 *
 * <p>The store belongs to the host: Krake never closes it.
 */
public final class Krake {

  private final Store store;
  private final Clock clock;
  private final HookDispatcher dispatcher;
  private final Applications applications;
  private final Clusters clusters;
  private final Resources<Metric> metrics;
  private final Resources<GlobalMetric> globalMetrics;
  private final Resources<MetricsProvider> metricsProviders;
  private final Resources<GlobalMetricsProvider> globalMetricsProviders;

  private Krake(Builder builder) {
    this.store = builder.store;
    this.clock = builder.clock;
    this.dispatcher = builder.hooks.build();
    this.applications = new Applications(store, clock);
    this.clusters = new Clusters(store, clock);
    this.metrics = new Resources<>(store, ResourceType.METRIC, clock);
    this.globalMetrics = new Resources<>(store, ResourceType.GLOBAL_METRIC, clock);
    this.metricsProviders = new Resources<>(store, ResourceType.METRICS_PROVIDER, clock);
    this.globalMetricsProviders =
        new Resources<>(store, ResourceType.GLOBAL_METRICS_PROVIDER, clock);
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the store. */
  public Store store() {
    return store;
  }

  /** Returns the clock every timestamp and deadline comes from. */
  public Clock clock() {
    return clock;
  }

  /** Returns the hook dispatcher with every registered handler. */
  public HookDispatcher dispatcher() {
    return dispatcher;
  }

  /** Returns the typed access to applications. */
  public Applications applications() {
    return applications;
  }

  /** Returns the typed access to clusters. */
  public Clusters clusters() {
    return clusters;
  }

  /** Returns the typed access to namespaced metrics. */
  public Resources<Metric> metrics() {
    return metrics;
  }

  /** Returns the typed access to global metrics. */
  public Resources<GlobalMetric> globalMetrics() {
    return globalMetrics;
  }

  /** Returns the typed access to namespaced metrics providers. */
  public Resources<MetricsProvider> metricsProviders() {
    return metricsProviders;
  }

  /** Returns the typed access to global metrics providers. */
  public Resources<GlobalMetricsProvider> globalMetricsProviders() {
    return globalMetricsProviders;
  }

  /** Builds a {@link Krake}; not thread-safe. */
  public static final class Builder {
    private Store store;
    private Clock clock = Clock.systemUTC();
    private final HookDispatcher.Builder hooks = HookDispatcher.builder();

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
     * Registers a hook handler after those already registered at the point.
     *
     * @param point where it runs
     * @param name its name, unique at the point
     * @param handler the handler
     * @return this builder
     * @throws IllegalArgumentException if the name is empty or taken at the point
     */
    public Builder hook(HookPoint point, String name, HookHandler handler) {
      hooks.register(point, name, handler);
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
