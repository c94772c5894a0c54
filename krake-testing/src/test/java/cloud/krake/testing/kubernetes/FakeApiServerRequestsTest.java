package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the fake keeps of the requests it served, and how it reads apply bodies. */
class FakeApiServerRequestsTest {

  private final OkHttpClient http = new OkHttpClient();
  private FakeKubernetesApiServer fake;

  @AfterEach
  void stop() {
    if (fake != null) {
      fake.close();
    }
  }

  private int send(String method, String path, String contentType, String body) throws IOException {
    Request.Builder request =
        new Request.Builder()
            .url(fake.url() + path)
            .header("Authorization", "Bearer " + fake.token());
    request.method(
        method, body == null ? null : RequestBody.create(body, MediaType.get(contentType)));
    try (Response response = http.newCall(request.build()).execute()) {
      return response.code();
    }
  }

  private int apply(String name, String body) throws IOException {
    return send(
        "PATCH",
        "/api/v1/namespaces/default/configmaps/" + name + "?fieldManager=test&force=true",
        "application/apply-patch+yaml",
        body);
  }

  @Test
  void theRequestLogKeepsTheLatestUpToItsBoundWhileCountsCoverEveryRequest() throws IOException {
    fake = FakeKubernetesApiServer.builder().name("edge").requestLogLimit(3).build();
    for (int i = 0; i < 5; i++) {
      assertThat(apply("c" + i, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}")).isEqualTo(201);
    }
    assertThat(send("GET", "/api/v1/namespaces/default/configmaps/c4", null, null)).isEqualTo(200);

    assertThat(fake.requests())
        .containsExactly(
            "PATCH /api/v1/namespaces/default/configmaps/c3?fieldManager=test&force=true",
            "PATCH /api/v1/namespaces/default/configmaps/c4?fieldManager=test&force=true",
            "GET /api/v1/namespaces/default/configmaps/c4");
    assertThat(fake.requestCounts())
        .containsOnlyKeys(
            "PATCH /api/v1/namespaces/{namespace}/configmaps/{name}",
            "GET /api/v1/namespaces/{namespace}/configmaps/{name}");
    FakeKubernetesApiServer.RequestCount patches =
        fake.requestCounts().get("PATCH /api/v1/namespaces/{namespace}/configmaps/{name}");
    assertThat(patches.requests()).isEqualTo(5);
    assertThat(patches.bodyBytes())
        .isEqualTo(5L * "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"}".length());

    fake.clearRequests();
    assertThat(fake.requests()).isEmpty();
    assertThat(fake.requestCounts()).isEmpty();
  }

  @Test
  void aZeroLimitKeepsNoRequestButCountsThemAndPatternsNameWatchesAndClusterScope()
      throws IOException {
    fake = FakeKubernetesApiServer.builder().requestLogLimit(0).build();
    assertThat(send("GET", "/api/v1/namespaces", null, null)).isEqualTo(200);
    assertThat(send("GET", "/api/v1/namespaces/default", null, null)).isEqualTo(200);
    assertThat(send("GET", "/apis/apps/v1/namespaces/default/deployments", null, null))
        .isEqualTo(200);
    assertThat(send("GET", "/api", null, null)).isEqualTo(200);

    assertThat(fake.requests()).isEmpty();
    assertThat(fake.requestCounts().keySet())
        .containsExactly(
            "GET /api",
            "GET /api/v1/namespaces",
            "GET /api/v1/namespaces/{name}",
            "GET /apis/apps/v1/namespaces/{namespace}/deployments");
  }

  @Test
  void theDefaultLogKeepsTenThousandRequests() {
    fake = FakeKubernetesApiServer.builder().build();
    assertThat(FakeKubernetesApiServer.DEFAULT_REQUEST_LOG_LIMIT).isEqualTo(10_000);
  }

  /**
   * A JSON body is read as JSON, as kube-apiserver reads it: JSON's whitespace includes tabs, which
   * YAML's scanner refuses, and JSON's escapes include {@code \/}.
   */
  @Test
  void aJsonApplyBodyIsReadAsJsonEvenWithTabsAndEscapedSlashes() throws IOException {
    fake = FakeKubernetesApiServer.builder().build();
    String body =
        "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"ConfigMap\",\n\t\"data\": {\n"
            + "\t\t\"url\": \"https:\\/\\/example.com\\/a\"\n\t}\n}";

    assertThat(apply("tabs", body)).isEqualTo(201);

    ObjectNode stored = fake.get("v1", "ConfigMap", "default", "tabs").orElseThrow();
    assertThat(stored.path("data").path("url").asText()).isEqualTo("https://example.com/a");
  }

  @Test
  void aYamlApplyBodyIsStillReadAsYamlAlsoAsAFlowMapping() throws IOException {
    fake = FakeKubernetesApiServer.builder().build();

    assertThat(apply("block", "apiVersion: v1\nkind: ConfigMap\ndata:\n  k: v\n")).isEqualTo(201);
    assertThat(apply("flow", "{apiVersion: v1, kind: ConfigMap, data: {k: v}}")).isEqualTo(201);

    assertThat(
            fake.get("v1", "ConfigMap", "default", "block")
                .orElseThrow()
                .path("data")
                .path("k")
                .asText())
        .isEqualTo("v");
    assertThat(
            fake.get("v1", "ConfigMap", "default", "flow")
                .orElseThrow()
                .path("data")
                .path("k")
                .asText())
        .isEqualTo("v");
  }
}
