package cloud.krake.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.FieldError;
import cloud.krake.model.GlobalMetric;
import cloud.krake.model.GlobalMetricsProvider;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.store.ApplyResult.Applied;
import cloud.krake.store.ApplyResult.Change;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ForwardingStore;
import cloud.krake.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Declarative apply of Krake documents (issue 19), over a {@link MemoryStore}. */
class DeclarativeApplyTest {

  private static final String APP =
      """
      api: kubernetes
      kind: Application
      metadata:
        name: echo
        namespace: tenant-a
        labels: {team: edge, tier: web}
      spec:
        manifest:
          - apiVersion: v1
            kind: ConfigMap
            metadata: {name: echo}
            data: {a: "1"}
        constraints: {cluster: {labels: ["location is DE"]}}
        backoff_limit: 3
      """;

  private static final String CLUSTER =
      """
      api: kubernetes
      kind: Cluster
      metadata: {name: c1, namespace: tenant-a, labels: {location: DE}}
      spec:
        kubeconfig:
          apiVersion: v1
          kind: Config
          current-context: admin@c1
          clusters: [{name: c1, cluster: {server: "https://127.0.0.1:6443"}}]
          contexts: [{name: admin@c1, context: {cluster: c1, user: admin}}]
          users: [{name: admin, user: {token: t0k3n-value}}]
      """;

  private static final String METRICS =
      """
      api: core
      kind: GlobalMetricsProvider
      metadata: {name: static_provider}
      spec:
        type: static
        static: {metrics: {electricity_cost_1: 0.9}}
      ---
      api: core
      kind: GlobalMetric
      metadata: {name: electricity_cost_1}
      spec:
        min: 0.0
        max: 1.0
        provider: {name: static_provider, metric: electricity_cost_1}
      """;

  private final MemoryStore store = MemoryStore.create();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final Applications apps =
      new Applications(
          store,
          clock,
          List.of(
              app ->
                  app.metadata().labels().containsKey("forbidden")
                      ? List.of(new FieldError("metadata.labels.forbidden", "not here"))
                      : List.of()));
  private final Clusters clusters = new Clusters(store, clock);
  private final Resources<GlobalMetric> globalMetrics =
      new Resources<>(store, ResourceType.GLOBAL_METRIC, clock);
  private final Resources<GlobalMetricsProvider> providers =
      new Resources<>(store, ResourceType.GLOBAL_METRICS_PROVIDER, clock);

  private DeclarativeApply apply() {
    return new DeclarativeApply(List.of(apps, clusters, globalMetrics, providers));
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  @Test
  void createsEveryDocumentOfAMultiDocumentFileInOrder(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bootstrap.yaml");
    Files.writeString(file, APP + "---\n" + CLUSTER + "---\n" + METRICS);

    ApplyResult result = apply().apply(file);

    assertThat(result.applied())
        .extracting(Applied::index, Applied::kind, Applied::namespace, Applied::name)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, "Application", "tenant-a", "echo"),
            org.assertj.core.groups.Tuple.tuple(1, "Cluster", "tenant-a", "c1"),
            org.assertj.core.groups.Tuple.tuple(2, "GlobalMetricsProvider", "", "static_provider"),
            org.assertj.core.groups.Tuple.tuple(3, "GlobalMetric", "", "electricity_cost_1"));
    assertThat(result.applied()).extracting(Applied::change).containsOnly(Change.CREATED);
    assertThat(result.applied()).extracting(Applied::generation).containsOnly(1L);
    Application app = apps.require("tenant-a", "echo");
    assertThat(app.metadata().revision()).isEqualTo(result.applied().get(0).revision());
    assertThat(app.status().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(clusters.require("tenant-a", "c1").metadata().labels())
        .containsEntry("location", "DE");
    assertThat(globalMetrics.require("", "electricity_cost_1").spec().max()).isEqualTo(1.0);
  }

  @Test
  void applyingTheSameDocumentsAgainIsUnchangedAndWritesNothing() {
    apply().apply(APP + "---\n" + CLUSTER + "---\n" + METRICS);
    long revision = store.revision();

    // as a host restarted on the same store would: a new apply over new typed layers
    ApplyResult again =
        new DeclarativeApply(
                List.of(
                    new Applications(store, clock),
                    new Clusters(store, clock),
                    new Resources<>(store, ResourceType.GLOBAL_METRIC, clock),
                    new Resources<>(store, ResourceType.GLOBAL_METRICS_PROVIDER, clock)))
            .apply(
                new ByteArrayInputStream(
                    (APP + "---\n" + CLUSTER + "---\n" + METRICS)
                        .getBytes(StandardCharsets.UTF_8)));

    assertThat(again.applied()).extracting(Applied::change).containsOnly(Change.UNCHANGED);
    assertThat(store.revision()).isEqualTo(revision);
  }

  @Test
  void aPartialDocumentChangesOnlyTheFieldsItSetsAndKeepsTheStatus() {
    apply().apply(APP);
    apps.modifyStatus("tenant-a", "echo", a -> a.status().withState(ApplicationState.RUNNING));

    ApplyResult result =
        apply()
            .apply(
                """
                api: kubernetes
                kind: Application
                metadata:
                  name: echo
                  namespace: tenant-a
                  labels: {tier: api}
                spec:
                  hooks: [complete]
                status:
                  state: FAILED
                """);

    assertThat(result.applied()).extracting(Applied::change).containsExactly(Change.UPDATED);
    assertThat(result.applied().get(0).generation()).isEqualTo(2);
    Application app = apps.require("tenant-a", "echo");
    assertThat(app.metadata().labels()).isEqualTo(Map.of("team", "edge", "tier", "api"));
    assertThat(app.spec().hooks()).containsExactly("complete");
    assertThat(app.spec().backoffLimit()).isEqualTo(3);
    assertThat(app.spec().manifest()).hasSize(1);
    assertThat(app.status().state()).isEqualTo(ApplicationState.RUNNING);
  }

  @Test
  void labelOnlyChangesUpdateWithoutBumpingTheGeneration() {
    apply().apply(APP);

    ApplyResult result =
        apply()
            .apply(
                """
                api: kubernetes
                kind: Application
                metadata: {name: echo, namespace: tenant-a, labels: {team: core}}
                """);

    assertThat(result.applied()).extracting(Applied::change).containsExactly(Change.UPDATED);
    assertThat(result.applied().get(0).generation()).isEqualTo(1);
  }

  @Test
  void anInvalidDocumentAnywhereWritesNothingAndIsNamedByIndexKindNameAndField() {
    apply().apply(APP);
    long revision = store.revision();
    String input =
        METRICS
            + "---\n"
            + """
            api: kubernetes
            kind: Application
            metadata: {name: echo, namespace: tenant-a, labels: {forbidden: "yes"}}
            spec: {backoff_limit: 7}
            ---
            api: kubernetes
            kind: Cluster
            metadata: {name: c2, namespace: tenant-a}
            spec:
              kubeconfig: {}
              tosca: {tosca_definitions_version: tosca_simple_yaml_1_0}
            """;

    InvalidResourceException e =
        catchThrowableOfType(InvalidResourceException.class, () -> apply().apply(input));

    assertThat(e.errors())
        .extracting(FieldError::field)
        .contains("[2].metadata.labels.forbidden", "[3].spec.tosca");
    assertThat(e.errors())
        .filteredOn(f -> f.field().equals("[2].metadata.labels.forbidden"))
        .extracting(FieldError::message)
        .containsExactly("Application tenant-a/echo: not here");
    assertThat(e.errors())
        .filteredOn(f -> f.field().startsWith("[3]"))
        .allMatch(f -> f.message().startsWith("Cluster tenant-a/c2: "));
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(providers.get("", "static_provider")).isEmpty();
    assertThat(apps.require("tenant-a", "echo").spec().backoffLimit()).isEqualTo(3);
  }

  @Test
  void rejectsTheSameResourceTwiceAndUnknownKinds() {
    InvalidResourceException e =
        catchThrowableOfType(
            InvalidResourceException.class,
            () ->
                apply()
                    .apply(
                        APP
                            + "---\n"
                            + APP
                            + "---\napi: core\nkind: Deployment\nmetadata: {name: x}\n"));

    assertThat(e.errors())
        .extracting(FieldError::field)
        .containsExactly("[1].metadata.name", "[2].kind");
    assertThat(store.listAll("/")).isEmpty();
  }

  @Test
  void aLostCompareAndSetIsRetriedOnTheFreshResource() {
    apply().apply(APP);
    AtomicBoolean raced = new AtomicBoolean();
    Store racing =
        new ForwardingStore(store) {
          @Override
          public KeyValue update(String key, byte[] value, long expectedRevision) {
            if (raced.compareAndSet(false, true)) {
              // another writer changes the labels between the apply's read and its write
              apps.modify(
                  "tenant-a",
                  "echo",
                  a -> a.withMetadata(a.metadata().withLabels(Map.of("other", "writer"))));
            }
            return super.update(key, value, expectedRevision);
          }
        };
    Applications racingApps = new Applications(racing, clock);

    ApplyResult result =
        new DeclarativeApply(List.of(racingApps))
            .apply(
                """
                api: kubernetes
                kind: Application
                metadata: {name: echo, namespace: tenant-a, labels: {tier: api}}
                """);

    assertThat(raced).isTrue();
    assertThat(result.applied()).extracting(Applied::change).containsExactly(Change.UPDATED);
    assertThat(apps.require("tenant-a", "echo").metadata().labels())
        .isEqualTo(Map.of("other", "writer", "tier", "api"));
  }

  @Test
  void typedApplyCreatesThenUpdatesThenWritesNothing() {
    Cluster cluster = cloud.krake.model.KrakeJson.read(CLUSTER, Cluster.class);

    Cluster created = clusters.apply(cluster);
    Cluster same = clusters.apply(cluster);
    Cluster relabelled =
        clusters.apply(
            cluster.withMetadata(cluster.metadata().withLabels(Map.of("location", "FR"))));

    assertThat(created.metadata().generation()).isEqualTo(1);
    assertThat(same.metadata().revision()).isEqualTo(created.metadata().revision());
    assertThat(relabelled.metadata().revision()).isGreaterThan(created.metadata().revision());
    assertThat(relabelled.metadata().labels()).containsEntry("location", "FR");
  }
}
