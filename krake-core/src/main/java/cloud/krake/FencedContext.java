package cloud.krake;

import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.membership.KrakeMembership;
import cloud.krake.model.ApplicationValidator;
import cloud.krake.model.Cloud;
import cloud.krake.model.CloudStatus;
import cloud.krake.model.ClusterValidator;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.Metric;
import cloud.krake.model.MetricsProvider;
import cloud.krake.runtime.KrakeExecutors;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.runtime.Timer;
import cloud.krake.store.Applications;
import cloud.krake.store.Clusters;
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
  private final TypedLayers layers;

  FencedContext(
      KrakeContext host,
      KrakeMembership membership,
      FencedStore store,
      List<ApplicationValidator> applicationValidators,
      List<ClusterValidator> clusterValidators) {
    this.host = host;
    this.membership = membership;
    this.store = store;
    this.layers = TypedLayers.of(store, host.clock(), applicationValidators, clusterValidators);
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
    return layers.applications();
  }

  @Override
  public Clusters clusters() {
    return layers.clusters();
  }

  @Override
  public Resources<Metric> metrics() {
    return layers.metrics();
  }

  @Override
  public Resources<GlobalMetric> globalMetrics() {
    return layers.globalMetrics();
  }

  @Override
  public Resources<MetricsProvider> metricsProviders() {
    return layers.metricsProviders();
  }

  @Override
  public Resources<GlobalMetricsProvider> globalMetricsProviders() {
    return layers.globalMetricsProviders();
  }

  @Override
  public StatusResources<Cloud, CloudStatus> clouds() {
    return layers.clouds();
  }

  @Override
  public StatusResources<GlobalCloud, CloudStatus> globalClouds() {
    return layers.globalClouds();
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

  @Override
  public KrakeMetricsRecorder metricsRecorder() {
    return host.metricsRecorder();
  }
}
