package cloud.krake.examples.endpoint;

import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.endpoint.HookRequest;
import cloud.krake.hooks.endpoint.HookResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Mounts a {@link HookEndpoint} in a host's own JDK {@code HttpServer} / {@code HttpsServer}: turns
 * each exchange into a {@link HookRequest} (method, path without the host's route prefix, headers,
 * at most {@code maxBodyBytes() + 1} bytes of body, the TLS client certificate chain the server
 * verified) and sends the {@link HookResponse} back as it is.
 *
 * <p>The host's server owns the limits the endpoint cannot enforce: its thread pool, its timeouts,
 * and, when {@link HookEndpoint#tls()}, asking for client certificates (without one, the endpoint
 * answers 403).
 *
 * <p>Thread-safe: the endpoint is, and this handler keeps no state.
 */
public final class HookEndpointHandler implements HttpHandler {
  private final HookEndpoint endpoint;
  private final String prefix;

  /**
   * Creates the handler.
   *
   * @param endpoint the hook endpoint
   * @param prefix the host's route prefix in front of {@code /kubernetes/namespaces/...}, e.g.
   *     {@code /platform/krake}; empty for none
   */
  public HookEndpointHandler(HookEndpoint endpoint, String prefix) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.prefix = Objects.requireNonNull(prefix, "prefix");
  }

  // tag::handle[]
  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(endpoint.maxBodyBytes() + 1); // one more: "too large" is detected
      }
      HookRequest request =
          new HookRequest(
              exchange.getRequestMethod(),
              path.startsWith(prefix) ? path.substring(prefix.length()) : path,
              exchange.getRequestHeaders(),
              body,
              clientCertificates(exchange));
      HookResponse response = endpoint.handle(request);
      response.headers().forEach(exchange.getResponseHeaders()::set);
      byte[] answer = response.body();
      exchange.sendResponseHeaders(response.status(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer);
        }
      }
    }
  }

  // end::handle[]

  /** The chain the TLS layer verified; empty for plain HTTP or a client without certificate. */
  private static List<X509Certificate> clientCertificates(HttpExchange exchange) {
    List<X509Certificate> chain = new ArrayList<>();
    if (exchange instanceof HttpsExchange https) {
      try {
        for (Certificate certificate : https.getSSLSession().getPeerCertificates()) {
          chain.add((X509Certificate) certificate);
        }
      } catch (SSLPeerUnverifiedException none) {
        return List.of();
      }
    }
    return chain;
  }
}
