package cloud.krake.examples.metrics;

import cloud.krake.Krake;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.metrics.HttpMetricsProviders;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.ClusterState;
import cloud.krake.model.Constraints;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.MetricRef;
import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.model.Resource;
import cloud.krake.model.ResourceRef;
import cloud.krake.model.StaticSpec;
import cloud.krake.scheduler.SchedulerConfig;
import cloud.krake.scheduler.metrics.MetricsProviders;
import cloud.krake.scheduler.metrics.StaticMetricsProvider;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Scheduling with metrics from two kinds of providers, as Krake's scheduler: each cluster declares
 * two weighted metrics, {@code green_energy_<cluster>} from a provider of type {@code prometheus}
 * (named {@code grid}) and {@code spare_capacity_<cluster>} from one of type {@code static} (named
 * {@code inventory}, maintained by the host). The application lands on the cluster with the higher
 * score {@code sum(weight * normalised value) / sum(weight)}; when the host changes the spare
 * capacities, the scheduler ranks again after {@code reschedule_after} (2 s here) and the backend
 * migrates the application to the new winner.
 *
 * <p>Run: {@code java -cp examples/target/krake-examples.jar
 * cloud.krake.examples.metrics.MetricsScheduling http://127.0.0.1:9090}, with a Prometheus that has
 * the gauges {@code green_energy_de} and {@code green_energy_fr} (values in [0, 1]). Without the
 * argument the {@code grid} provider is a static one with the values 0.9 (de) and 0.3 (fr).
 */
public final class MetricsScheduling {

  /** The green energy values of the static stand-in for Prometheus. */
  public static final Map<String, Double> STATIC_GREEN_ENERGY =
      Map.of("green_energy_de", 0.9, "green_energy_fr", 0.3);

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private MetricsScheduling() {}

  /**
   * Where the application ran.
   *
   * @param placedOn the cluster it was placed on first
   * @param movedTo the cluster it ran on after the spare capacities changed
   */
  public record Outcome(String placedOn, String movedTo) {}

  /**
   * Runs the example; exits 0 when the application moved, 1 otherwise.
   *
   * @param args optionally the URL of a Prometheus with the gauges {@code green_energy_de} and
   *     {@code green_energy_fr}
   */
  public static void main(String[] args) {
    Optional<URI> prometheus = Optional.empty();
    if (args.length > 0) {
      prometheus = Optional.of(URI.create(args[0]));
    } else {
      System.out.println(
          "No Prometheus URL given: the grid metrics come from a static provider instead "
              + STATIC_GREEN_ENERGY
              + ". Pass the URL of a Prometheus that has the gauges green_energy_de and"
              + " green_energy_fr to read them from there.");
    }
    try {
      Outcome outcome = run(System.out, prometheus);
      System.exit(outcome.placedOn().equals(outcome.movedTo()) ? 1 : 0);
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Runs the example.
   *
   * @param out where to print
   * @param prometheus the Prometheus to read {@code green_energy_*} from, or empty for the static
   *     values {@link #STATIC_GREEN_ENERGY}
   * @return where the application ran before and after the change
   * @throws cloud.krake.KrakeException if a step did not happen within 30 s
   */
  public static Outcome run(PrintStream out, Optional<URI> prometheus) {
    try (FakeKubernetesApiServer de = FakeKubernetesApiServer.builder().name("de").build();
        FakeKubernetesApiServer fr = FakeKubernetesApiServer.builder().name("fr").build();
        MemoryStore store = MemoryStore.create();
        HttpMetricsProviders http = HttpMetricsProviders.builder().build()) {
      // tag::providers[]
      Krake krake =
          Krake.builder()
              .store(store)
              .metricsProviders(
                  MetricsProviders.builder()
                      .register(StaticMetricsProvider.TYPE, StaticMetricsProvider.FACTORY)
                      .register("prometheus", http)
                      .build())
              .metricsCacheTtl(Duration.ZERO)
              .schedulerConfig(
                  new SchedulerConfig(SchedulerConfig.DEFAULT_STICKINESS, Duration.ofSeconds(2)))
              .extension(
                  KubernetesBackend.builder()
                      .connector(KubeconfigClusterConnector.builder().build())
                      .build())
              .build();
      // end::providers[]
      try (krake) {
        krake.start();
        return demo(out, krake, prometheus, de, fr);
      }
    }
  }

  private static Outcome demo(
      PrintStream out,
      Krake krake,
      Optional<URI> prometheus,
      FakeKubernetesApiServer de,
      FakeKubernetesApiServer fr) {
    // tag::metrics[]
    String grid =
        prometheus
            .map(url -> "type: prometheus\n  prometheus: {url: \"" + url + "\"}")
            .orElse(
                "type: static\n  static: {metrics: {green_energy_de: 0.9, green_energy_fr: 0.3}}");
    String metrics =
        """
        api: core
        kind: GlobalMetricsProvider
        metadata: {name: grid}
        spec:
          %s
        ---
        api: core
        kind: GlobalMetricsProvider
        metadata: {name: inventory}
        spec:
          type: static
          static: {metrics: {spare_capacity_de: 0.5, spare_capacity_fr: 0.5}}
        """
            .formatted(grid);
    for (String cluster : List.of("de", "fr")) {
      metrics +=
          """
          ---
          api: core
          kind: GlobalMetric
          metadata: {name: green_energy_%1$s}
          spec: {min: 0, max: 1, provider: {name: grid, metric: green_energy_%1$s}}
          ---
          api: core
          kind: GlobalMetric
          metadata: {name: spare_capacity_%1$s}
          spec: {min: 0, max: 1, provider: {name: inventory, metric: spare_capacity_%1$s}}
          """
              .formatted(cluster);
    }
    for (Resource<?> resource : KrakeJson.readAllResources(metrics)) {
      if (resource instanceof GlobalMetricsProvider provider) {
        krake.globalMetricsProviders().create(provider);
      } else if (resource instanceof GlobalMetric metric) {
        krake.globalMetrics().create(metric);
      }
    }
    // end::metrics[]
    out.println(
        "grid metrics from "
            + prometheus.map(url -> "Prometheus at " + url).orElse("a static provider"));

    for (FakeKubernetesApiServer cluster : List.of(de, fr)) {
      // tag::weights[]
      String name = cluster.name();
      ClusterSpec spec =
          ClusterSpec.ofKubeconfig(KrakeJson.read(cluster.kubeconfig(), ObjectNode.class))
              .withMetrics(
                  List.of(
                      MetricRef.global("green_energy_" + name, 1.0),
                      MetricRef.global("spare_capacity_" + name, 1.0)));
      krake.clusters().create(Cluster.of(Metadata.of("default", name), spec));
      // end::weights[]
      krake.awaitCluster("default", name, c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
    }

    String manifest =
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: render-farm}
        data: {frames: "1-250"}
        """;
    krake
        .applications()
        .create(
            Application.of(
                Metadata.of("default", "render-farm"),
                ApplicationSpec.of(
                    KrakeJson.readAll(manifest, ObjectNode.class), Constraints.NONE)));
    String placedOn = runningOn(krake, a -> true);
    out.println("render-farm: placed on " + placedOn + " (spare capacity 0.5 on both)");

    // tag::change[]
    String other = placedOn.equals("de") ? "fr" : "de";
    krake
        .globalMetricsProviders()
        .modify(
            "",
            "inventory",
            p ->
                GlobalMetricsProvider.of(
                    p.metadata(),
                    MetricsProviderSpec.of(
                        new StaticSpec(
                            Map.of(
                                "spare_capacity_" + placedOn, 0.0,
                                "spare_capacity_" + other, 1.0)))));
    // end::change[]
    out.println("inventory: spare capacity of " + placedOn + " 0.0, of " + other + " 1.0");
    String movedTo = runningOn(krake, other::equals);
    out.println("render-farm: migrated to " + movedTo);
    boolean left =
        (placedOn.equals("de") ? de : fr)
            .objects().stream()
                .anyMatch(o -> o.at("/metadata/name").asText().equals("render-farm"));
    out.println("render-farm: left behind on " + placedOn + ": " + left);

    krake.applications().delete("default", "render-farm");
    krake.awaitApplicationGone("default", "render-farm", TIMEOUT);
    return new Outcome(placedOn, movedTo);
  }

  /** Waits until the application runs on a cluster whose name passes the test. */
  private static String runningOn(Krake krake, java.util.function.Predicate<String> cluster) {
    Application app =
        krake.awaitApplication(
            "default",
            "render-farm",
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().runningOn().map(ResourceRef::name).filter(cluster).isPresent(),
            TIMEOUT);
    return app.status().runningOn().orElseThrow().name();
  }
}
