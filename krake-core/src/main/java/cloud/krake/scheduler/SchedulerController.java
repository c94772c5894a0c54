package cloud.krake.scheduler;

import cloud.krake.KrakeContext;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.ClusterStatus;
import cloud.krake.model.Metadata;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ReconcileResult;
import cloud.krake.runtime.ReconcilingComponent;
import cloud.krake.runtime.Reflector;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.runtime.Timer;
import cloud.krake.scheduler.internal.Binding;
import cloud.krake.scheduler.internal.Placement;
import cloud.krake.scheduler.internal.PlacementDecision;
import cloud.krake.scheduler.internal.SchedulingRetry;
import cloud.krake.store.ConflictException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Krake's scheduler for applications, as a controller on the core runtime: it reacts to application
 * changes and to cluster changes (a new cluster, a label or metric change re-evaluates every
 * application of that namespace), binds each application to the best cluster ({@link Placement}),
 * re-evaluates bound applications every {@code reschedule_after}, and retries applications that fit
 * nowhere on a real timer ({@code backoff_delay × backoff} seconds) until {@code backoff_limit} is
 * spent.
 *
 * <p>Changes of metric, metrics-provider and cloud resources re-queue the applications they may
 * concern (their namespace; every application for global ones); changes of metric values are seen
 * at the next evaluation, at the latest after {@code reschedule_after}.
 *
 * <p>Per application (re-read first, every write a compare-and-set): deleted or FAILED applications
 * are left alone (Krake: FAILED is terminal for the scheduler); a DEGRADED application whose {@code
 * scheduled_retry} is still ahead waits for it; otherwise the namespace's clusters and their
 * metrics ({@link MetricsFetcher}, one query per provider and metric) are read, each cluster with
 * the labels and metrics it inherits from its cloud ({@link CloudInheritance}), and:
 *
 * <ul>
 *   <li>a new binding is written as Krake's {@code /binding} ({@code scheduled_to}, {@code
 *       scheduled}, {@code kube_controller_triggered}, owner), and the scheduling reason and retry
 *       bookkeeping are cleared;
 *   <li>a kept binding writes nothing (Krake refreshes {@code kube_controller_triggered} when the
 *       spec changed since);
 *   <li>no fit: NO_SUITABLE_RESOURCE, DEGRADED with {@code scheduled_retry} while retries remain,
 *       FAILED when exhausted;
 *   <li>clusters whose metrics failed become FAILING_METRICS with {@code metrics_reasons}, and
 *       return to ONLINE when their metrics recover.
 * </ul>
 *
 * <p>Driven with {@link #start()} (a worker pool) or step by step with {@link #runOnce()} / {@link
 * #drain()}; {@link #close()} stops the reflectors and the workers.
 */
public final class SchedulerController extends ReconcilingComponent<ResourceKey> {

  private static final Logger log = LoggerFactory.getLogger(SchedulerController.class);

  private final KrakeContext krake;
  private final MetricsFetcher metrics;
  private final Placement placement;
  private final CloudInheritance inheritance;
  private final SchedulerConfig config;
  private final Clock clock;
  private final Reflector<Application> applications;

  /**
   * Creates the scheduler.
   *
   * @param krake the context (store, clock)
   * @param metrics reads the clusters' metrics
   * @param config {@code stickiness}, {@code reschedule_after}
   * @param random breaks ties between equally ranked clusters
   * @param scheduler runs delayed re-evaluations and retries
   * @param workers worker threads for {@link #start()}
   */
  public SchedulerController(
      KrakeContext krake,
      MetricsFetcher metrics,
      SchedulerConfig config,
      RandomGenerator random,
      Timer scheduler,
      int workers) {
    super(
        "scheduler",
        krake.clock(),
        Objects.requireNonNull(scheduler, "scheduler"),
        workers,
        krake.metricsRecorder());
    this.krake = krake;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.config = Objects.requireNonNull(config, "config");
    this.placement = new Placement(config, Objects.requireNonNull(random, "random"));
    this.clock = krake.clock();
    this.inheritance = new CloudInheritance(krake);
    this.applications =
        reflect(
            new Reflector<>(
                "scheduler-applications", krake.applications(), queue()::add, scheduler));
    // sharded by the application: its writes are the application's
    shardBy(
        krake.membership(),
        k -> krake.membership().shardOf(k.namespace(), k.name()),
        applications::cachedKeys);
    reflect(
        new Reflector<>("scheduler-clusters", krake.clusters(), this::namespaceChanged, scheduler));
    // A metric or provider definition that changes can change every decision that uses it.
    reflect(
        new Reflector<>("scheduler-metrics", krake.metrics(), this::namespaceChanged, scheduler));
    reflect(
        new Reflector<>(
            "scheduler-metrics-providers",
            krake.metricsProviders(),
            this::namespaceChanged,
            scheduler));
    reflect(
        new Reflector<>(
            "scheduler-global-metrics", krake.globalMetrics(), k -> everything(), scheduler));
    reflect(
        new Reflector<>(
            "scheduler-global-metrics-providers",
            krake.globalMetricsProviders(),
            k -> everything(),
            scheduler));
    // A cloud's labels and metrics are those of the clusters that inherit them.
    reflect(new Reflector<>("scheduler-clouds", krake.clouds(), this::namespaceChanged, scheduler));
    reflect(
        new Reflector<>(
            "scheduler-global-clouds", krake.globalClouds(), k -> everything(), scheduler));
  }

  /** Re-queues the applications of the namespace of a changed cluster, metric or provider. */
  private void namespaceChanged(ResourceKey changed) {
    for (ResourceKey app : applications.cachedKeys()) {
      if (app.namespace().equals(changed.namespace())) {
        queue().add(app);
      }
    }
  }

  /** Re-queues every application, after a change of a global metric or provider. */
  private void everything() {
    applications.cachedKeys().forEach(queue()::add);
  }

  /**
   * Schedules the application from what the watch delivered last, as an informer does: an
   * application in deletion is left alone on its watched metadata alone (a deletion is final for
   * that resource; one created again under the name comes with its own event and revision), and
   * otherwise the decision starts from the decode cache's copy of the watched revision if it holds
   * one. Every write of the decision (the binding, the retry state) is a compare-and-set on that
   * revision, so a copy the store has left makes it throw {@link ConflictException}; the decision
   * is then made once more from a read of the store. A decision that writes nothing has no effect
   * outside the store (the metrics it fetched are only read), and a later revision comes with its
   * own watch event, which queues the application again.
   */
  @Override
  protected ReconcileResult reconcile(ResourceKey key) {
    Optional<Metadata> watched = applications.cachedMetadata(key);
    if (watched.isPresent() && watched.get().isDeleted()) {
      return ReconcileResult.done();
    }
    Optional<Application> cached =
        watched.flatMap(
            m -> krake.applications().cached(key.namespace(), key.name(), m.revision()));
    if (cached.isPresent()) {
      try {
        return schedule(key, cached.get());
      } catch (ConflictException e) {
        log.debug("{}: the watched revision is stale, reading it from the store", key);
      }
    }
    Optional<Application> read = krake.applications().get(key.namespace(), key.name());
    if (read.isEmpty()) {
      return ReconcileResult.done();
    }
    return schedule(key, read.get());
  }

  private ReconcileResult schedule(ResourceKey key, Application app) {
    if (app.metadata().isDeleted() || app.status().state() == ApplicationState.FAILED) {
      return ReconcileResult.done();
    }
    Instant now = clock.instant();
    if (app.status().state() == ApplicationState.DEGRADED
        && app.status().scheduledRetry().isPresent()
        && now.isBefore(app.status().scheduledRetry().get())) {
      return ReconcileResult.requeueAfter(
          Duration.between(now, app.status().scheduledRetry().get()));
    }
    // Krake's migration back-off: after a failed volume migration the application stays where it
    // runs until migration_timeout (epoch seconds)
    Instant migrationTimeout = Instant.ofEpochSecond(app.status().migrationTimeout());
    if (app.status().scheduledTo().isPresent() && now.isBefore(migrationTimeout)) {
      return ReconcileResult.requeueAfter(Duration.between(now, migrationTimeout));
    }
    List<Cluster> candidates =
        inheritance.effective(krake.clusters().list(key.namespace()).items());
    ClusterMetrics fetched = metrics.fetch(candidates);
    PlacementDecision decision = placement.decide(app, candidates, fetched, now);
    recordClusterMetrics(candidates, decision.failingMetrics());
    return switch (decision.outcome()) {
      case BIND -> bind(app, decision.cluster().orElseThrow(), now);
      case KEEP -> keep(app, now);
      case NO_SUITABLE_CLUSTER -> noFit(app, decision, now);
    };
  }

  private ReconcileResult bind(Application app, ResourceRef cluster, Instant now) {
    Application bound = Binding.bind(app, cluster, now);
    boolean schedulingFailure =
        app.status().reason().map(r -> r.code() == ReasonCode.NO_SUITABLE_RESOURCE).orElse(false);
    Application cleared =
        bound.withStatus(
            SchedulingRetry.cleared(
                schedulingFailure ? bound.status().withReason(Optional.empty()) : bound.status()));
    krake.applications().bind(cleared);
    log.info("bound {} to cluster {}", key(app), cluster.name());
    return reevaluation(app);
  }

  private ReconcileResult keep(Application app, Instant now) {
    Application triggered = Binding.triggerIfModified(app, now);
    if (triggered != app) {
      krake.applications().bind(triggered);
    }
    return reevaluation(app);
  }

  private ReconcileResult reevaluation(Application app) {
    return app.spec().constraints().map(c -> c.migration()).orElse(true)
        ? ReconcileResult.requeueAfter(config.rescheduleAfter())
        : ReconcileResult.done();
  }

  private ReconcileResult noFit(Application app, PlacementDecision decision, Instant now) {
    Reason reason =
        decision
            .reason()
            .orElseGet(
                () ->
                    Reason.of(
                        ReasonCode.NO_SUITABLE_RESOURCE, PlacementDecision.NO_MATCHING_CLUSTER));
    SchedulingRetry retry = SchedulingRetry.afterNoFit(app.spec(), app.status(), reason, now);
    krake.applications().modifyStatusOnce(app, a -> retry.applyTo(a.status()));
    log.info("no cluster fits {}: {}", key(app), retry);
    return retry
        .nextRetry()
        .map(next -> ReconcileResult.requeueAfter(Duration.between(now, next)))
        .orElseGet(ReconcileResult::done);
  }

  /**
   * FAILING_METRICS with the reasons for clusters whose metrics failed; ONLINE once they recover.
   */
  private void recordClusterMetrics(
      List<Cluster> candidates, Map<ResourceRef, Map<String, Reason>> failing) {
    for (Cluster cluster : candidates) {
      Map<String, Reason> reasons = failing.get(ResourceRef.to(cluster));
      ClusterStatus status = cluster.status();
      ClusterStatus next = status;
      if (reasons != null && !reasons.isEmpty()) {
        next = status.withState(ClusterState.FAILING_METRICS).withMetricsReasons(reasons);
      } else if (status.state() == ClusterState.FAILING_METRICS) {
        next = status.withState(ClusterState.ONLINE).withMetricsReasons(Map.of());
      }
      if (!next.equals(status)) {
        ClusterStatus target = next;
        krake
            .clusters()
            .modifyStatus(
                cluster.metadata().namespace().orElse(""),
                cluster.metadata().name(),
                c -> target.withNodes(c.status().nodes()));
      }
    }
  }

  private static String key(Application app) {
    return app.metadata().namespace().orElse("") + "/" + app.metadata().name();
  }
}
