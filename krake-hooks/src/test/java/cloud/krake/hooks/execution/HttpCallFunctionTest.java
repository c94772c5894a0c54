package cloud.krake.hooks.execution;

import static cloud.krake.hooks.execution.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.FieldError;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HttpCall against a real HTTP server ({@code mockwebserver3}). */
class HttpCallFunctionTest {

  private final MockWebServer server = new MockWebServer();
  private final ExecutionEngine engine = ExecutionEngine.builder().build();

  @BeforeEach
  void start() throws IOException {
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
    engine.close();
  }

  private ActionResult call(String args) {
    return engine.run(
        BlueprintAction.of(Phase.of("HttpCall", "call", json(args))),
        Fixtures.context().withOptions(Map.of("token", "t0k3n")));
  }

  @Test
  void anEngineThatOnlyValidatesMakesNoHttpClientAndTheFirstCallMakesOne() {
    ExecutionEngine checking = ExecutionEngine.builder().build();
    HttpCallFunction httpCall =
        (HttpCallFunction) checking.function(HttpCallFunction.NAME).orElseThrow();
    BlueprintAction action =
        BlueprintAction.of(
            Phase.of("HttpCall", "call", json("{\"url\": \"" + server.url("/") + "ok\"}")));

    assertThat(checking.validate(action)).isEmpty();
    assertThat(httpCall.validate(json("{\"url\": \"http://hooks.example/\"}"))).isEmpty();
    assertThat(httpCall.ownClientCreated()).as("a client made by validation").isFalse();

    server.enqueue(new MockResponse.Builder().code(200).build());
    assertThat(checking.run(action, Fixtures.context()).succeeded()).isTrue();
    assertThat(httpCall.ownClientCreated()).as("a client made by the first call").isTrue();
    checking.close();
  }

  @Test
  void theDefaultFunctionMakesNoClientUntilItsFirstCall() {
    HttpCallFunction httpCall = new HttpCallFunction();

    assertThat(httpCall.validate(json("{\"url\": \"http://hooks.example/\"}"))).isEmpty();

    assertThat(httpCall.ownClientCreated()).isFalse();
  }

  @Test
  void sendsTheRenderedRequestAndPublishesStatusAndBody() throws InterruptedException {
    server.enqueue(
        new MockResponse.Builder()
            .code(201)
            .body("created\n###Phase-output###: {\"key\":\"id\",\"value\":\"42\"}\n")
            .build());

    ActionResult result =
        call(
            "{\"method\": \"post\", \"url\": \""
                + server.url("/")
                + "apps/{{ .Application.Name }}"
                + "\", \"headers\": {\"Authorization\": \"Bearer {{ .Options.token }}\","
                + " \"Content-Type\": \"application/json\"},"
                + " \"body\": \"{\\\"cluster\\\": \\\"{{ .Cluster.Name }}\\\"}\"}");

    assertThat(result.succeeded()).isTrue();
    assertThat(result.phases().get(0).outputs())
        .containsEntry("status", "201")
        .containsEntry("id", "42")
        .containsKey("body");
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/apps/mysql");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer t0k3n");
    assertThat(request.getBody().utf8()).isEqualTo("{\"cluster\": \"edge-1\"}");
  }

  @Test
  void failsOnAnUnexpectedStatusWithoutEchoingTheQuery() {
    server.enqueue(new MockResponse.Builder().code(404).build());

    ActionResult result =
        call("{\"url\": \"" + server.url("/") + "hook?token={{ .Options.token }}" + "\"}");

    assertThat(result.error())
        .get()
        .asString()
        .contains("GET http://")
        .contains("/hook answered 404, expected 2xx")
        .doesNotContain("t0k3n");
  }

  @Test
  void acceptsTheExpectedStatuses() {
    server.enqueue(new MockResponse.Builder().code(409).build());

    ActionResult result =
        call("{\"url\": \"" + server.url("/x") + "\", \"expectedStatus\": [200, 409]}");

    assertThat(result.succeeded()).isTrue();
  }

  @Test
  void failsWhenTheServerDoesNotAnswerInTime() {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());

    ActionResult result =
        call("{\"url\": \"" + server.url("/slow") + "\", \"timeout\": \"300ms\"}");

    assertThat(result.error()).get().asString().contains("/slow: timed out after 300 ms");
  }

  @Test
  void rejectsBadArgumentsNamingThem() {
    assertThat(
            new HttpCallFunction()
                .validate(
                    json(
                        "{\"url\": \"ftp://x\", \"method\": \"FETCH\", \"headers\": {\"a\": 1},"
                            + " \"body\": {}, \"expectedStatus\": 99, \"timeout\": \"-1s\"}")))
        .extracting(FieldError::field)
        .containsExactly("url", "method", "headers.a", "body", "expectedStatus", "timeout");
  }
}
