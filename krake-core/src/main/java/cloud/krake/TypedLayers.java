package cloud.krake;

import cloud.krake.model.ApplicationValidator;
import cloud.krake.model.Cloud;
import cloud.krake.model.CloudStatus;
import cloud.krake.model.ClusterValidator;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.store.Applications;
import cloud.krake.store.Clusters;
import cloud.krake.store.ResourceType;
import cloud.krake.store.Resources;
import cloud.krake.store.StatusResources;
import cloud.krake.store.Store;
import java.time.Clock;
import java.util.List;

/**
 * The typed access to every kind of Krake resource over one store: the instance's own ({@link
 * Krake}) and a group member's fenced one ({@link FencedContext}) are built the same way here.
 * Immutable; thread-safe as the layers are.
 */
record TypedLayers(
    Applications applications,
    Clusters clusters,
    Resources<Metric> metrics,
    Resources<GlobalMetric> globalMetrics,
    Resources<MetricsProvider> metricsProviders,
    Resources<GlobalMetricsProvider> globalMetricsProviders,
    StatusResources<Cloud, CloudStatus> clouds,
    StatusResources<GlobalCloud, CloudStatus> globalClouds) {

  /**
   * Builds the layers over a store.
   *
   * @param store the store they read and write
   * @param clock where their timestamps come from
   * @param applicationValidators the checks of an application's create and spec update
   * @param clusterValidators the checks of a cluster's create and spec update
   */
  static TypedLayers of(
      Store store,
      Clock clock,
      List<ApplicationValidator> applicationValidators,
      List<ClusterValidator> clusterValidators) {
    return new TypedLayers(
        new Applications(store, clock, applicationValidators),
        new Clusters(store, clock, clusterValidators),
        new Resources<>(store, ResourceType.METRIC, clock),
        new Resources<>(store, ResourceType.GLOBAL_METRIC, clock),
        new Resources<>(store, ResourceType.METRICS_PROVIDER, clock),
        new Resources<>(store, ResourceType.GLOBAL_METRICS_PROVIDER, clock),
        new StatusResources<>(store, ResourceType.CLOUD, clock),
        new StatusResources<>(store, ResourceType.GLOBAL_CLOUD, clock));
  }

  /** Returns every layer, in the order of the components above. */
  List<Resources<?>> all() {
    return List.of(
        applications,
        clusters,
        metrics,
        globalMetrics,
        metricsProviders,
        globalMetricsProviders,
        clouds,
        globalClouds);
  }
}
