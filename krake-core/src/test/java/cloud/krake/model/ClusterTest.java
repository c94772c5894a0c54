package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterTest {

  private static Cluster cluster() {
    return KrakeJson.read(Fixtures.CLUSTER, Cluster.class);
  }

  @Test
  void readsKrakeClusterWithDefaults() {
    Cluster cluster = cluster();

    assertThat(cluster.validate()).isEmpty();
    assertThat(cluster.spec().metrics())
        .containsExactly(
            MetricRef.global("heat_demand_zone_1", 0.9),
            new MetricRef("electricity_cost_1", 0.1, true));
    assertThat(cluster.spec().backoffLimit()).isEqualTo(-1);
    assertThat(cluster.spec().constraints()).isEqualTo(ClusterCloudConstraints.NONE);
    assertThat(cluster.status().state()).isEqualTo(ClusterState.ONLINE);
    assertThat(cluster.status().metricsReasons().get("heat_demand_zone_1").code())
        .isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(cluster.status().nodes()).hasSize(1);
    assertThat(cluster.status().retries()).isEqualTo(2);
    assertThat(ClusterStatus.initial().state()).isEqualTo(ClusterState.PENDING);
  }

  @Test
  void writesClusterFieldsInSnakeCase() {
    String json = KrakeJson.write(cluster());

    assertThat(json)
        .contains("\"custom_resources\":[\"crontabs.stable.example.com\"]")
        .contains("\"metrics_reasons\":{")
        .contains("\"inherit_metrics\":false")
        .contains("\"state\":\"ONLINE\"")
        .contains("\"current-context\":\"admin@c1\"");
  }

  @Test
  void requiresExactlyOneContextUserAndCluster() {
    ObjectNode kubeconfig = cluster().spec().kubeconfig().deepCopy();
    kubeconfig.withArray("contexts").add(kubeconfig.withArray("contexts").get(0).deepCopy());
    kubeconfig.remove("users");
    kubeconfig.withArray("clusters").removeAll();

    Cluster cluster = cluster().withSpec(cluster().spec().withKubeconfig(kubeconfig));

    assertThat(cluster.validate())
        .extracting(FieldError::field)
        .containsExactly(
            "spec.kubeconfig.contexts", "spec.kubeconfig.users", "spec.kubeconfig.clusters");
  }

  @Test
  void checksKubeconfigReferences() {
    ObjectNode kubeconfig = cluster().spec().kubeconfig().deepCopy();
    kubeconfig.put("current-context", "other");
    ((ObjectNode) kubeconfig.get("contexts").get(0).get("context")).put("user", "nobody");

    Cluster cluster = cluster().withSpec(cluster().spec().withKubeconfig(kubeconfig));

    assertThat(cluster.validate())
        .extracting(FieldError::field)
        .containsExactly(
            "spec.kubeconfig.current-context", "spec.kubeconfig.contexts[0].context.user");
  }

  @Test
  void requiresKubeconfigOrTosca() {
    Cluster empty =
        Cluster.of(
            Metadata.of("ns", "c"),
            ClusterSpec.ofKubeconfig(KrakeJson.mapper().createObjectNode()));
    Cluster tosca =
        KrakeJson.read(
            "metadata: {name: c}\nspec: {tosca: {topology_template: {outputs: {kubeconfig: {}}}}}",
            Cluster.class);
    Cluster badTosca =
        KrakeJson.read(
            "metadata: {name: c}\nspec: {tosca: {topology_template: {}}}", Cluster.class);

    assertThat(empty.validate()).extracting(FieldError::field).containsExactly("spec.kubeconfig");
    assertThat(tosca.validate()).isEmpty();
    assertThat(badTosca.validate())
        .extracting(FieldError::field)
        .containsExactly("spec.tosca.topology_template.outputs.kubeconfig");
  }

  @Test
  void redactsKubeconfigCredentialsInToString() {
    Cluster cluster = cluster();

    String text = cluster.toString();

    assertThat(text)
        .doesNotContain(
            "S0VZLVNFQ1JFVC0xMjM=", "bearer-secret-456", "hunter2-secret", "exec-secret-789")
        .contains("\"token\":\"<redacted>\"")
        .contains("\"client-key-data\":\"<redacted>\"")
        .contains("\"exec\":\"<redacted>\"")
        .contains("Q0VSVC1QVUJMSUM=")
        .contains("https://127.0.0.1:6443");
    assertThat(cluster.spec().kubeconfig().toString()).contains("bearer-secret-456");
  }

  @Test
  void readsCloudConstraintsOfClusterSpec() {
    Cluster cluster =
        KrakeJson.read(
            Fixtures.CLUSTER.replace(
                "custom_resources: [crontabs.stable.example.com]",
                "constraints: {cloud: {labels: [\"location is DE\"], metrics: [\"load < 1\"]}}"),
            Cluster.class);

    assertThat(cluster.spec().constraints().cloud().labels())
        .containsExactly(LabelConstraint.parse("location = DE"));
    assertThat(cluster.spec().constraints().cloud().metrics())
        .containsExactly(MetricConstraint.parse("load lt 1"));
  }

  @Test
  void copiesStatusFieldsWithWithers() {
    ClusterStatus status =
        ClusterStatus.initial()
            .withState(ClusterState.OFFLINE)
            .withReason(Optional.of(Reason.of(ReasonCode.CLUSTER_NOT_REACHABLE, "down")))
            .withRetries(3)
            .withNodes(List.of());

    assertThat(status.state()).isEqualTo(ClusterState.OFFLINE);
    assertThat(status.retries()).isEqualTo(3);
    assertThat(KrakeJson.write(status)).contains("\"code\":\"CLUSTER_NOT_REACHABLE\"");
  }
}
