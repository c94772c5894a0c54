package cloud.krake.k8s.e2e;

import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link SamplesIT} with Krake's own sample files, read from the directory the {@code
 * krake-samples} Maven profile gives as {@code krake.samples.dir}: every Kubernetes manifest Krake
 * publishes deployed, observed, migrated between two clusters and deleted, leaving no object
 * behind; on two fake API servers and on two real control planes (each with a local kubelet as its
 * node). Before each migration and deletion the sample's Pods are awaited out of Pending, so that
 * on real clusters they have really run (a PersistentVolumeClaim bound, a ConfigMap mounted).
 */
@ParameterizedClass(name = "{0} clusters")
@EnumSource(ClusterSource.class)
@ExtendWith(SharedControlPlanes.class)
class SamplesConformanceIT {

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

  /**
   * What a sample uses without declaring it, by sample: Krake's own end-to-end test creates {@code
   * sd-service-configmap} (the script hook-shutdown-service.yaml's command copies and runs) with
   * kubectl before the application; without it, the kubelet keeps the Pod ContainerCreating.
   */
  private static final Map<String, String> PREREQUISITES =
      Map.of("krake:hook-shutdown-service.yaml", "sd-service-configmap.yaml");

  static Stream<Arguments> samples() {
    return Stream.of(
        Arguments.of("krake:echo-demo.yaml", ""),
        Arguments.of("krake:echo-demo.yaml", "krake:echo-demo-observer-schema-standard.yaml"),
        Arguments.of("krake:echo-demo.yaml", "krake:echo-demo-observer-schema-custom-1.yaml"),
        Arguments.of("krake:echo-demo-namespaced.yaml", ""),
        Arguments.of("krake:hook-complete.yaml", ""),
        Arguments.of("krake:hook-shutdown.yaml", "krake:hook-shutdown-observer.yaml"),
        Arguments.of("krake:hook-shutdown-service.yaml", ""),
        Arguments.of("krake:pvc-pod.yaml", "krake:pvc-pod-observer-schema.yaml"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("samples")
  void krakeSampleIsDeployedObservedMigratedAndDeletedWithoutLeftovers(
      String manifest, String schema) {
    if (manifest.contains("pvc-pod")) {
      // its migration copies the claim's data through pods/exec, which the pods' kubelets serve
      env.clusterA.kubelet();
      env.clusterB.kubelet();
    }
    SamplesIT.assertDeployedObservedMigratedAndDeleted(
        env, manifest, schema, prerequisites(manifest), true);
  }

  /**
   * The objects of a sample's {@link #PREREQUISITES} file, read from {@code /prerequisites/} on the
   * test classpath (krake-k8s's test resources: not among the test manifests, which every
   * manifest-wide test takes for applications).
   */
  private static List<ObjectNode> prerequisites(String manifest) {
    String file = PREREQUISITES.get(manifest);
    if (file == null) {
      return List.of();
    }
    try (InputStream in =
        SamplesConformanceIT.class.getResourceAsStream("/prerequisites/" + file)) {
      if (in == null) {
        throw new IllegalStateException("/prerequisites/" + file + " is not on the test classpath");
      }
      return KrakeJson.readAll(
              new String(in.readAllBytes(), StandardCharsets.UTF_8), ObjectNode.class)
          .stream()
          .filter(doc -> doc != null && doc.size() > 0)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
