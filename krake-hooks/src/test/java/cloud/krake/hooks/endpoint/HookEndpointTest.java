package cloud.krake.hooks.endpoint;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.HookCredentials;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.KeyValue;
import cloud.krake.store.Page;
import cloud.krake.store.PageRequest;
import cloud.krake.store.Store;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.store.Watch;
import cloud.krake.store.WatchListener;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The framework-neutral hook endpoint over a {@link MemoryStore}: every answer it gives. */
class HookEndpointTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static final String NS = "ns";
  private static final String JOB = "job";
  private static final String COMPLETE_TOKEN = token();
  private static final String SHUTDOWN_TOKEN = token();

  private final MemoryStore store = MemoryStore.create();
  private final Applications apps = new Applications(store, Clock.fixed(T0, ZoneOffset.UTC));
  private final HookEndpoint endpoint =
      HookEndpoint.builder().applications(apps).config(HooksConfig.builder().build()).build();

  @AfterEach
  void closeStore() {
    store.close();
  }

  // ---- fixtures

  private static String token() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private Application create(
      String name, String hooks, List<String> finalizers, ApplicationState state) {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: %s, namespace: ns}
            spec:
              manifest: [{apiVersion: v1, kind: Pod, metadata: {name: job}}]
              constraints: {cluster: {}}
              hooks: %s
            """
                .formatted(name, hooks),
            Application.class);
    apps.create(app.withMetadata(app.metadata().withFinalizers(finalizers)));
    return apps.modifyStatus(
        NS,
        name,
        a ->
            a.status()
                .withState(state)
                .withCredentials(
                    HookCredentials.COMPLETE, HookCredentials.NONE.withToken(COMPLETE_TOKEN))
                .withCredentials(
                    HookCredentials.SHUTDOWN, HookCredentials.NONE.withToken(SHUTDOWN_TOKEN))
                .withShutdownGracePeriod(Optional.of(T0.plusSeconds(30))));
  }

  private Application createJob() {
    return create(
        JOB,
        "[complete, shutdown]",
        List.of("kubernetes_resources_deletion"),
        ApplicationState.RUNNING);
  }

  private static String path(String name, String hook) {
    return "/kubernetes/namespaces/ns/applications/" + name + "/" + hook;
  }

  private static String tokenBody(String token) {
    return "{\"token\":\"" + token + "\"}";
  }

  private HookResponse put(String path, String body) {
    return endpoint.handle(HookRequest.of("PUT", path, body.getBytes(UTF_8)));
  }

  private static JsonNode json(HookResponse response) {
    return KrakeJson.read(response.body(), JsonNode.class);
  }

  /** Runs a call and checks that it wrote nothing. */
  private HookResponse withoutWrite(Supplier<HookResponse> call) {
    long before = store.revision();
    HookResponse response = call.get();
    assertThat(store.revision()).as("store revision after %s", response).isEqualTo(before);
    return response;
  }

  private static void assertProblem(HookResponse response, int status) {
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.headers()).containsEntry("Content-Type", "application/problem+json");
    JsonNode problem = json(response);
    assertThat(problem.get("type").asText()).isEqualTo("about:blank");
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("title").asText()).isNotEmpty();
    assertThat(problem.get("detail").asText()).isNotEmpty();
    assertThat(response.bodyText()).doesNotContain(COMPLETE_TOKEN, SHUTDOWN_TOKEN);
  }

  // ---- complete

  @Test
  void completeWithValidTokenMakesTheApplicationReadyAndDeleted() {
    createJob();

    HookResponse response = put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers()).containsEntry("Content-Type", "application/json");
    assertThat(json(response))
        .isEqualTo(
            KrakeJson.read(
                "{\"name\":\"job\",\"namespace\":\"ns\",\"state\":\"READY_FOR_ACTION\"}",
                JsonNode.class));
    Application stored = apps.require(NS, JOB);
    assertThat(stored.status().state()).isEqualTo(ApplicationState.READY_FOR_ACTION);
    assertThat(stored.metadata().deleted()).contains(T0);
  }

  @Test
  void completeOfANeverAppliedApplicationMarksItForTheGarbageCollectorAndStaysIdempotent() {
    create(JOB, "[complete]", List.of(), ApplicationState.PENDING);

    assertThat(put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN)).status()).isEqualTo(200);

    Application completed = apps.require(NS, JOB);
    assertThat(completed.metadata().isDeleted()).isTrue();
    assertThat(completed.metadata().finalizers()).containsExactly("cascade_deletion");
    assertThat(withoutWrite(() -> put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN))).status())
        .isEqualTo(200);
  }

  @Test
  void acceptsKrakesFullBodyWithApiAndKind() {
    createJob();

    HookResponse response =
        put(
            path(JOB, "complete"),
            "{\"api\":\"kubernetes\",\"kind\":\"Complete\",\"token\":\"" + COMPLETE_TOKEN + "\"}");

    assertThat(response.status()).isEqualTo(200);
  }

  @Test
  void acceptsAFormEncodedBodyAsCurlDashDSendsIt() {
    createJob();
    HookRequest request =
        new HookRequest(
            "PUT",
            path(JOB, "complete"),
            Map.of(
                "Content-Type", List.of("application/x-www-form-urlencoded"),
                "Content-Length", List.of(String.valueOf(tokenBody(COMPLETE_TOKEN).length()))),
            tokenBody(COMPLETE_TOKEN).getBytes(UTF_8),
            List.of());

    assertThat(endpoint.handle(request).status()).isEqualTo(200);
    assertThat(apps.require(NS, JOB).status().state()).isEqualTo(ApplicationState.READY_FOR_ACTION);
  }

  @Test
  void repeatedValidCompleteAnswers200AgainWithoutWriting() {
    createJob();
    put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN));

    HookResponse again = withoutWrite(() -> put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN)));

    assertThat(again.status()).isEqualTo(200);
    assertThat(json(again).get("state").asText()).isEqualTo("READY_FOR_ACTION");
  }

  /**
   * A job that re-sends its call (a retry loop) after the controller moved the deletion on and the
   * garbage collector dropped {@code cascade_deletion}: every call answers 200, none writes, the
   * deletion never goes back to READY_FOR_ACTION.
   */
  @ParameterizedTest
  @EnumSource(
      value = ApplicationState.class,
      names = {"READY_FOR_ACTION", "DELETING", "FAILED", "DELETED"})
  void repeatedCompleteAfterTheDeletionMovedOnWritesNothingAndNeverMovesItBack(
      ApplicationState reached) {
    createJob();
    assertThat(put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN)).status()).isEqualTo(200);
    Application completed = apps.require(NS, JOB);
    Application movedOn =
        apps.writeByController(
            completed
                .withMetadata(
                    completed.metadata().withFinalizers(List.of("kubernetes_resources_deletion")))
                .withStatus(completed.status().withState(reached)));

    for (int call = 0; call < 3; call++) {
      HookResponse again =
          withoutWrite(() -> put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN)));

      assertThat(again.status()).isEqualTo(200);
      assertThat(json(again).get("state").asText()).isEqualTo(reached.name());
    }
    assertThat(apps.require(NS, JOB)).isEqualTo(movedOn);
  }

  @Test
  void completeOfAnApplicationAlreadyDeletedByTheUserLeavesItsDeletionAsItIs() {
    createJob();
    Application deleted = apps.delete(NS, JOB); // with the shutdown hook: WAITING_FOR_CLEANING

    HookResponse response =
        withoutWrite(() -> put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN)));

    assertThat(response.status()).isEqualTo(200);
    assertThat(json(response).get("state").asText()).isEqualTo("WAITING_FOR_CLEANING");
    assertThat(apps.require(NS, JOB)).isEqualTo(deleted);
  }

  @Test
  void hundredConcurrentValidCompletesCauseExactlyOneTransitionAndAllGet200() throws Exception {
    createJob();
    long before = store.revision();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<HookResponse>> results = new ArrayList<>();
    try {
      Callable<HookResponse> call =
          () -> {
            start.await();
            return put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN));
          };
      for (int i = 0; i < 100; i++) {
        results.add(pool.submit(call));
      }
      start.countDown();
      for (Future<HookResponse> result : results) {
        assertThat(result.get().status()).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(store.revision()).isEqualTo(before + 1);
    assertThat(apps.require(NS, JOB).metadata().isDeleted()).isTrue();
  }

  @Test
  void concurrentValidCompletesOfANeverAppliedApplicationAllGet200AndMakeOneTransition()
      throws Exception {
    create(JOB, "[complete]", List.of(), ApplicationState.RUNNING);
    long before = store.revision();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<HookResponse>> results = new ArrayList<>();
    try {
      Callable<HookResponse> call =
          () -> {
            start.await();
            return put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN));
          };
      for (int i = 0; i < 100; i++) {
        results.add(pool.submit(call));
      }
      start.countDown();
      for (Future<HookResponse> result : results) {
        HookResponse response = result.get();
        assertThat(response.status()).isEqualTo(200);
        assertThat(json(response).get("state").asText()).isEqualTo("READY_FOR_ACTION");
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(store.revision()).isEqualTo(before + 1);
    assertThat(apps.require(NS, JOB).metadata().isDeleted()).isTrue();
  }

  // ---- shutdown

  @ParameterizedTest
  @EnumSource(
      value = ApplicationState.class,
      names = {"WAITING_FOR_CLEANING", "DEGRADED"})
  void shutdownMovesWaitingAndDegradedToReadyAndClearsTheDeadline(ApplicationState state) {
    create(JOB, "[shutdown]", List.of("kubernetes_resources_deletion"), state);

    HookResponse response = put(path(JOB, "shutdown"), tokenBody(SHUTDOWN_TOKEN));

    assertThat(response.status()).isEqualTo(200);
    assertThat(json(response).get("state").asText()).isEqualTo("READY_FOR_ACTION");
    Application stored = apps.require(NS, JOB);
    assertThat(stored.status().state()).isEqualTo(ApplicationState.READY_FOR_ACTION);
    assertThat(stored.status().shutdownGracePeriod()).isEmpty();
    assertThat(stored.metadata().isDeleted()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(
      value = ApplicationState.class,
      names = {"WAITING_FOR_CLEANING", "DEGRADED"},
      mode = EnumSource.Mode.EXCLUDE)
  void shutdownLeavesOtherStatesUnchangedWithoutWriting(ApplicationState state) {
    Application before = create(JOB, "[shutdown]", List.of(), state);

    HookResponse response =
        withoutWrite(() -> put(path(JOB, "shutdown"), tokenBody(SHUTDOWN_TOKEN)));

    assertThat(response.status()).isEqualTo(200);
    assertThat(json(response).get("state").asText()).isEqualTo(state.name());
    assertThat(apps.require(NS, JOB)).isEqualTo(before);
  }

  @Test
  void acceptsKrakesFullBodyForShutdown() {
    create(JOB, "[shutdown]", List.of(), ApplicationState.WAITING_FOR_CLEANING);

    HookResponse response =
        put(
            path(JOB, "shutdown"),
            "{\"api\":\"kubernetes\",\"kind\":\"Shutdown\",\"token\":\"" + SHUTDOWN_TOKEN + "\"}");

    assertThat(response.status()).isEqualTo(200);
  }

  // ---- 401

  @Test
  void rejectsAWrongTokenWith401() {
    createJob();

    HookResponse response = withoutWrite(() -> put(path(JOB, "complete"), tokenBody(token())));

    assertProblem(response, 401);
    assertThat(json(response).get("detail").asText()).isEqualTo(HookEndpoint.INVALID_TOKEN);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"token\":null}", "{\"token\":\"\"}", "{\"kind\":\"Complete\"}"})
  void rejectsAMissingTokenWith401(String body) {
    createJob();

    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), body)), 401);
  }

  @Test
  void rejectsTheOtherHooksTokenWith401() {
    createJob();

    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), tokenBody(SHUTDOWN_TOKEN))), 401);
    assertProblem(withoutWrite(() -> put(path(JOB, "shutdown"), tokenBody(COMPLETE_TOKEN))), 401);
  }

  @Test
  void rejectsAHookNotListedInSpecHooksWith401EvenWithItsStoredToken() {
    create(JOB, "[shutdown]", List.of(), ApplicationState.RUNNING);

    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN))), 401);
  }

  @Test
  void rejectsAHookWithoutStoredTokenWith401() {
    create(JOB, "[complete]", List.of(), ApplicationState.RUNNING);
    apps.modifyStatus(
        NS,
        JOB,
        a ->
            a.status()
                .withCredentials(
                    HookCredentials.COMPLETE,
                    new HookCredentials(
                        Optional.empty(),
                        a.status().complete().cert(),
                        a.status().complete().key())));

    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN))), 401);
    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), "{\"token\":null}")), 401);
  }

  @Test
  void rejectsATokenThatIsAPrefixOrExtensionOfTheRightOneWith401() {
    createJob();

    assertProblem(
        withoutWrite(() -> put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN.substring(1)))),
        401);
    assertProblem(
        withoutWrite(() -> put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN + "x"))), 401);
  }

  // ---- 415 and 422, as Krake's API: a body that is not JSON, a body that is not the schema

  @ParameterizedTest
  @ValueSource(strings = {"", "   \n", "{", "token=abc", "{\"token\":\"a\"} trailing"})
  void rejectsABodyThatIsNotJsonWith415(String body) {
    createJob();

    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), body)), 415);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[]",
        "\"token\"",
        "null",
        "42",
        "{\"token\":42}",
        "{\"token\":{\"value\":\"x\"}}",
        "{\"token\":[\"x\"]}",
        "{\"token\":true}",
        "{\"token\":\"a\",\"token\":\"b\"}",
        "{\"api\":\"core\",\"token\":\"a\"}",
        "{\"kind\":\"Shutdown\",\"token\":\"a\"}",
        "{\"kind\":\"complete\",\"token\":\"a\"}"
      })
  void rejectsABodyThatIsNotTheHooksSchemaWith422(String body) {
    createJob();

    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), body)), 422);
  }

  @Test
  void aBadBodyOfAnUnknownApplicationIsStill415Or422NotA404() {
    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), "{")), 415);
    assertProblem(withoutWrite(() -> put(path(JOB, "complete"), "[]")), 422);
  }

  @Test
  void doesNotEchoTheBodyOfAMalformedRequest() {
    createJob();

    HookResponse response =
        withoutWrite(() -> put(path(JOB, "complete"), "{\"token\":\"" + COMPLETE_TOKEN + "\""));

    assertProblem(response, 415);
  }

  // ---- 400

  @Test
  void rejectsAContentLengthThatIsNoNumberWith400() {
    createJob();
    HookRequest request =
        new HookRequest(
            "PUT",
            path(JOB, "complete"),
            Map.of("content-length", List.of("ten")),
            tokenBody(COMPLETE_TOKEN).getBytes(UTF_8),
            List.of());

    assertProblem(withoutWrite(() -> endpoint.handle(request)), 400);
  }

  // ---- 413

  @Test
  void rejectsABodyOver64KibWith413() {
    createJob();
    String big = "{\"token\":\"" + COMPLETE_TOKEN + "\",\"pad\":\"" + "x".repeat(65_536) + "\"}";

    HookResponse response = withoutWrite(() -> put(path(JOB, "complete"), big));

    assertProblem(response, 413);
    assertThat(response.headers()).containsEntry("Connection", "close");
  }

  @Test
  void acceptsABodyOfExactly64Kib() {
    createJob();
    String prefix = "{\"token\":\"" + COMPLETE_TOKEN + "\",\"pad\":\"";
    String body = prefix + "x".repeat(65_536 - prefix.length() - 2) + "\"}";
    assertThat(body.length()).isEqualTo(65_536);

    assertThat(put(path(JOB, "complete"), body).status()).isEqualTo(200);
  }

  @Test
  void rejectsADeclaredContentLengthOver64KibWith413() {
    createJob();
    HookRequest request =
        new HookRequest(
            "PUT",
            path(JOB, "complete"),
            Map.of("Content-Length", List.of("65537")),
            new byte[0],
            List.of());

    assertProblem(withoutWrite(() -> endpoint.handle(request)), 413);
  }

  // ---- 404 and 405

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/",
        "",
        "/kubernetes/namespaces/ns/applications/job",
        "/kubernetes/namespaces/ns/applications/job/retry",
        "/kubernetes/namespaces/ns/applications/job/status",
        "/kubernetes/namespaces/ns/applications/job/complete/",
        "/kubernetes/namespaces/ns/applications/job/complete/x",
        "/kubernetes/namespaces/ns/applications//complete",
        "/kubernetes/namespaces/ns/applications/a%2Fb/complete",
        "/kubernetes/namespaces/../applications/job/complete",
        "/kubernetes/namespaces/ns/clusters/job/complete",
        "/core/namespaces/ns/applications/job/complete",
        "//kubernetes/namespaces/ns/applications/job/complete",
        "/kubernetes/namespaces/ns/applications/job/COMPLETE"
      })
  void answersAPathThatIsNoHookRouteWith404(String path) {
    createJob();

    assertProblem(withoutWrite(() -> put(path, tokenBody(COMPLETE_TOKEN))), 404);
  }

  @Test
  void answersAnUnknownApplicationWith404() {
    createJob();

    assertProblem(
        withoutWrite(() -> put(path("other", "complete"), tokenBody(COMPLETE_TOKEN))), 404);
  }

  @Test
  void ignoresAQueryString() {
    createJob();

    assertThat(put(path(JOB, "complete") + "?x=1", tokenBody(COMPLETE_TOKEN)).status())
        .isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "POST", "DELETE", "PATCH", "HEAD", "put"})
  void answersOtherMethodsOnAHookRouteWith405AllowingPut(String method) {
    createJob();

    HookResponse response =
        withoutWrite(
            () ->
                endpoint.handle(
                    HookRequest.of(
                        method, path(JOB, "shutdown"), tokenBody(SHUTDOWN_TOKEN).getBytes(UTF_8))));

    assertProblem(response, 405);
    assertThat(response.headers()).containsEntry("Allow", "PUT");
  }

  // ---- the store down

  @Test
  void answers503WhenTheStoreIsUnavailable() {
    HookEndpoint down =
        HookEndpoint.builder()
            .applications(new Applications(new UnavailableStore(), Clock.systemUTC()))
            .config(HooksConfig.builder().build())
            .build();

    HookResponse response =
        down.handle(
            HookRequest.of(
                "PUT", path(JOB, "complete"), tokenBody(COMPLETE_TOKEN).getBytes(UTF_8)));

    assertProblem(response, 503);
    assertThat(response.headers()).containsEntry("Retry-After", "1");
  }

  // ---- secrets

  @Test
  void neverPutsASecretIntoAResponseOrALogLine() {
    createJob();
    String wrong = token();
    List<HookResponse> responses = new ArrayList<>();

    String logs =
        captureStandardError(
            () -> {
              responses.add(put(path(JOB, "complete"), tokenBody(wrong)));
              responses.add(put(path(JOB, "complete"), "{\"token\":\"" + wrong + "\""));
              responses.add(put(path(JOB, "complete"), "{\"token\":\"" + wrong + "\"} x"));
              responses.add(put(path(JOB, "shutdown"), tokenBody(SHUTDOWN_TOKEN)));
              responses.add(put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN)));
              responses.add(put(path(JOB, "complete"), tokenBody(COMPLETE_TOKEN)));
            });

    assertThat(responses)
        .extracting(HookResponse::status)
        .containsExactly(401, 415, 415, 200, 200, 200);
    assertThat(logs).contains("hook complete of ns/job").contains("hook shutdown of ns/job");
    assertThat(logs).doesNotContain(COMPLETE_TOKEN, SHUTDOWN_TOKEN, wrong);
    for (HookResponse response : responses) {
      assertThat(response.bodyText()).doesNotContain(COMPLETE_TOKEN, SHUTDOWN_TOKEN, wrong);
      assertThat(response.toString()).doesNotContain(COMPLETE_TOKEN, SHUTDOWN_TOKEN, wrong);
    }
  }

  @Test
  void requestToStringShowsNeitherBodyNorHeaderValues() {
    HookRequest request =
        new HookRequest(
            "PUT",
            path(JOB, "complete"),
            Map.of("Authorization", List.of("Bearer " + COMPLETE_TOKEN)),
            tokenBody(COMPLETE_TOKEN).getBytes(UTF_8),
            List.of());

    assertThat(request.toString())
        .doesNotContain(COMPLETE_TOKEN)
        .contains("authorization")
        .contains(tokenBody(COMPLETE_TOKEN).length() + " bytes");
  }

  private static String captureStandardError(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(UTF_8);
  }

  // ---- configuration

  @Test
  void refusesToBuildWithTlsButWithoutACertificateCheck() {
    TestPki pki = TestPki.create("hook-ca");
    HooksConfig tls = tlsConfig(pki);

    assertThatThrownBy(() -> HookEndpoint.builder().applications(apps).config(tls).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("client_certificate_check.complete")
        .hasMessageContaining("client_certificate_check.shutdown");
  }

  @Test
  void refusesToBuildWithoutApplicationsOrConfig() {
    assertThatThrownBy(() -> HookEndpoint.builder().maxBodyBytes(0).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("applications")
        .hasMessageContaining("config")
        .hasMessageContaining("max_body_bytes");
  }

  static HooksConfig tlsConfig(TestPki pki) {
    PemSource cert = PemSource.of(pki.caPem());
    PemSource key = PemSource.of(pki.caIssued().privateKeyPem());
    return HooksConfig.builder()
        .tls(true)
        .addCaBundle(cert)
        .complete(HookConfig.completeDefaults().withIntermediate(cert, key))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(HookConfig.shutdownDefaults().withIntermediate(cert, key)))
        .build();
  }

  // ---- TLS

  /**
   * With TLS: 403 for a missing or foreign certificate, checked before the application and token.
   */
  @Nested
  class WithTls {
    private final TestPki pki = TestPki.create("hook-ca");
    private final HookEndpoint tlsEndpoint =
        HookEndpoint.builder()
            .applications(apps)
            .config(tlsConfig(pki))
            .clientCertificateCheck(new FakeCertificateCheck(pki.caCertificate()))
            .build();

    private List<X509Certificate> chain(String name, String hook, String commonName) {
      return List.of(pki.issueClient(new HookIdentity(NS, name, hook, commonName)).certificate());
    }

    private HookResponse put(String name, String hook, String token, List<X509Certificate> chain) {
      return tlsEndpoint.handle(
          new HookRequest(
              "PUT", path(name, hook), Map.of(), tokenBody(token).getBytes(UTF_8), chain));
    }

    @Test
    void acceptsTheCertificateIssuedForTheApplicationAndHook() {
      createJob();

      HookResponse response =
          put(JOB, "complete", COMPLETE_TOKEN, chain(JOB, "complete", "system:complete-hook"));

      assertThat(response.status()).isEqualTo(200);
    }

    @Test
    void rejectsACallWithoutClientCertificateWith403() {
      createJob();

      assertProblem(withoutWrite(() -> put(JOB, "complete", COMPLETE_TOKEN, List.of())), 403);
    }

    @Test
    void aCallWithoutCertificateIs403BeforeItsBodyIsParsedAsInKrake() {
      createJob();

      HookResponse response =
          withoutWrite(
              () ->
                  tlsEndpoint.handle(
                      new HookRequest(
                          "PUT", path(JOB, "complete"), Map.of(), "{".getBytes(UTF_8), List.of())));

      assertProblem(response, 403);
    }

    @Test
    void rejectsAnotherApplicationsCertificateWith403() {
      createJob();
      create("other", "[complete]", List.of(), ApplicationState.RUNNING);

      HookResponse response =
          withoutWrite(
              () ->
                  put(
                      JOB,
                      "complete",
                      COMPLETE_TOKEN,
                      chain("other", "complete", "system:complete-hook")));

      assertProblem(response, 403);
    }

    @Test
    void rejectsTheOtherHooksCertificateWith403() {
      createJob();

      assertProblem(
          withoutWrite(
              () ->
                  put(
                      JOB,
                      "complete",
                      COMPLETE_TOKEN,
                      chain(JOB, "shutdown", "system:shutdown-hook"))),
          403);
    }

    @Test
    void rejectsAWrongCommonNameWith403() {
      createJob();

      assertProblem(
          withoutWrite(
              () -> put(JOB, "complete", COMPLETE_TOKEN, chain(JOB, "complete", "system:admin"))),
          403);
    }

    @Test
    void rejectsACertificateOfAnotherCaWith403() {
      createJob();
      TestPki foreign = TestPki.create("foreign-ca");
      List<X509Certificate> chain =
          List.of(
              foreign
                  .issueClient(new HookIdentity(NS, JOB, "complete", "system:complete-hook"))
                  .certificate());

      assertProblem(withoutWrite(() -> put(JOB, "complete", COMPLETE_TOKEN, chain)), 403);
    }

    @Test
    void checksTheCertificateBeforeTheToken() {
      createJob();

      assertProblem(withoutWrite(() -> put(JOB, "complete", token(), List.of())), 403);
      assertProblem(
          withoutWrite(
              () -> put(JOB, "complete", token(), chain(JOB, "complete", "system:complete-hook"))),
          401);
    }

    @Test
    void checksTheCertificateBeforeTellingWhetherTheApplicationExists() {
      assertProblem(withoutWrite(() -> put("ghost", "complete", COMPLETE_TOKEN, List.of())), 403);
      assertProblem(
          withoutWrite(
              () ->
                  put(
                      "ghost",
                      "complete",
                      COMPLETE_TOKEN,
                      chain("ghost", "complete", "system:complete-hook"))),
          404);
    }

    @Test
    void answers500WithoutWritingWhenTheCertificateCheckThrows() {
      createJob();
      HookEndpoint broken =
          HookEndpoint.builder()
              .applications(apps)
              .config(tlsConfig(pki))
              .clientCertificateCheck(
                  (chain, expected) -> {
                    throw new IllegalStateException("check broken");
                  })
              .build();
      HookRequest request =
          new HookRequest(
              "PUT",
              path(JOB, "complete"),
              Map.of(),
              tokenBody(COMPLETE_TOKEN).getBytes(UTF_8),
              chain(JOB, "complete", "system:complete-hook"));

      assertProblem(withoutWrite(() -> broken.handle(request)), 500);
    }

    @Test
    void usesTheConfiguredHookUserAsExpectedCommonName() {
      createJob();
      HooksConfig base = tlsConfig(pki);
      HookEndpoint custom =
          HookEndpoint.builder()
              .applications(apps)
              .config(
                  HooksConfig.builder()
                      .tls(true)
                      .addCaBundle(PemSource.of(pki.caPem()))
                      .complete(base.complete().withHookUser("acme:finisher"))
                      .shutdown(base.shutdown())
                      .build())
              .clientCertificateCheck(new FakeCertificateCheck(pki.caCertificate()))
              .build();
      byte[] body = tokenBody(COMPLETE_TOKEN).getBytes(UTF_8);

      assertThat(
              custom
                  .handle(
                      new HookRequest(
                          "PUT",
                          path(JOB, "complete"),
                          Map.of(),
                          body,
                          chain(JOB, "complete", "system:complete-hook")))
                  .status())
          .isEqualTo(403);
      assertThat(
              custom
                  .handle(
                      new HookRequest(
                          "PUT",
                          path(JOB, "complete"),
                          Map.of(),
                          body,
                          chain(JOB, "complete", "acme:finisher")))
                  .status())
          .isEqualTo(200);
    }
  }

  /** A store that is always down. */
  private static final class UnavailableStore implements Store {
    private static StoreUnavailableException down() {
      return new StoreUnavailableException("store down (test)", null);
    }

    @Override
    public Optional<KeyValue> get(String key) {
      throw down();
    }

    @Override
    public Page list(String prefix, PageRequest request) {
      throw down();
    }

    @Override
    public KeyValue create(String key, byte[] value) {
      throw down();
    }

    @Override
    public KeyValue update(String key, byte[] value, long expectedRevision) {
      throw down();
    }

    @Override
    public long delete(String key, long expectedRevision) {
      throw down();
    }

    @Override
    public long revision() {
      throw down();
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
      throw down();
    }

    @Override
    public void compact(long revision) {
      throw down();
    }

    @Override
    public void close() {}
  }
}
