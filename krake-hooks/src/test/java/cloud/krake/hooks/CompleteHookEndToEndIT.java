package cloud.krake.hooks;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.mangling.HookMangling;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthority;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.ObserverSchemas;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The complete hook over real HTTPS with client certificates, from the complete-hook Job of the
 * test manifests ({@code complete-job.yaml}): the application is mangled with a real hook CA, its
 * URL, token and PEM files are taken from the mangled Secrets exactly as the pod would see them,
 * and the documented curl call is sent to the embedded endpoint.
 */
class CompleteHookEndToEndIT {

  private static final String NS = "krake-it";

  private final Clock clock = Clock.systemUTC();
  private final MemoryStore store = MemoryStore.create();
  private final Krake krake = Krake.builder().store(store).clock(clock).build();
  private final Applications apps = krake.applications();
  private final GeneratedHookCa ca = GeneratedHookCa.generate(clock);
  private EmbeddedHookServer server;
  private HooksConfig config;
  private HookCertificateAuthority completeCa;

  @TempDir Path dir;

  private HooksConfig config(URI endpoint) {
    return HooksConfig.builder()
        .endpoint(endpoint)
        .tls(true)
        .complete(
            ca.withIntermediate(HookConfig.completeDefaults())
                .withCertDest("/etc/krake_complete_cert"))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
        .addCaBundle(ca.rootCertificateSource())
        .build();
  }

  @BeforeEach
  void startEndpoint() {
    HooksConfig unbound = config(URI.create("https://127.0.0.1"));
    completeCa = HookCertificateAuthority.of(unbound, HooksConfig.COMPLETE, clock);
    HookEndpoint endpoint =
        HookEndpoint.builder()
            .applications(apps)
            .config(unbound)
            .clientCertificateCheck(HooksConfig.COMPLETE, completeCa)
            .clientCertificateCheck(
                HooksConfig.SHUTDOWN,
                HookCertificateAuthority.of(unbound, HooksConfig.SHUTDOWN, clock))
            .build();
    IssuedCertificate serverCertificate =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    server =
        EmbeddedHookServer.builder()
            .endpoint(endpoint)
            .port(0)
            .tls(
                PemSource.of(serverCertificate.certificatePem()),
                PemSource.of(serverCertificate.privateKeyPem()),
                PemSource.of(TlsMaterial.pem(completeCa.trustedCertificates())))
            .build();
    server.start();
    config = config(server.url());
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  /** Creates the complete-hook Job of the test manifests and mangles it as the controller would. */
  private Application deployedSample(String name) throws IOException {
    List<ObjectNode> manifest =
        KrakeJson.readAll(
            new String(
                Objects.requireNonNull(
                        getClass().getResourceAsStream("/manifests/complete-job.yaml"),
                        "/manifests/complete-job.yaml")
                    .readAllBytes(),
                UTF_8),
            ObjectNode.class);
    Application app =
        KrakeJson.read(
            """
            spec:
              manifest: []
              constraints: {cluster: {}}
              hooks: [complete]
            """,
            Application.class);
    Metadata metadata =
        Metadata.of(NS, name).withFinalizers(List.of("kubernetes_resources_deletion"));
    Application created =
        apps.create(app.withMetadata(metadata).withSpec(app.spec().withManifest(manifest)));
    Application regenerated =
        created.withStatus(
            created
                .status()
                .withLastAppliedManifest(manifest)
                .withMangledObserverSchema(ObserverSchemas.effectiveSchema(manifest, List.of())));
    Application mangled =
        HookMangling.complete(config, completeCa, new SecureRandom())
            .mangle(regenerated)
            .application();
    return apps.updateStatus(mangled);
  }

  /** The token Secret's and certs Secret's data, decoded, as the pod would read them. */
  private static Map<String, String> secretData(Application app, String suffix) {
    String name = app.metadata().name() + "-krake-complete-secret-" + suffix;
    Map<String, String> data = new HashMap<>();
    for (ObjectNode resource : app.status().lastAppliedManifest()) {
      if (resource.path("kind").asText().equals("Secret")
          && resource.path("metadata").path("name").asText().equals(name)) {
        for (Map.Entry<String, JsonNode> entry : resource.path("data").properties()) {
          data.put(
              entry.getKey(),
              new String(Base64.getDecoder().decode(entry.getValue().asText()), UTF_8));
        }
      }
    }
    assertThat(data).as("data of Secret %s", name).isNotEmpty();
    return data;
  }

  /** Writes the certs Secret as the pod's /etc/krake_complete_cert mount and returns the dir. */
  private Path mountCerts(Application app) throws IOException {
    Path certs = Files.createDirectories(dir.resolve(app.metadata().name()));
    for (Map.Entry<String, String> file : secretData(app, "certs").entrySet()) {
      Files.writeString(certs.resolve(file.getKey()), file.getValue());
    }
    return certs;
  }

  /** Runs Krake's documented call with the pod's environment; returns the HTTP status. */
  private int curl(Path certs, String token, String url) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "curl -sS -o /dev/null -w '%{http_code}'"
                    + " --cacert \"$CERTS/ca-bundle.pem\" --cert \"$CERTS/cert.pem\""
                    + " --key \"$CERTS/key.pem\""
                    + " -X PUT -d \"{\\\"token\\\":\\\"$KRAKE_COMPLETE_TOKEN\\\"}\""
                    + " \"$KRAKE_COMPLETE_URL\""));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("CERTS", certs.toString());
    builder.environment().put("KRAKE_COMPLETE_TOKEN", token);
    builder.environment().put("KRAKE_COMPLETE_URL", url);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), UTF_8).trim();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("curl output: %s", output).isZero();
    return Integer.parseInt(output);
  }

  @Test
  void theMangledWorkloadGetsTheTokenUrlAndCertificateMount() throws Exception {
    Application app = deployedSample("job");

    JsonNode job = app.status().lastAppliedManifest().get(0);
    JsonNode container = job.at("/spec/template/spec/containers/0");
    List<String> env = new ArrayList<>();
    container.path("env").forEach(e -> env.add(e.path("name").asText()));
    assertThat(env).contains("HOME", "KRAKE_COMPLETE_TOKEN", "KRAKE_COMPLETE_URL");
    assertThat(container.path("volumeMounts").toString()).contains("/etc/krake_complete_cert");
    Map<String, String> token = secretData(app, "token");
    assertThat(token.get("krake_complete_url"))
        .isEqualTo(server.url() + "/kubernetes/namespaces/krake-it/applications/job/complete");
    assertThat(token.get("krake_complete_token")).hasSize(43);
    assertThat(app.toString()).doesNotContain(token.get("krake_complete_token"));
  }

  @Test
  void theDocumentedCurlCallCompletesTheApplicationOverMutualTls() throws Exception {
    Application app = deployedSample("job");
    Map<String, String> env = secretData(app, "token");
    Path certs = mountCerts(app);

    int status = curl(certs, env.get("krake_complete_token"), env.get("krake_complete_url"));

    assertThat(status).isEqualTo(200);
    Application completed = apps.require(NS, "job");
    assertThat(completed.status().state()).isEqualTo(ApplicationState.READY_FOR_ACTION);
    assertThat(completed.metadata().isDeleted()).isTrue();
  }

  @Test
  void aWrongTokenIsRefusedWithoutAnyStoreWrite() throws Exception {
    Application app = deployedSample("job");
    Map<String, String> env = secretData(app, "token");
    Path certs = mountCerts(app);
    long revision = store.revision();

    int status = curl(certs, "not-the-token", env.get("krake_complete_url"));

    assertThat(status).isEqualTo(401);
    assertThat(store.revision()).isEqualTo(revision);
    assertThat(apps.require(NS, "job").status().state())
        .isNotEqualTo(ApplicationState.READY_FOR_ACTION);
  }

  @Test
  void anotherApplicationsCertificateIsForbidden() throws Exception {
    Application victim = deployedSample("job");
    Application other = deployedSample("other");
    Map<String, String> victimEnv = secretData(victim, "token");
    Path otherCerts = mountCerts(other);
    long revision = store.revision();

    int status =
        curl(
            otherCerts, victimEnv.get("krake_complete_token"), victimEnv.get("krake_complete_url"));

    assertThat(status).isEqualTo(403);
    assertThat(store.revision()).isEqualTo(revision);
  }
}
