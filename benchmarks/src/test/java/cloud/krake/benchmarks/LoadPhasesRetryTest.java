package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Phase 2's complete call is sent again only when it got no HTTP answer; any status is final. Plain
 * HTTP on loopback (the call's TLS context is not used for an {@code http} URL).
 */
class LoadPhasesRetryTest {

  private final AtomicInteger retries = new AtomicInteger();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void aCallThatFindsNoServerIsSentFourTimesAndThenFails() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }

    HookCall.Answer answer = LoadPhases.completeRetrying(call(port), retries, Duration.ZERO);

    assertThat(answer.status()).isEqualTo(-1);
    assertThat(answer.detail()).contains("(attempt " + LoadPhases.CALL_ATTEMPTS + ")");
    assertThat(retries).hasValue(LoadPhases.CALL_ATTEMPTS - 1);
  }

  @Test
  void anErrorStatusIsFinalAndNotRetried() throws Exception {
    AtomicInteger calls = serve(503);

    HookCall.Answer answer =
        LoadPhases.completeRetrying(call(server.getAddress().getPort()), retries, Duration.ZERO);

    assertThat(answer.status()).isEqualTo(503);
    assertThat(calls).hasValue(1);
    assertThat(retries).hasValue(0);
  }

  @Test
  void anAnsweredCallIsSentOnce() throws Exception {
    AtomicInteger calls = serve(200);

    HookCall.Answer answer =
        LoadPhases.completeRetrying(call(server.getAddress().getPort()), retries, Duration.ZERO);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.answeredAt()).isGreaterThanOrEqualTo(answer.sentAt());
    assertThat(calls).hasValue(1);
    assertThat(retries).hasValue(0);
  }

  private AtomicInteger serve(int status) throws IOException {
    AtomicInteger calls = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          calls.incrementAndGet();
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    server.start();
    return calls;
  }

  private static HookCall call(int port) throws Exception {
    return new HookCall(
        "app-00000",
        URI.create("http://127.0.0.1:" + port + "/namespaces/load/applications/app-00000/complete"),
        "token",
        SSLContext.getDefault());
  }
}
