package cloud.krake.scheduler.internal;

import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterConstraints;
import cloud.krake.model.ClusterState;
import cloud.krake.model.Constraints;
import cloud.krake.model.LabelConstraint;
import cloud.krake.model.MetricConstraint;
import cloud.krake.model.MetricRef;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.scheduler.ClusterMetrics;
import cloud.krake.scheduler.MetricValues;
import cloud.krake.scheduler.SchedulerConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Decides where an application runs, as Krake's scheduler ({@code scheduler.py} {@code schedule}
 * and {@code fetch_kubernetes_cluster_scores}), without I/O: the caller passes the clusters, their
 * fetched metrics and the current time, and applies the returned {@link PlacementDecision}.
 *
 * <pre>{@code
 * Placement placement = new Placement(SchedulerConfig.DEFAULTS, new SplittableRandom());
 * PlacementDecision decision = placement.decide(app, clusters, metrics, clock.instant());
 * switch (decision.outcome()) {
 *   case BIND -> applications.modify(..., a -> Binding.bind(a, decision.cluster().orElseThrow(), now));
 *   case KEEP -> {}
 *   case NO_SUITABLE_CLUSTER -> SchedulingRetry.afterNoFit(app.spec(), app.status(), now) ...
 * }
 * }</pre>
 *
 * <p><b>Rules</b>, in order:
 *
 * <ol>
 *   <li>A bound application ({@code status.scheduled_to}) with {@code constraints.migration: false}
 *       keeps its binding.
 *   <li>Candidates are the clusters of the application's own namespace (tenant separation), not
 *       deleted, in state {@code ONLINE} &mdash; or {@code FAILING_METRICS} when all their metrics
 *       succeed in this pass, since Krake sets such a cluster back to {@code ONLINE} before
 *       filtering.
 *   <li>A candidate that declares metrics ({@code spec.metrics}) needs every one of them in {@link
 *       ClusterMetrics}; a failure, or a metric with no value supplied ({@link
 *       ReasonCode#INVALID_METRIC}), excludes it and is reported in {@link
 *       PlacementDecision#failingMetrics()} (all-or-nothing, as Krake).
 *   <li>It must match every label constraint (a missing label never matches), have every CRD of
 *       {@code constraints.cluster.custom_resources} in {@code spec.custom_resources}, and match
 *       every metric constraint on weight &times; normalised value; a cluster without the
 *       constrained metric does not match (where Krake raises a {@code KeyError}).
 *   <li>Nothing matches: {@link PlacementDecision.Outcome#NO_SUITABLE_CLUSTER}.
 *   <li>Stickiness window: a bound application whose cluster still matches keeps it while {@code
 *       now - status.scheduled < reschedule_after}, without ranking.
 *   <li>Ranking: if any match has metrics, only those are ranked, by {@code (sum(v * w) + s) /
 *       (sum(w) + s)} where {@code s} is {@code stickiness} for the current cluster and 0
 *       otherwise; else all matches are ranked by {@code s} alone. The highest score wins; ties are
 *       broken uniformly at random through the injected {@link RandomGenerator}, among the tied
 *       clusters in the order they were given.
 *   <li>A winner equal to the current binding is {@link PlacementDecision.Outcome#KEEP}, any other
 *       is {@link PlacementDecision.Outcome#BIND}.
 * </ol>
 *
 * <p>Unlike Krake, the cloud inheritance of labels and metrics and automatic cluster creation are
 * not part of this decision. Thread-safe when the {@link RandomGenerator} is (for example a
 * per-thread generator, or calls confined to one worker); holds no other state.
 */
public final class Placement {
  private final SchedulerConfig config;
  private final RandomGenerator random;

  /**
   * Creates the placement logic.
   *
   * @param config stickiness and {@code reschedule_after}
   * @param random the generator that breaks ties; seed it in tests for deterministic results
   */
  public Placement(SchedulerConfig config, RandomGenerator random) {
    this.config = Objects.requireNonNull(config, "config");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * The settings in use.
   *
   * @return the config
   */
  public SchedulerConfig config() {
    return config;
  }

  /**
   * Decides where the application goes; see the class documentation for the rules.
   *
   * @param app the application (its namespace, constraints and current binding are read)
   * @param clusters the clusters to consider; clusters of other namespaces and deleted clusters are
   *     skipped, so the caller may pass a superset
   * @param metrics the normalised metric values fetched for this pass
   * @param now the current time, for the stickiness window
   * @return the decision, never {@code null}
   */
  public PlacementDecision decide(
      Application app, List<Cluster> clusters, ClusterMetrics metrics, Instant now) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(clusters, "clusters");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(now, "now");

    Optional<ResourceRef> current = app.status().scheduledTo();
    Constraints constraints = app.spec().constraints().orElse(Constraints.NONE);
    if (current.isPresent() && !constraints.migration()) {
      return PlacementDecision.keep(current.get());
    }
    ClusterConstraints wanted = constraints.cluster();
    Optional<String> namespace = app.metadata().namespace();

    Map<ResourceRef, Map<String, Reason>> failing = new LinkedHashMap<>();
    List<Candidate> matching = new ArrayList<>();
    Candidate currentCandidate = null;
    boolean anyWithMetrics = false;
    for (Cluster cluster : clusters) {
      if (!cluster.metadata().namespace().equals(namespace)
          || cluster.metadata().isDeleted()
          || !hasUsableState(cluster.status().state())) {
        continue;
      }
      ResourceRef ref = ResourceRef.to(cluster);
      List<MetricRef> refs = cluster.spec().metrics();
      Map<String, Double> weighted = Map.of();
      double weightSum = 0;
      double weightedValueSum = 0;
      if (!refs.isEmpty()) {
        MetricValues values = metrics.of(ref);
        Map<String, Reason> failures = failuresOf(refs, values);
        if (!failures.isEmpty()) {
          failing.put(ref, failures);
          continue;
        }
        weighted = new HashMap<>();
        for (MetricRef metric : refs) {
          double value = values.values().get(metric.name());
          weighted.put(metric.name(), metric.weight() * value);
          weightSum += metric.weight();
          weightedValueSum += metric.weight() * value;
        }
      }
      if (!matches(cluster, wanted, weighted)) {
        continue;
      }
      Candidate candidate = new Candidate(ref, !refs.isEmpty(), weightedValueSum, weightSum);
      matching.add(candidate);
      anyWithMetrics |= candidate.withMetrics;
      if (current.isPresent() && sameCluster(ref, current.get())) {
        currentCandidate = candidate;
      }
    }

    if (matching.isEmpty()) {
      return PlacementDecision.noSuitableCluster(PlacementDecision.NO_MATCHING_CLUSTER, failing);
    }
    if (currentCandidate != null && withinWindow(app, now)) {
      return PlacementDecision.keep(current.get(), failing, List.of());
    }

    List<ClusterScore> scores = new ArrayList<>(matching.size());
    List<Candidate> best = new ArrayList<>();
    double bestScore = Double.NEGATIVE_INFINITY;
    for (Candidate candidate : matching) {
      if (anyWithMetrics && !candidate.withMetrics) {
        continue;
      }
      boolean isCurrent = candidate == currentCandidate;
      double sticky = isCurrent ? config.stickiness() : 0.0;
      double score;
      if (anyWithMetrics) {
        double denominator = candidate.weightSum + sticky;
        score = denominator == 0 ? 0.0 : (candidate.weightedValueSum + sticky) / denominator;
      } else {
        score = sticky;
      }
      scores.add(new ClusterScore(candidate.ref, score, anyWithMetrics, isCurrent));
      if (score > bestScore) {
        bestScore = score;
        best.clear();
        best.add(candidate);
      } else if (score == bestScore) {
        best.add(candidate);
      }
    }
    Candidate winner = best.size() == 1 ? best.get(0) : best.get(random.nextInt(best.size()));
    if (winner == currentCandidate) {
      return PlacementDecision.keep(current.get(), failing, scores);
    }
    return PlacementDecision.bind(winner.ref, failing, scores);
  }

  private static boolean hasUsableState(ClusterState state) {
    return state == ClusterState.ONLINE || state == ClusterState.FAILING_METRICS;
  }

  private static Map<String, Reason> failuresOf(List<MetricRef> refs, MetricValues values) {
    Map<String, Reason> failures = Map.of();
    for (MetricRef metric : refs) {
      Reason reason = values.failures().get(metric.name());
      if (reason == null && !values.values().containsKey(metric.name())) {
        reason =
            Reason.of(
                ReasonCode.INVALID_METRIC,
                "No value was fetched for metric '" + metric.name() + "'");
      }
      if (reason != null) {
        if (failures.isEmpty()) {
          failures = new LinkedHashMap<>();
        }
        failures.put(metric.name(), reason);
      }
    }
    return failures;
  }

  private static boolean matches(
      Cluster cluster, ClusterConstraints wanted, Map<String, Double> weighted) {
    Map<String, String> labels = cluster.metadata().labels();
    for (LabelConstraint constraint : wanted.labels()) {
      if (!constraint.matches(labels)) {
        return false;
      }
    }
    List<String> available = cluster.spec().customResources();
    for (String crd : wanted.customResources()) {
      if (!available.contains(crd)) {
        return false;
      }
    }
    for (MetricConstraint constraint : wanted.metrics()) {
      if (!constraint.matches(weighted)) {
        return false;
      }
    }
    return true;
  }

  private boolean withinWindow(Application app, Instant now) {
    Optional<Instant> scheduled = app.status().scheduled();
    return scheduled.isPresent()
        && Duration.between(scheduled.get(), now).compareTo(config.rescheduleAfter()) < 0;
  }

  static boolean sameCluster(ResourceRef a, ResourceRef b) {
    return a.name().equals(b.name())
        && a.namespace().equals(b.namespace())
        && a.kind().equals(b.kind());
  }

  private static final class Candidate {
    final ResourceRef ref;
    final boolean withMetrics;
    final double weightedValueSum;
    final double weightSum;

    Candidate(ResourceRef ref, boolean withMetrics, double weightedValueSum, double weightSum) {
      this.ref = ref;
      this.withMetrics = withMetrics;
      this.weightedValueSum = weightedValueSum;
      this.weightSum = weightSum;
    }
  }
}
