package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.k8s.ClusterClient;
import cloud.krake.k8s.ClusterConnector;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesExecResult;
import cloud.krake.k8s.MigrationConfig;
import cloud.krake.k8s.ObjectListener;
import cloud.krake.k8s.ObjectWatch;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A migration that moves the data (Krake's volume migration): a StatefulSet whose pod mounts a
 * PersistentVolumeClaim runs on cluster {@code a} with files in its volume; its constraints move it
 * to {@code b}, and the files are there, byte for byte, in the new pod's volume before the old
 * workload goes. With a copy that is corrupted on its way (a sha256 mismatch injected into the tar
 * stream), the old workload stays, {@code migration_retries} and {@code migration_timeout} say so,
 * and the next migration after the back-off succeeds. On two fake API servers, whose pods the local
 * kubelets run as processes, each kubelet with its own claim directories.
 */
class VolumeMigrationIT {

  private static final String MARKER = "krake-volume-migration-marker";

  private static final String MANIFEST =
      """
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: store}
      spec:
        serviceName: store
        replicas: 1
        selector: {matchLabels: {app: store}}
        template:
          metadata: {labels: {app: store}}
          spec:
            containers:
            - name: store
              image: busybox:1.36
              command: [sleep, infinity]
              volumeMounts:
              - {name: data, mountPath: /data}
        volumeClaimTemplates:
        - metadata: {name: data}
          spec:
            accessModes: [ReadWriteOnce]
            resources: {requests: {storage: 16Mi}}
      """;

  private final MemoryStore store = MemoryStore.create();

  /** Whether the extraction on cluster b gets a corrupted archive. */
  private final AtomicBoolean corrupt = new AtomicBoolean();

  /** How many archives were extracted on cluster b. */
  private final AtomicInteger extractions = new AtomicInteger();

  private FakeClusters env;

  @BeforeEach
  void start() {
    env =
        new FakeClusters(
            store,
            ClusterSource.FAKE,
            ShutdownHookConfig.defaults(),
            backend ->
                backend
                    .connector(
                        new CorruptingConnector(KubeconfigClusterConnector.builder().build()))
                    .migration(
                        MigrationConfig.DEFAULTS
                            .withRetryMax(2)
                            .withRetryTimeout(Duration.ofSeconds(2))
                            .withCopyTimeout(Duration.ofSeconds(60))));
    env.clusterA.kubelet();
    env.clusterB.kubelet();
    env.registerClusters();
  }

  @AfterEach
  void stop() {
    env.close();
    store.close();
  }

  @Test
  void theVolumesFilesAreOnTheNewClustersPodAfterTheMigration() throws IOException {
    deployOnA();
    byte[] note = (MARKER + " written on a\n").getBytes(StandardCharsets.UTF_8);
    byte[] blob = randomBytes(200_000);
    Path onA = claim(env.clusterA);
    Files.write(onA.resolve("note.txt"), note);
    Files.createDirectories(onA.resolve("sub/deeper"));
    Files.write(onA.resolve("sub/deeper/blob.bin"), blob);

    env.moveTo("store", "b");

    Application moved = env.awaitRunningOn("store", env.clusterB);
    Path onB = claim(env.clusterB);
    assertThat(onB).as("each kubelet keeps its own claim directories").isNotEqualTo(onA);
    assertThat(onB.resolve("note.txt")).hasBinaryContent(note);
    assertThat(onB.resolve("sub/deeper/blob.bin")).hasBinaryContent(blob);
    assertThat(sha256(onB.resolve("sub/deeper/blob.bin"))).isEqualTo(sha256(blob));
    assertThat(moved.status().migrationRetries()).isZero();
    assertThat(moved.status().migrationTimeout()).isZero();
    assertThat(moved.metadata().owners()).extracting(r -> r.name()).containsExactly("b");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(env.clusterA.get("apps/v1", "StatefulSet", "default", "store"))
                    .isEmpty());
  }

  @Test
  void aCorruptedCopyKeepsTheOldWorkloadAndTheNextMigrationAfterTheBackOffMovesTheData()
      throws IOException {
    deployOnA();
    byte[] note = (MARKER + " written on a\n").getBytes(StandardCharsets.UTF_8);
    Path onA = claim(env.clusterA);
    Files.write(onA.resolve("note.txt"), note);
    String podUid = podOnA().at("/metadata/uid").asText();
    corrupt.set(true);

    env.moveTo("store", "b");

    Application kept =
        env.await(
            "store",
            app ->
                app.status().migrationRetries() == 1
                    && app.status().state() == ApplicationState.RUNNING);
    assertThat(kept.status().runningOn().orElseThrow().name()).isEqualTo("a");
    assertThat(kept.status().scheduledTo().orElseThrow().name())
        .as("scheduled_to set back to running_on, as Krake does")
        .isEqualTo("a");
    assertThat(kept.status().migrationTimeout()).isPositive();
    assertThat(extractions.get()).as("migration.retry.max tries").isEqualTo(2);
    assertThat(podOnA().at("/metadata/uid").asText())
        .as("the old pod kept running")
        .isEqualTo(podUid);
    assertThat(onA.resolve("note.txt")).hasBinaryContent(note);
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(env.clusterB.get("apps/v1", "StatefulSet", "default", "store"))
                    .isEmpty());

    corrupt.set(false);

    // after migration_timeout the scheduler binds it to b again, and this time the copy succeeds
    Application moved = env.awaitRunningOn("store", env.clusterB);
    assertThat(claim(env.clusterB).resolve("note.txt")).hasBinaryContent(note);
    assertThat(moved.status().migrationRetries()).isZero();
    assertThat(moved.status().migrationTimeout()).isZero();
  }

  private void deployOnA() {
    List<ObjectNode> manifest = new ArrayList<>();
    for (ObjectNode doc : KrakeJson.readAll(MANIFEST, ObjectNode.class)) {
      manifest.add(doc);
    }
    env.create("store", manifest, List.of(), List.of(), "a");
    env.awaitRunningOn("store", env.clusterA);
    await().atMost(TIMEOUT).until(() -> podOnA() != null);
  }

  /** The StatefulSet's running pod on cluster a, or null. */
  private ObjectNode podOnA() {
    return env.clusterA
        .get("v1", "Pod", "default", "store-0")
        .filter(p -> p.at("/status/phase").asText().equals("Running"))
        .orElse(null);
  }

  /** The directory the cluster's kubelet keeps for the pod's claim {@code data-store-0}. */
  private static Path claim(TestCluster cluster) {
    return cluster.kubelet().workDirectory().resolve("claims/default/data-store-0");
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(42).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(Path file) throws IOException {
    return sha256(Files.readAllBytes(file));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Flips one byte of the marker in an archive, so that the extracted file's sha256 differs. */
  private static byte[] corrupted(byte[] archive) {
    byte[] marker = MARKER.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + marker.length <= archive.length; i++) {
      boolean found = true;
      for (int j = 0; j < marker.length && found; j++) {
        found = archive[i + j] == marker[j];
      }
      if (found) {
        byte[] copy = archive.clone();
        copy[i] = (byte) 'X';
        return copy;
      }
    }
    return archive;
  }

  /**
   * The library's connector, with cluster b's archives corrupted while {@link #corrupt} is set.
   * Like every connector it hands out one client per cluster (the {@link ClusterConnector#connect}
   * contract): the wrapper of a client is made once and returned for as long as the library's
   * connector returns that client. A new wrapper on every call made the cluster controller, which
   * re-opens its Node watch when a cluster's client changes, re-open it on every reconcile, and
   * each new watch's resync queued the next reconcile: thousands of abandoned connections in
   * seconds.
   */
  private final class CorruptingConnector implements ClusterConnector {
    private final ClusterConnector delegate;
    private final Map<ClusterClient, ClusterClient> wrappers =
        Collections.synchronizedMap(new IdentityHashMap<>());

    CorruptingConnector(ClusterConnector delegate) {
      this.delegate = delegate;
    }

    @Override
    public ClusterClient connect(Cluster cluster) {
      ClusterClient client = delegate.connect(cluster);
      return cluster.metadata().name().equals("b")
          ? wrappers.computeIfAbsent(client, CorruptingClient::new)
          : client;
    }

    @Override
    public void disconnect(Cluster cluster) {
      delegate.disconnect(cluster);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  private final class CorruptingClient implements ClusterClient {
    private final ClusterClient delegate;

    CorruptingClient(ClusterClient delegate) {
      this.delegate = delegate;
    }

    @Override
    public KubernetesExecResult exec(
        String namespace,
        String pod,
        Optional<String> container,
        List<String> command,
        Optional<InputStream> stdin,
        OutputStream stdout,
        Duration timeout)
        throws InterruptedException {
      Optional<InputStream> in = stdin;
      if (stdin.isPresent()) {
        extractions.incrementAndGet();
        if (corrupt.get()) {
          try {
            in = Optional.of(new ByteArrayInputStream(corrupted(stdin.get().readAllBytes())));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }
      }
      return delegate.exec(namespace, pod, container, command, in, stdout, timeout);
    }

    @Override
    public KubernetesExecResult exec(
        String namespace,
        String pod,
        Optional<String> container,
        List<String> command,
        Duration timeout)
        throws InterruptedException {
      return delegate.exec(namespace, pod, container, command, timeout);
    }

    @Override
    public ObjectNode apply(ObjectNode resource) {
      return delegate.apply(resource);
    }

    @Override
    public boolean delete(ObjectNode resource) {
      return delegate.delete(resource);
    }

    @Override
    public boolean delete(ObjectNode resource, Duration gracePeriod) {
      return delegate.delete(resource, gracePeriod);
    }

    @Override
    public Optional<ObjectNode> get(ObjectNode resource) {
      return delegate.get(resource);
    }

    @Override
    public List<ObjectNode> list(String apiVersion, String kind, Optional<String> namespace) {
      return delegate.list(apiVersion, kind, namespace);
    }

    @Override
    public List<ObjectNode> list(
        String apiVersion, String kind, Optional<String> namespace, String labelSelector) {
      return delegate.list(apiVersion, kind, namespace, labelSelector);
    }

    @Override
    public String logs(String namespace, String pod, Optional<String> container) {
      return delegate.logs(namespace, pod, container);
    }

    @Override
    public ObjectWatch watch(
        String apiVersion, String kind, Optional<String> namespace, ObjectListener listener) {
      return delegate.watch(apiVersion, kind, namespace, listener);
    }

    @Override
    public String defaultNamespace() {
      return delegate.defaultNamespace();
    }

    @Override
    public String host() {
      return delegate.host();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
