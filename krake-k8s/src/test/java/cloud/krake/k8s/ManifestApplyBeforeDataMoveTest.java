package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.k8s.internal.ClusterObjects;
import cloud.krake.k8s.internal.ObservedManifests;
import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ManifestApply#applyBeforeDataMove}, the first half of a migration that moves data: the
 * status it leaves records {@code services} as the second half ({@link ManifestApply#apply}) does,
 * from every Service the new cluster has, not only from those this pass applies.
 */
class ManifestApplyBeforeDataMoveTest {

  private static final String HOST = "203.0.113.7";

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-07T10:00:00Z"));
  private final MemoryStore store = MemoryStore.create();
  private final Krake krake =
      Krake.builder().store(store).clock(clock).timer(new ManualTimer(clock)).build();

  @AfterEach
  void close() {
    krake.close();
    store.close();
  }

  @Test
  void aServiceTheNewClusterAlreadyHasIsRecordedInServices() {
    Application app =
        krake
            .applications()
            .create(
                KrakeJson.read(
                    """
                    metadata: {name: echo, namespace: tenant}
                    spec:
                      manifest:
                      - {apiVersion: v1, kind: Service, metadata: {name: echo},
                         spec: {type: NodePort, ports: [{port: 8080}]}}
                      constraints: {cluster: {labels: ["location is DE"]}}
                    """,
                    Application.class));
    ObjectNode desired = app.spec().manifest().get(0);
    // applied there by an earlier first half that stopped before recording it: present, unchanged
    ObjectNode onCluster =
        KrakeJson.read(
            """
            {apiVersion: v1, kind: Service, metadata: {name: echo, namespace: default},
             spec: {type: NodePort, ports: [{port: 8080, nodePort: 30080}]}}
            """,
            ObjectNode.class);
    Cluster cluster =
        KrakeJson.read("metadata: {name: b, namespace: tenant}\nspec: {}", Cluster.class);
    ApplicationHookPoints points =
        new ApplicationHookPoints(krake.dispatcher(), ref -> Optional.empty());
    ClusterObjects<ResourceKey> objects = new ClusterObjects<>(k -> {});
    ManifestApply manifests =
        new ManifestApply(
            krake.applications(),
            points,
            objects,
            List.of(),
            new ActionAttempts(store),
            new ClusterCleanup(krake.applications(), krake.clusters(), null, objects, points),
            null);

    Application applied =
        manifests.applyBeforeDataMove(
            new ManifestApply.Request(
                ResourceKey.of(app),
                app,
                app,
                cluster,
                ResourceRef.of("kubernetes", "tenant", "Cluster", "b"),
                new NothingToApply(),
                Map.of(desired, onCluster),
                new ObservedManifests.Delta(List.of(), List.of(), List.of()),
                List.of(),
                true,
                Optional.empty()));

    assertThat(applied.status().services()).containsExactly(Map.entry("echo", HOST + ":30080"));
  }

  /** A cluster client for a pass with an empty delta: nothing is applied, listed or deleted. */
  private static final class NothingToApply implements ClusterClient {
    @Override
    public ObjectNode apply(ObjectNode resource) {
      throw new AssertionError("nothing to apply");
    }

    @Override
    public boolean delete(ObjectNode resource) {
      throw new AssertionError("nothing to delete");
    }

    @Override
    public Optional<ObjectNode> get(ObjectNode resource) {
      throw new AssertionError("nothing to read");
    }

    @Override
    public List<ObjectNode> list(String apiVersion, String kind, Optional<String> namespace) {
      throw new AssertionError("nothing to list");
    }

    @Override
    public ObjectWatch watch(
        String apiVersion, String kind, Optional<String> namespace, ObjectListener listener) {
      throw new AssertionError("nothing to watch");
    }

    @Override
    public String defaultNamespace() {
      return "default";
    }

    @Override
    public String host() {
      return HOST;
    }

    @Override
    public void close() {}
  }
}
