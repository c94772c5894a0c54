package cloud.krake.k8s;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.ReasonCode;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster controller on a cluster whose API server never answers: a kubeconfig pointing at a
 * closed loopback port. Driven on the calling thread with a manual clock and timer.
 */
class ClusterControllerTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ManualTimer timer = new ManualTimer(clock);
  private final MemoryStore store = MemoryStore.create();
  private final KubeconfigClusterConnector connector =
      KubeconfigClusterConnector.builder()
          .connectTimeout(Duration.ofSeconds(2))
          .requestTimeout(Duration.ofSeconds(5))
          .build();
  private final Krake krake =
      Krake.builder().store(store).clock(clock).timer(timer).builtInControllers(false).build();
  private final ClusterController controller =
      new ClusterController(krake, connector, ClusterController.DEFAULT_PROBE_INTERVAL);

  @AfterEach
  void close() {
    controller.close();
    krake.close();
    connector.close();
    store.close();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private Cluster unreachableCluster() throws IOException {
    Cluster cluster =
        KubeconfigClusterConnectorTest.cluster(
            "wrong-port",
            KubeconfigClusterConnectorTest.kubeconfig("https://127.0.0.1:" + closedPort()));
    return krake.clusters().create(cluster);
  }

  private Cluster stored() {
    return krake.clusters().require("testing", "wrong-port");
  }

  /** Processes what the reflector queued, on this thread. */
  private void reconcileQueued() {
    await().until(() -> controller.queued() > 0);
    controller.drain();
  }

  private static List<String> lines(String log) {
    return Arrays.stream(log.split("\n")).filter(l -> !l.isBlank()).toList();
  }

  private static String captureStandardError(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(UTF_8);
  }

  @Test
  void aClusterWhoseApiServerNeverAnswersGoesOfflineAtTheFirstProbe() throws IOException {
    unreachableCluster();
    controller.watch();

    reconcileQueued();

    Cluster offline = stored();
    assertThat(offline.status().state()).isEqualTo(ClusterState.OFFLINE);
    assertThat(offline.status().reason().orElseThrow().code())
        .isEqualTo(ReasonCode.CLUSTER_NOT_REACHABLE);
    assertThat(offline.status().reason().orElseThrow().message()).contains("unreachable");
  }

  @Test
  void anUnreachableClusterLogsOneLineWithoutAStackTraceAndIsProbedAtTheProbeInterval()
      throws IOException {
    unreachableCluster();
    controller.watch();

    String log =
        captureStandardError(
            () -> {
              reconcileQueued();
              for (int i = 0; i < 5; i++) {
                timer.advance(ClusterController.DEFAULT_PROBE_INTERVAL);
                controller.drain();
              }
            });

    assertThat(stored().status().state()).isEqualTo(ClusterState.OFFLINE);
    List<String> warnings = lines(log).stream().filter(l -> l.contains(" WARN ")).toList();
    List<String> stateChanges =
        lines(log).stream().filter(l -> l.contains(ClusterController.class.getName())).toList();
    assertThat(warnings).as(log).hasSize(1);
    assertThat(stateChanges).as(log).isEqualTo(warnings);
    assertThat(lines(log)).as("no stack trace: " + log).noneMatch(l -> l.startsWith("\tat "));
    assertThat(warnings.get(0))
        .contains("WARN")
        .contains("testing/wrong-port")
        .contains("OFFLINE")
        .contains("CLUSTER_NOT_REACHABLE")
        .doesNotContain("Exception:");
    assertThat(timer.pendingDueTimes())
        .containsExactly(clock.instant().plus(ClusterController.DEFAULT_PROBE_INTERVAL));
  }

  @Test
  void afterARestartAndASpecChangeTheStaleOnlineStatusIsNotTheObservedOne() throws IOException {
    // the previous run of the host left the cluster ONLINE, observed at generation 1
    Cluster created = unreachableCluster();
    krake
        .clusters()
        .modifyStatus(
            "testing",
            "wrong-port",
            c -> c.status().withState(ClusterState.ONLINE).withObservedGeneration(1));
    // after the restart, its spec changes: a new kubeconfig, generation 2
    Cluster changed =
        krake
            .clusters()
            .modify(
                "testing",
                "wrong-port",
                c ->
                    c.withSpec(
                        c.spec()
                            .withKubeconfig(
                                KubeconfigClusterConnectorTest.kubeconfig(
                                    "https://127.0.0.1:" + closedPortQuietly()))));
    assertThat(changed.metadata().generation()).isEqualTo(created.metadata().generation() + 1);
    assertThat(krake.awaitCluster("testing", "wrong-port", c -> true, Duration.ofSeconds(5)))
        .as("the plain wait is met by the stale status")
        .extracting(c -> c.status().state())
        .isEqualTo(ClusterState.ONLINE);

    controller.watch();
    reconcileQueued();

    Cluster observed =
        krake.awaitClusterObserved("testing", "wrong-port", c -> true, Duration.ofSeconds(5));
    assertThat(observed.status().observedGeneration()).isEqualTo(2);
    assertThat(observed.status().state()).isEqualTo(ClusterState.OFFLINE);
  }

  private static int closedPortQuietly() {
    try {
      return closedPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
