package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.ApplyResult;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Applied documents and the application controller's observed generation, stepped. */
class ObservedGenerationIT {

  @Test
  void theControllerObservesTheGenerationOfAnAppliedSpecChange() {
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
      ObjectNode cluster = JsonNodeFactory.instance.objectNode();
      cluster.put("api", "kubernetes").put("kind", "Cluster");
      cluster.putObject("metadata").put("name", "one").put("namespace", NS);
      cluster
          .putObject("spec")
          .set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
      ObjectNode app = JsonNodeFactory.instance.objectNode();
      app.put("api", "kubernetes").put("kind", "Application");
      app.putObject("metadata").put("name", "echo").put("namespace", NS);
      ObjectNode spec = app.putObject("spec");
      spec.putArray("manifest").addAll(documents("echo.yaml"));
      spec.putObject("constraints").putObject("cluster").putArray("labels");
      // The cluster first: an application the scheduler sees before its cluster is ONLINE waits
      // for a scheduling retry (seconds on the system timer), which settle() does not wait for.
      krake.apply(KrakeJson.write(cluster));
      krake.settle(Duration.ofSeconds(30));
      krake.apply(KrakeJson.write(app));
      krake.settle(Duration.ofSeconds(30));
      Application first = krake.applications().require(NS, "echo");
      assertThat(first.status().state()).isEqualTo(ApplicationState.RUNNING);
      assertThat(first.status().observedGeneration()).isEqualTo(1);

      ApplyResult changed =
          krake.apply(
              "api: kubernetes\nkind: Application\n"
                  + "metadata: {name: echo, namespace: "
                  + NS
                  + "}\nspec: {backoff_limit: 5}\n");

      assertThat(changed.applied().get(0).change()).isEqualTo(ApplyResult.Change.UPDATED);
      assertThat(changed.applied().get(0).generation()).isEqualTo(2);
      Application stale = krake.applications().require(NS, "echo");
      assertThat(stale.status().observedGeneration()).isLessThan(stale.metadata().generation());

      krake.settle(Duration.ofSeconds(30));

      Application observed =
          krake.awaitApplicationObserved(
              NS,
              "echo",
              a -> a.status().state() == ApplicationState.RUNNING,
              Duration.ofSeconds(30));
      assertThat(observed.status().observedGeneration()).isEqualTo(2);
    }
  }
}
