package cloud.krake.scheduler.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterConstraints;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.ClusterState;
import cloud.krake.model.ClusterStatus;
import cloud.krake.model.Constraints;
import cloud.krake.model.LabelConstraint;
import cloud.krake.model.Metadata;
import cloud.krake.model.MetricConstraint;
import cloud.krake.model.MetricRef;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import cloud.krake.scheduler.ClusterMetrics;
import cloud.krake.scheduler.MetricValues;
import cloud.krake.scheduler.SchedulerConfig;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlacementTest {
  static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  static final String NS = "tenant-a";

  final Placement placement = new Placement(SchedulerConfig.DEFAULTS, new SplittableRandom(42));

  // ---- fixtures ----

  static Cluster cluster(String name) {
    return cluster(NS, name);
  }

  static Cluster cluster(String namespace, String name) {
    return Cluster.of(
            Metadata.of(namespace, name),
            ClusterSpec.ofKubeconfig(JsonNodeFactory.instance.objectNode()))
        .withStatus(ClusterStatus.initial().withState(ClusterState.ONLINE));
  }

  static Cluster labelled(Cluster cluster, Map<String, String> labels) {
    return cluster.withMetadata(cluster.metadata().withLabels(labels));
  }

  static Cluster withMetrics(Cluster cluster, MetricRef... metrics) {
    return cluster.withSpec(cluster.spec().withMetrics(List.of(metrics)));
  }

  static Cluster withState(Cluster cluster, ClusterState state) {
    return cluster.withStatus(cluster.status().withState(state));
  }

  static Application app(ClusterConstraints constraints) {
    return Application.of(
        Metadata.of(NS, "app"), ApplicationSpec.of(List.of(), Constraints.of(constraints)));
  }

  static Application app() {
    return app(ClusterConstraints.NONE);
  }

  static Application boundTo(Application app, Cluster cluster, Instant scheduled) {
    return app.withStatus(
        app.status()
            .withScheduledTo(Optional.of(ResourceRef.to(cluster)))
            .withScheduled(Optional.of(scheduled)));
  }

  static ClusterConstraints labels(String... expressions) {
    return ClusterConstraints.NONE.withLabels(
        java.util.Arrays.stream(expressions).map(LabelConstraint::parse).toList());
  }

  static ClusterConstraints metricConstraints(String... expressions) {
    return ClusterConstraints.NONE.withMetrics(
        java.util.Arrays.stream(expressions).map(MetricConstraint::parse).toList());
  }

  static ClusterMetrics metrics(Object... clusterAndValues) {
    Map<ResourceRef, MetricValues> map = new HashMap<>();
    for (int i = 0; i < clusterAndValues.length; i += 2) {
      map.put(
          ResourceRef.to((Cluster) clusterAndValues[i]), (MetricValues) clusterAndValues[i + 1]);
    }
    return new ClusterMetrics(map);
  }

  static Reason unreachable() {
    return Reason.of(ReasonCode.UNREACHABLE_METRICS_PROVIDER, "connection refused");
  }

  PlacementDecision decide(Application app, ClusterMetrics metrics, Cluster... clusters) {
    return placement.decide(app, List.of(clusters), metrics, NOW);
  }

  // ---- filtering ----

  @Test
  void bindsToTheOnlyOnlineClusterWhenThereAreNoConstraints() {
    Cluster a = cluster("a");

    PlacementDecision decision = decide(app(), ClusterMetrics.NONE, a);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.BIND);
    assertThat(decision.cluster()).contains(ResourceRef.to(a));
    assertThat(decision.reason()).isEmpty();
  }

  @Test
  void treatsAnApplicationWithoutConstraintsOrWithEmptyListsAsMatchingEveryCluster() {
    Cluster a = labelled(cluster("a"), Map.of("location", "DE"));
    Application noConstraints =
        Application.of(
            Metadata.of(NS, "app"),
            ApplicationSpec.of(List.of(), Constraints.NONE)
                .withConstraints(Constraints.of(new ClusterConstraints(null, null, null))));

    assertThat(decide(noConstraints, ClusterMetrics.NONE, a).cluster()).contains(ResourceRef.to(a));
    assertThat(
            decide(
                    app(new ClusterConstraints(List.of(), List.of(), List.of())),
                    ClusterMetrics.NONE,
                    a)
                .cluster())
        .contains(ResourceRef.to(a));
  }

  @Test
  void neverConsidersClustersOfAnotherNamespace() {
    Cluster foreign = cluster("tenant-b", "foreign");

    PlacementDecision decision = decide(app(), ClusterMetrics.NONE, foreign);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.NO_SUITABLE_CLUSTER);
    assertThat(decision.reason())
        .contains(
            Reason.of(ReasonCode.NO_SUITABLE_RESOURCE, "No matching Kubernetes cluster found"));
  }

  @Test
  void skipsDeletedAndNotOnlineClusters() {
    Cluster deleted = cluster("deleted");
    deleted = deleted.withMetadata(deleted.metadata().withDeleted(Optional.of(NOW)));
    Cluster offline = withState(cluster("offline"), ClusterState.OFFLINE);
    Cluster pending = withState(cluster("pending"), ClusterState.PENDING);
    Cluster online = cluster("online");

    PlacementDecision decision =
        decide(app(), ClusterMetrics.NONE, deleted, offline, pending, online);

    assertThat(decision.cluster()).contains(ResourceRef.to(online));
    assertThat(decision.scores())
        .extracting(ClusterScore::cluster)
        .containsExactly(ResourceRef.to(online));
  }

  @Test
  void matchesLabelConstraintsWithAllFourOperators() {
    Cluster de = labelled(cluster("de"), Map.of("location", "DE", "tier", "gold"));
    Cluster fr = labelled(cluster("fr"), Map.of("location", "FR", "tier", "silver"));

    assertThat(decide(app(labels("location is DE")), ClusterMetrics.NONE, de, fr).cluster())
        .contains(ResourceRef.to(de));
    assertThat(decide(app(labels("location != DE")), ClusterMetrics.NONE, de, fr).cluster())
        .contains(ResourceRef.to(fr));
    assertThat(decide(app(labels("tier in (gold, bronze)")), ClusterMetrics.NONE, de, fr).cluster())
        .contains(ResourceRef.to(de));
    assertThat(decide(app(labels("tier not in (gold)")), ClusterMetrics.NONE, de, fr).cluster())
        .contains(ResourceRef.to(fr));
    assertThat(
            decide(app(labels("location is DE", "tier is silver")), ClusterMetrics.NONE, de, fr)
                .outcome())
        .isEqualTo(PlacementDecision.Outcome.NO_SUITABLE_CLUSTER);
  }

  @Test
  void aMissingLabelNeverMatchesEvenForNegativeOperators() {
    Cluster unlabelled = cluster("unlabelled");

    for (String expression :
        List.of(
            "location is DE", "location is not DE", "location in (DE)", "location not in (DE)")) {
      assertThat(decide(app(labels(expression)), ClusterMetrics.NONE, unlabelled).outcome())
          .as(expression)
          .isEqualTo(PlacementDecision.Outcome.NO_SUITABLE_CLUSTER);
    }
  }

  @Test
  void requiresEveryConstrainedCustomResourceOnTheCluster() {
    Cluster plain = cluster("plain");
    Cluster crds = cluster("crds");
    crds =
        crds.withSpec(
            crds.spec()
                .withCustomResources(List.of("crontabs.stable.example.com", "foos.example.com")));
    ClusterConstraints wanted =
        ClusterConstraints.NONE.withCustomResources(List.of("crontabs.stable.example.com"));

    assertThat(decide(app(wanted), ClusterMetrics.NONE, plain, crds).cluster())
        .contains(ResourceRef.to(crds));
    assertThat(
            decide(
                    app(wanted.withCustomResources(List.of("bars.example.com"))),
                    ClusterMetrics.NONE,
                    plain,
                    crds)
                .outcome())
        .isEqualTo(PlacementDecision.Outcome.NO_SUITABLE_CLUSTER);
  }

  @Test
  void comparesMetricConstraintsWithWeightTimesNormalisedValue() {
    // weight 2 x 0.3 = 0.6 on a, weight 1 x 0.5 = 0.5 on b
    Cluster a = withMetrics(cluster("a"), MetricRef.global("heat", 2));
    Cluster b = withMetrics(cluster("b"), MetricRef.global("heat", 1));
    ClusterMetrics metrics =
        metrics(a, MetricValues.of(Map.of("heat", 0.3)), b, MetricValues.of(Map.of("heat", 0.5)));

    assertThat(decide(app(metricConstraints("heat > 0.55")), metrics, a, b).cluster())
        .contains(ResourceRef.to(a));
    assertThat(decide(app(metricConstraints("heat <= 0.5")), metrics, a, b).cluster())
        .contains(ResourceRef.to(b));
  }

  @Test
  void aClusterWithoutTheConstrainedMetricDoesNotMatchAndNothingCrashes() {
    Cluster metricless = cluster("metricless");
    Cluster other = withMetrics(cluster("other"), MetricRef.global("load", 1));
    ClusterMetrics metrics = metrics(other, MetricValues.of(Map.of("load", 0.9)));

    PlacementDecision decision =
        decide(app(metricConstraints("heat > 0.1")), metrics, metricless, other);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.NO_SUITABLE_CLUSTER);
    assertThat(decision.failingMetrics()).isEmpty();
  }

  // ---- metrics ----

  @Test
  void prefersClustersWithMetricsOverClustersWithout() {
    Cluster without = cluster("without");
    Cluster with = withMetrics(cluster("with"), MetricRef.global("heat", 1));

    PlacementDecision decision =
        decide(app(), metrics(with, MetricValues.of(Map.of("heat", 0.0))), without, with);

    assertThat(decision.cluster()).contains(ResourceRef.to(with));
    assertThat(decision.scores()).hasSize(1);
  }

  @Test
  void ranksByTheWeightedMeanOfNormalisedMetrics() {
    Cluster a = withMetrics(cluster("a"), MetricRef.global("heat", 1), MetricRef.global("load", 3));
    Cluster b = withMetrics(cluster("b"), MetricRef.global("heat", 1), MetricRef.global("load", 3));
    ClusterMetrics metrics =
        metrics(
            a, MetricValues.of(Map.of("heat", 1.0, "load", 0.2)), // (1 + 0.6) / 4 = 0.4
            b, MetricValues.of(Map.of("heat", 0.0, "load", 0.6))); // (0 + 1.8) / 4 = 0.45

    PlacementDecision decision = decide(app(), metrics, a, b);

    assertThat(decision.cluster()).contains(ResourceRef.to(b));
    assertThat(decision.scores())
        .extracting(ClusterScore::score)
        .satisfiesExactly(
            s -> assertThat(s).isCloseTo(0.4, within(1e-9)),
            s -> assertThat(s).isCloseTo(0.45, within(1e-9)));
  }

  @Test
  void excludesAndReportsClustersWhoseMetricsFail() {
    Cluster failing = withMetrics(cluster("failing"), MetricRef.global("heat", 1));
    Cluster healthy = withMetrics(cluster("healthy"), MetricRef.global("heat", 1));
    ClusterMetrics metrics =
        metrics(
            failing,
            new MetricValues(Map.of(), Map.of("heat", unreachable())),
            healthy,
            MetricValues.of(Map.of("heat", 0.1)));

    PlacementDecision decision = decide(app(), metrics, failing, healthy);

    assertThat(decision.cluster()).contains(ResourceRef.to(healthy));
    assertThat(decision.failingMetrics())
        .containsOnlyKeys(ResourceRef.to(failing))
        .containsEntry(ResourceRef.to(failing), Map.of("heat", unreachable()));
  }

  @Test
  void treatsAPartialFailureAsAFailureOfTheWholeCluster() {
    Cluster c = withMetrics(cluster("c"), MetricRef.global("heat", 1), MetricRef.global("load", 1));
    ClusterMetrics metrics =
        metrics(c, new MetricValues(Map.of("heat", 0.5), Map.of("load", unreachable())));

    PlacementDecision decision = decide(app(), metrics, c);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.NO_SUITABLE_CLUSTER);
    assertThat(decision.failingMetrics().get(ResourceRef.to(c))).containsOnlyKeys("load");
  }

  @Test
  void reportsADeclaredMetricWithoutAValueAsInvalid() {
    Cluster c = withMetrics(cluster("c"), MetricRef.global("heat", 1));

    PlacementDecision decision = decide(app(), ClusterMetrics.NONE, c);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.NO_SUITABLE_CLUSTER);
    assertThat(decision.failingMetrics().get(ResourceRef.to(c)).get("heat").code())
        .isEqualTo(ReasonCode.INVALID_METRIC);
  }

  @Test
  void findsNoClusterWhenAllCandidatesHaveFailingMetrics() {
    Cluster a = withMetrics(cluster("a"), MetricRef.global("heat", 1));
    Cluster b = withMetrics(cluster("b"), MetricRef.global("heat", 1));
    MetricValues failed = new MetricValues(Map.of(), Map.of("heat", unreachable()));

    PlacementDecision decision = decide(app(), metrics(a, failed, b, failed), a, b);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.NO_SUITABLE_CLUSTER);
    assertThat(decision.reason().orElseThrow().code()).isEqualTo(ReasonCode.NO_SUITABLE_RESOURCE);
    assertThat(decision.failingMetrics()).hasSize(2);
  }

  @Test
  void acceptsAFailingMetricsClusterAgainOnceItsMetricsRecover() {
    Cluster recovered =
        withState(
            withMetrics(cluster("c"), MetricRef.global("heat", 1)), ClusterState.FAILING_METRICS);

    PlacementDecision decision =
        decide(app(), metrics(recovered, MetricValues.of(Map.of("heat", 0.5))), recovered);

    assertThat(decision.cluster()).contains(ResourceRef.to(recovered));
  }

  // ---- stickiness and migration ----

  @Test
  void stickinessDecidesAmongClustersWithoutMetrics() {
    Cluster a = cluster("a");
    Cluster b = cluster("b");
    Cluster c = cluster("c");
    Application app = boundTo(app(), b, NOW.minus(Duration.ofHours(1)));

    for (int seed = 0; seed < 20; seed++) {
      Placement p = new Placement(SchedulerConfig.DEFAULTS, new SplittableRandom(seed));
      PlacementDecision decision = p.decide(app, List.of(a, b, c), ClusterMetrics.NONE, NOW);
      assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.KEEP);
      assertThat(decision.cluster()).contains(ResourceRef.to(b));
    }
  }

  @Test
  void metricsBeatStickinessWhenAnotherClusterScoresHigher() {
    Cluster current = withMetrics(cluster("current"), MetricRef.global("heat", 1));
    Cluster better = withMetrics(cluster("better"), MetricRef.global("heat", 1));
    ClusterMetrics metrics =
        metrics(
            current, MetricValues.of(Map.of("heat", 0.2)), // (0.2 + 0.1) / 1.1 = 0.27
            better, MetricValues.of(Map.of("heat", 0.9)));
    Application app = boundTo(app(), current, NOW.minus(Duration.ofMinutes(5)));

    PlacementDecision decision = decide(app, metrics, current, better);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.BIND);
    assertThat(decision.cluster()).contains(ResourceRef.to(better));
  }

  @Test
  void stickinessKeepsTheCurrentClusterAgainstASlightlyBetterOne() {
    Cluster current = withMetrics(cluster("current"), MetricRef.global("heat", 1));
    Cluster other = withMetrics(cluster("other"), MetricRef.global("heat", 1));
    ClusterMetrics metrics =
        metrics(
            current, MetricValues.of(Map.of("heat", 0.5)), // (0.5 + 0.1) / 1.1 = 0.545
            other, MetricValues.of(Map.of("heat", 0.54)));
    Application app = boundTo(app(), current, NOW.minus(Duration.ofMinutes(5)));

    PlacementDecision decision = decide(app, metrics, current, other);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.KEEP);
    assertThat(decision.scores()).filteredOn(ClusterScore::current).hasSize(1);
  }

  @Test
  void doesNotKeepTheCurrentClusterWhenItsMetricsFail() {
    Cluster current = withMetrics(cluster("current"), MetricRef.global("heat", 1));
    Cluster other = withMetrics(cluster("other"), MetricRef.global("heat", 1));
    ClusterMetrics metrics =
        metrics(
            current,
            new MetricValues(Map.of(), Map.of("heat", unreachable())),
            other,
            MetricValues.of(Map.of("heat", 0.1)));
    Application app = boundTo(app(), current, NOW.minusSeconds(1));

    PlacementDecision decision = decide(app, metrics, current, other);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.BIND);
    assertThat(decision.cluster()).contains(ResourceRef.to(other));
    assertThat(decision.failingMetrics()).containsOnlyKeys(ResourceRef.to(current));
  }

  @Test
  void keepsAStillMatchingClusterWithinRescheduleAfterEvenIfAnotherScoresHigher() {
    Cluster current = withMetrics(cluster("current"), MetricRef.global("heat", 1));
    Cluster better = withMetrics(cluster("better"), MetricRef.global("heat", 1));
    ClusterMetrics metrics =
        metrics(
            current, MetricValues.of(Map.of("heat", 0.0)),
            better, MetricValues.of(Map.of("heat", 1.0)));
    Application app = boundTo(app(), current, NOW.minus(Duration.ofSeconds(59)));

    PlacementDecision decision = decide(app, metrics, current, better);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.KEEP);
    assertThat(decision.cluster()).contains(ResourceRef.to(current));
    assertThat(decision.scores()).isEmpty();
    assertThat(Binding.triggerIfModified(app, NOW)).isSameAs(app);
  }

  @Test
  void migratesToABetterClusterOnceRescheduleAfterHasPassedSinceScheduled() {
    Cluster current = withMetrics(cluster("current"), MetricRef.global("heat", 1));
    Cluster better = withMetrics(cluster("better"), MetricRef.global("heat", 1));
    ClusterMetrics metrics =
        metrics(
            current, MetricValues.of(Map.of("heat", 0.0)),
            better, MetricValues.of(Map.of("heat", 1.0)));
    Application app = boundTo(app(), current, NOW.minus(Duration.ofSeconds(60)));

    PlacementDecision decision = decide(app, metrics, current, better);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.BIND);
    assertThat(decision.cluster()).contains(ResourceRef.to(better));
  }

  @Test
  void leavesTheWindowWhenTheCurrentClusterNoLongerMatches() {
    Cluster current = labelled(cluster("current"), Map.of("location", "FR"));
    Cluster other = labelled(cluster("other"), Map.of("location", "DE"));
    Application app = boundTo(app(labels("location is DE")), current, NOW.minusSeconds(1));

    PlacementDecision decision = decide(app, ClusterMetrics.NONE, current, other);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.BIND);
    assertThat(decision.cluster()).contains(ResourceRef.to(other));
  }

  @Test
  void keepsTheBindingWhenMigrationIsDisabled() {
    Cluster current = labelled(cluster("current"), Map.of("location", "FR"));
    Cluster other = labelled(cluster("other"), Map.of("location", "DE"));
    Application app =
        boundTo(
            app()
                .withSpec(
                    app()
                        .spec()
                        .withConstraints(
                            Constraints.of(labels("location is DE")).withMigration(false))),
            current,
            NOW.minus(Duration.ofDays(1)));

    PlacementDecision decision = decide(app, ClusterMetrics.NONE, current, other);

    assertThat(decision.outcome()).isEqualTo(PlacementDecision.Outcome.KEEP);
    assertThat(decision.cluster()).contains(ResourceRef.to(current));
  }

  @Test
  void bindsAnUnboundApplicationEvenWhenMigrationIsDisabled() {
    Cluster only = cluster("only");
    Application app =
        app().withSpec(app().spec().withConstraints(Constraints.NONE.withMigration(false)));

    assertThat(decide(app, ClusterMetrics.NONE, only).outcome())
        .isEqualTo(PlacementDecision.Outcome.BIND);
  }

  // ---- ties ----

  @Test
  void breaksTiesDeterministicallyWithASeededGenerator() {
    List<Cluster> clusters = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      clusters.add(cluster("c" + i));
    }

    List<ResourceRef> first = new ArrayList<>();
    List<ResourceRef> second = new ArrayList<>();
    Placement one = new Placement(SchedulerConfig.DEFAULTS, new SplittableRandom(7));
    Placement two = new Placement(SchedulerConfig.DEFAULTS, new SplittableRandom(7));
    for (int i = 0; i < 50; i++) {
      first.add(one.decide(app(), clusters, ClusterMetrics.NONE, NOW).cluster().orElseThrow());
      second.add(two.decide(app(), clusters, ClusterMetrics.NONE, NOW).cluster().orElseThrow());
    }

    assertThat(first).isEqualTo(second);
    Set<ResourceRef> chosen = new HashSet<>(first);
    assertThat(chosen).as("ties spread over the tied clusters").hasSizeGreaterThan(1);
  }

  @Test
  void usesTheGeneratorOnlyAmongTheBestScores() {
    Cluster low = withMetrics(cluster("low"), MetricRef.global("heat", 1));
    Cluster high1 = withMetrics(cluster("high1"), MetricRef.global("heat", 1));
    Cluster high2 = withMetrics(cluster("high2"), MetricRef.global("heat", 1));
    ClusterMetrics metrics =
        metrics(
            low, MetricValues.of(Map.of("heat", 0.1)),
            high1, MetricValues.of(Map.of("heat", 0.8)),
            high2, MetricValues.of(Map.of("heat", 0.8)));

    for (int seed = 0; seed < 20; seed++) {
      Placement p = new Placement(SchedulerConfig.DEFAULTS, new SplittableRandom(seed));
      assertThat(p.decide(app(), List.of(low, high1, high2), metrics, NOW).cluster())
          .isNotEqualTo(Optional.of(ResourceRef.to(low)));
    }
  }
}
