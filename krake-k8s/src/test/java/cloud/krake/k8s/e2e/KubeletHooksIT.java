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
import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hook manifests of the test manifests with pods that really run: the local kubelet starts the
 * manifest's Python script in a sandbox, with the token, URL and certificates the library injected,
 * and the script calls the hook endpoint over mutual TLS. {@link KubeletHooksSamplesConformanceIT}
 * runs the same with Krake's own hook samples. On two fake API servers and on two real control
 * planes, whose node is the local kubelet.
 */
@ParameterizedClass(name = "{0} clusters")
@EnumSource(ClusterSource.class)
@ExtendWith(SharedControlPlanes.class)
class KubeletHooksIT {

  @Parameter ClusterSource source;

  /** The complete-hook manifest file (see {@link FakeClusters#documents}). */
  String completeManifest() {
    return "complete-job.yaml";
  }

  /** The shutdown-hook manifest file, with a Service named {@code shutdown} on port 10000. */
  String shutdownManifest() {
    return "shutdown-statefulset.yaml";
  }

  /** The apiVersion, kind and name of the shutdown manifest's workload. */
  List<String> shutdownWorkload() {
    return List.of("apps/v1", "StatefulSet", "tally");
  }

  /** The container of the shutdown manifest's workload that serves {@code PUT /shutdown}. */
  String shutdownContainer() {
    return "tally";
  }

  private final MemoryStore store = MemoryStore.create();
  private FakeClusters env;
  private LocalKubelet kubeletA;
  private LocalKubelet kubeletB;

  @BeforeEach
  void start() {
    env = new FakeClusters(store, source);
    kubeletA = env.clusterA.kubelet();
    kubeletB = env.clusterB.kubelet();
    env.registerClusters();
  }

  @AfterEach
  void stop() {
    env.close(); // Krake, then the kubelets of fakes and the fakes (a real cluster is emptied)
    store.close();
  }

  @Test
  void completeHookScriptCompletesItsApplicationOverMutualTls() {
    env.create("complete", documents(completeManifest()), List.of(), List.of("complete"), "a");

    env.awaitGone("complete");

    awaitEmpty(env.clusterA);
  }

  @Test
  void shutdownHookScriptAcknowledgesItsDeletion() {
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
    awaitEmpty(env.clusterA);
  }

  @Test
  void shutdownHookScriptAcknowledgesItsMigrationAndItsSuccessorBindsTheSamePort() {
    deployShutdownSample("migrating");
    String podIpOnA = runningPod(env.clusterA).at("/status/podIP").asText();
    List<ApplicationState> states = new CopyOnWriteArrayList<>();
    Watch watch =
        env.krake
            .applications()
            .watch(NS, store.revision() + 1, e -> states.add(e.resource().status().state()));
    try {

      env.moveTo("migrating", "b");

      Application moved = env.awaitRunningOn("migrating", env.clusterB);
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () ->
                  assertThat(states)
                      .as(() -> "acknowledged by the script before the move; logs: " + podLogs())
                      .containsSubsequence(
                          ApplicationState.WAITING_FOR_CLEANING,
                          ApplicationState.READY_FOR_ACTION,
                          ApplicationState.MIGRATING,
                          ApplicationState.RUNNING));
      assertThat(moved.status().shutdownAttempts()).isZero();
    } finally {
      watch.close();
    }
    // The successor binds ("", 10000) in its own network namespace, even while its predecessor
    // may still be in its grace period on a.
    ObjectNode successor =
        await().atMost(TIMEOUT).until(() -> runningPod(env.clusterB), Objects::nonNull);
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> listening(successor));
    String name = successor.at("/metadata/name").asText();
    ObjectNode current = env.clusterB.get("v1", "Pod", "default", name).orElseThrow();
    assertThat(current.at("/status/phase").asText()).isEqualTo("Running");
    assertThat(current.at("/status/containerStatuses/0/restartCount").asInt()).isZero();
    assertThat(current.at("/status/podIP").asText())
        .isNotEqualTo(LocalKubelet.POD_IP)
        .isNotEqualTo(podIpOnA);
    assertThat(kubeletB.logs("default", name, shutdownContainer()))
        .doesNotContain("Address already in use");
    awaitEmpty(env.clusterA);
    List<String> workload = shutdownWorkload();
    assertThat(env.clusterB.get(workload.get(0), workload.get(1), "default", workload.get(2)))
        .isPresent();
  }

  /**
   * Deploys the shutdown manifest on cluster a and waits until its script listens on port 10000 of
   * its pod (as a readiness probe would): the library reaches it through the Service's NodePort,
   * which the local kubelet's kube-proxy relays to the pod.
   */
  private Application deployShutdownSample(String name) {
    env.create(name, documents(shutdownManifest()), List.of(), List.of("shutdown"), "a");
    Application running = env.awaitRunningOn(name, env.clusterA);
    assertThat(running.status().services().get("shutdown")).startsWith("127.0.0.1:3");
    ObjectNode pod =
        await().atMost(TIMEOUT).until(() -> runningPod(env.clusterA), Objects::nonNull);
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> listening(pod));
    return running;
  }

  /** The manifest's running pod on a cluster (with its address), or null. */
  private static ObjectNode runningPod(TestCluster cluster) {
    return cluster.list("v1", "Pod").stream()
        .filter(p -> p.at("/status/phase").asText().equals("Running"))
        .filter(p -> !p.at("/status/podIP").asText().isEmpty())
        .filter(p -> !p.path("metadata").has("deletionTimestamp"))
        .findFirst()
        .orElse(null);
  }

  private static boolean listening(ObjectNode pod) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(InetAddress.getByName(pod.at("/status/podIP").asText()), 10000),
          1000);
      return true;
    }
  }

  private String podLogs() {
    StringBuilder logs = new StringBuilder();
    for (LocalKubelet kubelet : List.of(kubeletA, kubeletB)) {
      TestCluster cluster = kubelet == kubeletA ? env.clusterA : env.clusterB;
      for (ObjectNode pod : cluster.list("v1", "Pod")) {
        String name = pod.at("/metadata/name").asText();
        logs.append(cluster.name()).append('/').append(name).append(": ");
        try {
          logs.append(kubelet.logs("default", name, shutdownContainer()));
        } catch (RuntimeException e) {
          logs.append(e.getMessage());
        }
        logs.append('\n');
      }
    }
    return logs.toString();
  }

  private static void awaitEmpty(TestCluster cluster) {
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.objects()).isEmpty());
  }
}
