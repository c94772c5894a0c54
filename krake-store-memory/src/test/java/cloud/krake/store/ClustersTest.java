package cloud.krake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.Krake;
import cloud.krake.model.Cluster;
import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Clusters Krake would create on a cloud (from a TOSCA template) are refused, naming the field. */
class ClustersTest {

  private final MemoryStore store = MemoryStore.create();
  private final Krake krake = Krake.builder().store(store).build();

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aClusterToBeCreatedOnACloudFromToscaIsRejectedAndNothingIsWritten() {
    Cluster tosca =
        KrakeJson.read(
            """
            metadata: {name: my-cluster, namespace: ns}
            spec: {tosca: {topology_template: {outputs: {kubeconfig: {}}}}}
            """,
            Cluster.class);

    assertThatThrownBy(() -> krake.clusters().create(tosca))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors()).extracting(FieldError::field).containsExactly("spec.tosca"));
    assertThat(krake.clusters().get("ns", "my-cluster")).isEmpty();
  }
}
