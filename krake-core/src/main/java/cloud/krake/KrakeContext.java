package cloud.krake;

import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.membership.KrakeMembership;
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
import cloud.krake.store.Resources;
import cloud.krake.store.StatusResources;
import cloud.krake.store.Store;
import java.time.Clock;

/**
 * What a component of Krake (a controller, the scheduler, the garbage collector, an extension's
 * loop) is given to do its work: the store and the typed access over it, the clock, the timer, the
 * hook dispatcher, the worker count and the owner of its thread pools. A component receives this
 * narrow view, never the whole {@link Krake}, so that no component depends on the entry point that
 * starts it.
 *
 * <p>{@link Krake} implements it; a test may implement it over a store and a manual clock.
 *
 * <p>Threading: every method is thread-safe and returns the same object on every call.
 */
public interface KrakeContext {

  /** Returns the store every typed access below reads and writes. */
  Store store();

  /** Returns the clock every timestamp and deadline comes from. */
  Clock clock();

  /** Returns the source of every delay (requeue after, back-off, retries). */
  Timer timer();

  /** Returns the hook dispatcher with every registered handler. */
  HookDispatcher dispatcher();

  /** Returns the typed access to applications. */
  Applications applications();

  /** Returns the typed access to clusters. */
  Clusters clusters();

  /** Returns the typed access to namespaced metrics. */
  Resources<Metric> metrics();

  /** Returns the typed access to global metrics. */
  Resources<GlobalMetric> globalMetrics();

  /** Returns the typed access to namespaced metrics providers. */
  Resources<MetricsProvider> metricsProviders();

  /** Returns the typed access to global metrics providers. */
  Resources<GlobalMetricsProvider> globalMetricsProviders();

  /** Returns the typed access to namespaced clouds. */
  StatusResources<Cloud, CloudStatus> clouds();

  /** Returns the typed access to global clouds. */
  StatusResources<GlobalCloud, CloudStatus> globalClouds();

  /** Returns the number of worker threads each component starts (at least one). */
  int workers();

  /**
   * Returns the one owner of the instance's thread pools and shared clients: a component asks it
   * for a pool by name instead of creating its own, and {@code Krake.close()} shuts down every pool
   * it created.
   */
  KrakeExecutors executors();

  /**
   * Returns this instance's membership in a group of instances sharing the store: which shards of
   * applications and clusters it owns, and the re-check before a cluster operation ({@link
   * KrakeMembership#checkHolds}). Default {@link KrakeMembership#standalone()}: owns everything.
   */
  default KrakeMembership membership() {
    return KrakeMembership.standalone();
  }
}
