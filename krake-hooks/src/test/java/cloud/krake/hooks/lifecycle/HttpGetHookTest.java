package cloud.krake.hooks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code http_get} handlers against a real HTTP server ({@code mockwebserver3}). */
class HttpGetHookTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-21T10:00:00Z"));
  private final MemoryStore store = MemoryStore.create();
  private final MockWebServer server = new MockWebServer();
  private OkHttpClient client = new OkHttpClient();
  private LifecycleRunner runner;

  private static final LifecycleContext CONTEXT =
      LifecycleContext.of("default", "echo", "edge-1", "team-a", "echo-5d9f");

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
    if (runner != null) {
      runner.close();
    }
    store.close();
  }

  private LifecycleRunner runner() {
    runner =
        LifecycleRunner.builder()
            .store(store)
            .clock(clock)
            .timer(new ManualTimer(clock))
            .httpClient(client)
            .build();
    return runner;
  }

  private LifecycleHooks postStart(String httpGet) {
    return LifecycleHooks.parse(
        KrakeJson.read("{\"post_start\": {\"http_get\": " + httpGet + "}}", JsonNode.class));
  }

  private String at(String more) {
    return "{\"host\": \""
        + server.getHostName()
        + "\", \"port\": "
        + server.getPort()
        + (more.isEmpty() ? "" : ", " + more)
        + "}";
  }

  @Test
  void countsA404AsSuccessByDefaultButRecordsAWarning() throws InterruptedException {
    server.enqueue(new MockResponse.Builder().code(404).body("no such page").build());

    LifecycleResult result = runner().postStart(postStart(at("\"path\": \"/ready\"")), CONTEXT);

    assertThat(result.outcome()).isEqualTo(LifecycleResult.Outcome.SUCCEEDED);
    assertThat(result.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(LifecycleEvent.Type.Warning);
              assertThat(e.reason()).isEqualTo("LifecycleHTTPNon2xx");
              assertThat(e.message())
                  .startsWith("GET http://")
                  .contains("/ready answered 404")
                  .contains("counted as success");
            });
    assertThat(runner.events("default", "echo"))
        .extracting(LifecycleEvent::reason)
        .containsExactly("LifecycleHTTPNon2xx");
  }

  @Test
  void failsOnA404InStrictModeWithTheWarningToo() throws InterruptedException {
    server.enqueue(new MockResponse.Builder().code(404).build());

    LifecycleResult result =
        runner().postStart(postStart(at("\"path\": \"/ready\", \"strict\": true")), CONTEXT);

    assertThat(result.succeeded()).isFalse();
    assertThat(result.error()).get().asString().endsWith("/ready answered 404");
    assertThat(result.events())
        .extracting(LifecycleEvent::reason)
        .containsExactly("LifecycleHTTPNon2xx", "FailedPostStartHook");
  }

  @Test
  void sendsHeadersAndPathButKeepsHeaderValuesOutOfEventsAndRecords() throws Exception {
    server.enqueue(new MockResponse.Builder().code(500).build());

    LifecycleResult result =
        runner()
            .postStart(
                postStart(
                    at(
                        "\"path\": \"/hook/s3cr3t-token\", \"headers\":"
                            + " [{\"name\": \"Authorization\", \"value\": \"s3cr3t-token\"},"
                            + " {\"name\": \"X-Hook\", \"value\": \"post-start\"}]")),
                CONTEXT);

    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/hook/s3cr3t-token");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("s3cr3t-token");
    assertThat(request.getHeaders().get("X-Hook")).isEqualTo("post-start");
    assertThat(request.getHeaders().get("User-Agent")).isEqualTo("krake-lifecycle");
    assertThat(result.succeeded()).isTrue();
    assertThat(result.events().get(0).message()).contains("/hook/***").doesNotContain("s3cr3t");
    assertThat(store.listAll(LifecycleRecords.PREFIX))
        .allSatisfy(kv -> assertThat(new String(kv.value(), "UTF-8")).doesNotContain("s3cr3t"));
  }

  @Test
  void usesTheHttpsSchemeAgainstATlsServer() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate serverCertificate =
        new HeldCertificate.Builder()
            .signedBy(ca)
            .addSubjectAlternativeName(server.getHostName())
            .build();
    server.useHttps(
        new HandshakeCertificates.Builder()
            .heldCertificate(serverCertificate)
            .build()
            .sslSocketFactory());
    HandshakeCertificates trust =
        new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate()).build();
    client =
        new OkHttpClient.Builder()
            .sslSocketFactory(trust.sslSocketFactory(), trust.trustManager())
            .build();
    server.enqueue(new MockResponse.Builder().code(204).build());

    LifecycleResult result =
        runner().postStart(postStart(at("\"scheme\": \"HTTPS\", \"path\": \"/ready\"")), CONTEXT);

    assertThat(result.outcome()).isEqualTo(LifecycleResult.Outcome.SUCCEEDED);
    assertThat(result.events()).isEmpty();
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getUrl().scheme()).isEqualTo("https");
    assertThat(request.getHandshake()).isNotNull();
  }

  @Test
  void usesThePodIpWhenTheHookHasNoHost() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).build());

    LifecycleResult result =
        runner()
            .postStart(
                postStart("{\"port\": " + server.getPort() + "}"),
                CONTEXT.withPodIp(server.getHostName()));

    assertThat(result.outcome()).isEqualTo(LifecycleResult.Outcome.SUCCEEDED);
    assertThat(server.takeRequest(5, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/");
  }

  @Test
  void failsWhenTheConnectionIsRefused() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    LifecycleResult result =
        runner()
            .preStop(
                LifecycleHooks.parse(
                    KrakeJson.read(
                        "{\"pre_stop\": {\"http_get\": {\"host\": \"127.0.0.1\", \"port\": "
                            + closedPort
                            + "}}}",
                        JsonNode.class)),
                CONTEXT,
                Duration.ofSeconds(30));

    assertThat(result.succeeded()).isFalse();
    assertThat(result.error()).get().asString().contains("failed: ConnectException");
    assertThat(result.events())
        .extracting(LifecycleEvent::reason)
        .containsExactly("FailedPreStopHook");
    assertThat(result.remainingGrace()).contains(Duration.ofSeconds(30));
  }
}
