package cloud.krake.examples.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The adapter hands the endpoint the path below the host's prefix, and its answers unchanged. */
class HookEndpointHandlerIT {

  private final MemoryStore store = MemoryStore.create();
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private HttpServer server;

  @BeforeEach
  void mountUnderAPrefix() throws IOException {
    HookEndpoint endpoint =
        HookEndpoint.builder()
            .applications(new Applications(store, Clock.systemUTC()))
            .config(HooksConfig.builder().build())
            .build();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/platform/krake/", new HookEndpointHandler(endpoint, "/platform/krake"));
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    store.close();
  }

  @Test
  void stripsTheHostsPrefixBeforeTheEndpointSeesThePath() throws Exception {
    HttpResponse<String> answer =
        send("GET", "/platform/krake/kubernetes/namespaces/ns/applications/app/complete", "");

    assertThat(answer.statusCode()).isEqualTo(405);
    assertThat(answer.headers().firstValue("Allow")).contains("PUT");
  }

  @Test
  void passesTheEndpointsProblemAnswersThrough() throws Exception {
    HttpResponse<String> answer =
        send(
            "PUT",
            "/platform/krake/kubernetes/namespaces/ns/applications/app/complete",
            "{\"token\":\"abc\"}");

    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(answer.body()).doesNotContain("abc");
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
