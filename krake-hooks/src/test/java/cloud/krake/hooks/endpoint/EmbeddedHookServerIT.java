package cloud.krake.hooks.endpoint;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.HookCredentials;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.ConflictException;
import cloud.krake.store.WatchEvent;
import cloud.krake.store.memory.MemoryStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded hook server over real HTTP and HTTPS on 127.0.0.1, called with curl exactly as
 * Krake's documentation shows, and with raw sockets for the limits.
 */
class EmbeddedHookServerIT {

  private static final String NS = "ns";
  private static final String COMPLETE_TOKEN = token();
  private static final String SHUTDOWN_TOKEN = token();

  /** The documented call, run by a shell with the two variables the mangling injects. */
  private static final String DOCUMENTED_CURL =
      "curl -X PUT -d \"{\\\"token\\\":\\\"$KRAKE_COMPLETE_TOKEN\\\"}\" $KRAKE_COMPLETE_URL";

  private final MemoryStore store = MemoryStore.create();
  private final Applications apps = new Applications(store, Clock.systemUTC());
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    store.close();
  }

  // ---- fixtures

  private static String token() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void create(String name, ApplicationState state) {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: %s, namespace: ns, finalizers: [kubernetes_resources_deletion]}
            spec:
              manifest: [{apiVersion: v1, kind: Pod, metadata: {name: job}}]
              constraints: {cluster: {}}
              hooks: [complete, shutdown]
            """
                .formatted(name),
            Application.class);
    apps.create(app);
    apps.modifyStatus(
        NS,
        name,
        a ->
            a.status()
                .withState(state)
                .withCredentials(
                    HookCredentials.COMPLETE, HookCredentials.NONE.withToken(COMPLETE_TOKEN))
                .withCredentials(
                    HookCredentials.SHUTDOWN, HookCredentials.NONE.withToken(SHUTDOWN_TOKEN)));
  }

  private EmbeddedHookServer started(EmbeddedHookServer.Builder builder) {
    EmbeddedHookServer server = builder.port(0).build().start();
    closeables.add(server);
    return server;
  }

  private EmbeddedHookServer plainServer() {
    HookEndpoint endpoint =
        HookEndpoint.builder().applications(apps).config(HooksConfig.builder().build()).build();
    return started(EmbeddedHookServer.builder().endpoint(endpoint));
  }

  private static URI hookUrl(EmbeddedHookServer server, String name, String hook) {
    return URI.create(
        server.url() + "/kubernetes/namespaces/" + NS + "/applications/" + name + "/" + hook);
  }

  /** A finished process: exit code, stdout, stderr. */
  private record Run(int exitCode, String out, String err) {
    /** The status curl printed with {@code -w '\n%{http_code}'}: its last line. */
    String httpCode() {
      String trimmed = out.strip();
      return trimmed.substring(trimmed.lastIndexOf('\n') + 1);
    }
  }

  private Run run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
    return new Run(process.exitValue(), new String(out, UTF_8), new String(err, UTF_8));
  }

  /** Runs the documented curl command, adding TLS options and a status line before the URL. */
  private Run documentedCurl(URI url, String token, String tlsOptions) throws Exception {
    String command =
        DOCUMENTED_CURL.replace(
            "curl ", "curl -s -S --max-time 20 -w '\\n%{http_code}' " + tlsOptions + " ");
    return run(
        Map.of("KRAKE_COMPLETE_TOKEN", token, "KRAKE_COMPLETE_URL", url.toString()),
        "sh",
        "-c",
        command);
  }

  private String write(String file, String content) throws IOException {
    Files.writeString(dir.resolve(file), content, UTF_8);
    return dir.resolve(file).toString();
  }

  // ---- plain HTTP

  @Test
  void completesOverPlainHttpWithTheDocumentedCurlCommand() throws Exception {
    create("job", ApplicationState.RUNNING);
    EmbeddedHookServer server = plainServer();

    Run curl = documentedCurl(hookUrl(server, "job", "complete"), COMPLETE_TOKEN, "");

    assertThat(curl.httpCode()).as(curl.toString()).isEqualTo("200");
    assertThat(curl.out())
        .contains("\"state\":\"READY_FOR_ACTION\"")
        .doesNotContain(COMPLETE_TOKEN);
    Application stored = apps.require(NS, "job");
    assertThat(stored.status().state()).isEqualTo(ApplicationState.READY_FOR_ACTION);
    assertThat(stored.metadata().isDeleted()).isTrue();
  }

  @Test
  void answersAWrongTokenWith401WithoutWriting() throws Exception {
    create("job", ApplicationState.RUNNING);
    EmbeddedHookServer server = plainServer();
    long before = store.revision();

    Run curl = documentedCurl(hookUrl(server, "job", "complete"), token(), "");

    assertThat(curl.httpCode()).isEqualTo("401");
    assertThat(curl.out()).contains("\"status\":401");
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void answersABodyOver64KibWith413WithoutWriting() throws Exception {
    create("job", ApplicationState.RUNNING);
    EmbeddedHookServer server = plainServer();
    String big =
        write(
            "big.json",
            "{\"token\":\"" + COMPLETE_TOKEN + "\",\"pad\":\"" + "x".repeat(70_000) + "\"}");
    long before = store.revision();

    Run curl =
        run(
            Map.of(),
            "curl",
            "-s",
            "-S",
            "--max-time",
            "20",
            "-w",
            "\n%{http_code}",
            "-X",
            "PUT",
            "--data-binary",
            "@" + big,
            hookUrl(server, "job", "complete").toString());

    assertThat(curl.httpCode()).as(curl.toString()).isEqualTo("413");
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void answersGetWith405AndUnknownPathsWith404() throws Exception {
    create("job", ApplicationState.RUNNING);
    EmbeddedHookServer server = plainServer();

    Run get =
        run(
            Map.of(),
            "curl",
            "-s",
            "-i",
            "--max-time",
            "20",
            hookUrl(server, "job", "complete").toString());
    Run unknown =
        run(
            Map.of(),
            "curl",
            "-s",
            "-S",
            "--max-time",
            "20",
            "-w",
            "\n%{http_code}",
            "-X",
            "PUT",
            "-d",
            "{}",
            server.url() + "/kubernetes/applications");

    assertThat(get.out()).startsWith("HTTP/1.1 405").containsIgnoringCase("Allow: PUT");
    assertThat(unknown.httpCode()).isEqualTo("404");
  }

  @Test
  void answersHeadWithHeadersOnlyAndWithoutAJdkWarning() throws Exception {
    create("job", ApplicationState.RUNNING);
    EmbeddedHookServer server = plainServer();
    // The JDK server logs through System.Logger "com.sun.net.httpserver", by default to JUL.
    java.util.logging.Logger jdkLogger =
        java.util.logging.Logger.getLogger("com.sun.net.httpserver");
    List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jdkLogger.addHandler(capture);
    closeables.add(() -> jdkLogger.removeHandler(capture));
    long before = store.revision();

    String onHook =
        exchange(
            server,
            "HEAD /kubernetes/namespaces/ns/applications/job/complete HTTP/1.1\r\n"
                + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n");
    String elsewhere =
        exchange(
            server,
            "HEAD /kubernetes/applications HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");

    assertThat(onHook).startsWith("HTTP/1.1 405").containsIgnoringCase("Allow: PUT");
    assertThat(onHook.substring(onHook.indexOf("\r\n\r\n") + 4)).as("body").isEmpty();
    assertThat(elsewhere).startsWith("HTTP/1.1 404");
    assertThat(elsewhere.substring(elsewhere.indexOf("\r\n\r\n") + 4)).as("body").isEmpty();
    assertThat(warnings).extracting(LogRecord::getMessage).isEmpty();
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void closesAConnectionWhoseBodyDoesNotArriveInTime() throws Exception {
    create("job", ApplicationState.RUNNING);
    HookEndpoint endpoint =
        HookEndpoint.builder().applications(apps).config(HooksConfig.builder().build()).build();
    EmbeddedHookServer server =
        started(
            EmbeddedHookServer.builder()
                .endpoint(endpoint)
                .threads(1)
                .readTimeout(Duration.ofMillis(300)));

    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("PUT /kubernetes/namespaces/ns/applications/job/complete HTTP/1.1\r\n"
                      + "Host: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"token\":")
                  .getBytes(UTF_8));
      long started = System.nanoTime();

      assertThat(readAll(socket.getInputStream())).isEmpty();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }
    // The one worker thread is clean again: the next call is served.
    Run curl = documentedCurl(hookUrl(server, "job", "complete"), COMPLETE_TOKEN, "");
    assertThat(curl.httpCode()).isEqualTo("200");
  }

  @Test
  void answers503WhenThePoolAndItsQueueAreFull() throws Exception {
    create("job", ApplicationState.RUNNING);
    HookEndpoint endpoint =
        HookEndpoint.builder().applications(apps).config(HooksConfig.builder().build()).build();
    EmbeddedHookServer server =
        started(
            EmbeddedHookServer.builder()
                .endpoint(endpoint)
                .threads(1)
                .queueCapacity(1)
                .readTimeout(Duration.ofSeconds(3)));
    String partial =
        "PUT /kubernetes/namespaces/ns/applications/job/shutdown HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{";
    String full =
        "PUT /kubernetes/namespaces/ns/applications/job/shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Connection: close\r\nContent-Length: "
            + tokenLength(SHUTDOWN_TOKEN)
            + "\r\n\r\n{\"token\":\""
            + SHUTDOWN_TOKEN
            + "\"}";
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
        stalled.add(socket);
        socket.getOutputStream().write(partial.getBytes(UTF_8));
      }

      await()
          .atMost(Duration.ofSeconds(3))
          .until(() -> exchange(server, full).startsWith("HTTP/1.1 503"));
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
    // Once the stalled requests are dropped, the server answers normally again.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> exchange(server, full).startsWith("HTTP/1.1 200"));
  }

  private static int tokenLength(String token) {
    return ("{\"token\":\"" + token + "\"}").getBytes(UTF_8).length;
  }

  private static String exchange(EmbeddedHookServer server, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      socket.setSoTimeout(2_000);
      socket.getOutputStream().write(request.getBytes(UTF_8));
      return readAll(socket.getInputStream());
    }
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // What arrived so far.
    } catch (IOException e) {
      // Reset by the server: what arrived so far.
    }
    return out.toString(UTF_8);
  }

  // ---- HTTPS with client certificates

  /** A CA, a server certificate for 127.0.0.1 and the HTTPS server, with files for curl. */
  private final class Tls {
    final TestPki pki = TestPki.create("hook-ca");
    final EmbeddedHookServer server;
    final String caFile;

    Tls() throws IOException {
      TestPki.Issued serverCert = pki.issueServer("127.0.0.1");
      HookEndpoint endpoint =
          HookEndpoint.builder()
              .applications(apps)
              .config(HookEndpointTest.tlsConfig(pki))
              .clientCertificateCheck(new FakeCertificateCheck(pki.caCertificate()))
              .build();
      server =
          started(
              EmbeddedHookServer.builder()
                  .endpoint(endpoint)
                  .tls(
                      PemSource.of(serverCert.certificatePem()),
                      PemSource.of(serverCert.privateKeyPem()),
                      PemSource.of(pki.caPem())));
      caFile = write("ca-bundle.pem", pki.caPem());
    }

    /** curl options presenting the client certificate issued for {@code name}'s complete hook. */
    String clientOptions(String name) throws IOException {
      TestPki.Issued client =
          pki.issueClient(new HookIdentity(NS, name, "complete", "system:complete-hook"));
      String cert = write(name + "-cert.pem", client.certificatePem());
      String key = write(name + "-key.pem", client.privateKeyPem());
      return "--cacert " + caFile + " --cert " + cert + " --key " + key;
    }
  }

  @Test
  void completesOverHttpsWithTheApplicationsClientCertificate() throws Exception {
    create("job", ApplicationState.RUNNING);
    Tls tls = new Tls();
    assertThat(tls.server.url().getScheme()).isEqualTo("https");

    Run curl =
        documentedCurl(
            hookUrl(tls.server, "job", "complete"), COMPLETE_TOKEN, tls.clientOptions("job"));

    assertThat(curl.httpCode()).as(curl.toString()).isEqualTo("200");
    assertThat(apps.require(NS, "job").status().state())
        .isEqualTo(ApplicationState.READY_FOR_ACTION);
  }

  /**
   * 100 pods call at once, each on its own mutual-TLS connection, while a stand-in for the
   * controller moves the deletion on as soon as it sees it: every call answers 200, and the store
   * sees exactly two writes, the endpoint's transition and the controller's DELETING.
   */
  @Test
  void hundredConcurrentValidCompletesOverMutualTlsAllGet200AndCauseOneTransition()
      throws Exception {
    create("job", ApplicationState.RUNNING);
    Tls tls = new Tls();
    TestPki.Issued client =
        tls.pki.issueClient(new HookIdentity(NS, "job", "complete", "system:complete-hook"));
    SSLContext context =
        TlsMaterial.clientContext(
            List.of(tls.pki.caCertificate()), client.certificatePem(), client.privateKeyPem());
    ExecutorService controller = Executors.newSingleThreadExecutor();
    closeables.add(controller::shutdownNow);
    closeables.add(
        apps.watch(
            NS,
            store.revision() + 1,
            event -> {
              Application app = event.resource();
              if (event.type() == WatchEvent.Type.MODIFIED
                  && app.metadata().isDeleted()
                  && app.status().state() == ApplicationState.READY_FOR_ACTION) {
                controller.execute(() -> moveToDeleting(app));
              }
            }));
    long before = store.revision();
    int calls = 100;
    ExecutorService pods = Executors.newFixedThreadPool(calls);
    closeables.add(pods::shutdownNow);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<String>> answers = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      answers.add(
          pods.submit(
              () -> {
                start.await();
                return statusLine(
                    httpsPut(
                        context,
                        tls.server.port(),
                        "/kubernetes/namespaces/ns/applications/job/complete",
                        "{\"token\":\"" + COMPLETE_TOKEN + "\"}"));
              }));
    }
    start.countDown();

    List<String> statuses = new ArrayList<>();
    for (Future<String> answer : answers) {
      statuses.add(answer.get(120, TimeUnit.SECONDS));
    }
    assertThat(statuses).as("status lines").allMatch("HTTP/1.1 200 OK"::equals);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> apps.require(NS, "job").status().state() == ApplicationState.DELETING);
    assertThat(store.revision()).as("writes").isEqualTo(before + 2);
  }

  /** What the controller does first in a deletion: DELETING; the collector drops its finalizer. */
  private void moveToDeleting(Application completed) {
    try {
      apps.writeByController(
          completed
              .withMetadata(
                  completed.metadata().withFinalizers(List.of("kubernetes_resources_deletion")))
              .withStatus(completed.status().withState(ApplicationState.DELETING)));
    } catch (ConflictException e) {
      // Written meanwhile: the next event brings it again.
    }
  }

  /** One PUT on a new TLS connection; returns what the server sent (empty if it hung up). */
  private static String httpsPut(SSLContext context, int port, String path, String body)
      throws IOException {
    byte[] bytes = body.getBytes(UTF_8);
    try (Socket socket =
        context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(60_000);
      socket
          .getOutputStream()
          .write(
              ("PUT "
                      + path
                      + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      + "Content-Type: application/json\r\nContent-Length: "
                      + bytes.length
                      + "\r\n\r\n")
                  .getBytes(UTF_8));
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
      return readAll(socket.getInputStream());
    } catch (IOException e) {
      return "connection failed: " + e.getClass().getSimpleName();
    }
  }

  private static String statusLine(String response) {
    int end = response.indexOf("\r\n");
    return end < 0 ? response : response.substring(0, end);
  }

  @Test
  void rejectsAnotherApplicationsCertificateWith403() throws Exception {
    create("job", ApplicationState.RUNNING);
    create("other", ApplicationState.RUNNING);
    Tls tls = new Tls();
    long before = store.revision();

    Run curl =
        documentedCurl(
            hookUrl(tls.server, "job", "complete"), COMPLETE_TOKEN, tls.clientOptions("other"));

    assertThat(curl.httpCode()).as(curl.toString()).isEqualTo("403");
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void rejectsAWrongTokenWith401OverHttps() throws Exception {
    create("job", ApplicationState.RUNNING);
    Tls tls = new Tls();
    long before = store.revision();

    Run curl =
        documentedCurl(hookUrl(tls.server, "job", "complete"), token(), tls.clientOptions("job"));

    assertThat(curl.httpCode()).as(curl.toString()).isEqualTo("401");
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void failsTheTlsHandshakeWithoutAClientCertificate() throws Exception {
    create("job", ApplicationState.RUNNING);
    Tls tls = new Tls();
    long before = store.revision();

    Run curl =
        documentedCurl(
            hookUrl(tls.server, "job", "complete"), COMPLETE_TOKEN, "--cacert " + tls.caFile);

    assertThat(curl.exitCode()).as(curl.toString()).isNotZero();
    assertThat(curl.httpCode()).isEqualTo("000");
    assertThat(store.revision()).isEqualTo(before);
  }

  @Test
  void failsTheTlsHandshakeWithACertificateOfAnotherCa() throws Exception {
    create("job", ApplicationState.RUNNING);
    Tls tls = new Tls();
    TestPki.Issued foreign =
        TestPki.create("foreign-ca")
            .issueClient(new HookIdentity(NS, "job", "complete", "system:complete-hook"));
    String options =
        "--cacert "
            + tls.caFile
            + " --cert "
            + write("foreign-cert.pem", foreign.certificatePem())
            + " --key "
            + write("foreign-key.pem", foreign.privateKeyPem());

    Run curl = documentedCurl(hookUrl(tls.server, "job", "complete"), COMPLETE_TOKEN, options);

    assertThat(curl.exitCode()).as(curl.toString()).isNotZero();
    assertThat(curl.httpCode()).isEqualTo("000");
  }

  // ---- lifecycle

  @Test
  void startAndCloseAreIdempotent() {
    HookEndpoint endpoint =
        HookEndpoint.builder().applications(apps).config(HooksConfig.builder().build()).build();
    EmbeddedHookServer server = EmbeddedHookServer.builder().endpoint(endpoint).port(0).build();
    assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);

    int port = server.start().port();
    assertThat(server.start().port()).isEqualTo(port);
    assertThat(server.url()).isEqualTo(URI.create("http://127.0.0.1:" + port));

    server.close();
    server.close();
    assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusesAPlainServerForAnEndpointThatChecksCertificates() {
    TestPki pki = TestPki.create("hook-ca");
    HookEndpoint endpoint =
        HookEndpoint.builder()
            .applications(apps)
            .config(HookEndpointTest.tlsConfig(pki))
            .clientCertificateCheck(new FakeCertificateCheck(pki.caCertificate()))
            .build();

    assertThatThrownBy(() -> EmbeddedHookServer.builder().endpoint(endpoint).threads(0).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("tls")
        .hasMessageContaining("threads");
  }
}
