package cloud.krake.benchmarks;

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
import cloud.krake.model.MetricRef;
import cloud.krake.model.ResourceRef;
import cloud.krake.scheduler.ClusterMetrics;
import cloud.krake.scheduler.MetricValues;
import cloud.krake.scheduler.SchedulerConfig;
import cloud.krake.scheduler.internal.Placement;
import cloud.krake.scheduler.internal.PlacementDecision;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Placement decisions per second ({@link Placement#decide}) for one application with two label
 * constraints over {@link #clusters} clusters, each with two labels and two metrics whose
 * normalised values are precomputed (as when the metrics cache is warm). Half of the clusters match
 * the labels; the application is unbound, so every decision filters and ranks all clusters.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar Placement}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class PlacementBenchmark {

  /** How many clusters the namespace holds. */
  @Param({"100", "1000", "10000"})
  public int clusters;

  private Placement placement;
  private Application app;
  private List<Cluster> candidates;
  private ClusterMetrics metrics;
  private final Instant now = Instant.parse("2026-01-01T12:00:00Z");

  /** Builds the clusters and their metric values. */
  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom random = new SplittableRandom(1);
    placement = new Placement(SchedulerConfig.DEFAULTS, new SplittableRandom(2));
    app =
        Application.of(
            Metadata.of("bench", "app"),
            ApplicationSpec.of(
                List.of(),
                Constraints.of(
                    ClusterConstraints.NONE.withLabels(
                        List.of(
                            LabelConstraint.parse("location in (DE, FR)"),
                            LabelConstraint.parse("tier is not bronze"))))));
    candidates = new ArrayList<>(clusters);
    Map<ResourceRef, MetricValues> values = new HashMap<>();
    String[] locations = {"DE", "FR", "IT", "ES"};
    String[] tiers = {"gold", "silver", "bronze"};
    for (int i = 0; i < clusters; i++) {
      Cluster cluster =
          Cluster.of(
                  Metadata.of("bench", String.format("cluster-%05d", i))
                      .withLabels(
                          Map.of(
                              "location", locations[i % locations.length],
                              "tier", tiers[i % tiers.length])),
                  ClusterSpec.ofKubeconfig(JsonNodeFactory.instance.objectNode())
                      .withMetrics(
                          List.of(MetricRef.global("heat", 1.0), MetricRef.global("load", 2.0))))
              .withStatus(ClusterStatus.initial().withState(ClusterState.ONLINE));
      candidates.add(cluster);
      values.put(
          ResourceRef.to(cluster),
          MetricValues.of(Map.of("heat", random.nextDouble(), "load", random.nextDouble())));
    }
    metrics = new ClusterMetrics(values);
  }

  /**
   * One placement decision.
   *
   * @return the decision, so that it is not optimised away
   */
  @Benchmark
  public PlacementDecision decide() {
    return placement.decide(app, candidates, metrics, now);
  }
}
