package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonObject;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.informer.ResourceEventHandler;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1APIResourceList;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Status;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.Watch;
import io.kubernetes.client.util.Watchable;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import io.kubernetes.client.util.generic.dynamic.Dynamics;
import io.kubernetes.client.util.generic.options.ListOptions;
import io.kubernetes.client.util.generic.options.PatchOptions;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeKubernetesApiServerTest {
  private static final String CRD =
      """
      {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
       "metadata":{"name":"crontabs.stable.example.com"},
       "spec":{"group":"stable.example.com","scope":"Namespaced",
               "names":{"plural":"crontabs","singular":"crontab","kind":"CronTab"},
               "versions":[{"name":"v1","served":true,"storage":true,
                            "subresources":{"status":{}},
                            "schema":{"openAPIV3Schema":{"type":"object"}}}]}}
      """;

  private FakeKubernetesApiServer fake;
  private ApiClient client;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  @BeforeEach
  void start() throws IOException {
    fake = FakeKubernetesApiServer.builder().name("edge").build();
    client = clientFor(fake);
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
    fake.close();
  }

  static ApiClient clientFor(FakeKubernetesApiServer server) throws IOException {
    return ClientBuilder.kubeconfig(
            KubeConfig.loadKubeConfig(new StringReader(server.kubeconfig())))
        .build();
  }

  private DynamicKubernetesApi api(String group, String version, String plural) {
    return new DynamicKubernetesApi(group, version, plural, client);
  }

  private DynamicKubernetesApi configMaps() {
    return api("", "v1", "configmaps");
  }

  private static DynamicKubernetesObject object(String json) {
    return Dynamics.newFromJson(json);
  }

  private static DynamicKubernetesObject configMap(String name, String value) {
    return object(
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
            + name
            + "\",\"namespace\":\"default\",\"labels\":{\"app\":\"demo\"}},\"data\":{\"k\":\""
            + value
            + "\"}}");
  }

  private static void edit(DynamicKubernetesObject object, Consumer<V1ObjectMeta> change) {
    V1ObjectMeta metadata = object.getMetadata();
    change.accept(metadata);
    object.setMetadata(metadata);
  }

  private static PatchOptions apply() {
    return new PatchOptions().fieldManager("krake").force(true);
  }

  private static String resourceVersion(DynamicKubernetesObject object) {
    return object.getMetadata().getResourceVersion();
  }

  private KubernetesApiResponse<DynamicKubernetesObject> apply(JsonNode document)
      throws ApiException {
    return apply(client, document);
  }

  /** Server-side apply of one manifest document, with the plural found by discovery. */
  private static KubernetesApiResponse<DynamicKubernetesObject> apply(
      ApiClient client, JsonNode document) throws ApiException {
    String apiVersion = document.path("apiVersion").asText();
    String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
    String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
    V1APIResourceList resources =
        new Discovery(client)
            .resourceDiscovery(group.isEmpty() ? "/api/" + version : "/apis/" + apiVersion);
    V1APIResource resource =
        resources.getResources().stream()
            .filter(r -> r.getKind().equals(document.path("kind").asText()))
            .filter(r -> !r.getName().contains("/"))
            .findFirst()
            .orElseThrow();
    DynamicKubernetesApi api = new DynamicKubernetesApi(group, version, resource.getName(), client);
    String name = document.path("metadata").path("name").asText();
    V1Patch patch = new V1Patch(document.toString());
    return resource.getNamespaced()
        ? api.patch(
            document.path("metadata").path("namespace").asText("default"),
            name,
            V1Patch.PATCH_FORMAT_APPLY_YAML,
            patch,
            apply())
        : api.patch(name, V1Patch.PATCH_FORMAT_APPLY_YAML, patch, apply());
  }

  private static List<JsonNode> documents(Path file) throws IOException {
    List<JsonNode> documents = new ArrayList<>();
    try (MappingIterator<JsonNode> it =
        Json.YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
      while (it.hasNextValue()) {
        JsonNode document = it.nextValue();
        if (document != null && document.has("apiVersion") && document.has("kind")) {
          documents.add(document);
        }
      }
    }
    return documents;
  }

  /**
   * Collects a watch's events as "TYPE name@rv" in the background, then "END" when the stream ends
   * normally or "FAILED ..." when it breaks.
   */
  private List<String> collect(Watchable<DynamicKubernetesObject> watch) {
    List<String> events = new CopyOnWriteArrayList<>();
    executor.submit(
        () -> {
          try (watch) {
            for (Watch.Response<DynamicKubernetesObject> event : watch) {
              events.add(describe(event));
            }
            events.add("END");
          } catch (RuntimeException | IOException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            events.add("FAILED " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
          }
          return null;
        });
    return events;
  }

  private static String describe(Watch.Response<DynamicKubernetesObject> event) {
    if (event.object == null) {
      return event.type + " " + (event.status == null ? "" : event.status.getCode());
    }
    return event.type
        + " "
        + event.object.getMetadata().getName()
        + "@"
        + event.object.getMetadata().getResourceVersion();
  }

  // ------------------------------------------------------------------------------- discovery

  @Test
  void kubeconfigHasOneContextAndIsLoadableByTheOfficialClient() throws Exception {
    KubeConfig config = KubeConfig.loadKubeConfig(new StringReader(fake.kubeconfig()));

    assertThat(config.getCurrentContext()).isEqualTo("edge");
    assertThat(config.getServer()).isEqualTo(fake.url());
    assertThat(config.getCredentials()).containsEntry("token", fake.token());
    assertThat(new CoreV1Api(client).listNode().execute().getItems())
        .extracting(node -> node.getMetadata().getName())
        .containsExactly("node-1");
  }

  @Test
  void discoveryListsBuiltInKindsWithStatusSubresources() throws Exception {
    Discovery discovery = new Discovery(client);

    assertThat(discovery.legacyCoreApi().getVersions()).containsExactly("v1");
    assertThat(discovery.groupDiscovery("/apis").getGroups())
        .extracting(group -> group.getName())
        .contains("apps", "batch", "networking.k8s.io", "apiextensions.k8s.io");
    assertThat(discovery.resourceDiscovery("/apis/apps/v1").getResources())
        .extracting(V1APIResource::getName)
        .contains("deployments", "deployments/status", "daemonsets", "statefulsets");
    V1APIResource pods =
        discovery.resourceDiscovery("/api/v1").getResources().stream()
            .filter(r -> r.getName().equals("pods"))
            .findFirst()
            .orElseThrow();
    assertThat(pods.getKind()).isEqualTo("Pod");
    assertThat(pods.getNamespaced()).isTrue();
    assertThat(pods.getSingularName()).isEqualTo("pod");
    assertThat(pods.getVerbs()).contains("get", "list", "watch", "patch", "create", "delete");
    assertThat(
            new io.kubernetes.client.openapi.apis.VersionApi(client).getCode().execute().getMajor())
        .isEqualTo("1");
  }

  // ------------------------------------------------------------------------------------ CRUD

  @Test
  void appliesEveryTestManifest() throws Exception {
    fake.createNamespace("secondary");

    int applied =
        applyEveryManifest(
            client, Path.of(getClass().getResource("/manifests/echo.yaml").toURI()).getParent());

    assertThat(applied).isGreaterThanOrEqualTo(10);
    assertThat(fake.get("apps/v1", "Deployment", "secondary", "echo-demo")).isPresent();
    assertThat(fake.get("batch/v1", "Job", "default", "checksum-job")).isPresent();
    assertThat(fake.get("apps/v1", "StatefulSet", "default", "tally")).isPresent();
    assertThat(fake.get("v1", "PersistentVolumeClaim", "default", "journal")).isPresent();
    ObjectNode service = fake.get("v1", "Service", "default", "echo-demo").orElseThrow();
    assertThat(service.path("spec").path("ports").get(0).path("nodePort").asInt())
        .isBetween(30000, 32767);
  }

  /**
   * Applies every Kubernetes document of every YAML file in {@code dir} but the observer schemas,
   * asserting each succeeds; returns how many were applied.
   */
  static int applyEveryManifest(ApiClient client, Path dir) throws Exception {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(f -> f.toString().endsWith(".yaml"))
              .filter(f -> !f.getFileName().toString().contains("observer"))
              .sorted()
              .toList();
    }
    int applied = 0;
    for (Path file : files) {
      for (JsonNode document : documents(file)) {
        KubernetesApiResponse<DynamicKubernetesObject> response = apply(client, document);
        assertThat(response.isSuccess()).as("%s %s", file, response.getStatus()).isTrue();
        applied++;
      }
    }
    return applied;
  }

  @Test
  void serverSideApplyCreatesThenMergesAndIsQuietWhenNothingChanges() throws Exception {
    DynamicKubernetesApi api = configMaps();
    DynamicKubernetesObject created =
        api.patch(
                "default",
                "cfg",
                V1Patch.PATCH_FORMAT_APPLY_YAML,
                new V1Patch(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: '1'\n"),
                apply())
            .throwsApiException()
            .getObject();
    DynamicKubernetesObject again =
        api.patch(
                "default",
                "cfg",
                V1Patch.PATCH_FORMAT_APPLY_YAML,
                new V1Patch(
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\"},\"data\":{\"a\":\"1\"}}"),
                apply())
            .throwsApiException()
            .getObject();
    DynamicKubernetesObject merged =
        api.patch(
                "default",
                "cfg",
                V1Patch.PATCH_FORMAT_APPLY_YAML,
                new V1Patch(
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cfg\"},\"data\":{\"b\":\"2\"}}"),
                apply())
            .throwsApiException()
            .getObject();

    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThat(created.getMetadata().getCreationTimestamp()).isNotNull();
    assertThat(resourceVersion(again)).isEqualTo(resourceVersion(created));
    assertThat(merged.getRaw().getAsJsonObject("data").keySet()).containsExactly("a", "b");
    assertThat(Long.parseLong(resourceVersion(merged)))
        .isGreaterThan(Long.parseLong(resourceVersion(created)));
  }

  @Test
  void createGetListAndDeleteThroughTheDynamicClient() throws Exception {
    DynamicKubernetesApi api = configMaps();
    api.create(configMap("one", "1")).throwsApiException();
    api.create(configMap("two", "2")).throwsApiException();

    assertThat(
            api.get("default", "one")
                .throwsApiException()
                .getObject()
                .getRaw()
                .getAsJsonObject("data")
                .get("k")
                .getAsString())
        .isEqualTo("1");
    assertThat(api.list("default").throwsApiException().getObject().getItems())
        .extracting(o -> o.getMetadata().getName())
        .containsExactly("one", "two");
    assertThat(api.list().throwsApiException().getObject().getItems()).hasSize(2);

    assertThat(api.delete("default", "one").isSuccess()).isTrue();
    assertThat(fake.get("v1", "ConfigMap", "default", "one")).isEmpty();
    assertThat(fake.objects()).hasSize(1);
  }

  // ----------------------------------------------------------------------------------- watch

  @Test
  void watchReplaysFromAResourceVersionThenStreamsLiveEvents() throws Exception {
    DynamicKubernetesApi api = configMaps();
    String start =
        resourceVersion(api.create(configMap("a", "1")).throwsApiException().getObject());
    String modified =
        resourceVersion(
            api.update(withValue(api.get("default", "a").getObject(), "2"))
                .throwsApiException()
                .getObject());

    List<String> events =
        collect(api.watch("default", new ListOptions().resourceVersion(start).timeoutSeconds(30)));
    await().until(() -> fake.watchCount() == 1);
    api.delete("default", "a").throwsApiException();

    await().untilAsserted(() -> assertThat(events).hasSize(2));
    assertThat(events.get(0)).isEqualTo("MODIFIED a@" + modified);
    assertThat(events.get(1)).startsWith("DELETED a@");
  }

  private static DynamicKubernetesObject withValue(DynamicKubernetesObject object, String value) {
    JsonObject raw = object.getRaw().deepCopy();
    raw.getAsJsonObject("data").addProperty("k", value);
    return new DynamicKubernetesObject(raw);
  }

  @Test
  void watchWithoutResourceVersionStartsWithSyntheticAddedEvents() throws Exception {
    DynamicKubernetesApi api = configMaps();
    api.create(configMap("a", "1")).throwsApiException();

    List<String> events = collect(api.watch("default", new ListOptions().timeoutSeconds(30)));
    await().until(() -> fake.watchCount() == 1);
    api.create(configMap("b", "1")).throwsApiException();

    await()
        .untilAsserted(
            () ->
                assertThat(events)
                    .extracting(e -> e.substring(0, e.indexOf('@')))
                    .containsExactly("ADDED a", "ADDED b"));
  }

  @Test
  void watchEndsAtItsTimeout() throws Exception {
    long started = System.nanoTime();
    List<String> events =
        collect(configMaps().watch("default", new ListOptions().timeoutSeconds(1)));

    await().atMost(Duration.ofSeconds(10)).until(() -> events.equals(List.of("END")));
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(fake.watchCount()).isZero();
    assertThat(fake.requests())
        .anyMatch(r -> r.contains("timeoutSeconds=1") && r.contains("watch=true"));
  }

  @Test
  void droppedWatchFailsTheClientAndResumesWithoutGapOrDuplicate() throws Exception {
    DynamicKubernetesApi api = configMaps();
    String start =
        resourceVersion(api.create(configMap("a", "0")).throwsApiException().getObject());
    List<String> first =
        collect(api.watch("default", new ListOptions().resourceVersion(start).timeoutSeconds(60)));
    await().until(() -> fake.watchCount() == 1);
    api.create(configMap("b", "0")).throwsApiException();
    await().until(() -> first.size() == 1);

    fake.dropWatches();
    await().until(() -> first.size() == 2);
    assertThat(first.get(1)).startsWith("FAILED");
    assertThat(fake.watchCount()).isZero();
    api.create(configMap("c", "0")).throwsApiException();
    String last = first.get(0).substring(first.get(0).indexOf('@') + 1);
    List<String> resumed =
        collect(api.watch("default", new ListOptions().resourceVersion(last).timeoutSeconds(60)));
    api.create(configMap("d", "0")).throwsApiException();

    await()
        .untilAsserted(
            () ->
                assertThat(resumed)
                    .extracting(e -> e.substring(0, e.indexOf('@')))
                    .containsExactly("ADDED c", "ADDED d"));
  }

  @Test
  void heldWatchEventsAreWrittenInOrderOnceReleasedWhileReadsSeeTheWrites() throws Exception {
    DynamicKubernetesApi api = configMaps();
    String start =
        resourceVersion(api.create(configMap("a", "0")).throwsApiException().getObject());
    List<String> events =
        collect(api.watch("default", new ListOptions().resourceVersion(start).timeoutSeconds(60)));
    await().until(() -> fake.watchCount() == 1);

    fake.holdWatchEvents();
    api.create(configMap("b", "0")).throwsApiException();
    api.create(configMap("c", "0")).throwsApiException();

    assertThat(api.list("default").throwsApiException().getObject().getItems()).hasSize(3);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(events).as("written while held").isEmpty());

    fake.releaseWatchEvents();
    await()
        .untilAsserted(
            () ->
                assertThat(events)
                    .extracting(e -> e.substring(0, e.indexOf('@')))
                    .containsExactly("ADDED b", "ADDED c"));
  }

  // ---------------------------------------------------------------------------------- errors

  @Test
  void errorsCarryStatusBodiesTheClientParses() throws Exception {
    DynamicKubernetesApi api = configMaps();
    api.create(configMap("a", "1")).throwsApiException();

    V1Status missing = api.get("default", "nope").getStatus();
    assertThat(missing.getCode()).isEqualTo(404);
    assertThat(missing.getReason()).isEqualTo("NotFound");
    assertThat(missing.getMessage()).isEqualTo("configmaps \"nope\" not found");
    assertThat(missing.getDetails().getName()).isEqualTo("nope");

    V1Status exists = api.create(configMap("a", "1")).getStatus();
    assertThat(exists.getCode()).isEqualTo(409);
    assertThat(exists.getReason()).isEqualTo("AlreadyExists");

    V1Status unknownKind = api("example.com", "v1", "widgets").list("default").getStatus();
    assertThat(unknownKind.getCode()).isEqualTo(404);
    assertThat(unknownKind.getReason()).isEqualTo("NotFound");

    DynamicKubernetesObject elsewhere = configMap("b", "1");
    edit(elsewhere, meta -> meta.setNamespace("nowhere"));
    V1Status noNamespace = api.create(elsewhere).getStatus();
    assertThat(noNamespace.getCode()).isEqualTo(404);
    assertThat(noNamespace.getMessage()).isEqualTo("namespaces \"nowhere\" not found");
  }

  @Test
  void rejectsRequestsWithoutTheTokenWithAStatus() throws Exception {
    FakeKubernetesApiServer other = FakeKubernetesApiServer.builder().token("other-token").build();
    try {
      ApiClient wrongToken =
          ClientBuilder.kubeconfig(
                  KubeConfig.loadKubeConfig(
                      new StringReader(other.kubeconfig().replace(other.url(), fake.url()))))
              .build();

      assertThatThrownBy(() -> new CoreV1Api(wrongToken).listNode().execute())
          .isInstanceOfSatisfying(
              ApiException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(401);
                assertThat(e.getResponseBody()).contains("\"reason\":\"Unauthorized\"");
              });
    } finally {
      other.close();
    }
  }

  @Test
  void answersAnUnknownPatchTypeWith415() throws Exception {
    configMaps().create(configMap("a", "1")).throwsApiException();

    JsonNode status =
        raw("PATCH", "/api/v1/namespaces/default/configmaps/a", "application/yaml", "{}");

    assertThat(status.path("code").asInt()).isEqualTo(415);
    assertThat(status.path("reason").asText()).isEqualTo("UnsupportedMediaType");
    assertThat(status.path("kind").asText()).isEqualTo("Status");
  }

  /** Sends a request with the kubeconfig's token and reads the JSON answer. */
  private JsonNode raw(String method, String path, String contentType, String body)
      throws IOException {
    okhttp3.Request.Builder request =
        new okhttp3.Request.Builder()
            .url(fake.url() + path)
            .header("Authorization", "Bearer " + fake.token());
    request.method(
        method,
        body == null ? null : okhttp3.RequestBody.create(body, okhttp3.MediaType.get(contentType)));
    try (okhttp3.Response response = client.getHttpClient().newCall(request.build()).execute()) {
      return Json.JSON.readTree(response.body().string());
    }
  }

  @Test
  void stalePutIsAConflict() throws Exception {
    DynamicKubernetesApi api = configMaps();
    DynamicKubernetesObject original =
        api.create(configMap("a", "1")).throwsApiException().getObject();
    api.update(withValue(original, "2")).throwsApiException();

    V1Status stale = api.update(withValue(original, "3")).getStatus();

    assertThat(stale.getCode()).isEqualTo(409);
    assertThat(stale.getReason()).isEqualTo("Conflict");
    assertThat(fake.get("v1", "ConfigMap", "default", "a").orElseThrow().at("/data/k").asText())
        .isEqualTo("2");
  }

  // --------------------------------------------------------------------------------- patches

  @Test
  void mergePatchMergesAndNullRemoves() throws Exception {
    DynamicKubernetesApi api = configMaps();
    api.create(configMap("a", "1")).throwsApiException();

    DynamicKubernetesObject patched =
        api.patch(
                "default",
                "a",
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                new V1Patch(
                    "{\"data\":{\"k\":null,\"x\":\"y\"},\"metadata\":{\"labels\":{\"tier\":\"web\"}}}"))
            .throwsApiException()
            .getObject();

    assertThat(patched.getRaw().getAsJsonObject("data").keySet()).containsExactly("x");
    assertThat(patched.getMetadata().getLabels())
        .containsEntry("app", "demo")
        .containsEntry("tier", "web");
  }

  @Test
  void jsonPatchAppliesOperationsAndRejectsAFailedTest() throws Exception {
    DynamicKubernetesApi api = configMaps();
    api.create(configMap("a", "1")).throwsApiException();

    DynamicKubernetesObject patched =
        api.patch(
                "default",
                "a",
                V1Patch.PATCH_FORMAT_JSON_PATCH,
                new V1Patch(
                    "[{\"op\":\"test\",\"path\":\"/data/k\",\"value\":\"1\"},"
                        + "{\"op\":\"replace\",\"path\":\"/data/k\",\"value\":\"2\"},"
                        + "{\"op\":\"add\",\"path\":\"/data/n\",\"value\":\"3\"},"
                        + "{\"op\":\"remove\",\"path\":\"/metadata/labels/app\"}]"))
            .throwsApiException()
            .getObject();
    V1Status failed =
        api.patch(
                "default",
                "a",
                V1Patch.PATCH_FORMAT_JSON_PATCH,
                new V1Patch("[{\"op\":\"test\",\"path\":\"/data/k\",\"value\":\"1\"}]"))
            .getStatus();

    assertThat(patched.getRaw().getAsJsonObject("data").get("k").getAsString()).isEqualTo("2");
    assertThat(patched.getRaw().getAsJsonObject("data").get("n").getAsString()).isEqualTo("3");
    assertThat(patched.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(failed.getCode()).isEqualTo(422);
    assertThat(failed.getReason()).isEqualTo("Invalid");
  }

  @Test
  void rejectsTwoVolumeMountsWithOneMountPathInAContainerAsTheApiServerDoes() throws Exception {
    String mounts =
        "\"volumeMounts\":[{\"name\":\"a\",\"mountPath\":\"/etc/krake_cert\"},"
            + "{\"name\":\"b\",\"mountPath\":\"/etc/krake_cert\"}]";
    String volumes =
        "\"volumes\":[{\"name\":\"a\",\"emptyDir\":{}},{\"name\":\"b\",\"emptyDir\":{}}]";
    String container = "{\"name\":\"c\",\"image\":\"x\"," + mounts + "}";

    V1Status deployment =
        api("apps", "v1", "deployments")
            .create(
                object(
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
                        + "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
                        + "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"ok\","
                        + "\"image\":\"x\"},"
                        + container
                        + "],"
                        + volumes
                        + "}}}}"))
            .getStatus();
    V1Status pod =
        api("", "v1", "pods")
            .patch(
                "default",
                "p",
                V1Patch.PATCH_FORMAT_APPLY_YAML,
                new V1Patch(
                    "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},"
                        + "\"spec\":{\"containers\":["
                        + container
                        + "],"
                        + volumes
                        + "}}"),
                apply())
            .getStatus();
    V1Status cronJob =
        api("batch", "v1", "cronjobs")
            .create(
                object(
                    "{\"apiVersion\":\"batch/v1\",\"kind\":\"CronJob\","
                        + "\"metadata\":{\"name\":\"cj\",\"namespace\":\"default\"},"
                        + "\"spec\":{\"schedule\":\"* * * * *\",\"jobTemplate\":{\"spec\":"
                        + "{\"template\":{\"spec\":{\"containers\":["
                        + container
                        + "],"
                        + volumes
                        + "}}}}}}"))
            .getStatus();

    assertThat(deployment.getCode()).isEqualTo(422);
    assertThat(deployment.getReason()).isEqualTo("Invalid");
    assertThat(deployment.getMessage())
        .isEqualTo(
            "Deployment.apps \"web\" is invalid: spec.template.spec.containers[1].volumeMounts[1]"
                + ".mountPath: Invalid value: \"/etc/krake_cert\": must be unique");
    assertThat(deployment.getDetails().getCauses())
        .singleElement()
        .satisfies(
            cause -> {
              assertThat(cause.getReason()).isEqualTo("FieldValueInvalid");
              assertThat(cause.getField())
                  .isEqualTo("spec.template.spec.containers[1].volumeMounts[1].mountPath");
            });
    assertThat(pod.getCode()).isEqualTo(422);
    assertThat(pod.getMessage())
        .isEqualTo(
            "Pod \"p\" is invalid: spec.containers[0].volumeMounts[1].mountPath: Invalid value:"
                + " \"/etc/krake_cert\": must be unique");
    assertThat(cronJob.getCode()).isEqualTo(422);
    assertThat(cronJob.getMessage())
        .startsWith(
            "CronJob.batch \"cj\" is invalid: spec.jobTemplate.spec.template.spec.containers[0]"
                + ".volumeMounts[1].mountPath");
    assertThat(fake.objects())
        .noneMatch(o -> List.of("Deployment", "Pod", "CronJob").contains(o.path("kind").asText()));
  }

  @Test
  void rejectsAnUpdateThatMountsTwoVolumesAtOnePathAndKeepsTheObject() throws Exception {
    DynamicKubernetesApi pods = api("", "v1", "pods");
    pods.create(
            object(
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                    + "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"c\","
                    + "\"image\":\"x\",\"volumeMounts\":[{\"name\":\"a\",\"mountPath\":\"/a\"},"
                    + "{\"name\":\"b\",\"mountPath\":\"/b\"}]}]}}"))
        .throwsApiException();

    V1Status status =
        pods.patch(
                "default",
                "p",
                V1Patch.PATCH_FORMAT_JSON_PATCH,
                new V1Patch(
                    "[{\"op\":\"replace\",\"path\":\"/spec/containers/0/volumeMounts/1/mountPath\","
                        + "\"value\":\"/a\"}]"))
            .getStatus();

    assertThat(status.getCode()).isEqualTo(422);
    assertThat(status.getMessage()).contains("spec.containers[0].volumeMounts[1].mountPath");
    assertThat(
            fake.get("v1", "Pod", "default", "p")
                .orElseThrow()
                .at("/spec/containers/0/volumeMounts/1/mountPath")
                .asText())
        .isEqualTo("/b");
  }

  @Test
  void applyRequiresAFieldManager() throws Exception {
    V1Status status =
        configMaps()
            .patch(
                "default",
                "a",
                V1Patch.PATCH_FORMAT_APPLY_YAML,
                new V1Patch(
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"}}"),
                new PatchOptions())
            .getStatus();

    assertThat(status.getCode()).isEqualTo(422);
  }

  /** As kube-apiserver: an object read back from a cluster cannot be applied as it is. */
  @Test
  void applyRefusesAConfigurationCarryingManagedFields() throws Exception {
    V1Status status =
        configMaps()
            .patch(
                "default",
                "a",
                V1Patch.PATCH_FORMAT_APPLY_YAML,
                new V1Patch(
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\","
                        + "\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Apply\"}]}}"),
                apply())
            .getStatus();

    assertThat(status.getCode()).isEqualTo(400);
    assertThat(status.getMessage()).contains("metadata.managedFields must be nil");
  }

  // ------------------------------------------------------------------------------- selectors

  @Test
  void listsByLabelAndFieldSelectors() throws Exception {
    DynamicKubernetesApi api = configMaps();
    for (String[] spec :
        new String[][] {
          {"a", "web", "prod"}, {"b", "web", "dev"}, {"c", "db", "prod"}, {"d", null, null}
        }) {
      DynamicKubernetesObject object = configMap(spec[0], "1");
      edit(
          object,
          meta ->
              meta.setLabels(
                  spec[1] == null
                      ? java.util.Map.of()
                      : java.util.Map.of("app", spec[1], "env", spec[2])));
      api.create(object).throwsApiException();
    }

    assertThat(names(api, new ListOptions().labelSelector("app=web"))).containsExactly("a", "b");
    assertThat(names(api, new ListOptions().labelSelector("app!=web"))).containsExactly("c", "d");
    assertThat(names(api, new ListOptions().labelSelector("app"))).containsExactly("a", "b", "c");
    assertThat(names(api, new ListOptions().labelSelector("!app"))).containsExactly("d");
    assertThat(names(api, new ListOptions().labelSelector("env in (prod, dev),app notin (db)")))
        .containsExactly("a", "b");
    assertThat(names(api, new ListOptions().fieldSelector("metadata.name=c"))).containsExactly("c");
    assertThat(names(api, new ListOptions().fieldSelector("metadata.namespace=default")))
        .containsExactly("a", "b", "c", "d");
  }

  private static List<String> names(DynamicKubernetesApi api, ListOptions options)
      throws ApiException {
    return api.list("default", options).throwsApiException().getObject().getItems().stream()
        .map(o -> o.getMetadata().getName())
        .toList();
  }

  @Test
  void listsInPagesWithContinueTokens() throws Exception {
    DynamicKubernetesApi api = configMaps();
    for (String name : List.of("a", "b", "c")) {
      api.create(configMap(name, "1")).throwsApiException();
    }

    var first = api.list("default", new ListOptions().limit(2)).throwsApiException().getObject();
    var second =
        api.list("default", new ListOptions().limit(2)._continue(first.getMetadata().getContinue()))
            .throwsApiException()
            .getObject();

    assertThat(first.getItems()).hasSize(2);
    assertThat(second.getItems()).extracting(o -> o.getMetadata().getName()).containsExactly("c");
    assertThat(second.getMetadata().getContinue()).isNullOrEmpty();
  }

  @Test
  void watchWithASelectorSeesObjectsLeaveAndEnterIt() throws Exception {
    DynamicKubernetesApi api = configMaps();
    String start =
        resourceVersion(api.create(configMap("a", "1")).throwsApiException().getObject());
    List<String> events =
        collect(
            api.watch(
                "default",
                new ListOptions()
                    .resourceVersion(start)
                    .labelSelector("app=demo")
                    .timeoutSeconds(30)));
    await().until(() -> fake.watchCount() == 1);

    api.patch(
            "default",
            "a",
            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
            new V1Patch("{\"metadata\":{\"labels\":{\"app\":\"other\"}}}"))
        .throwsApiException();
    api.patch(
            "default",
            "a",
            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
            new V1Patch("{\"metadata\":{\"labels\":{\"app\":\"demo\"}}}"))
        .throwsApiException();

    await()
        .untilAsserted(
            () ->
                assertThat(events)
                    .extracting(e -> e.substring(0, e.indexOf('@')))
                    .containsExactly("DELETED a", "ADDED a"));
  }

  @Test
  void namespacedWatchSeesOnlyItsNamespace() throws Exception {
    fake.createNamespace("secondary");
    DynamicKubernetesApi api = configMaps();
    List<String> events = collect(api.watch("secondary", new ListOptions().timeoutSeconds(30)));
    await().until(() -> fake.watchCount() == 1);

    api.create(configMap("in-default", "1")).throwsApiException();
    DynamicKubernetesObject secondary = configMap("in-secondary", "1");
    edit(secondary, meta -> meta.setNamespace("secondary"));
    api.create(secondary).throwsApiException();

    await().until(() -> events.size() == 1);
    assertThat(events.get(0)).startsWith("ADDED in-secondary@");
  }

  // ------------------------------------------------------------------------ compaction, close

  @Test
  void watchFromACompactedVersionGetsAnExpiredErrorEvent() throws Exception {
    DynamicKubernetesApi api = configMaps();
    String old = resourceVersion(api.create(configMap("a", "1")).throwsApiException().getObject());
    api.create(configMap("b", "1")).throwsApiException();

    fake.compact();
    List<String> events =
        collect(api.watch("default", new ListOptions().resourceVersion(old).timeoutSeconds(30)));

    await().untilAsserted(() -> assertThat(events).containsExactly("ERROR 410", "END"));
    assertThat(fake.watchCount()).isZero();
  }

  @Test
  void closeEndsOpenWatchesPromptly() throws Exception {
    List<String> events = collect(configMaps().watch("default", new ListOptions()));
    await().until(() -> fake.watchCount() == 1);

    fake.close();

    assertThat(fake.watchCount()).isZero();
    await().untilAsserted(() -> assertThat(events).containsExactly("END"));
  }

  // ------------------------------------------------------------------------------ finalizers

  @Test
  void deleteWithFinalizersOnlyMarksTheObjectUntilTheyAreRemoved() throws Exception {
    DynamicKubernetesApi api = configMaps();
    DynamicKubernetesObject object = configMap("a", "1");
    edit(object, meta -> meta.setFinalizers(List.of("krake.example/cleanup")));
    String start = resourceVersion(api.create(object).throwsApiException().getObject());
    List<String> events =
        collect(api.watch("default", new ListOptions().resourceVersion(start).timeoutSeconds(30)));

    DynamicKubernetesObject marked = api.delete("default", "a").throwsApiException().getObject();
    assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(fake.get("v1", "ConfigMap", "default", "a")).isPresent();

    api.patch(
            "default",
            "a",
            V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
            new V1Patch("{\"metadata\":{\"finalizers\":null}}"))
        .throwsApiException();

    assertThat(fake.get("v1", "ConfigMap", "default", "a")).isEmpty();
    await()
        .untilAsserted(
            () ->
                assertThat(events)
                    .extracting(e -> e.substring(0, e.indexOf('@')))
                    .containsExactly("MODIFIED a", "DELETED a"));
  }

  @Test
  void deletingANamespaceDeletesItsContents() throws Exception {
    fake.createNamespace("secondary");
    DynamicKubernetesObject object = configMap("a", "1");
    edit(object, meta -> meta.setNamespace("secondary"));
    configMaps().create(object).throwsApiException();

    assertThat(fake.delete("v1", "Namespace", null, "secondary")).isTrue();

    assertThat(fake.objects()).isEmpty();
    assertThat(fake.delete("v1", "Namespace", null, "secondary")).isFalse();
  }

  // ----------------------------------------------------------------------- status subresource

  @Test
  void statusSubresourceIsIsolatedFromMainWrites() throws Exception {
    FakeKubernetesApiServer manual = FakeKubernetesApiServer.builder().autoReady(false).build();
    try {
      ApiClient manualClient = clientFor(manual);
      DynamicKubernetesApi api =
          new DynamicKubernetesApi("apps", "v1", "deployments", manualClient);
      DynamicKubernetesObject created =
          api.create(object(DEPLOYMENT.replace("\"spec\"", "\"status\":{\"replicas\":9},\"spec\"")))
              .throwsApiException()
              .getObject();
      assertThat(created.getRaw().getAsJsonObject("status").keySet()).isEmpty();
      assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);

      DynamicKubernetesObject withStatus =
          api.updateStatus(statusReplicas(created, 2), o -> o.getRaw().get("status"))
              .throwsApiException()
              .getObject();
      assertThat(withStatus.getRaw().getAsJsonObject("status").get("replicas").getAsInt())
          .isEqualTo(2);
      assertThat(withStatus.getMetadata().getGeneration()).isEqualTo(1L);

      DynamicKubernetesObject mainPatch =
          api.patch(
                  "default",
                  "web",
                  V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH,
                  new V1Patch("{\"spec\":{\"replicas\":3},\"status\":{\"replicas\":7}}"))
              .throwsApiException()
              .getObject();
      assertThat(mainPatch.getRaw().getAsJsonObject("status").get("replicas").getAsInt())
          .isEqualTo(2);
      assertThat(mainPatch.getRaw().getAsJsonObject("spec").get("replicas").getAsInt())
          .isEqualTo(3);
      assertThat(mainPatch.getMetadata().getGeneration()).isEqualTo(2L);

      ObjectNode bySpecOnly =
          manual.updateStatus(
              "apps/v1",
              "Deployment",
              "default",
              "web",
              o -> {
                o.withObjectProperty("spec").put("replicas", 100);
                o.withObjectProperty("status").put("readyReplicas", 2);
                return o;
              });
      assertThat(bySpecOnly.at("/spec/replicas").asInt()).isEqualTo(3);
      assertThat(bySpecOnly.at("/status/readyReplicas").asInt()).isEqualTo(2);
    } finally {
      manual.close();
    }
  }

  private static DynamicKubernetesObject statusReplicas(
      DynamicKubernetesObject object, int replicas) {
    JsonObject raw = object.getRaw().deepCopy();
    JsonObject status = new JsonObject();
    status.addProperty("replicas", replicas);
    raw.add("status", status);
    return new DynamicKubernetesObject(raw);
  }

  private static final String DEPLOYMENT =
      """
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
       "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"labels":{"app":"web"}},
                           "spec":{"containers":[{"name":"web","image":"nginx"}]}}}}
      """;

  // ------------------------------------------------------------------------------ auto-ready

  @Test
  void autoReadyReportsWorkloadsReady() throws Exception {
    DynamicKubernetesApi deployments = api("apps", "v1", "deployments");
    deployments
        .create(object(DEPLOYMENT.replace("\"replicas\":1", "\"replicas\":3")))
        .throwsApiException();
    api("", "v1", "pods")
        .create(
            object(
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"default\"},"
                    + "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\",\"image\":\"y\"}]}}"))
        .throwsApiException();
    api("batch", "v1", "jobs")
        .create(
            object(
                "{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"j\",\"namespace\":\"default\"},"
                    + "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"x\"}]}}}}"))
        .throwsApiException();
    api("", "v1", "services")
        .create(
            object(
                "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"lb\",\"namespace\":\"default\"},"
                    + "\"spec\":{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80},{\"port\":443}]}}"))
        .throwsApiException();

    ObjectNode deployment = fake.get("apps/v1", "Deployment", "default", "web").orElseThrow();
    assertThat(deployment.at("/status/readyReplicas").asInt()).isEqualTo(3);
    assertThat(deployment.at("/status/availableReplicas").asInt()).isEqualTo(3);
    assertThat(deployment.at("/status/observedGeneration").asLong()).isEqualTo(1);
    ObjectNode pod = fake.get("v1", "Pod", "default", "p").orElseThrow();
    assertThat(pod.at("/status/phase").asText()).isEqualTo("Running");
    assertThat(pod.at("/status/containerStatuses")).hasSize(2);
    assertThat(pod.at("/status/containerStatuses/1/ready").asBoolean()).isTrue();
    assertThat(
            fake.get("batch/v1", "Job", "default", "j").orElseThrow().at("/status/active").asInt())
        .isEqualTo(1);
    ObjectNode service = fake.get("v1", "Service", "default", "lb").orElseThrow();
    assertThat(service.at("/spec/clusterIP").asText()).isNotEmpty();
    assertThat(service.at("/spec/ports/0/nodePort").asInt()).isBetween(30000, 32767);
    assertThat(service.at("/spec/ports/1/nodePort").asInt())
        .isNotEqualTo(service.at("/spec/ports/0/nodePort").asInt());
    assertThat(service.at("/status/loadBalancer/ingress").isMissingNode()).isTrue();

    fake.updateStatus(
        "apps/v1",
        "Deployment",
        "default",
        "web",
        d -> {
          d.withObjectProperty("status").put("readyReplicas", 1);
          return d;
        });
    deployments
        .patch(
            "default",
            "web",
            V1Patch.PATCH_FORMAT_APPLY_YAML,
            new V1Patch(DEPLOYMENT.replace("\"replicas\":1", "\"replicas\":3")),
            apply())
        .throwsApiException();
    assertThat(
            fake.get("apps/v1", "Deployment", "default", "web")
                .orElseThrow()
                .at("/status/readyReplicas")
                .asInt())
        .as("status set by a test stays until the spec changes")
        .isEqualTo(1);
  }

  @Test
  void withoutAutoReadyNoStatusIsWritten() throws Exception {
    FakeKubernetesApiServer manual = FakeKubernetesApiServer.builder().autoReady(false).build();
    try {
      new DynamicKubernetesApi("apps", "v1", "deployments", clientFor(manual))
          .create(object(DEPLOYMENT))
          .throwsApiException();

      assertThat(manual.get("apps/v1", "Deployment", "default", "web").orElseThrow().get("status"))
          .isEmpty();
    } finally {
      manual.close();
    }
  }

  // ------------------------------------------------------------------------ custom resources

  @Test
  void customResourceDefinitionServesItsKindUntilDeleted() throws Exception {
    apply(Json.JSON.readTree(CRD)).throwsApiException();
    V1APIResourceList resources =
        new Discovery(client).resourceDiscovery("/apis/stable.example.com/v1");
    assertThat(resources.getResources())
        .extracting(V1APIResource::getName)
        .containsExactly("crontabs", "crontabs/status");
    DynamicKubernetesApi crontabs = api("stable.example.com", "v1", "crontabs");
    apply(
            Json.JSON.readTree(
                "{\"apiVersion\":\"stable.example.com/v1\",\"kind\":\"CronTab\","
                    + "\"metadata\":{\"name\":\"tab\",\"namespace\":\"default\"},\"spec\":{\"cronSpec\":\"* * * * */5\"}}"))
        .throwsApiException();
    assertThat(
            crontabs
                .get("default", "tab")
                .throwsApiException()
                .getObject()
                .getRaw()
                .getAsJsonObject("spec")
                .get("cronSpec")
                .getAsString())
        .isEqualTo("* * * * */5");
    assertThat(
            fake.get(
                    "apiextensions.k8s.io/v1",
                    "CustomResourceDefinition",
                    null,
                    "crontabs.stable.example.com")
                .orElseThrow()
                .at("/status/conditions/1/type")
                .asText())
        .isEqualTo("Established");

    api("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        .delete("crontabs.stable.example.com")
        .throwsApiException();

    assertThat(crontabs.get("default", "tab").getStatus().getCode()).isEqualTo(404);
    assertThat(fake.objects()).isEmpty();
    assertThatThrownBy(() -> fake.list("stable.example.com/v1", "CronTab"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void registeredKindIsServedWithoutACrd() throws Exception {
    fake.registerKind("example.com", "v1alpha1", "Widget", "widgets", false);

    api("example.com", "v1alpha1", "widgets")
        .create(
            object(
                "{\"apiVersion\":\"example.com/v1alpha1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"}}"))
        .throwsApiException();

    assertThat(fake.list("example.com/v1alpha1", "Widget")).hasSize(1);
    assertThat(fake.objects()).hasSize(1);
  }

  // ---------------------------------------------------------------------------------- faults

  @Test
  void failNextAnswersTheNextRequestsWithAStatus() throws Exception {
    DynamicKubernetesApi api = configMaps();
    fake.failNext(2, 503);

    V1Status first = api.list("default").getStatus();
    V1Status second = api.create(configMap("a", "1")).getStatus();
    KubernetesApiResponse<DynamicKubernetesObject> third = api.create(configMap("a", "1"));

    assertThat(first.getCode()).isEqualTo(503);
    assertThat(first.getReason()).isEqualTo("ServiceUnavailable");
    assertThat(second.getCode()).isEqualTo(503);
    assertThat(third.isSuccess()).isTrue();
  }

  @Test
  void failRequestsMatchesMethodAndPathUntilCleared() throws Exception {
    DynamicKubernetesApi api = configMaps();
    fake.failRequests("POST", "/api/v1/namespaces/default/configmaps", 500);

    assertThat(api.create(configMap("a", "1")).getStatus().getCode()).isEqualTo(500);
    assertThat(api.list("default").isSuccess()).isTrue();

    fake.clearFailures();
    assertThat(api.create(configMap("a", "1")).isSuccess()).isTrue();
    assertThat(fake.requests())
        .containsSubsequence(
            "POST /api/v1/namespaces/default/configmaps",
            "GET /api/v1/namespaces/default/configmaps?watch=false",
            "POST /api/v1/namespaces/default/configmaps");
  }

  @Test
  void latencyDelaysEveryAnswer() throws Exception {
    DynamicKubernetesApi api = configMaps();
    fake.latency(Duration.ofMillis(300));

    long started = System.nanoTime();
    api.list("default").throwsApiException();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

    assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    fake.latency(Duration.ZERO);
  }

  @Test
  void resourceVersionsIncreaseUnderConcurrentWriters() throws Exception {
    List<Future<String>> writes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      String name = "cm-" + i;
      writes.add(
          executor.submit(
              () ->
                  resourceVersion(
                      configMaps().create(configMap(name, "1")).throwsApiException().getObject())));
    }
    List<String> versions = new ArrayList<>();
    for (Future<String> write : writes) {
      versions.add(write.get(30, TimeUnit.SECONDS));
    }

    assertThat(versions).doesNotHaveDuplicates();
    assertThat(fake.list("v1", "ConfigMap")).hasSize(40);
  }

  @Test
  void sharedInformerSyncsAndSeesChanges() throws Exception {
    DynamicKubernetesApi api = configMaps();
    api.create(configMap("a", "1")).throwsApiException();
    SharedInformerFactory factory = new SharedInformerFactory(client);
    SharedIndexInformer<DynamicKubernetesObject> informer =
        factory.sharedIndexInformerFor(api, DynamicKubernetesObject.class, 0);
    List<String> seen = new CopyOnWriteArrayList<>();
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(DynamicKubernetesObject object) {
            seen.add("add " + object.getMetadata().getName());
          }

          @Override
          public void onUpdate(DynamicKubernetesObject before, DynamicKubernetesObject after) {
            seen.add("update " + after.getMetadata().getName());
          }

          @Override
          public void onDelete(DynamicKubernetesObject object, boolean finalStateUnknown) {
            seen.add("delete " + object.getMetadata().getName());
          }
        });
    factory.startAllRegisteredInformers();
    try {
      await().until(informer::hasSynced);
      await().until(() -> fake.watchCount() == 1);
      api.create(configMap("b", "1")).throwsApiException();
      api.delete("default", "a").throwsApiException();

      await().untilAsserted(() -> assertThat(seen).containsExactly("add a", "add b", "delete a"));
    } finally {
      factory.stopAllRegisteredInformers();
    }
  }

  // ----------------------------------------------------------------------------------- nodes

  @Test
  void nodeConditionsAreSetByTheTest() throws Exception {
    fake.setNodeCondition("node-1", "Ready", "False");
    fake.addNode("node-2");

    List<V1Node> nodes = new CoreV1Api(client).listNode().execute().getItems();
    assertThat(nodes).hasSize(2);
    V1NodeCondition ready =
        nodes.get(0).getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Ready"))
            .findFirst()
            .orElseThrow();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThatThrownBy(() -> fake.setNodeCondition("nope", "Ready", "True"))
        .isInstanceOf(java.util.NoSuchElementException.class);
  }
}
