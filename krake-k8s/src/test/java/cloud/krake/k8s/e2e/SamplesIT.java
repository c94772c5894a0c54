package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every Kubernetes manifest of the test manifests through the whole library path — scheduler,
 * application controller, API server — deployed, observed, migrated between two clusters and
 * deleted, leaving no object behind; on two fake API servers and on two real control planes (each
 * with a local kubelet as its node). {@link SamplesConformanceIT} does the same with Krake's own
 * sample files.
 */
@ParameterizedClass(name = "{0} clusters")
@EnumSource(ClusterSource.class)
@ExtendWith(SharedControlPlanes.class)
class SamplesIT {

  @Parameter ClusterSource source;

  private final MemoryStore store = MemoryStore.create();
  private FakeClusters env;

  @BeforeEach
  void start() {
    env = new FakeClusters(store, source);
    env.registerClusters();
  }

  @AfterEach
  void stop() {
    env.close();
    store.close();
  }

  static Stream<Arguments> samples() {
    return Stream.of(
        Arguments.of("echo.yaml", ""),
        Arguments.of("echo.yaml", "echo-observer-schema-standard.yaml"),
        Arguments.of("echo.yaml", "echo-observer-schema-custom.yaml"),
        Arguments.of("echo-namespaced.yaml", ""),
        Arguments.of("complete-job.yaml", ""),
        Arguments.of("shutdown-statefulset.yaml", ""),
        Arguments.of("shutdown-statefulset.yaml", "shutdown-statefulset-observer-schema.yaml"),
        Arguments.of("pvc-pod.yaml", "pvc-pod-observer-schema.yaml"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  void sampleIsDeployedObservedMigratedAndDeletedWithoutLeftovers(String manifest, String schema) {
    assertDeployedObservedMigratedAndDeleted(env, manifest, schema);
  }

  /**
   * Deploys a manifest file (with an observer schema file, or none when {@code schema} is empty) on
   * cluster a, migrates it to b and deletes it, checking where its objects are at each step.
   */
  static void assertDeployedObservedMigratedAndDeleted(
      FakeClusters env, String manifest, String schema) {
    List<ObjectNode> resources = documents(manifest);
    List<ObjectNode> schemas = schema.isEmpty() ? List.of() : documents(schema);
    String name = "sample";

    env.create(name, resources, schemas, List.of(), "a");
    Application running = env.awaitRunningOn(name, env.clusterA);

    assertThat(running.metadata().finalizers()).contains("kubernetes_resources_deletion");
    assertOnlyOn(env.clusterA, env.clusterB, resources);
    assertThat(running.status().lastObservedManifest()).hasSize(resources.size());
    for (ObjectNode resource : resources) {
      if (resource.path("kind").asText().equals("Service")
          && resource.at("/spec/type").asText().equals("NodePort")) {
        assertThat(running.status().services().get(resource.at("/metadata/name").asText()))
            .startsWith("127.0.0.1:");
      }
    }

    env.moveTo(name, "b");
    Application moved = env.awaitRunningOn(name, env.clusterB);

    assertOnlyOn(env.clusterB, env.clusterA, resources);
    assertThat(moved.metadata().owners()).extracting(r -> r.name()).containsExactly("b");

    env.krake.applications().delete(NS, name);
    env.awaitGone(name);

    // a real cluster's garbage collector removes the workloads' ReplicaSets and Pods after them
    await()
        .atMost(FakeClusters.TIMEOUT)
        .untilAsserted(
            () -> {
              assertThat(env.clusterA.objects()).isEmpty();
              assertThat(env.clusterB.objects()).isEmpty();
            });
  }

  @Test
  void echoDemoUpdateIsAppliedToTheCluster() {
    env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
    env.awaitRunningOn("echo", env.clusterA);

    env.krake
        .applications()
        .modify(NS, "echo", app -> app.withSpec(withManifest(app, documents("echo-update.yaml"))));

    await()
        .atMost(FakeClusters.TIMEOUT)
        .untilAsserted(
            () -> {
              ObjectNode deployment =
                  env.clusterA.get("apps/v1", "Deployment", "default", "echo-demo").orElseThrow();
              assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
              assertThat(deployment.at("/spec/template/spec/containers/0/image").asText())
                  .isEqualTo("python:3.13-alpine");
            });
    Application updated = env.awaitState("echo", ApplicationState.RUNNING);
    assertThat(updated.status().lastAppliedManifest().get(0).at("/spec/replicas").asInt())
        .isEqualTo(2);
  }

  @Test
  void driftOnTheClusterIsRepairedByTheNextReconcile() {
    env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
    env.awaitRunningOn("echo", env.clusterA);
    ObjectNode deployment =
        env.clusterA.get("apps/v1", "Deployment", "default", "echo-demo").orElseThrow();
    ((ObjectNode) deployment.at("/spec/template/spec/containers/0")).put("image", "tampered:1");

    env.clusterA.put(deployment);

    await()
        .atMost(FakeClusters.TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        env.clusterA
                            .get("apps/v1", "Deployment", "default", "echo-demo")
                            .orElseThrow()
                            .at("/spec/template/spec/containers/0/image")
                            .asText())
                    .isEqualTo("python:3.12-alpine"));
  }

  @Test
  void aDeletedObjectIsCreatedAgain() {
    env.create("echo", documents("echo.yaml"), List.of(), List.of(), "a");
    env.awaitRunningOn("echo", env.clusterA);

    env.clusterA.delete("v1", "Service", "default", "echo-demo");

    await()
        .atMost(FakeClusters.TIMEOUT)
        .until(() -> env.clusterA.get("v1", "Service", "default", "echo-demo").isPresent());
  }

  @Test
  void aCompletedJobIsCompleted() {
    ObjectNode job =
        cloud.krake.model.KrakeJson.read(
            """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: once}
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: once, image: busybox, command: [echo, done]}]
            """,
            ObjectNode.class);
    env.clusterA.kubelet(); // runs the Job's pod: echo done
    env.create("job", List.of(job), List.of(), List.of(), "a");

    env.awaitState("job", ApplicationState.COMPLETED);
  }

  private static cloud.krake.model.ApplicationSpec withManifest(
      Application app, List<ObjectNode> manifest) {
    ObjectNode spec = cloud.krake.model.KrakeJson.toObjectNode(app.spec());
    spec.putArray("manifest").addAll(manifest);
    return cloud.krake.model.KrakeJson.convert(spec, cloud.krake.model.ApplicationSpec.class);
  }

  /** Every resource exists on {@code on} and none of them on {@code off}. */
  private static void assertOnlyOn(TestCluster on, TestCluster off, List<ObjectNode> resources) {
    for (ObjectNode r : resources) {
      String apiVersion = r.path("apiVersion").asText();
      String kind = r.path("kind").asText();
      String name = r.at("/metadata/name").asText();
      assertThat(on.list(apiVersion, kind))
          .as("%s %s on %s", kind, name, on.name())
          .anySatisfy(o -> assertThat(o.at("/metadata/name").asText()).isEqualTo(name));
      assertThat(off.list(apiVersion, kind))
          .as("%s %s on %s", kind, name, off.name())
          .noneSatisfy(o -> assertThat(o.at("/metadata/name").asText()).isEqualTo(name));
    }
  }
}
