package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The loops driven step by step on the caller's thread, as a host or a test would. */
class SteppedIT {

  @Test
  void settleDrivesAnApplicationFromCreationToRunningAndAway() {
    try (MemoryStore store = MemoryStore.create();
        FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name("one").build();
        Krake krake =
            Krake.builder()
                .store(store)
                .extension(
                    KubernetesBackend.builder()
                        .connector(KubeconfigClusterConnector.builder().build())
                        .build())
                .build()) {
      krake.watch();
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      doc.putObject("metadata").put("name", "one").put("namespace", NS);
      doc.putObject("spec").set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
      krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
      krake.settle(Duration.ofSeconds(30));
      assertThat(krake.clusters().require(NS, "one").status().state())
          .isEqualTo(ClusterState.ONLINE);

      ObjectNode app = JsonNodeFactory.instance.objectNode();
      app.putObject("metadata").put("name", "echo").put("namespace", NS);
      ObjectNode spec = app.putObject("spec");
      spec.putArray("manifest").addAll(documents("echo.yaml"));
      spec.putObject("constraints").putObject("cluster").putArray("labels");
      krake.applications().create(KrakeJson.convert(app, Application.class));

      krake.settle(Duration.ofSeconds(30));

      Application running = krake.applications().require(NS, "echo");
      assertThat(running.status().state()).isEqualTo(ApplicationState.RUNNING);
      assertThat(fake.get("apps/v1", "Deployment", "default", "echo-demo")).isPresent();

      krake.applications().delete(NS, "echo");
      krake.settle(Duration.ofSeconds(30));

      assertThat(krake.applications().get(NS, "echo")).isEmpty();
      assertThat(fake.objects()).isEmpty();
    }
  }
}
