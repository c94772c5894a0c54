package cloud.krake.spring.boot.app;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.hooks.mangling.HookMangling;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With {@code krake.hooks.tls=true} and the hook endpoint on the application's own web server, that
 * server serves HTTPS ({@code server.ssl.*} with PEM files) and asks for client certificates
 * ({@code server.ssl.client-auth=want}, trusting the hook CA), as application-hook-tls.yaml (the
 * example of docs/spring-boot.md) sets it: the {@code complete} call made with the application's
 * own certificate and token, as its pod would from the injected Secrets, deletes the application;
 * the same call with another application's certificate, or with none, is refused 403 by Krake's
 * hook endpoint, and the application stays.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.import=classpath:application-hook-tls.yaml", "krake.workers=1"})
class HostApplicationTlsTest {

  private static final Duration TIMEOUT = Duration.ofMinutes(1);

  /** The hook CA (root and the intermediate of both hooks), which also signs the server's cert. */
  private static final GeneratedHookCa CA = GeneratedHookCa.generate(Clock.systemUTC());

  @Autowired Krake krake;

  @LocalServerPort int port;

  /** Writes the PEM files application-hook-tls.yaml names and sets its KRAKE_TLS_DIR. */
  @DynamicPropertySource
  static void tlsFiles(DynamicPropertyRegistry registry) throws IOException {
    Path dir = Files.createTempDirectory("krake-host-tls");
    dir.toFile().deleteOnExit();
    IssuedCertificate server = CA.issueServerCertificate(List.of("localhost"), List.of());
    write(dir, "server.pem", server.certificatePem());
    write(dir, "server-key.pem", server.privateKeyPem());
    // One CA here: the hook CA's root and intermediate also signed the server's certificate.
    write(dir, "hook-ca.pem", server.caBundlePem());
    write(dir, "server-ca.pem", CA.rootCertificatePem());
    write(dir, "hook-intermediate.pem", CA.intermediateCertificatePem());
    write(dir, "hook-intermediate-key.pem", CA.intermediateKeyPem());
    registry.add("KRAKE_TLS_DIR", dir::toString);
  }

  private static void write(Path dir, String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content).toFile().deleteOnExit();
  }

  @Test
  void takesTheCompleteCallOnlyWithTheApplicationsOwnClientCertificate() throws Exception {
    try (FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name("edge-1").build()) {
      ObjectNode cluster = JsonNodeFactory.instance.objectNode();
      cluster.putObject("metadata").put("name", "edge-1").put("namespace", "default");
      cluster
          .putObject("spec")
          .set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
      krake.clusters().create(KrakeJson.convert(cluster, Cluster.class));
      krake.awaitCluster(
          "default", "edge-1", c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
      for (String name : List.of("job", "other")) {
        krake.applications().create(application(name));
      }
      for (String name : List.of("job", "other")) {
        krake.awaitApplication(
            "default", name, a -> a.status().state() == ApplicationState.RUNNING, TIMEOUT);
      }
      String token = secret(fake, "job", "token", "krake_complete_token");
      String url = secret(fake, "job", "token", "krake_complete_url");
      assertThat(url).isEqualTo("https://krake-host.example.com:8443" + path("job"));
      List<X509Certificate> caBundle =
          TlsMaterial.certificates(secret(fake, "job", "certs", HookMangling.CA_BUNDLE_KEY));
      URI hook = URI.create("https://localhost:" + port + path("job"));

      HttpResponse<String> none = put(TlsMaterial.clientContext(caBundle), hook, token);
      assertThat(none.statusCode()).as(none.body()).isEqualTo(403);
      HttpResponse<String> another = put(clientContext(fake, "other", caBundle), hook, token);
      assertThat(another.statusCode()).as(another.body()).isEqualTo(403);
      assertThat(another.body()).contains("issued for another application or hook");
      assertThat(krake.applications().get("default", "job")).isPresent();

      HttpResponse<String> own = put(clientContext(fake, "job", caBundle), hook, token);
      assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
      assertThat(own.body()).contains("\"name\":\"job\"");
      krake.awaitApplicationGone("default", "job", TIMEOUT);
      assertThat(krake.applications().get("default", "other")).isPresent();
    }
  }

  private static Application application(String name) {
    return KrakeJson.read(
        """
        metadata: {name: %s, namespace: default}
        spec:
          hooks: [complete]
          constraints: {cluster: {labels: []}}
          manifest:
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: %s}
            spec:
              selector: {matchLabels: {app: %s}}
              template:
                metadata: {labels: {app: %s}}
                spec:
                  containers: [{name: main, image: busybox}]
        """
            .formatted(name, name, name, name),
        Application.class);
  }

  private static String path(String name) {
    return "/kubernetes/namespaces/default/applications/" + name + "/complete";
  }

  /** One key of a Secret Krake injected into the application on the fake cluster, decoded. */
  private static String secret(
      FakeKubernetesApiServer fake, String application, String suffix, String key) {
    ObjectNode secret =
        fake.get("v1", "Secret", "default", application + "-krake-complete-secret-" + suffix)
            .orElseThrow(() -> new AssertionError("no " + suffix + " Secret of " + application));
    return new String(Base64.getDecoder().decode(secret.path("data").path(key).asText()), UTF_8);
  }

  /** The TLS context of an application's pod: its ca-bundle.pem, cert.pem and key.pem. */
  private static SSLContext clientContext(
      FakeKubernetesApiServer fake, String application, List<X509Certificate> caBundle) {
    return TlsMaterial.clientContext(
        caBundle,
        secret(fake, application, "certs", HookMangling.CERT_KEY),
        secret(fake, application, "certs", HookMangling.KEY_KEY));
  }

  private static HttpResponse<String> put(SSLContext tls, URI hook, String token)
      throws IOException, InterruptedException {
    return HttpClient.newBuilder()
        .sslContext(tls)
        .build()
        .send(
            HttpRequest.newBuilder(hook)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
