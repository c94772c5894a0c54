package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.Metadata;
import cloud.krake.model.ReasonCode;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link ClusterClientContract} against the fake API server of krake-testing, plus what needs
 * the fake's fault injection: error answers, latency, dropped and compacted watches. Watch
 * re-connects run on a manual scheduler, so back-off delays are stepped, not waited for.
 */
class FakeClusterClientTest extends ClusterClientContract {

  private static final String TOKEN = "fake-token-0123456789";

  private final ManualTimer scheduler =
      new ManualTimer(new ManualClock(Instant.parse("2026-01-01T00:00:00Z")));
  private FakeKubernetesApiServer server;
  private KubeconfigClusterConnector connector;
  private ClusterClient client;

  @BeforeEach
  void start() {
    server = FakeKubernetesApiServer.builder().name("fake").token(TOKEN).build();
    connector = connector(Duration.ofSeconds(10), Duration.ofSeconds(300));
    client = connector.connect(cluster("fake", List.of()));
  }

  @AfterEach
  void stop() {
    connector.close();
    server.close();
  }

  private KubeconfigClusterConnector connector(Duration requestTimeout, Duration watchTimeout) {
    return KubeconfigClusterConnector.builder()
        .requestTimeout(requestTimeout)
        .watchTimeout(watchTimeout)
        .timer(scheduler)
        .build();
  }

  private Cluster cluster(String name, List<String> customResources) {
    return Cluster.of(
        Metadata.of("testing", name),
        ClusterSpec.ofKubeconfig(Manifests.yaml(server.kubeconfig()))
            .withCustomResources(customResources));
  }

  @Override
  protected ClusterClient client() {
    return client;
  }

  @Override
  protected ClusterClient clientWithCustomResources(List<String> definitions) {
    return connector.connect(cluster("fake-with-crds", definitions));
  }

  @Override
  protected void createNamespace(String name) {
    server.createNamespace(name);
  }

  /** Steps the manual scheduler once a re-connect is pending. */
  private void runPendingReconnect() {
    await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.nextDue().isPresent());
    scheduler.advance(Duration.ofMinutes(1));
  }

  private ObjectWatch watchConfigMaps(RecordingObjectListener listener) {
    ObjectWatch watch = client.watch("v1", "ConfigMap", Optional.of("default"), listener);
    await().atMost(Duration.ofSeconds(10)).until(watch::hasSynced);
    await().atMost(Duration.ofSeconds(10)).until(() -> server.watchCount() == 1);
    return watch;
  }

  private long requestsStartingWith(String prefix) {
    return server.requests().stream().filter(r -> r.startsWith(prefix)).count();
  }

  @Test
  void appliesByServerSideApplyWithFieldManagerKrakeForced() {
    client.apply(Manifests.sample("echo.yaml").get(0));

    assertThat(server.requests())
        .anySatisfy(
            r ->
                assertThat(r)
                    .startsWith("PATCH /apis/apps/v1/namespaces/default/deployments/echo-demo?")
                    .contains("fieldManager=krake")
                    .contains("force=true"));
    assertThat(server.get("apps/v1", "Deployment", "default", "echo-demo")).isPresent();
  }

  @Test
  void discoversEachGroupVersionOncePerCluster() {
    for (ObjectNode resource : Manifests.sample("echo.yaml")) {
      client.apply(resource);
      client.apply(resource);
    }

    assertThat(server.requests()).containsOnlyOnce("GET /apis/apps/v1");
    assertThat(server.requests()).containsOnlyOnce("GET /api/v1");
  }

  @Test
  void reportsAnUnavailableApiServerAsKubernetesErrorWithItsStatus() {
    ObjectNode configMap = Manifests.configMap("unavailable", "1");
    client.apply(configMap);
    server.failNext(1, 503);

    KubernetesException e =
        catchThrowableOfType(KubernetesException.class, () -> client.apply(configMap));

    assertThat(e.reason()).isEqualTo(ReasonCode.KUBERNETES_ERROR);
    assertThat(e.status()).hasValue(503);
    assertThat(e.getMessage()).contains("testing/fake", "ConfigMap default/unavailable");
    assertThat(e.getMessage()).doesNotContain(TOKEN);
    assertThat(client.apply(configMap)).isNotNull();
  }

  @Test
  void reportsAManifestTheApiRejectsAsInvalidResourceWithTheApiMessage() {
    ObjectNode configMap = Manifests.configMap("rejected", "1");
    client.apply(configMap);
    server.failNext(1, 422);

    KubernetesException e =
        catchThrowableOfType(KubernetesException.class, () -> client.apply(configMap));

    assertThat(e.reason()).isEqualTo(ReasonCode.INVALID_RESOURCE);
    assertThat(e.status()).hasValue(422);
    assertThat(e.getMessage()).contains("HTTP 422");
  }

  @Test
  void reportsFailedDiscoveryAsKubernetesError() {
    server.failRequests("GET", "/apis/apps/v1", 500);

    KubernetesException e =
        catchThrowableOfType(
            KubernetesException.class, () -> client.apply(Manifests.sample("echo.yaml").get(0)));

    assertThat(e.reason()).isEqualTo(ReasonCode.KUBERNETES_ERROR);
    assertThat(e.status()).hasValue(500);
  }

  @Test
  void reportsAnErrorAnswerOnDeleteAndGetAsKubernetesError() {
    ObjectNode configMap = client.apply(Manifests.configMap("delete-fails", "1"));
    server.failRequests("DELETE", null, 500);
    server.failRequests("GET", "/api/v1/namespaces/default/configmaps", 500);

    assertThat(catchThrowableOfType(KubernetesException.class, () -> client.delete(configMap)))
        .satisfies(e -> assertThat(e.reason()).isEqualTo(ReasonCode.KUBERNETES_ERROR));
    assertThat(catchThrowableOfType(KubernetesException.class, () -> client.get(configMap)))
        .satisfies(e -> assertThat(e.status()).hasValue(500));
  }

  @Test
  void givesUpOnASlowAnswerAfterTheRequestTimeout() {
    try (KubeconfigClusterConnector impatient =
        connector(Duration.ofMillis(300), Duration.ofSeconds(300))) {
      ClusterClient slow = impatient.connect(cluster("slow", List.of()));
      server.latency(Duration.ofSeconds(3));

      KubernetesException e =
          catchThrowableOfType(
              KubernetesException.class, () -> slow.apply(Manifests.configMap("slow", "1")));

      assertThat(e.reason()).isEqualTo(ReasonCode.KUBERNETES_ERROR);
      assertThat(e.status()).isEmpty();
      server.latency(Duration.ZERO);
    }
  }

  @Test
  void aNamespacedObjectInAMissingNamespaceIsAKubernetesErrorWithItsStatus() {
    ObjectNode configMap = Manifests.configMap("nowhere", "1");
    ((ObjectNode) configMap.get("metadata")).put("namespace", "no-such-namespace");

    KubernetesException e =
        catchThrowableOfType(KubernetesException.class, () -> client.apply(configMap));

    assertThat(e.reason()).isEqualTo(ReasonCode.KUBERNETES_ERROR);
    assertThat(e.status()).hasValue(404);
  }

  @Test
  void invalidatesDiscoveryOfAGroupWhenItsDefinitionIsApplied() {
    ClusterClient listing = clientWithCustomResources(List.of("crontabs.stable.example.com"));
    listing.apply(Manifests.crontabDefinition());
    listing.apply(Manifests.crontab("first"));

    server.delete(
        "apiextensions.k8s.io/v1", "CustomResourceDefinition", null, "crontabs.stable.example.com");
    listing.apply(Manifests.crontabDefinition());

    assertThat(listing.apply(Manifests.crontab("second")).path("kind").asText())
        .isEqualTo("CronTab");
  }

  @Test
  void watchResumesAfterADroppedConnectionWithNothingMissedOrRepeated() {
    RecordingObjectListener listener = new RecordingObjectListener();
    try (ObjectWatch watch = watchConfigMaps(listener)) {
      client.apply(Manifests.configMap("drop-a", "1"));
      await().until(() -> listener.changes("drop-").size() == 1);

      server.dropWatches();
      await().atMost(Duration.ofSeconds(10)).until(() -> listener.errors().size() == 1);
      client.apply(Manifests.configMap("drop-b", "1"));
      client.apply(Manifests.configMap("drop-a", "2"));
      runPendingReconnect();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(listener.changes("drop-"))
                      .containsExactly("ADDED drop-a", "ADDED drop-b", "MODIFIED drop-a"));
      assertThat(listener.resyncs()).hasSize(1);
      assertThat(listener.errors()).hasSize(1);
      assertThat(listener.errors().get(0).reason()).isEqualTo(ReasonCode.KUBERNETES_ERROR);
      assertThat(
              server.requests().stream()
                  .filter(r -> r.startsWith("GET /api/v1/namespaces/default/configmaps"))
                  .filter(r -> !r.contains("watch=true")))
          .as("lists")
          .hasSize(1);
      assertThat(watch.hasSynced()).isTrue();
    }
  }

  @Test
  void watchBacksOffExponentiallyWhileTheServerFailsAndResumesWhenItRecovers() {
    RecordingObjectListener listener = new RecordingObjectListener();
    try (ObjectWatch watch = watchConfigMaps(listener)) {
      server.failRequests("GET", "/api/v1/namespaces/default/configmaps", 503);
      Instant start = scheduler.clock().instant();
      server.dropWatches();

      await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.nextDue().isPresent());
      assertThat(scheduler.nextDue()).hasValue(start.plusMillis(500));
      scheduler.advance(Duration.ofMillis(500));
      await().atMost(Duration.ofSeconds(10)).until(() -> listener.errors().size() == 2);
      await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.nextDue().isPresent());
      assertThat(scheduler.nextDue()).hasValue(start.plusMillis(1500));
      assertThat(listener.errors().get(1).status()).hasValue(503);

      server.clearFailures();
      client.apply(Manifests.configMap("backoff-recovered", "1"));
      scheduler.advance(Duration.ofSeconds(1));

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(listener.changes("backoff-"))
                      .containsExactly("ADDED backoff-recovered"));
      assertThat(watch.hasSynced()).isTrue();
    }
  }

  @Test
  void watchResyncsTheFullSetAfterItsResourceVersionWasCompacted() {
    client.apply(Manifests.configMap("compact-kept", "1"));
    ObjectNode removed = client.apply(Manifests.configMap("compact-removed", "1"));
    RecordingObjectListener listener = new RecordingObjectListener();
    try (ObjectWatch watch = watchConfigMaps(listener)) {
      server.dropWatches();
      await().atMost(Duration.ofSeconds(10)).until(() -> listener.errors().size() == 1);
      client.delete(removed);
      client.apply(Manifests.configMap("compact-new", "1"));
      server.compact();
      runPendingReconnect();

      await().atMost(Duration.ofSeconds(10)).until(() -> listener.resyncs().size() == 2);
      assertThat(listener.lastResyncNames())
          .contains("compact-kept", "compact-new")
          .doesNotContain("compact-removed");
      assertThat(listener.changes("compact-")).isEmpty();

      client.apply(Manifests.configMap("compact-after", "1"));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(listener.changes("compact-")).containsExactly("ADDED compact-after"));
      assertThat(watch.hasSynced()).isTrue();
    }
  }

  @Test
  void watchResumesFromTheLastVersionWithoutRelistWhenTheServerEndsTheStream() {
    try (KubeconfigClusterConnector shortWatches =
        connector(Duration.ofSeconds(10), Duration.ofSeconds(1))) {
      ClusterClient shortClient = shortWatches.connect(cluster("short", List.of()));
      RecordingObjectListener listener = new RecordingObjectListener();
      try (ObjectWatch watch =
          shortClient.watch("v1", "ConfigMap", Optional.of("default"), listener)) {
        await().atMost(Duration.ofSeconds(10)).until(watch::hasSynced);
        ObjectNode configMap = client.apply(Manifests.configMap("timeout-a", "1"));
        String version = configMap.path("metadata").path("resourceVersion").asText();

        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    server.requests().stream()
                        .anyMatch(
                            r ->
                                r.contains("watch=true")
                                    && r.contains("resourceVersion=" + version)));
        client.apply(Manifests.configMap("timeout-b", "1"));

        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(listener.changes("timeout-"))
                        .containsExactly("ADDED timeout-a", "ADDED timeout-b"));
        assertThat(listener.resyncs()).hasSize(1);
        assertThat(listener.errors()).isEmpty();
      }
    }
  }

  @Test
  void closingAWatchEndsItsStreamAtOnce() {
    RecordingObjectListener listener = new RecordingObjectListener();
    ObjectWatch watch = watchConfigMaps(listener);

    watch.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> server.watchCount() == 0);
  }

  @Test
  void closingTheClientStopsItsWatches() {
    RecordingObjectListener listener = new RecordingObjectListener();
    watchConfigMaps(listener);

    client.close();

    await().atMost(Duration.ofSeconds(5)).until(() -> server.watchCount() == 0);
    client.close();
  }

  /**
   * Not a benchmark: a rough number for the report, printed, not asserted (loopback, shared
   * machine).
   */
  @Test
  void measuresApplyingTheEchoDemoManifestsPerApplication() {
    List<ObjectNode> echoDemo = Manifests.sample("echo.yaml");
    applyEchoDemo(echoDemo, "warmup-", 20);

    double created = applyEchoDemo(echoDemo, "echo-", 100);
    double unchanged = applyEchoDemo(echoDemo, "echo-", 100);

    System.out.printf(
        "echo-demo (Deployment + Service) against the fake: %.2f ms per new application,"
            + " %.2f ms per unchanged re-apply%n",
        created, unchanged);
    assertThat(server.list("apps/v1", "Deployment")).hasSize(120);
  }

  /** Applies the manifests as {@code count} applications; returns milliseconds per application. */
  private double applyEchoDemo(List<ObjectNode> manifests, String prefix, int count) {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      for (ObjectNode resource : manifests) {
        ObjectNode copy = resource.deepCopy();
        ((ObjectNode) copy.get("metadata")).put("name", prefix + i);
        client.apply(copy);
      }
    }
    return (System.nanoTime() - start) / 1e6 / count;
  }
}
