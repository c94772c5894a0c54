package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.ReasonCode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ClusterClient} shows against a Kubernetes API server, whatever the
 * server: run by {@code FakeClusterClientTest} against the fake API server and by {@code
 * RealClusterClientIT} against a real cluster. Checks that need fault injection live in the fake's
 * test only.
 *
 * <p>Subclasses give a client whose default namespace is free for the tests to use and where
 * explicitly namespaced samples go; every object a test applies is deleted after it.
 */
abstract class ClusterClientContract {

  private final List<ObjectNode> applied = new ArrayList<>();

  /** Returns the client under test. */
  protected abstract ClusterClient client();

  /**
   * Returns a client of the same cluster whose {@code spec.custom_resources} lists the definitions.
   */
  protected abstract ClusterClient clientWithCustomResources(List<String> definitions);

  /** Makes sure a namespace exists (a sample names {@code secondary}). */
  protected abstract void createNamespace(String name);

  /** Returns where objects of a sample's explicit namespace go; the same namespace by default. */
  protected String namespaceFor(String sampleNamespace) {
    return sampleNamespace;
  }

  /** Applies and remembers the object for clean-up. */
  protected ObjectNode apply(ClusterClient client, ObjectNode resource) {
    ObjectNode result = client.apply(resource);
    applied.add(result);
    return result;
  }

  @AfterEach
  void deleteWhatTheTestApplied() {
    for (int i = applied.size() - 1; i >= 0; i--) {
      try {
        client().delete(applied.get(i));
      } catch (KubernetesException e) {
        // best effort: the fake is discarded anyway; a real cluster loses the namespace later
      }
    }
    applied.clear();
  }

  @Test
  void appliesEveryKubernetesManifestOfTheTestManifests() {
    List<Path> samples = Manifests.kubernetesManifests(Manifests.samples());
    assertThat(samples)
        .extracting(p -> p.getFileName().toString())
        .contains("echo.yaml", "complete-job.yaml", "shutdown-statefulset.yaml", "pvc-pod.yaml");
    for (Path sample : samples) {
      for (ObjectNode resource : Manifests.read(sample)) {
        String explicit = Manifests.namespace(resource);
        if (!explicit.isEmpty()) {
          String ns = namespaceFor(explicit);
          createNamespace(ns);
          ((ObjectNode) resource.get("metadata")).put("namespace", ns);
        }

        ObjectNode stored = apply(client(), resource);

        assertThat(Manifests.name(stored)).as(sample + " name").isEqualTo(Manifests.name(resource));
        assertThat(stored.path("kind").asText()).isEqualTo(resource.path("kind").asText());
        assertThat(stored.path("metadata").path("uid").asText()).as(sample + " uid").isNotEmpty();
        assertThat(client().get(resource)).as(sample + " read back").isPresent();
      }
    }
  }

  @Test
  void putsNamespacedResourcesWithoutNamespaceIntoTheDefaultNamespace() {
    ObjectNode stored = apply(client(), Manifests.configMap("contract-default-ns", "a"));

    assertThat(Manifests.namespace(stored)).isEqualTo(client().defaultNamespace());
  }

  @Test
  void applyingTheSameManifestTwiceChangesNothing() {
    ObjectNode deployment = Manifests.sample("echo.yaml").get(0);

    ObjectNode first = apply(client(), deployment);
    ObjectNode second = apply(client(), deployment);

    assertThat(second.path("metadata").path("uid")).isEqualTo(first.path("metadata").path("uid"));
    assertThat(second.path("spec").path("template")).isEqualTo(first.path("spec").path("template"));
    assertThat(client().list("apps/v1", "Deployment", Optional.of(Manifests.namespace(first))))
        .extracting(Manifests::name)
        .containsOnlyOnce("echo-demo");
  }

  @Test
  void applyingAnUpdatedManifestUpdatesTheObject() {
    apply(client(), Manifests.sample("echo.yaml").get(0));

    apply(client(), Manifests.sample("echo-update.yaml").get(0));

    ObjectNode stored = client().get(Manifests.sample("echo.yaml").get(0)).orElseThrow();
    assertThat(stored.path("spec").path("replicas").asInt()).isEqualTo(2);
    assertThat(
            stored
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0)
                .path("image")
                .asText())
        .isEqualTo("python:3.13-alpine");
  }

  @Test
  void deletesAnObjectAndReportsOneAlreadyGone() {
    ObjectNode configMap = apply(client(), Manifests.configMap("contract-delete", "a"));

    assertThat(client().delete(configMap)).isTrue();
    await().atMost(Duration.ofSeconds(30)).until(() -> client().get(configMap).isEmpty());
    assertThat(client().delete(configMap)).isFalse();
  }

  @Test
  void readsNothingForAMissingObject() {
    assertThat(client().get(Manifests.configMap("contract-never-applied", "a"))).isEmpty();
  }

  @Test
  void listsTheObjectsOfAKindWithTheirApiVersionAndKind() {
    apply(client(), Manifests.configMap("contract-list-1", "a"));
    apply(client(), Manifests.configMap("contract-list-2", "b"));

    List<ObjectNode> inNamespace =
        client().list("v1", "ConfigMap", Optional.of(client().defaultNamespace()));
    List<ObjectNode> everywhere = client().list("v1", "ConfigMap", Optional.empty());

    assertThat(inNamespace)
        .extracting(Manifests::name)
        .contains("contract-list-1", "contract-list-2");
    assertThat(everywhere).extracting(Manifests::name).contains("contract-list-1");
    assertThat(inNamespace)
        .allSatisfy(
            o -> {
              assertThat(o.path("apiVersion").asText()).isEqualTo("v1");
              assertThat(o.path("kind").asText()).isEqualTo("ConfigMap");
            });
  }

  @Test
  void rejectsManifestsWithoutApiVersionKindOrNameNamingTheField() {
    ObjectNode noApiVersion = Manifests.configMap("contract-invalid", "a");
    noApiVersion.remove("apiVersion");
    ObjectNode noKind = Manifests.configMap("contract-invalid", "a");
    noKind.remove("kind");
    ObjectNode noName = Manifests.configMap("contract-invalid", "a");
    ((ObjectNode) noName.get("metadata")).remove("name");

    assertInvalid(noApiVersion, "apiVersion");
    assertInvalid(noKind, "kind");
    assertInvalid(noName, "metadata.name");
  }

  private void assertInvalid(ObjectNode resource, String field) {
    KubernetesException e =
        catchThrowableOfType(KubernetesException.class, () -> client().apply(resource));
    assertThat(e.reason()).isEqualTo(ReasonCode.INVALID_RESOURCE);
    assertThat(e.getMessage()).contains(field);
  }

  @Test
  void rejectsKindsTheClusterDoesNotServeAsUnsupported() {
    ObjectNode unknownKind = Manifests.configMap("contract-unsupported", "a");
    unknownKind.put("kind", "NoSuchKind");
    ObjectNode unknownVersion = Manifests.configMap("contract-unsupported", "a");
    unknownVersion.put("apiVersion", "nosuchgroup.k8s.io/v1");

    assertThatThrownBy(() -> client().apply(unknownKind))
        .isInstanceOfSatisfying(
            KubernetesException.class,
            e -> assertThat(e.reason()).isEqualTo(ReasonCode.UNSUPPORTED_RESOURCE));
    assertThatThrownBy(() -> client().apply(unknownVersion))
        .isInstanceOfSatisfying(
            KubernetesException.class,
            e -> assertThat(e.reason()).isEqualTo(ReasonCode.UNSUPPORTED_RESOURCE));
    assertThatThrownBy(() -> client().list("v1", "NoSuchKind", Optional.empty()))
        .isInstanceOfSatisfying(
            KubernetesException.class,
            e -> assertThat(e.reason()).isEqualTo(ReasonCode.UNSUPPORTED_RESOURCE));
  }

  @Test
  void rejectsCustomResourcesWhoseDefinitionIsNotListedAsUnsupported() {
    assertThatThrownBy(() -> client().apply(Manifests.crontab("contract-cron")))
        .isInstanceOfSatisfying(
            KubernetesException.class,
            e -> assertThat(e.reason()).isEqualTo(ReasonCode.UNSUPPORTED_RESOURCE));
  }

  @Test
  void rejectsCustomResourcesWhoseListedDefinitionIsMissingAsInvalidCustomResource() {
    ClusterClient listing = clientWithCustomResources(List.of("missings.stable.example.com"));
    ObjectNode resource = Manifests.crontab("contract-cron");
    resource.put("kind", "Missing");

    assertThatThrownBy(() -> listing.apply(resource))
        .isInstanceOfSatisfying(
            KubernetesException.class,
            e -> assertThat(e.reason()).isEqualTo(ReasonCode.INVALID_CUSTOM_RESOURCE));
  }

  @Test
  void appliesCustomResourcesWhoseDefinitionIsListedAndApplied() {
    ClusterClient listing = clientWithCustomResources(List.of("crontabs.stable.example.com"));
    apply(listing, Manifests.crontabDefinition());

    ObjectNode stored =
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreException(KubernetesException.class)
            .until(() -> apply(listing, Manifests.crontab("contract-cron")), o -> true);

    assertThat(stored.path("kind").asText()).isEqualTo("CronTab");
    assertThat(Manifests.namespace(stored)).isEqualTo(listing.defaultNamespace());
    assertThat(listing.get(Manifests.crontab("contract-cron"))).isPresent();
    assertThat(listing.delete(Manifests.crontab("contract-cron"))).isTrue();
  }

  @Test
  void watchStartsWithTheListedObjects() {
    apply(client(), Manifests.configMap("contract-watch-a", "a"));
    apply(client(), Manifests.configMap("contract-watch-b", "b"));
    RecordingObjectListener listener = new RecordingObjectListener();

    try (ObjectWatch watch =
        client().watch("v1", "ConfigMap", Optional.of(client().defaultNamespace()), listener)) {
      await().atMost(Duration.ofSeconds(30)).until(watch::hasSynced);

      assertThat(listener.resyncs()).hasSize(1);
      assertThat(listener.lastResyncNames()).contains("contract-watch-a", "contract-watch-b");
      assertThat(listener.resyncs().get(0))
          .allSatisfy(o -> assertThat(o.path("kind").asText()).isEqualTo("ConfigMap"));
    }
  }

  @Test
  void watchDeliversEveryChangeInOrder() {
    RecordingObjectListener listener = new RecordingObjectListener();
    try (ObjectWatch watch =
        client().watch("v1", "ConfigMap", Optional.of(client().defaultNamespace()), listener)) {
      await().atMost(Duration.ofSeconds(30)).until(watch::hasSynced);

      ObjectNode configMap = apply(client(), Manifests.configMap("contract-events", "1"));
      apply(client(), Manifests.configMap("contract-events", "2"));
      client().delete(configMap);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(listener.changes("contract-events"))
                      .containsExactly(
                          "ADDED contract-events",
                          "MODIFIED contract-events",
                          "DELETED contract-events"));
      assertThat(listener.errors()).isEmpty();
    }
  }

  @Test
  void closingAWatchStopsItsDeliveries() {
    RecordingObjectListener listener = new RecordingObjectListener();
    ObjectWatch watch =
        client().watch("v1", "ConfigMap", Optional.of(client().defaultNamespace()), listener);
    await().atMost(Duration.ofSeconds(30)).until(watch::hasSynced);

    watch.close();
    watch.close();
    apply(client(), Manifests.configMap("contract-after-close", "1"));

    assertThat(listener.changes("contract-after-close")).isEmpty();
  }
}
