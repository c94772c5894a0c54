package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.TIMEOUT;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.ReasonCode;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster controller on node conditions and reachability; cluster deletion cascading to its
 * applications; custom resources allowed by a cluster's {@code custom_resources}.
 */
class ClustersIT {

  private final MemoryStore store = MemoryStore.create();
  private FakeClusters env;

  @BeforeEach
  void start() {
    env = new FakeClusters(store);
    env.registerClusters();
  }

  @AfterEach
  void stop() {
    env.close();
    store.close();
  }

  private Cluster awaitCluster(String name, ClusterState state) {
    return env.krake.awaitCluster(NS, name, c -> c.status().state() == state, TIMEOUT);
  }

  @Test
  void nodeConditionsDecideTheClusterState() {
    Cluster online = awaitCluster("a", ClusterState.ONLINE);
    assertThat(online.status().nodes()).hasSize(1);

    env.a.setNodeCondition("node-1", "MemoryPressure", "True");
    awaitCluster("a", ClusterState.UNHEALTHY);

    env.a.setNodeCondition("node-1", "MemoryPressure", "False");
    env.a.setNodeCondition("node-1", "Ready", "False");
    awaitCluster("a", ClusterState.NOTREADY);

    env.a.setNodeCondition("node-1", "Ready", "True");
    awaitCluster("a", ClusterState.ONLINE);
  }

  @Test
  void anUnreachableApiServerMakesTheClusterOfflineThenConnectingThenOnline() {
    env.a.failRequests(null, null, 503);
    Cluster offline = awaitCluster("a", ClusterState.OFFLINE);
    assertThat(offline.status().reason().orElseThrow().code())
        .isEqualTo(ReasonCode.CLUSTER_NOT_REACHABLE);

    env.a.clearFailures();

    Cluster online = awaitCluster("a", ClusterState.ONLINE);
    assertThat(online.status().reason()).isEmpty();
  }

  @Test
  void deletingAClusterDeletesItsApplicationsAndTheirResourcesFirst() {
    env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
    env.awaitRunningOn("echo", env.a);

    env.krake.clusters().delete(NS, "a");

    env.awaitGone("echo");
    env.krake.await(
        env.krake.clusters(), NS, "a", java.util.Optional::isEmpty, FakeClusters.TIMEOUT);
    assertThat(env.a.objects()).isEmpty();
  }

  @Test
  void aCustomResourceIsAppliedWhenTheClusterListsItsDefinition() {
    ObjectNode crd =
        KrakeJson.read(
            """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: crontabs.stable.example.com}
            spec:
              group: stable.example.com
              scope: Namespaced
              names: {plural: crontabs, singular: crontab, kind: CronTab}
              versions: [{name: v1, served: true, storage: true}]
            """,
            ObjectNode.class);
    env.a.put(crd);
    ObjectNode cronTab =
        KrakeJson.read(
            """
            apiVersion: stable.example.com/v1
            kind: CronTab
            metadata: {name: nightly}
            spec: {cronSpec: "0 3 * * *", image: backup:1}
            """,
            ObjectNode.class);

    env.create("unlisted", List.of(cronTab), List.of(), List.of(), "a");
    Application failed = env.awaitState("unlisted", ApplicationState.FAILED);
    assertThat(failed.status().reason().orElseThrow().code())
        .isEqualTo(ReasonCode.UNSUPPORTED_RESOURCE);

    env.krake
        .clusters()
        .modify(
            NS,
            "a",
            c -> {
              ObjectNode spec = KrakeJson.toObjectNode(c.spec());
              spec.putArray("custom_resources").add("crontabs.stable.example.com");
              return c.withSpec(KrakeJson.convert(spec, c.spec().getClass()));
            });
    env.create("listed", List.of(cronTab.deepCopy()), List.of(), List.of(), "a");
    env.awaitRunningOn("listed", env.a);

    assertThat(env.a.get("stable.example.com/v1", "CronTab", "default", "nightly")).isPresent();
  }
}
