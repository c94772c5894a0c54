package cloud.krake.k8s.e2e;

import cloud.krake.store.memory.MemoryStore;
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
 * behind; on fake clusters. The project's own manifests ({@link SamplesIT}) run on fake and on real
 * control planes; on real ones two of Krake's samples are not green yet ({@code
 * hook-shutdown-service.yaml} stays CREATING, {@code pvc-pod.yaml}'s PersistentVolume is still
 * terminating when "nothing left" is checked), so this suite stays on the fakes until they are.
 */
@ParameterizedClass(name = "{0} clusters")
@EnumSource(value = ClusterSource.class, names = "FAKE")
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
    SamplesIT.assertDeployedObservedMigratedAndDeleted(env, manifest, schema);
  }
}
