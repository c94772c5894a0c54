package cloud.krake.scheduler.metrics;

import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The provider types a scheduler can read metrics from: a {@link MetricsProviderFactory} per Krake
 * provider type ({@code static}, {@code prometheus}, {@code kafka}, {@code influx}). Immutable once
 * built; {@link #STATIC_ONLY} knows {@code static}, and the {@code krake-metrics} module adds the
 * HTTP types.
 */
public final class MetricsProviders {

  /** Only the {@code static} type, which needs no I/O. */
  public static final MetricsProviders STATIC_ONLY =
      builder().register(StaticMetricsProvider.TYPE, StaticMetricsProvider.FACTORY).build();

  private final Map<String, MetricsProviderFactory> factories;

  private MetricsProviders(Map<String, MetricsProviderFactory> factories) {
    this.factories = Map.copyOf(factories);
  }

  /** Returns a builder with no type registered. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the registered provider types. */
  public Set<String> types() {
    return factories.keySet();
  }

  /**
   * Creates the provider of a provider resource.
   *
   * @param name the provider resource's name
   * @param spec its spec
   * @return the provider
   * @throws MetricException with UNKNOWN_METRICS_PROVIDER if the spec's type is not registered
   */
  public MetricsProviderClient create(String name, MetricsProviderSpec spec) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    MetricsProviderFactory factory = factories.get(spec.type());
    if (factory == null) {
      throw new MetricException(
          new Reason(
              ReasonCode.UNKNOWN_METRICS_PROVIDER,
              "metrics provider "
                  + name
                  + " has type '"
                  + spec.type()
                  + "', which is not supported"
                  + " here (supported: "
                  + factories.keySet()
                  + ")"));
    }
    return factory.create(name, spec);
  }

  /** Collects factories; not thread-safe. */
  public static final class Builder {
    private final Map<String, MetricsProviderFactory> factories = new HashMap<>();

    private Builder() {}

    /**
     * Registers (or replaces) the factory of a provider type.
     *
     * @param type the provider type, as in {@code spec.type}
     * @param factory creates its providers
     * @return this builder
     */
    public Builder register(String type, MetricsProviderFactory factory) {
      factories.put(
          Objects.requireNonNull(type, "type"), Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /** Returns the registry. */
    public MetricsProviders build() {
      return new MetricsProviders(factories);
    }
  }
}
