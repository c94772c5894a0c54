package cloud.krake.scheduler;

import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.scheduler.metrics.MetricsProviders;
import cloud.krake.store.Store;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The scheduler tests' setup: a {@link Krake} on the test's store with a manual clock and timer,
 * static metrics only, and a {@link SchedulerController} of one worker with a fixed random seed,
 * driven by the test ({@link #settle}, {@link SchedulerController#drain}).
 *
 * <p>{@link #close} closes the scheduler and the metrics fetcher; the store stays the test's to
 * close.
 */
final class SchedulerFixture implements AutoCloseable {

  final ManualClock clock;
  final ManualTimer timers;
  final Krake krake;
  final MetricsFetcher metrics;
  private SchedulerController scheduler;

  /** Builds the Krake instance on {@code store}, its clock at {@code start}. */
  SchedulerFixture(Store store, Instant start) {
    clock = new ManualClock(start);
    timers = new ManualTimer(clock);
    krake = Krake.builder().store(store).clock(clock).build();
    metrics = new MetricsFetcher(krake, MetricsProviders.STATIC_ONLY, Duration.ZERO);
  }

  /** Creates the scheduler and starts its watches; returns it. */
  SchedulerController watch() {
    scheduler =
        new SchedulerController(
            krake, metrics, SchedulerConfig.DEFAULTS, new SplittableRandom(7), timers, 1);
    scheduler.watch();
    return scheduler;
  }

  /**
   * Creates {@code tenant/echo}: one Pod, for a cluster labelled {@code location: DE} ({@link
   * cloud.krake.TestClusters#de}).
   */
  Application createEcho() {
    return krake
        .applications()
        .create(
            KrakeJson.read(
                """
                metadata: {name: echo, namespace: tenant}
                spec:
                  manifest: [{apiVersion: v1, kind: Pod, metadata: {name: echo}}]
                  constraints: {cluster: {labels: ["location is DE"]}}
                """,
                Application.class));
  }

  /** Waits until the scheduler's watches have queued something. */
  void awaitQueued() {
    await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.queued() > 0);
  }

  /**
   * Waits until the watches have queued something, then processes everything ready until the
   * watches (which also report the scheduler's own writes) stay quiet.
   */
  void settle() {
    awaitQueued();
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              scheduler.drain();
              return scheduler.queued() == 0;
            });
  }

  @Override
  public void close() {
    scheduler.close();
    metrics.close();
  }
}
