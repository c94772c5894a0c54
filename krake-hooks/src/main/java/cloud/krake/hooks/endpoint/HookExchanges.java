package cloud.krake.hooks.endpoint;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of one hook request on the JDK server, for {@link EmbeddedHookServer}: reading the
 * body up to the endpoint's limit, the client's certificate chain, and sending a {@link
 * HookResponse}. Stateless; logs under {@link EmbeddedHookServer}'s logger.
 */
final class HookExchanges {

  /** The answer to a request the server has no thread for. */
  static final HookResponse OVERLOADED =
      new HookResponse(
          503,
          Map.of(
              "Content-Type",
              "application/problem+json",
              "Retry-After",
              "1",
              "Connection",
              "close"),
          ("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
                  + "\"detail\":\"The hook endpoint is overloaded; try again.\"}")
              .getBytes(StandardCharsets.UTF_8));

  // the server's logger, so the log stays where it was before the split
  private static final Logger log = LoggerFactory.getLogger(EmbeddedHookServer.class);

  private HookExchanges() {}

  /**
   * Serves one exchange: the 503 answer when {@code overloaded}, else the body is read (the read
   * phase of {@code deadline}, if any, ends with it) and the endpoint's answer sent. A client that
   * goes away is logged at debug level; the exchange is always closed.
   */
  static void serve(
      HttpExchange exchange,
      HookEndpoint endpoint,
      ReadDeadline deadline,
      boolean overloaded,
      Duration readTimeout) {
    try (exchange) {
      if (overloaded) {
        if (deadline != null) {
          deadline.finish();
        }
        send(exchange, OVERLOADED);
        return;
      }
      byte[] body = readBody(exchange, endpoint.maxBodyBytes());
      if (deadline != null && !deadline.finish()) {
        log.debug("hook request not received within {}: connection closed", readTimeout);
        return;
      }
      HookRequest request =
          new HookRequest(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawPath(),
              exchange.getRequestHeaders(),
              body,
              peerChain(exchange));
      send(exchange, endpoint.handle(request));
    } catch (IOException e) {
      // A client that went away or a read past the deadline: nothing to answer.
      log.debug("hook request aborted: {}", e.getClass().getSimpleName());
    }
  }

  /** Reads at most one byte over the limit, or nothing if the declared length is already over. */
  static byte[] readBody(HttpExchange exchange, int limit) throws IOException {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > limit) {
          return new byte[0];
        }
      } catch (NumberFormatException e) {
        return new byte[0];
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    InputStream in = exchange.getRequestBody();
    while (out.size() <= limit) {
      int n = in.read(buffer, 0, Math.min(buffer.length, limit + 1 - out.size()));
      if (n < 0) {
        break;
      }
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  static List<X509Certificate> peerChain(HttpExchange exchange) {
    if (!(exchange instanceof HttpsExchange https)) {
      return List.of();
    }
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate certificate : https.getSSLSession().getPeerCertificates()) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
      return chain;
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }

  /**
   * Sends the response. To a HEAD request only the headers go out, with the {@code Content-Length}
   * the body would have (RFC 9110, 9.3.2): the JDK server wants no length passed for HEAD (it logs
   * a warning through {@code System.Logger} "com.sun.net.httpserver" otherwise) and no body.
   */
  static void send(HttpExchange exchange, HookResponse response) throws IOException {
    response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    byte[] body = response.bodyUnsafe();
    if ("HEAD".equals(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("Content-Length", String.valueOf(body.length));
      exchange.sendResponseHeaders(response.status(), -1);
      return;
    }
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
