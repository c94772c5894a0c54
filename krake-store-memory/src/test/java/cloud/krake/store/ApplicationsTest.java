package cloud.krake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The hook transitions of {@link Applications}: Krake's /complete, /shutdown and /retry. */
class ApplicationsTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  private final MemoryStore store = MemoryStore.create();
  private final Applications apps = new Applications(store, Clock.fixed(T0, ZoneOffset.UTC));

  @AfterEach
  void closeStore() {
    store.close();
  }

  private Application create(String hooks, List<String> finalizers) {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: job, namespace: ns}
            spec:
              manifest: [{apiVersion: v1, kind: Pod, metadata: {name: job}}]
              constraints: {cluster: {}}
              hooks: %s
            """
                .formatted(hooks),
            Application.class);
    return apps.create(app.withMetadata(app.metadata().withFinalizers(finalizers)));
  }

  private Application withState(ApplicationState state) {
    return apps.modifyStatus(
        "ns",
        "job",
        a ->
            a.status()
                .withState(state)
                .withShutdownGracePeriod(Optional.of(T0.plusSeconds(30)))
                .withShutdownAttempts(2));
  }

  @Test
  void completeMarksTheApplicationReadyAndDeleted() {
    create("[complete]", List.of("kubernetes_resources_deletion"));

    Application completed = apps.acknowledgeComplete("ns", "job");

    assertThat(completed.status().state()).isEqualTo(ApplicationState.READY_FOR_ACTION);
    assertThat(completed.metadata().deleted()).contains(T0);
    assertThat(completed.metadata().finalizers())
        .containsExactly("kubernetes_resources_deletion", Resources.CASCADE_DELETION);
    assertThat(apps.require("ns", "job")).isEqualTo(completed);
  }

  @Test
  void completeOfANeverAppliedApplicationLeavesItToTheGarbageCollector() {
    create("[complete]", List.of());

    Application completed = apps.acknowledgeComplete("ns", "job");

    assertThat(completed.metadata().isDeleted()).isTrue();
    assertThat(completed.metadata().finalizers()).containsExactly(Resources.CASCADE_DELETION);
    assertThat(apps.require("ns", "job")).isEqualTo(completed);
  }

  @Test
  void completeOfAnApplicationWhoseDeletionMovedOnWritesNothing() {
    create("[complete]", List.of("kubernetes_resources_deletion"));
    Application completed = apps.acknowledgeComplete("ns", "job");
    // The controller deletes its resources; the garbage collector has dropped cascade_deletion.
    Application deleting =
        apps.writeByController(
            completed
                .withMetadata(
                    completed.metadata().withFinalizers(List.of("kubernetes_resources_deletion")))
                .withStatus(completed.status().withState(ApplicationState.DELETING)));
    long before = store.revision();

    Application again = apps.acknowledgeComplete("ns", "job");

    assertThat(again).isEqualTo(deleting);
    assertThat(store.revision()).isEqualTo(before);
    assertThat(apps.require("ns", "job").status().state()).isEqualTo(ApplicationState.DELETING);
  }

  @Test
  void hundredConcurrentCompletesCauseExactlyOneTransition() throws Exception {
    create("[complete]", List.of("kubernetes_resources_deletion"));
    long before = store.revision();
    int calls = 100;
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Application>> results = new ArrayList<>();
      Callable<Application> call =
          () -> {
            start.await();
            return apps.acknowledgeComplete("ns", "job");
          };
      for (int i = 0; i < calls; i++) {
        results.add(pool.submit(call));
      }
      start.countDown();
      for (Future<Application> result : results) {
        assertThat(result.get().status().state()).isEqualTo(ApplicationState.READY_FOR_ACTION);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(store.revision()).isEqualTo(before + 1);
  }

  @Test
  void shutdownAcknowledgementMovesWaitingAndDegradedOnAndClearsTheProgress() {
    create("[shutdown]", List.of());
    withState(ApplicationState.WAITING_FOR_CLEANING);

    Application acknowledged = apps.acknowledgeShutdown("ns", "job");

    assertThat(acknowledged.status().state()).isEqualTo(ApplicationState.READY_FOR_ACTION);
    assertThat(acknowledged.status().shutdownGracePeriod()).isEmpty();
    assertThat(acknowledged.status().shutdownAttempts()).isZero();

    withState(ApplicationState.DEGRADED);
    assertThat(apps.acknowledgeShutdown("ns", "job").status().state())
        .isEqualTo(ApplicationState.READY_FOR_ACTION);
  }

  @Test
  void shutdownAcknowledgementInAnotherStateChangesNothing() {
    create("[shutdown]", List.of());
    Application running = withState(ApplicationState.RUNNING);
    long before = store.revision();

    Application after = apps.acknowledgeShutdown("ns", "job");

    assertThat(after).isEqualTo(running);
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void retryTakesADegradedApplicationBackToWaitingForCleaningWithNoProgress() {
    create("[shutdown]", List.of());
    withState(ApplicationState.DEGRADED);

    Application retried = apps.retryShutdown("ns", "job");

    assertThat(retried.status().state()).isEqualTo(ApplicationState.WAITING_FOR_CLEANING);
    assertThat(retried.status().shutdownGracePeriod()).isEmpty();
    assertThat(retried.status().shutdownAttempts()).isZero();
  }

  @Test
  void retryOfAnApplicationThatIsNotDegradedIsRejected() {
    create("[shutdown]", List.of());
    withState(ApplicationState.RUNNING);

    assertThatThrownBy(() -> apps.retryShutdown("ns", "job"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No migration or deletion retry needed");
  }

  // ------------------------------------------------------------------ unsupported fields

  private static Application document(String specFields) {
    return KrakeJson.read(
        """
        metadata: {name: translated, namespace: ns}
        spec:
          constraints: {cluster: {}}
          %s
        """
            .formatted(specFields),
        Application.class);
  }

  private static void assertRejectedNaming(ThrowingCallable write, String field, String words) {
    assertThatThrownBy(write)
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .singleElement()
                    .satisfies(
                        error -> {
                          assertThat(error.field()).isEqualTo(field);
                          assertThat(error.message()).contains(words, "not supported");
                        }));
  }

  @Test
  void aToscaOnlyApplicationIsRejectedAtCreateNamingSpecToscaAndNothingIsStored() {
    long before = store.revision();

    assertRejectedNaming(
        () -> apps.create(document("tosca: https://example.com/app.yaml")), "spec.tosca", "TOSCA");
    assertRejectedNaming(
        () -> apps.create(document("tosca: {tosca_definitions_version: tosca_simple_yaml_1_0}")),
        "spec.tosca",
        "TOSCA");

    assertThat(apps.get("ns", "translated")).isEmpty();
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void aCsarOnlyApplicationIsRejectedAtCreateNamingSpecCsarAndNothingIsStored() {
    long before = store.revision();

    assertRejectedNaming(
        () -> apps.create(document("csar: https://example.com/app.csar")), "spec.csar", "CSAR");

    assertThat(apps.get("ns", "translated")).isEmpty();
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void autoClusterCreateIsRejectedAtCreateNamingItsField() {
    long before = store.revision();

    assertRejectedNaming(
        () ->
            apps.create(
                document(
                    "manifest: [{apiVersion: v1, kind: Pod, metadata: {name: p}}]\n"
                        + "  auto_cluster_create: true")),
        "spec.auto_cluster_create",
        "automatic cluster creation");

    assertThat(apps.get("ns", "translated")).isEmpty();
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void anUpdateThatSetsToscaCsarOrAutoClusterCreateIsRejectedAndTheStoredSpecStays() {
    Application created = create("[]", List.of());
    long before = store.revision();
    Application tosca =
        created.withSpec(
            document(
                    "manifest: [{apiVersion: v1, kind: Pod, metadata: {name: job}}]\n"
                        + "  tosca: https://example.com/app.yaml")
                .spec());
    Application csar =
        created.withSpec(
            document(
                    "manifest: [{apiVersion: v1, kind: Pod, metadata: {name: job}}]\n"
                        + "  csar: https://example.com/app.zip")
                .spec());
    Application auto =
        created.withSpec(
            document(
                    "manifest: [{apiVersion: v1, kind: Pod, metadata: {name: job}}]\n"
                        + "  auto_cluster_create: true")
                .spec());

    assertRejectedNaming(() -> apps.update(tosca), "spec.tosca", "TOSCA");
    assertRejectedNaming(() -> apps.update(csar), "spec.csar", "CSAR");
    assertRejectedNaming(() -> apps.update(auto), "spec.auto_cluster_create", "cluster creation");

    assertThat(store.revision()).isEqualTo(before);
    assertThat(apps.require("ns", "job").spec()).isEqualTo(created.spec());
  }

  @Test
  void aManifestApplicationWithoutThemIsStillAccepted() {
    assertThat(
            apps.create(document("manifest: [{apiVersion: v1, kind: Pod, metadata: {name: p}}]")))
        .satisfies(a -> assertThat(a.spec().autoClusterCreate()).isFalse());
  }
}
