package cloud.krake.testing.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet API of a {@link NodeAgent} on HTTPS ({@code /healthz}, {@code
 * /containerLogs/{ns}/{pod}/{container}}, {@code /exec/{ns}/{pod}/{container}}), as the API server
 * calls the kubelet server, answered by the local kubelet's log and exec endpoints.
 */
final class KubeletApiServer {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);

  private KubeletApiServer() {}

  /**
   * Starts the server on {@link LocalKubelet#POD_IP} and {@code port} (0 for any), serving with
   * {@code servingPem} (certificate then key) or a generated certificate for {@code node}, and
   * requiring client certificates issued by {@code clientCa} if given.
   *
   * @throws UncheckedIOException if the port cannot be bound
   */
  static MockWebServer start(
      String node,
      PodRuntime runtime,
      int port,
      Optional<String> clientCa,
      Optional<String> servingPem) {
    HeldCertificate serving =
        servingPem.isPresent()
            ? heldCertificate(servingPem.get())
            : new HeldCertificate.Builder()
                .commonName(node)
                .addSubjectAlternativeName("127.0.0.1")
                .addSubjectAlternativeName("localhost")
                .duration(1, TimeUnit.DAYS)
                .build();
    HandshakeCertificates.Builder tls =
        new HandshakeCertificates.Builder().heldCertificate(serving);
    clientCa.ifPresent(
        pem -> ApiServerClient.Pem.certificates(pem).forEach(tls::addTrustedCertificate));
    HandshakeCertificates certificates = tls.build();
    MockWebServer server = new MockWebServer();
    server.useHttps(certificates.sslSocketFactory());
    server.setProtocols(List.of(okhttp3.Protocol.HTTP_1_1));
    if (clientCa.isPresent()) {
      server.requireClientAuth();
    }
    server.setDispatcher(new KubeletApi(node, runtime));
    try {
      server.start(InetAddress.getByName(LocalKubelet.POD_IP), port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the kubelet API on port " + port, e);
    }
    return server;
  }

  private static HeldCertificate heldCertificate(String certificateAndKey) {
    int end = certificateAndKey.indexOf("-----END CERTIFICATE-----");
    int keyStart = certificateAndKey.indexOf("-----BEGIN", end);
    return ApiServerClient.Pem.heldCertificate(
        certificateAndKey.substring(0, keyStart), certificateAndKey.substring(keyStart));
  }

  /**
   * The kubelet server's {@code containerLogs} and {@code exec} as the API server calls them,
   * answered by the local kubelet's log and exec endpoints.
   */
  private static final class KubeletApi extends Dispatcher {
    private final String node;
    private final PodRuntime runtime;

    KubeletApi(String node, PodRuntime runtime) {
      this.node = node;
      this.runtime = runtime;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
      HttpUrl url = request.getUrl();
      List<String> segments = url.pathSegments();
      try {
        if (segments.size() == 1 && segments.get(0).equals("healthz")) {
          return new MockResponse.Builder().code(200).body("ok").build();
        }
        if (segments.size() == 4 && segments.get(0).equals("containerLogs")) {
          HttpUrl logs = url.newBuilder().setQueryParameter("container", segments.get(3)).build();
          return runtime.logs(segments.get(1), segments.get(2), logs);
        }
        if (segments.size() == 4 && segments.get(0).equals("exec")) {
          HttpUrl.Builder exec =
              url.newBuilder()
                  .setQueryParameter("container", segments.get(3))
                  .removeAllQueryParameters("input")
                  .removeAllQueryParameters("output")
                  .removeAllQueryParameters("error")
                  .removeAllQueryParameters("tty");
          exec.setQueryParameter("stdin", flag(url, "input"));
          exec.setQueryParameter("stdout", flag(url, "output"));
          exec.setQueryParameter("stderr", flag(url, "error"));
          exec.setQueryParameter("tty", flag(url, "tty"));
          return runtime.exec(segments.get(1), segments.get(2), exec.build(), request);
        }
        return new MockResponse.Builder().code(404).body("404 page not found").build();
      } catch (ApiError e) {
        return new MockResponse.Builder()
            .code(e.code())
            .addHeader("Content-Type", "application/json")
            .body(new String(Json.bytes(e.toStatus()), java.nio.charset.StandardCharsets.UTF_8))
            .build();
      } catch (RuntimeException e) {
        log.warn("kubelet API of {} failed on {}", node, url.encodedPath(), e);
        return new MockResponse.Builder().code(500).body(e.toString()).build();
      }
    }

    private static String flag(HttpUrl url, String name) {
      String value = url.queryParameter(name);
      return Boolean.toString(value != null && (value.equals("1") || value.equals("true")));
    }
  }
}
