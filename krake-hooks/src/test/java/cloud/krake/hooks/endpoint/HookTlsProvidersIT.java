package cloud.krake.hooks.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.HookCredentials;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.memory.MemoryStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A first {@code complete} over a new mutual-TLS connection to the embedded hook server, with the
 * server's TLS and the client certificate made by each provider (Conscrypt, the JDK), called with
 * the JDK's {@code HttpClient} and with OkHttp presenting the issued certificate.
 */
class HookTlsProvidersIT {

  private static final String NS = "ns";

  private final Clock clock = Clock.systemUTC();
  private final MemoryStore store = MemoryStore.create();
  private final Applications apps = new Applications(store, clock);
  private EmbeddedHookServer server;
  private HookCertificateAuthorities authorities;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
    if (authorities != null) {
      authorities.close();
    }
    store.close();
  }

  private void create(String name, String token) {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: %s, namespace: ns, finalizers: [kubernetes_resources_deletion]}
            spec:
              manifest: [{apiVersion: v1, kind: Pod, metadata: {name: job}}]
              constraints: {cluster: {}}
              hooks: [complete]
            """
                .formatted(name),
            Application.class);
    apps.create(app);
    apps.modifyStatus(
        NS,
        name,
        a ->
            a.status()
                .withState(ApplicationState.RUNNING)
                .withCredentials(HookCredentials.COMPLETE, HookCredentials.NONE.withToken(token)));
  }

  private static HooksConfig config(GeneratedHookCa ca, CryptoProvider provider) {
    return HooksConfig.builder()
        .endpoint(URI.create("https://127.0.0.1"))
        .tls(true)
        .complete(ca.withIntermediate(HookConfig.completeDefaults()))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
        .addCaBundle(ca.rootCertificateSource())
        .cryptoProvider(provider)
        .build();
  }

  private URI completeUrl(String name) {
    return URI.create(
        server.url() + "/kubernetes/namespaces/" + NS + "/applications/" + name + "/complete");
  }

  @ParameterizedTest(name = "server {0}, certificates {1}")
  @CsvSource({"CONSCRYPT, CONSCRYPT", "CONSCRYPT, JDK", "JDK, CONSCRYPT", "JDK, JDK"})
  void completesWithTheIssuedCertificateFromTheJdkHttpClientAndOkHttp(
      CryptoProvider serverProvider, CryptoProvider issuerProvider) throws Exception {
    GeneratedHookCa ca = GeneratedHookCa.generate(clock);
    server =
        EmbeddedHookServer.loopback(ca, apps, config(ca, serverProvider), clock)
            .port(0)
            .build()
            .start();
    authorities = HookCertificateAuthorities.of(config(ca, issuerProvider), clock);
    create("by-jdk", "token-of-by-jdk-0123456789");
    create("by-okhttp", "token-of-by-okhttp-0123456789");

    IssuedCertificate jdkCert =
        authorities.issue(new HookIdentity(NS, "by-jdk", "complete", "system:complete-hook"));
    SSLContext jdkContext =
        TlsMaterial.clientContext(
            TlsMaterial.certificates(jdkCert.caBundlePem()),
            jdkCert.certificatePem(),
            jdkCert.privateKeyPem());
    HttpResponse<String> jdkResponse =
        HttpClient.newBuilder()
            .sslContext(jdkContext)
            .build()
            .send(
                HttpRequest.newBuilder(completeUrl("by-jdk"))
                    .PUT(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"token\":\"token-of-by-jdk-0123456789\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    IssuedCertificate okCert =
        authorities.issue(new HookIdentity(NS, "by-okhttp", "complete", "system:complete-hook"));
    X509TrustManager trust =
        TlsMaterial.trustManager(TlsMaterial.certificates(okCert.caBundlePem()));
    SSLContext okContext =
        TlsMaterial.clientContext(
            TlsMaterial.certificates(okCert.caBundlePem()),
            okCert.certificatePem(),
            okCert.privateKeyPem());
    OkHttpClient ok =
        new OkHttpClient.Builder().sslSocketFactory(okContext.getSocketFactory(), trust).build();
    int okStatus;
    try (Response response =
        ok.newCall(
                new Request.Builder()
                    .url(completeUrl("by-okhttp").toString())
                    .put(
                        RequestBody.create(
                            "{\"token\":\"token-of-by-okhttp-0123456789\"}",
                            MediaType.get("application/json")))
                    .build())
            .execute()) {
      okStatus = response.code();
    }
    ok.dispatcher().executorService().shutdown();
    ok.connectionPool().evictAll();

    assertThat(jdkResponse.statusCode()).as(jdkResponse.body()).isEqualTo(200);
    assertThat(okStatus).isEqualTo(200);
    assertThat(apps.require(NS, "by-jdk").status().state())
        .isEqualTo(ApplicationState.READY_FOR_ACTION);
    assertThat(apps.require(NS, "by-okhttp").status().state())
        .isEqualTo(ApplicationState.READY_FOR_ACTION);
    assertThat(List.of(jdkCert.toString(), okCert.toString()))
        .noneMatch(text -> text.contains("PRIVATE KEY"));
  }
}
