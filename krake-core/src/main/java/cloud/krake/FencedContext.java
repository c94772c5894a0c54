package cloud.krake;

import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.membership.KrakeMembership;
import cloud.krake.model.ApplicationValidator;
import cloud.krake.model.Cloud;
import cloud.krake.model.CloudStatus;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.runtime.Timer;
import cloud.krake.store.Applications;
import cloud.krake.store.Clusters;
import cloud.krake.store.ResourceType;
import cloud.krake.store.Resources;
import cloud.krake.store.StatusResources;
import cloud.krake.store.Store;
import java.time.Clock;
import java.util.List;

/**
 * The context the components of a group member get: the instance's, except that the store and every
 * typed layer write through a {@link FencedStore}. Thread-safe.
 */
final class FencedContext implements KrakeContext {

  private final KrakeContext host;
  private final KrakeMembership membership;
  private final Store store;
  private final Applications applications;
  private final Clusters clusters;
  private final Resources<Metric> metrics;
  private final Resources<GlobalMetric> globalMetrics;
  private final Resources<MetricsProvider> metricsProviders;
  private final Resources<GlobalMetricsProvider> globalMetricsProviders;
  private final StatusResources<Cloud, CloudStatus> clouds;
  private final StatusResources<GlobalCloud, CloudStatus> globalClouds;

  FencedContext(
      KrakeContext host,
      KrakeMembership membership,
      FencedStore store,
      List<ApplicationValidator> validators) {
    this.host = host;
    this.membership = membership;
    this.store = store;
    Clock clock = host.clock();
    this.applications = new Applications(store, clock, validators);
    this.clusters = new Clusters(store, clock);
    this.metrics = new Resources<>(store, ResourceType.METRIC, clock);
    this.globalMetrics = new Resources<>(store, ResourceType.GLOBAL_METRIC, clock);
    this.metricsProviders = new Resources<>(store, ResourceType.METRICS_PROVIDER, clock);
    this.globalMetricsProviders =
        new Resources<>(store, ResourceType.GLOBAL_METRICS_PROVIDER, clock);
    this.clouds = new StatusResources<>(store, ResourceType.CLOUD, clock);
    this.globalClouds = new StatusResources<>(store, ResourceType.GLOBAL_CLOUD, clock);
  }

  @Override
  public Store store() {
    return store;
  }

  @Override
  public Clock clock() {
    return host.clock();
  }

  @Override
  public Timer timer() {
    return host.timer();
  }

  @Override
  public HookDispatcher dispatcher() {
    return host.dispatcher();
  }

  @Override
  public Applications applications() {
    return applications;
  }

  @Override
  public Clusters clusters() {
    return clusters;
  }

  @Override
  public Resources<Metric> metrics() {
    return metrics;
  }

  @Override
  public Resources<GlobalMetric> globalMetrics() {
    return globalMetrics;
  }

  @Override
  public Resources<MetricsProvider> metricsProviders() {
    return metricsProviders;
  }

  @Override
  public Resources<GlobalMetricsProvider> globalMetricsProviders() {
    return globalMetricsProviders;
  }

  @Override
  public StatusResources<Cloud, CloudStatus> clouds() {
    return clouds;
  }

  @Override
  public StatusResources<GlobalCloud, CloudStatus> globalClouds() {
    return globalClouds;
  }

  @Override
  public int workers() {
    return host.workers();
  }

  @Override
  public KrakeExecutors executors() {
    return host.executors();
  }

  @Override
  public KrakeMembership membership() {
    return membership;
  }
}
