package cloud.krake.k8s.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A LoadBalancer Service observed through Krake's default observer schema ({@code
 * status.load_balancer.ingress}, Krake's snake_case name): once the cloud assigns the load
 * balancer's address, it is in the application's {@code last_observed_manifest} and in {@code
 * status.services}.
 */
class LoadBalancerIT {

  private static final String MANIFEST =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web}
      spec:
        type: LoadBalancer
        selector: {app: web}
        ports: [{port: 8080, targetPort: 80}]
      """;

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

  @Test
  void theAssignedIngressIsObservedAndRecordedAsTheServicesAddress() {
    env.create("lb", KrakeJson.readAll(MANIFEST, ObjectNode.class), List.of(), List.of(), "a");
    Application running = env.awaitRunningOn("lb", env.a);
    assertThat(running.status().services()).containsEntry("web", "<pending>:8080");

    env.a.updateStatus(
        "v1",
        "Service",
        "default",
        "web",
        service -> {
          service
              .putObject("status")
              .putObject("loadBalancer")
              .putArray("ingress")
              .addObject()
              .put("ip", "203.0.113.7");
          return service;
        });

    Application observed =
        env.await("lb", app -> "203.0.113.7:8080".equals(app.status().services().get("web")));
    ObjectNode service = observed.status().lastObservedManifest().get(0);
    assertThat(service.at("/status/load_balancer/ingress/0/ip").asText()).isEqualTo("203.0.113.7");
    assertThat(observed.status().lastAppliedManifest().get(0).at("/status").has("load_balancer"))
        .as("the applied manifest keeps Kubernetes' field names")
        .isFalse();
  }
}
