package cloud.krake.scheduler.metrics;

import cloud.krake.model.MetricsProviderSpec;

/** Creates the {@link MetricsProviderClient} of one provider resource, for one provider type. */
@FunctionalInterface
public interface MetricsProviderFactory {

  /**
   * Creates a provider.
   *
   * @param name the provider resource's name, for messages
   * @param spec the provider resource's spec; its type is the one this factory is registered for
   * @return the provider
   */
  MetricsProviderClient create(String name, MetricsProviderSpec spec);
}
