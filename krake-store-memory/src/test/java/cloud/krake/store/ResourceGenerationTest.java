package cloud.krake.store;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code metadata.generation}: bumped by the typed layer on spec changes only. */
class ResourceGenerationTest {

  private static final String ECHO =
      """
      api: kubernetes
      kind: Application
      metadata: {name: echo, namespace: tenant-a}
      spec:
        manifest:
          - apiVersion: v1
            kind: ConfigMap
            metadata: {name: echo}
            data: {a: "1"}
        constraints: {cluster: {labels: []}}
      """;

  private final MemoryStore store = MemoryStore.create();
  private final Applications apps =
      new Applications(store, new ManualClock(Instant.parse("2026-12-06T10:00:00Z")));

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void createStartsAtGenerationOneAndSpecChangesBumpIt() {
    Application created = apps.create(KrakeJson.read(ECHO, Application.class));
    assertThat(created.metadata().generation()).isEqualTo(1);

    Application changed =
        apps.modify(
            "tenant-a",
            "echo",
            a ->
                a.withSpec(
                    a.spec()
                        .withBackoff(
                            a.spec().backoff() + 1,
                            a.spec().backoffDelay(),
                            a.spec().backoffLimit())));

    assertThat(changed.metadata().generation()).isEqualTo(2);
    assertThat(apps.require("tenant-a", "echo").metadata().generation()).isEqualTo(2);
  }

  @Test
  void labelFinalizerStatusAndDeletionWritesKeepTheGeneration() {
    apps.create(KrakeJson.read(ECHO, Application.class));

    apps.modify(
        "tenant-a", "echo", a -> a.withMetadata(a.metadata().withLabels(Map.of("team", "x"))));
    apps.modify(
        "tenant-a", "echo", a -> a.withMetadata(a.metadata().withFinalizers(List.of("mine"))));
    apps.modifyStatus("tenant-a", "echo", a -> a.status().withObservedGeneration(1));
    apps.delete("tenant-a", "echo");

    assertThat(apps.require("tenant-a", "echo").metadata().generation()).isEqualTo(1);
  }

  @Test
  void callersCannotSetTheGeneration() {
    Application created = apps.create(KrakeJson.read(ECHO, Application.class));

    Application written = apps.update(created.withMetadata(created.metadata().withGeneration(42)));

    assertThat(written.metadata().generation()).isEqualTo(1);
  }

  @Test
  void krakesDocumentsWithoutGenerationReadAsZeroAndAreWrittenWithout() {
    Application krakes = KrakeJson.read(ECHO, Application.class);

    assertThat(krakes.metadata().generation()).isZero();
    assertThat(krakes.status().observedGeneration()).isZero();
    assertThat(KrakeJson.write(krakes)).doesNotContain("generation");
    String stored = KrakeJson.write(apps.create(krakes));
    assertThat(stored).contains("\"generation\":1").doesNotContain("observed_generation");
  }
}
