package cloud.krake.examples.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.endpoint.HookRequest;
import cloud.krake.hooks.endpoint.HookResponse;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The snippet of docs/hook-endpoint.md that mounts the handler in the host's own server, run. */
class HookEndpointMountTest {

  @Test
  void mountedHandlerAnswersAsTheEmbeddedServer() throws IOException {
    try (MemoryStore store = MemoryStore.create()) {
      HookEndpoint endpoint =
          HookEndpoint.builder()
              .applications(new Applications(store, Clock.systemUTC()))
              .config(HooksConfig.builder().build())
              .build();

      HookResponse response =
          handle(
              endpoint,
              "PUT",
              "/kubernetes/namespaces/default/applications/echo/complete",
              Map.of("Content-Type", List.of("application/json")),
              new ByteArrayInputStream("{\"token\":\"t\"}".getBytes(UTF_8)),
              List.of());

      assertThat(response.status()).isEqualTo(404);
      assertThat(response.headers()).containsEntry("Content-Type", "application/problem+json");
    }
  }

  /** What a host's request handler does with the request it got. */
  private static HookResponse handle(
      HookEndpoint endpoint,
      String method,
      String rawPath,
      Map<String, List<String>> headers,
      InputStream body,
      List<X509Certificate> verifiedClientCertificateChain)
      throws IOException {
    // tag::mount[]
    HookRequest request =
        new HookRequest(
            method,
            rawPath,
            headers,
            body.readNBytes(endpoint.maxBodyBytes() + 1), // one more: too large is 413
            verifiedClientCertificateChain); // empty for plain HTTP
    HookResponse response = endpoint.handle(request);
    // send response.status(), every header of response.headers(), response.body()
    // end::mount[]
    return response;
  }
}
