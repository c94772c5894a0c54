package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
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
    if (manifest.startsWith("pvc-pod")) {
      // its migration copies the claim's data through pods/exec, which the pods' kubelets serve
      env.clusterA.kubelet();
      env.clusterB.kubelet();
    }
    assertDeployedObservedMigratedAndDeleted(env, manifest, schema);
  }

  /**
   * Deploys a manifest file (with an observer schema file, or none when {@code schema} is empty) on
   * cluster a, migrates it to b and deletes it, checking where its objects are at each step.
   */
  static void assertDeployedObservedMigratedAndDeleted(
      FakeClusters env, String manifest, String schema) {
    assertDeployedObservedMigratedAndDeleted(env, manifest, schema, List.of(), false);
  }

  /**
   * As {@link #assertDeployedObservedMigratedAndDeleted(FakeClusters, String, String)}, with
   * objects the manifest uses without declaring them ({@code prerequisites}, in namespace {@code
   * default}) put on both clusters before the application is created, as Krake's own end-to-end
   * tests create them with kubectl, and deleted once the application is gone; with {@code
   * podsStart}, the application's Pods on each cluster are awaited out of phase Pending (see {@link
   * #awaitPodsStarted}) before it is migrated and before it is deleted.
   */
  static void assertDeployedObservedMigratedAndDeleted(
      FakeClusters env,
      String manifest,
      String schema,
      List<ObjectNode> prerequisites,
      boolean podsStart) {
    List<ObjectNode> resources = documents(manifest);
    List<ObjectNode> schemas = schema.isEmpty() ? List.of() : documents(schema);
    String name = "sample";
    for (TestCluster cluster : List.of(env.clusterA, env.clusterB)) {
      for (ObjectNode prerequisite : prerequisites) {
        ObjectNode copy = prerequisite.deepCopy();
        ((ObjectNode) copy.get("metadata")).put("namespace", "default");
        cluster.put(copy);
      }
    }

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

    if (podsStart) {
      awaitPodsStarted(env.clusterA);
    }

    env.moveTo(name, "b");
    Application moved = env.awaitRunningOn(name, env.clusterB);

    assertOnlyOn(env.clusterB, env.clusterA, resources);
    assertThat(moved.metadata().owners()).extracting(r -> r.name()).containsExactly("b");
    if (podsStart) {
      awaitPodsStarted(env.clusterB);
    }

    env.krake.applications().delete(NS, name);
    env.awaitGone(name);
    for (TestCluster cluster : List.of(env.clusterA, env.clusterB)) {
      for (ObjectNode prerequisite : prerequisites) {
        cluster.delete(
            prerequisite.path("apiVersion").asText(),
            prerequisite.path("kind").asText(),
            "default",
            prerequisite.at("/metadata/name").asText());
      }
    }

    awaitNothingLeft(env.clusterA, env.clusterB);
  }

  /**
   * Awaits until no cluster holds an object a test made, deleting ones included: on a real cluster
   * the garbage collector removes a deleted workload's ReplicaSets and Pods a moment later, a Pod
   * goes once the kubelet has stopped its containers, and the controller manager removes the {@code
   * kubernetes.io/pvc-protection} finalizer of a PersistentVolumeClaim only once no Pod uses it,
   * and {@code kubernetes.io/pv-protection} of a PersistentVolume only once it is no longer bound.
   * Fails after {@link FakeClusters#TIMEOUT} naming what is left: kind, namespace, name, deletion
   * timestamp, finalizers and phase.
   */
  static void awaitNothingLeft(TestCluster... clusters) {
    await()
        .atMost(FakeClusters.TIMEOUT)
        .untilAsserted(
            () -> {
              List<String> left = new ArrayList<>();
              for (TestCluster cluster : clusters) {
                for (ObjectNode o : cluster.objects()) {
                  left.add(describe(cluster, o));
                }
              }
              assertThat(left).as("objects left on the clusters").isEmpty();
            });
  }

  /**
   * Awaits until every Pod a test made on the cluster has left phase {@code Pending}: scheduled (a
   * PersistentVolumeClaim it mounts bound), its volumes mounted and its containers started. The
   * library counts a Pending Pod as running (as Krake's observer does: only a terminated or
   * crash-looping first container counts against it), so without this wait a sample would be
   * migrated and deleted before the kubelet ever ran it. Fails after {@link FakeClusters#TIMEOUT}
   * naming the Pods still Pending and why (their containers' waiting reasons and messages).
   */
  static void awaitPodsStarted(TestCluster cluster) {
    await()
        .atMost(FakeClusters.TIMEOUT)
        .untilAsserted(
            () -> {
              List<String> pending = new ArrayList<>();
              for (ObjectNode o : cluster.objects()) {
                if (o.path("kind").asText().equals("Pod")
                    && !o.at("/metadata/deletionTimestamp").isTextual()
                    && o.at("/status/phase").asText("Pending").equals("Pending")) {
                  pending.add(
                      describe(cluster, o)
                          + " conditions "
                          + o.at("/status/conditions")
                          + " containers "
                          + o.at("/status/containerStatuses"));
                }
              }
              assertThat(pending).as("Pods still Pending").isEmpty();
            });
  }

  /** One line naming an object left on a cluster, and why it may still be there. */
  static String describe(TestCluster cluster, ObjectNode o) {
    StringBuilder out =
        new StringBuilder(cluster.name()).append(": ").append(o.path("kind").asText()).append(' ');
    String namespace = o.at("/metadata/namespace").asText("");
    if (!namespace.isEmpty()) {
      out.append(namespace).append('/');
    }
    out.append(o.at("/metadata/name").asText());
    if (o.at("/metadata/deletionTimestamp").isTextual()) {
      out.append(" deleting since ").append(o.at("/metadata/deletionTimestamp").asText());
    }
    if (!o.at("/metadata/finalizers").isEmpty()) {
      out.append(" finalizers ").append(o.at("/metadata/finalizers"));
    }
    if (o.at("/status/phase").isTextual()) {
      out.append(" phase ").append(o.at("/status/phase").asText());
    }
    return out.toString();
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

  /**
   * Every resource exists on {@code on}, at once; none of them on {@code off}, awaited: the library
   * deletes what an application leaves on the cluster it moved from and records the move without
   * waiting for the cluster to finish (as Krake does), and a real cluster takes a while: a Pod goes
   * once the kubelet has stopped its containers, a PersistentVolumeClaim and a PersistentVolume
   * once the controller manager has removed their protection finalizers. Fails after {@link
   * FakeClusters#TIMEOUT} naming what is still on {@code off}.
   */
  private static void assertOnlyOn(TestCluster on, TestCluster off, List<ObjectNode> resources) {
    for (ObjectNode r : resources) {
      String apiVersion = r.path("apiVersion").asText();
      String kind = r.path("kind").asText();
      String name = r.at("/metadata/name").asText();
      assertThat(on.list(apiVersion, kind))
          .as("%s %s on %s", kind, name, on.name())
          .anySatisfy(o -> assertThat(o.at("/metadata/name").asText()).isEqualTo(name));
    }
    await()
        .atMost(FakeClusters.TIMEOUT)
        .untilAsserted(
            () -> {
              List<String> still = new ArrayList<>();
              for (ObjectNode r : resources) {
                String name = r.at("/metadata/name").asText();
                for (ObjectNode o :
                    off.list(r.path("apiVersion").asText(), r.path("kind").asText())) {
                  if (o.at("/metadata/name").asText().equals(name)) {
                    still.add(describe(off, o));
                  }
                }
              }
              assertThat(still).as("the application's objects still on %s", off.name()).isEmpty();
            });
  }
}
