package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.TIMEOUT;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.store.Watch;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Krake's own hook samples with pods that really run: the local kubelet starts the sample's
 * unmodified Python script in a sandbox, with the token, URL and certificates the library injected,
 * and the script calls the hook endpoint over mutual TLS.
 */
class KubeletHooksIT {

  private final MemoryStore store = MemoryStore.create();
  private FakeClusters env;
  private LocalKubelet kubeletA;
  private LocalKubelet kubeletB;

  @BeforeEach
  void start() {
    env = new FakeClusters(store);
    kubeletA = LocalKubelet.builder(env.a).build();
    kubeletB = LocalKubelet.builder(env.b).build();
    env.registerClusters();
  }

  @AfterEach
  void stop() {
    env.krake.close();
    kubeletA.close();
    kubeletB.close();
    env.close();
    store.close();
  }

  @Test
  void hookCompleteSampleScriptCompletesItsApplicationOverMutualTls() {
    env.create("complete", documents("hook-complete.yaml"), List.of(), List.of("complete"), "a");

    env.awaitGone("complete");

    awaitEmpty(env.a);
  }

  @Test
  void hookShutdownSampleScriptAcknowledgesItsDeletion() {
    deployShutdownSample("shutdown");
    List<ApplicationState> states = new CopyOnWriteArrayList<>();
    Watch watch =
        env.krake
            .applications()
            .watch(NS, store.revision() + 1, e -> states.add(e.resource().status().state()));
    try {

      env.krake.applications().delete(NS, "shutdown");

      env.awaitGone("shutdown");
      assertThat(states)
          .as(() -> "acknowledged by the script before deletion; pod logs: " + podLogs())
          .containsSubsequence(
              ApplicationState.WAITING_FOR_CLEANING,
              ApplicationState.READY_FOR_ACTION,
              ApplicationState.DELETING);
    } finally {
      watch.close();
    }
    awaitEmpty(env.a);
  }

  /**
   * The sample's script serves {@code PUT /shutdown} on port 10000 of the pod; pods share the
   * host's network here, so the cluster's NodePort of the {@code shutdown} Service is routed to
   * that port, as a cluster's kube-proxy would route it to the pod.
   */
  private Application deployShutdownSample(String name) {
    env.create(name, documents("hook-shutdown.yaml"), List.of(), List.of("shutdown"), "a");
    env.awaitRunningOn(name, env.a);
    ObjectNode service = env.a.get("v1", "Service", "default", "shutdown").orElseThrow();
    ((ObjectNode) service.at("/spec/ports/0")).put("nodePort", 10000);
    env.a.put(service);
    Application routed =
        env.await(name, app -> "127.0.0.1:10000".equals(app.status().services().get("shutdown")));
    // The pod is running; wait until its script listens (as a readiness probe would).
    await().atMost(TIMEOUT).ignoreExceptions().until(KubeletHooksIT::listening);
    return routed;
  }

  private static boolean listening() throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), 10000), 1000);
      return true;
    }
  }

  private String podLogs() {
    StringBuilder logs = new StringBuilder();
    for (ObjectNode pod : env.a.list("v1", "Pod")) {
      String name = pod.at("/metadata/name").asText();
      logs.append(name).append(": ").append(kubeletA.logs("default", name, "shutdown"));
    }
    return logs.toString();
  }

  private static void awaitEmpty(FakeKubernetesApiServer cluster) {
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.objects()).isEmpty());
  }
}
