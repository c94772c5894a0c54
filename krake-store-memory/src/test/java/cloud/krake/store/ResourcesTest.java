package cloud.krake.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.FieldError;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.Resource;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The typed layer's Krake API semantics, over a {@link MemoryStore}. */
class ResourcesTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00.123456Z");

  private static final String ECHO =
      """
      api: kubernetes
      kind: Application
      metadata:
        name: echo
        namespace: tenant-a
        labels: {team: edge}
        uid: user-chosen-uid
        created: 2001-01-01T00:00:00Z
      spec:
        manifest:
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo}
            spec: {replicas: 1}
        constraints:
          cluster:
            labels: ["location is DE"]
        hooks: %s
      status:
        state: RUNNING
        complete_token: "user-supplied"
      """;

  private final MemoryStore store = MemoryStore.create();
  private final ManualClock clock = new ManualClock(T0);
  private final Applications apps = new Applications(store, clock);

  @AfterEach
  void closeStore() {
    store.close();
  }

  private static Application app(String hooks) {
    return KrakeJson.read(ECHO.formatted(hooks), Application.class);
  }

  private Application created() {
    return apps.create(app("[]"));
  }

  @Test
  void createSetsServerFieldsAndThePendingStatus() {
    Application created = created();

    Metadata m = created.metadata();
    assertThat(m.uid()).isPresent().isNotEqualTo(Optional.of("user-chosen-uid"));
    assertThat(m.created()).contains(T0);
    assertThat(m.modified()).contains(T0);
    assertThat(m.deleted()).isEmpty();
    assertThat(m.revision()).isPositive();
    assertThat(created.status().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(created.status().complete().token()).isEmpty();
    assertThat(apps.require("tenant-a", "echo")).isEqualTo(created);
  }

  @Test
  void storesKrakesDocumentUnderKrakesKey() {
    created();

    String json = store.get("/kubernetes/applications/tenant-a/echo").orElseThrow().valueAsString();

    assertThat(json).contains("\"kind\":\"Application\"", "\"state\":\"PENDING\"", "\"uid\":");
  }

  @Test
  void createRejectsAnInvalidApplicationNamingEveryFieldAndStoresNothing() {
    String broken =
        ECHO.formatted("[]")
            .replace("apiVersion: apps/v1", "notApiVersion: x")
            .replace("name: echo\n  namespace", "name: -bad-\n  namespace");

    assertThatThrownBy(() -> apps.create(KrakeJson.read(broken, Application.class)))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .contains("metadata.name")
                    .anyMatch(f -> f.startsWith("spec.manifest[0]") && f.endsWith("apiVersion")));
    assertThat(store.listAll("/")).isEmpty();
  }

  @Test
  void createOfATakenNameConflicts() {
    created();

    assertThatThrownBy(() -> apps.create(app("[]"))).isInstanceOf(ConflictException.class);
  }

  @Test
  void createRequiresANamespaceForNamespacedTypes() {
    Application noNamespace =
        app("[]")
            .withMetadata(
                new Metadata(
                    "echo", Optional.empty(), null, false, null, null, null, null, null, null, 0));

    assertThatThrownBy(() -> apps.create(noNamespace))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("metadata.namespace"));
  }

  @Test
  void requireOfAMissingResourceNamesItsKey() {
    assertThat(apps.get("tenant-a", "nope")).isEmpty();
    assertThatThrownBy(() -> apps.require("tenant-a", "nope"))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("/kubernetes/applications/tenant-a/nope");
  }

  @Test
  void updateWritesSpecAndMetadataBumpsModifiedAndKeepsStatus() {
    Application created = created();
    clock.advance(Duration.ofSeconds(5));

    Application changed =
        created
            .withMetadata(created.metadata().withLabels(Map.of("team", "core")))
            .withStatus(created.status().withState(ApplicationState.FAILED));
    Application updated = apps.update(changed);

    assertThat(updated.metadata().labels()).containsEntry("team", "core");
    assertThat(updated.metadata().modified()).contains(T0.plusSeconds(5));
    assertThat(updated.metadata().created()).contains(T0);
    assertThat(updated.metadata().uid()).isEqualTo(created.metadata().uid());
    assertThat(updated.status().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(updated.metadata().revision()).isGreaterThan(created.metadata().revision());
    assertThat(apps.require("tenant-a", "echo")).isEqualTo(updated);
  }

  @Test
  void updateOfAStaleCopyConflicts() {
    Application created = created();
    apps.update(created.withMetadata(created.metadata().withLabels(Map.of("v", "1"))));

    assertThatThrownBy(
            () ->
                apps.update(created.withMetadata(created.metadata().withLabels(Map.of("v", "2")))))
        .isInstanceOfSatisfying(
            ConflictException.class,
            e -> assertThat(e.expectedRevision()).isEqualTo(created.metadata().revision()));
    assertThat(apps.require("tenant-a", "echo").metadata().labels()).containsEntry("v", "1");
  }

  @Test
  void updateOfAnObjectNotReadFromTheStoreIsRejected() {
    created();

    assertThatThrownBy(() -> apps.update(app("[]")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata.revision");
  }

  @Test
  void anUpdateThatChangesNothingWritesNothing() {
    Application created = created();
    long revision = store.revision();
    clock.advance(Duration.ofSeconds(1));

    Application same = apps.update(created);

    assertThat(same).isEqualTo(created);
    assertThat(store.revision()).isEqualTo(revision);
  }

  @Test
  void updateRejectsAnObjectThatWasDeletedAndCreatedAgain() {
    Application old = created();
    apps.forceDelete("tenant-a", "echo");
    Application again = created();

    Application stale = old.withMetadata(old.metadata().withRevision(again.metadata().revision()));

    assertThatThrownBy(() -> apps.update(stale))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e -> assertThat(e.errors().get(0).field()).isEqualTo("metadata.uid"));
  }

  @Test
  void statusUpdateWritesOnlyTheStatusAndLeavesModifiedAlone() {
    Application created = created();
    clock.advance(Duration.ofSeconds(5));

    Application running =
        apps.updateStatus(
            created
                .withMetadata(created.metadata().withLabels(Map.of("ignored", "yes")))
                .withStatus(created.status().withState(ApplicationState.RUNNING)));

    assertThat(running.status().state()).isEqualTo(ApplicationState.RUNNING);
    assertThat(running.metadata().modified()).contains(T0);
    assertThat(running.metadata().labels()).doesNotContainKey("ignored");
  }

  @Test
  void modifyRejectsAChangeOfAnImmutableField() {
    created();

    assertThatThrownBy(
            () ->
                apps.modify(
                    "tenant-a",
                    "echo",
                    a ->
                        a.withMetadata(
                            new Metadata(
                                "echo",
                                Optional.of("tenant-b"),
                                null,
                                false,
                                null,
                                a.metadata().uid(),
                                null,
                                null,
                                null,
                                null,
                                a.metadata().revision()))))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e -> assertThat(e.getMessage()).contains("metadata.namespace", "immutable"));
  }

  @Test
  void concurrentModificationsAreEachAppliedOnce() throws Exception {
    created();
    int threads = 4;
    int perThread = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    apps.modifyStatus(
                        "tenant-a",
                        "echo",
                        a -> a.status().withMigrationRetries(a.status().migrationRetries() + 1));
                  }
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(apps.require("tenant-a", "echo").status().migrationRetries())
        .isEqualTo(threads * perThread);
  }

  @Test
  void deleteMarksTheResourceAndAppendsTheCascadeFinalizer() {
    Application created = created();
    clock.advance(Duration.ofSeconds(3));

    Application deleted = apps.delete("tenant-a", "echo");

    assertThat(deleted.metadata().deleted()).contains(T0.plusSeconds(3));
    assertThat(deleted.metadata().finalizers()).containsExactly(Resources.CASCADE_DELETION);
    assertThat(deleted.metadata().modified()).isEqualTo(created.metadata().modified());
    assertThat(deleted.status().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(apps.require("tenant-a", "echo")).isEqualTo(deleted);

    clock.advance(Duration.ofSeconds(3));
    assertThat(apps.delete("tenant-a", "echo")).isEqualTo(deleted);
  }

  @Test
  void deleteOfAnApplicationWithTheShutdownHookWaitsForCleaning() {
    apps.create(app("[shutdown]"));

    Application deleted = apps.delete("tenant-a", "echo");

    assertThat(deleted.status().state()).isEqualTo(ApplicationState.WAITING_FOR_CLEANING);
  }

  @Test
  void addingAFinalizerDuringDeletionIsRejected() {
    created();
    Application deleted = apps.delete("tenant-a", "echo");

    assertThatThrownBy(
            () ->
                apps.update(
                    deleted.withMetadata(
                        deleted.metadata().withFinalizers(List.of("cascade_deletion", "mine")))))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e -> assertThat(e.getMessage()).contains("metadata.finalizers"));
  }

  @Test
  void removingTheLastFinalizerOfADeletedResourceRemovesIt() {
    created();
    Application deleted = apps.delete("tenant-a", "echo");

    Application gone =
        apps.update(deleted.withMetadata(deleted.metadata().withFinalizers(List.of())));

    assertThat(gone.metadata().isDeleted()).isTrue();
    assertThat(apps.get("tenant-a", "echo")).isEmpty();
  }

  @Test
  void forceDeleteRemovesAtOnceIgnoringFinalizers() {
    Application created = created();
    apps.update(created.withMetadata(created.metadata().withFinalizers(List.of("keep-me"))));

    assertThat(apps.forceDelete("tenant-a", "echo")).isPresent();
    assertThat(apps.get("tenant-a", "echo")).isEmpty();
    assertThat(apps.forceDelete("tenant-a", "echo")).isEmpty();
  }

  @Test
  void listingsSeparateNamespacesAndCarryTheirRevision() {
    apps.create(app("[]"));
    Application other = app("[]");
    apps.create(other.withMetadata(Metadata.of("tenant-b", "echo")));
    apps.create(other.withMetadata(Metadata.of("tenant-b", "web")));

    ResourceList<Application> tenantB = apps.list("tenant-b");

    assertThat(tenantB.items()).extracting(a -> a.metadata().name()).containsExactly("echo", "web");
    assertThat(tenantB.revision()).isEqualTo(store.revision());
    assertThat(apps.list().items()).hasSize(3);
  }

  @Test
  void watchDeliversTypedEventsAndSkipsCorruptDocuments() {
    List<ResourceEvent<Application>> events = new ArrayList<>();
    List<CorruptDocumentException> corrupt = new ArrayList<>();
    Watch watch =
        apps.watch(
            "tenant-a",
            0,
            new ResourceListener<>() {
              @Override
              public synchronized void onEvent(ResourceEvent<Application> event) {
                events.add(event);
              }

              @Override
              public synchronized void onCorruptDocument(CorruptDocumentException error) {
                corrupt.add(error);
              }
            });
    try {
      Application created = created();
      store.create("/kubernetes/applications/tenant-a/broken", "{not json".getBytes(UTF_8));
      apps.delete("tenant-a", "echo");
      apps.forceDelete("tenant-a", "echo");

      await().atMost(Duration.ofSeconds(30)).until(() -> size(events) == 3);
      assertThat(events)
          .extracting(ResourceEvent::type)
          .containsExactly(
              WatchEvent.Type.ADDED, WatchEvent.Type.MODIFIED, WatchEvent.Type.DELETED);
      assertThat(events.get(0).resource()).isEqualTo(created);
      assertThat(events.get(2).resource().metadata().isDeleted()).isTrue();
      assertThat(corrupt)
          .singleElement()
          .satisfies(
              e -> assertThat(e.key()).isEqualTo("/kubernetes/applications/tenant-a/broken"));
    } finally {
      watch.close();
    }
  }

  private static int size(List<?> list) {
    synchronized (list) {
      return list.size();
    }
  }

  @Test
  void aCorruptDocumentNamesItsKey() {
    store.create(
        "/kubernetes/applications/tenant-a/broken", "{\"kind\":\"Cluster\"}".getBytes(UTF_8));

    assertThatThrownBy(() -> apps.get("tenant-a", "broken"))
        .isInstanceOfSatisfying(
            CorruptDocumentException.class,
            e -> {
              assertThat(e.key()).isEqualTo("/kubernetes/applications/tenant-a/broken");
              assertThat(e.getMessage()).contains("kind");
            });
  }

  @Test
  void globalResourcesFromKrakeDocumentsAreStoredWithoutNamespace() throws IOException {
    Path sample =
        Path.of(
            URI.create(
                ResourcesTest.class.getResource("/manifests/static-metrics.yaml").toString()));
    Resources<GlobalMetricsProvider> providers =
        new Resources<>(store, ResourceType.GLOBAL_METRICS_PROVIDER, clock);
    List<Resource<?>> documents = KrakeJson.readAllResources(Files.readString(sample));
    GlobalMetricsProvider provider =
        documents.stream()
            .filter(GlobalMetricsProvider.class::isInstance)
            .map(GlobalMetricsProvider.class::cast)
            .findFirst()
            .orElseThrow();

    GlobalMetricsProvider created = providers.create(provider);

    String name = created.metadata().name();
    assertThat(store.get("/core/globalmetricsproviders/" + name)).isPresent();
    assertThat(providers.require("", name)).isEqualTo(created);
    assertThatThrownBy(() -> providers.create(provider.withMetadata(Metadata.of("tenant-a", name))))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("metadata.namespace");
  }
}
