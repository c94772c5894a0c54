package cloud.krake.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.TestClusters;
import cloud.krake.model.Application;
import cloud.krake.model.Cloud;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.MetricRef;
import cloud.krake.model.Resource;
import cloud.krake.model.ResourceRef;
import cloud.krake.store.memory.MemoryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Clusters placed on a cloud take its labels and metrics for scheduling, as in Krake's scheduler
 * test {@code test_kubernetes_select_cluster_with_inherited_metrics} and its user stories 7 ("Label
 * inheritance for Clusters") and 8 ("Metric inheritance for Clusters"), in this library's terms:
 * the clusters are registered, placed on their clouds by {@code status.scheduled_to}, and the
 * scheduler binds an application whose constraints only the inherited values satisfy.
 */
class CloudInheritanceTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static final String NS = "testing";

  private final MemoryStore store = MemoryStore.create();
  private final SchedulerFixture fixture = new SchedulerFixture(store, T0);
  private final Krake krake = fixture.krake;

  @BeforeEach
  void startWatching() {
    fixture.watch();
    // Krake's support/static_metrics.yaml, as in user story 8.
    krake
        .globalMetricsProviders()
        .create(
            KrakeJson.read(
                """
                metadata: {name: static_provider}
                spec:
                  type: static
                  static: {metrics: {electricity_cost_1: 0.9, green_energy_ratio_1: 0.1, load: 1}}
                """,
                GlobalMetricsProvider.class));
    for (String metric : new String[] {"electricity_cost_1", "green_energy_ratio_1", "load"}) {
      krake
          .globalMetrics()
          .create(
              KrakeJson.read(
                  """
                  metadata: {name: %s}
                  spec: {min: 0, max: 1, provider: {name: static_provider, metric: %s}}
                  """
                      .formatted(metric, metric),
                  GlobalMetric.class));
    }
  }

  @AfterEach
  void close() {
    fixture.close();
    store.close();
  }

  private Cloud cloud(String name, String labels, String metrics) {
    return krake
        .clouds()
        .create(
            KrakeJson.read(
                """
                metadata: {name: %s, namespace: testing, labels: %s}
                spec:
                  type: openstack
                  openstack:
                    url: https://keystone.example:5000/v3
                    auth:
                      type: password
                      password:
                        version: "3"
                        user: {username: krake, password: s3cret, domain_name: Default}
                        project: {name: krake, domain_id: default}
                    metrics: %s
                    infrastructure_provider: {name: im-provider, namespaced: false}
                """
                    .formatted(name, labels, metrics),
                Cloud.class));
  }

  /** A registered cluster, ONLINE, placed on {@code cloud} (Krake's {@code scheduled_to}). */
  private Cluster clusterOn(
      Resource<?> cloud, String name, String metadataExtra, String specExtra) {
    krake
        .clusters()
        .create(
            TestClusters.read(
                "{name: %s, namespace: testing %s}".formatted(name, metadataExtra),
                "metrics: []\n" + specExtra));
    ResourceRef ref = ResourceRef.to(cloud);
    return krake
        .clusters()
        .modifyStatus(
            NS,
            name,
            c ->
                c.status()
                    .withState(ClusterState.ONLINE)
                    .withScheduledTo(Optional.of(ref))
                    .withRunningOn(Optional.of(ref)));
  }

  private void app(String constraints) {
    krake
        .applications()
        .create(
            KrakeJson.read(
                """
                metadata: {name: echo, namespace: testing}
                spec:
                  manifest: [{apiVersion: v1, kind: Pod, metadata: {name: echo}}]
                  constraints: {cluster: %s}
                """
                    .formatted(constraints),
                Application.class));
  }

  private Optional<ResourceRef> boundTo() {
    return krake.applications().require(NS, "echo").status().scheduledTo();
  }

  @Test
  void selectsTheClusterWithMetricsInheritedFromItsCloud() {
    // Krake: test_kubernetes_select_cluster_with_inherited_metrics.
    Cloud cloud = cloud("test", "{}", "[{name: load, weight: 6.0, namespaced: false}]");
    Cluster cluster = clusterOn(cloud, "c", "", "inherit_metrics: true");
    app("{metrics: [\"load > 5\"]}");

    fixture.settle();

    assertThat(boundTo()).contains(ResourceRef.to(cluster));
  }

  @Test
  void userStory7AClusterWithInheritLabelsTakesTheLabelsOfItsCloud() {
    Cloud de = cloud("os-cloud-1", "{location: DE}", "[]");
    Cloud sk = cloud("os-cloud-2", "{location: SK}", "[]");
    Cluster onDe = clusterOn(de, "my-cluster", ", inherit_labels: true", "");
    clusterOn(sk, "other-cluster", ", inherit_labels: true", "");
    app("{labels: [\"location is DE\"]}");

    fixture.settle();

    assertThat(boundTo()).contains(ResourceRef.to(onDe));
  }

  @Test
  void userStory7ALabelConstraintOnTheCloudInheritsThatLabel() {
    Cloud de = cloud("os-cloud-1", "{location: DE, tier: gold}", "[]");
    Cluster cluster =
        clusterOn(de, "my-cluster", "", "constraints: {cloud: {labels: [\"location=DE\"]}}");
    app("{labels: [\"location is DE\"]}");

    fixture.settle();

    assertThat(boundTo()).contains(ResourceRef.to(cluster));
    Cluster effective = new CloudInheritance(krake).effective(cluster);
    assertThat(effective.metadata().labels()).containsExactly(Map.entry("location", "DE"));
    assertThat(krake.clusters().require(NS, "my-cluster").metadata().labels()).isEmpty();
  }

  @Test
  void theCloudsLabelWinsOverTheClustersOnAConflict() {
    Cloud de = cloud("os-cloud-1", "{location: DE}", "[]");
    Cluster cluster =
        clusterOn(de, "my-cluster", ", labels: {location: FR}, inherit_labels: true", "");

    Cluster effective = new CloudInheritance(krake).effective(cluster);

    assertThat(effective.metadata().labels()).containsEntry("location", "DE");
  }

  @Test
  void userStory8ClustersRankedByTheMetricsOfTheirClouds() {
    Cloud one =
        cloud(
            "os-cloud-1",
            "{}",
            "[{name: electricity_cost_1, weight: 1}, {name: green_energy_ratio_1, weight: 10}]");
    Cloud two =
        cloud(
            "os-cloud-2",
            "{}",
            "[{name: electricity_cost_1, weight: 10}, {name: green_energy_ratio_1, weight: 1}]");
    clusterOn(one, "on-one", "", "inherit_metrics: true");
    Cluster onTwo = clusterOn(two, "on-two", "", "inherit_metrics: true");
    // Only clusters with a metric value get past this constraint: without inheritance none has.
    app("{metrics: [\"electricity_cost_1 > 0.5\"]}");

    fixture.settle();

    // 10 * 0.9 + 1 * 0.1 = 9.1 against 1 * 0.9 + 10 * 0.1 = 1.9, as in the user story
    assertThat(boundTo()).contains(ResourceRef.to(onTwo));
  }

  @Test
  void userStory8AMetricConstraintOnTheCloudInheritsOnlyThatMetric() {
    Cloud one =
        cloud(
            "os-cloud-1",
            "{}",
            "[{name: electricity_cost_1, weight: 1}, {name: green_energy_ratio_1, weight: 10}]");
    Cluster cluster =
        clusterOn(
            one, "my-cluster", "", "constraints: {cloud: {metrics: [\"green_energy_ratio_1>5\"]}}");
    app("{metrics: [\"green_energy_ratio_1 > 0.5\"]}");

    fixture.settle();

    assertThat(boundTo()).contains(ResourceRef.to(cluster));
    assertThat(new CloudInheritance(krake).effective(cluster).spec().metrics())
        .containsExactly(MetricRef.global("green_energy_ratio_1", 10));
  }

  @Test
  void aClusterOnAGlobalCloudInheritsItsLabels() {
    GlobalCloud cloud =
        krake
            .globalClouds()
            .create(
                KrakeJson.read(
                    """
                    metadata: {name: test, labels: {location: IT}}
                    spec:
                      type: openstack
                      openstack:
                        url: https://keystone.example:5000/v3
                        auth: {type: password, password: {user: {username: u, password: p}}}
                        infrastructure_provider: {name: im-provider}
                    """,
                    GlobalCloud.class));
    Cluster cluster = clusterOn(cloud, "c", ", inherit_labels: true", "");
    app("{labels: [\"location is IT\"]}");

    fixture.settle();

    assertThat(boundTo()).contains(ResourceRef.to(cluster));
  }

  @Test
  void aClusterIsBoundOnceItsCloudGetsTheWantedLabel() {
    Cloud cloud = cloud("os-cloud-1", "{location: SK}", "[]");
    Cluster cluster = clusterOn(cloud, "my-cluster", ", inherit_labels: true", "");
    app("{labels: [\"location is DE\"]}");
    fixture.settle();
    assertThat(boundTo()).isEmpty();

    krake
        .clouds()
        .modify(
            NS,
            "os-cloud-1",
            c -> c.withMetadata(c.metadata().withLabels(Map.of("location", "DE"))));
    fixture.timers.advance(Duration.ofSeconds(1));
    fixture.settle();

    assertThat(boundTo()).contains(ResourceRef.to(cluster));
  }
}
