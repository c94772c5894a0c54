package cloud.krake.examples.docs;

import cloud.krake.hooks.tls.TlsMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;

/**
 * The Java {@code HttpClient} calls of docs/hooks.md, as an application would make them in its pod.
 * {@code HookCallsIT} runs this class as its own JVM with the certificate files mounted at the
 * default {@code cert_dest} and the environment variables set.
 */
public final class HookCallInJava {

  private HookCallInJava() {}

  /**
   * Calls one hook.
   *
   * @param args {@code complete} or {@code shutdown}
   * @throws Exception if the call fails
   */
  public static void main(String[] args) throws Exception {
    if (args[0].equals("complete")) {
      complete();
    } else {
      shutdown();
    }
  }

  static void complete() throws IOException, InterruptedException {
    // tag::java-complete[]
    Path certs = Path.of("/etc/krake_complete_certs");
    SSLContext tls =
        TlsMaterial.clientContext(
            TlsMaterial.certificates(Files.readString(certs.resolve("ca-bundle.pem"))),
            Files.readString(certs.resolve("cert.pem")),
            Files.readString(certs.resolve("key.pem")));
    HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
    String token = System.getenv("KRAKE_COMPLETE_TOKEN");
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(System.getenv("KRAKE_COMPLETE_URL")))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    System.out.println(response.statusCode() + " " + response.body());
    // end::java-complete[]
  }

  static void shutdown() throws IOException, InterruptedException {
    // tag::java-shutdown[]
    Path certs = Path.of("/etc/krake_shutdown_certs");
    SSLContext tls =
        TlsMaterial.clientContext(
            TlsMaterial.certificates(Files.readString(certs.resolve("ca-bundle.pem"))),
            Files.readString(certs.resolve("cert.pem")),
            Files.readString(certs.resolve("key.pem")));
    HttpClient client = HttpClient.newBuilder().sslContext(tls).build();
    String token = System.getenv("KRAKE_SHUTDOWN_TOKEN");
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(System.getenv("KRAKE_SHUTDOWN_URL")))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    System.out.println(response.statusCode() + " " + response.body());
    // end::java-shutdown[]
  }
}
