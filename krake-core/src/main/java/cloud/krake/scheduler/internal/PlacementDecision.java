package cloud.krake.scheduler.internal;

import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Placement#decide} concluded for one application: bind it to a (new) cluster, keep its
 * current binding without rewriting the application, or no cluster fits. Whatever the outcome, it
 * carries the clusters whose metrics failed (so the caller can set them to {@code FAILING_METRICS}
 * with {@code metrics_reasons}) and the ranking scores. Immutable.
 */
public final class PlacementDecision {
  /** The kind of outcome. */
  public enum Outcome {
    /** Bind to {@link #cluster()}: a first binding or a migration; see {@link Binding}. */
    BIND,
    /** Keep the current binding {@link #cluster()}; do not rewrite the application. */
    KEEP,
    /**
     * No cluster fits: reason {@link ReasonCode#NO_SUITABLE_RESOURCE}; see {@link SchedulingRetry}.
     */
    NO_SUITABLE_CLUSTER
  }

  /** Krake's message when nothing fits. */
  public static final String NO_MATCHING_CLUSTER = "No matching Kubernetes cluster found";

  private final Outcome outcome;
  private final Optional<ResourceRef> cluster;
  private final Optional<Reason> reason;
  private final Map<ResourceRef, Map<String, Reason>> failingMetrics;
  private final List<ClusterScore> scores;

  private PlacementDecision(
      Outcome outcome,
      Optional<ResourceRef> cluster,
      Optional<Reason> reason,
      Map<ResourceRef, Map<String, Reason>> failingMetrics,
      List<ClusterScore> scores) {
    this.outcome = outcome;
    this.cluster = cluster;
    this.reason = reason;
    Map<ResourceRef, Map<String, Reason>> copy = new LinkedHashMap<>();
    failingMetrics.forEach(
        (ref, reasons) ->
            copy.put(
                Objects.requireNonNull(ref, "failingMetrics key"),
                Map.copyOf(Objects.requireNonNull(reasons, "failingMetrics value"))));
    this.failingMetrics = java.util.Collections.unmodifiableMap(copy);
    this.scores = List.copyOf(scores);
  }

  /**
   * Bind to a cluster (first binding or migration), without diagnostics.
   *
   * @param cluster the cluster to bind to
   * @return the decision
   */
  public static PlacementDecision bind(ResourceRef cluster) {
    return bind(cluster, Map.of(), List.of());
  }

  /**
   * Bind to a cluster (first binding or migration).
   *
   * @param cluster the cluster to bind to
   * @param failingMetrics failures per cluster and metric seen in this pass
   * @param scores the ranking scores, best first
   * @return the decision
   */
  public static PlacementDecision bind(
      ResourceRef cluster,
      Map<ResourceRef, Map<String, Reason>> failingMetrics,
      List<ClusterScore> scores) {
    Objects.requireNonNull(cluster, "cluster");
    return new PlacementDecision(
        Outcome.BIND,
        Optional.of(cluster),
        Optional.empty(),
        Objects.requireNonNull(failingMetrics, "failingMetrics"),
        Objects.requireNonNull(scores, "scores"));
  }

  /**
   * Keep the current binding, without diagnostics.
   *
   * @param cluster the cluster the application is bound to
   * @return the decision
   */
  public static PlacementDecision keep(ResourceRef cluster) {
    return keep(cluster, Map.of(), List.of());
  }

  /**
   * Keep the current binding: the application is not rewritten.
   *
   * @param cluster the cluster the application is bound to
   * @param failingMetrics failures per cluster and metric seen in this pass
   * @param scores the ranking scores, best first (empty when no ranking took place)
   * @return the decision
   */
  public static PlacementDecision keep(
      ResourceRef cluster,
      Map<ResourceRef, Map<String, Reason>> failingMetrics,
      List<ClusterScore> scores) {
    Objects.requireNonNull(cluster, "cluster");
    return new PlacementDecision(
        Outcome.KEEP,
        Optional.of(cluster),
        Optional.empty(),
        Objects.requireNonNull(failingMetrics, "failingMetrics"),
        Objects.requireNonNull(scores, "scores"));
  }

  /**
   * No cluster fits, without diagnostics.
   *
   * @param message the reason's message
   * @return the decision, with reason {@link ReasonCode#NO_SUITABLE_RESOURCE}
   */
  public static PlacementDecision noSuitableCluster(String message) {
    return noSuitableCluster(message, Map.of());
  }

  /**
   * No cluster fits.
   *
   * @param message the reason's message
   * @param failingMetrics failures per cluster and metric seen in this pass
   * @return the decision, with reason {@link ReasonCode#NO_SUITABLE_RESOURCE}
   */
  public static PlacementDecision noSuitableCluster(
      String message, Map<ResourceRef, Map<String, Reason>> failingMetrics) {
    Objects.requireNonNull(message, "message");
    return new PlacementDecision(
        Outcome.NO_SUITABLE_CLUSTER,
        Optional.empty(),
        Optional.of(Reason.of(ReasonCode.NO_SUITABLE_RESOURCE, message)),
        Objects.requireNonNull(failingMetrics, "failingMetrics"),
        List.of());
  }

  /**
   * The kind of outcome.
   *
   * @return the outcome
   */
  public Outcome outcome() {
    return outcome;
  }

  /**
   * The cluster to bind to or kept; empty for {@link Outcome#NO_SUITABLE_CLUSTER}.
   *
   * @return the cluster
   */
  public Optional<ResourceRef> cluster() {
    return cluster;
  }

  /**
   * The reason to record on the application; present only for {@link Outcome#NO_SUITABLE_CLUSTER}.
   *
   * @return the reason
   */
  public Optional<Reason> reason() {
    return reason;
  }

  /**
   * The clusters (of the application's namespace, not deleted) whose metrics failed in this pass,
   * with the reason per metric: Krake's {@code metrics_reasons}. These clusters were not
   * candidates.
   *
   * @return unmodifiable map, in the order the clusters were given
   */
  public Map<ResourceRef, Map<String, Reason>> failingMetrics() {
    return failingMetrics;
  }

  /**
   * The scores of the ranked clusters, best first; empty when no ranking took place (kept within
   * the stickiness window, {@code migration: false}, or nothing fits).
   *
   * @return unmodifiable list
   */
  public List<ClusterScore> scores() {
    return scores;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlacementDecision other
        && outcome == other.outcome
        && cluster.equals(other.cluster)
        && reason.equals(other.reason)
        && failingMetrics.equals(other.failingMetrics)
        && scores.equals(other.scores);
  }

  @Override
  public int hashCode() {
    return Objects.hash(outcome, cluster, reason, failingMetrics, scores);
  }

  @Override
  public String toString() {
    return "PlacementDecision["
        + outcome
        + cluster.map(c -> " " + c.namespace().map(ns -> ns + "/").orElse("") + c.name()).orElse("")
        + reason.map(r -> " " + r.message()).orElse("")
        + (failingMetrics.isEmpty() ? "" : ", failingMetrics=" + failingMetrics)
        + "]";
  }
}
