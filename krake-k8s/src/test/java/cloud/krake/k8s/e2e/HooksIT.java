package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Krake's complete and shutdown hooks through the real path: mangled Secrets on the fake cluster,
 * the documented curl call over mutual TLS, and an application shutdown service played by a local
 * HTTP server that acknowledges with the application's own token and client certificate.
 */
class HooksIT {

  private final MemoryStore store = MemoryStore.create();
  private final ExecutorService pod = Executors.newSingleThreadExecutor();
  private FakeClusters env;
  private HttpServer shutdownService;

  @TempDir Path dir;

  @BeforeEach
  void start() {
    env = new FakeClusters(store);
    env.registerClusters();
  }

  @AfterEach
  void stop() {
    if (shutdownService != null) {
      shutdownService.stop(0);
    }
    pod.shutdownNow();
    env.close();
    store.close();
  }

  @Test
  void completeHookCalledWithCurlRemovesTheApplicationFromStoreAndCluster() throws Exception {
    env.create("complete", documents("complete-job.yaml"), List.of(), List.of("complete"), "a");
    env.awaitRunningOn("complete", env.a);
    Map<String, String> token =
        env.secret(env.a, "default", "complete-krake-complete-secret-token");
    Map<String, String> certs =
        env.secret(env.a, "default", "complete-krake-complete-secret-certs");
    ObjectNode job = env.a.get("batch/v1", "Job", "default", "checksum-job").orElseThrow();
    assertThat(job.at("/spec/template/spec/containers/0/env").toString())
        .contains("KRAKE_COMPLETE_TOKEN", "KRAKE_COMPLETE_URL");
    assertThat(job.at("/spec/template/spec/containers/0/volumeMounts").toString())
        .contains("/etc/krake_complete_cert");

    Path ca = write("ca-bundle.pem", certs.get("ca-bundle.pem"));
    Path cert = write("cert.pem", certs.get("cert.pem"));
    Path key = write("key.pem", certs.get("key.pem"));
    Process curl =
        new ProcessBuilder(
                "curl",
                "-s",
                "-S",
                "--max-time",
                "20",
                "-w",
                "\n%{http_code}",
                "--cacert",
                ca.toString(),
                "--cert",
                cert.toString(),
                "--key",
                key.toString(),
                "-X",
                "PUT",
                "-d",
                "{\"token\":\"" + token.get("krake_complete_token") + "\"}",
                token.get("krake_complete_url"))
            .redirectErrorStream(true)
            .start();
    String out = new String(curl.getInputStream().readAllBytes(), UTF_8).strip();
    assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(out.substring(out.lastIndexOf('\n') + 1)).isEqualTo("200");
    env.awaitGone("complete");
    assertThat(env.a.objects()).isEmpty();
  }

  /**
   * A job that re-sends its complete call in a loop (every 200 ms, the ordinary client behaviour)
   * while the cluster answers slowly (700 ms a request): the calls after the first write nothing,
   * so the controller's deletion is never undone and the application leaves store and cluster.
   */
  @Test
  void aJobRepeatingItsCompleteCallIsDeletedWhileTheClusterIsSlow() throws Exception {
    env.create("retrying", documents("complete-job.yaml"), List.of(), List.of("complete"), "a");
    env.awaitRunningOn("retrying", env.a);
    Map<String, String> token =
        env.secret(env.a, "default", "retrying-krake-complete-secret-token");
    Map<String, String> certs =
        env.secret(env.a, "default", "retrying-krake-complete-secret-certs");
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(
                TlsMaterial.clientContext(
                    TlsMaterial.certificates(certs.get("ca-bundle.pem")),
                    certs.get("cert.pem"),
                    certs.get("key.pem")))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest call =
        HttpRequest.newBuilder(URI.create(token.get("krake_complete_url")))
            .timeout(Duration.ofSeconds(20))
            .PUT(
                HttpRequest.BodyPublishers.ofString(
                    "{\"token\": \"" + token.get("krake_complete_token") + "\"}"))
            .build();
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    ScheduledExecutorService job = Executors.newSingleThreadScheduledExecutor();
    env.a.latency(Duration.ofMillis(700));
    try {
      job.scheduleWithFixedDelay(
          () -> {
            try {
              statuses.add(client.send(call, HttpResponse.BodyHandlers.discarding()).statusCode());
            } catch (IOException e) {
              statuses.add(-1);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          },
          0,
          200,
          TimeUnit.MILLISECONDS);

      env.awaitGone("retrying");
    } finally {
      job.shutdownNow();
      env.a.latency(Duration.ZERO);
    }

    assertThat(statuses).as("answers to the job's calls").contains(200).doesNotContain(-1);
    assertThat(env.a.objects()).isEmpty();
  }

  @Test
  void shutdownHookOnDeletionCallsTheServiceWaitsForTheAcknowledgementThenDeletes()
      throws Exception {
    AtomicInteger calls = deployWithShutdownService("stateful");

    env.krake.applications().delete(NS, "stateful");
    env.awaitGone("stateful");

    assertThat(calls.get()).isEqualTo(1);
    assertThat(env.a.objects()).isEmpty();
  }

  @Test
  void shutdownHookOnMigrationCallsTheServiceAndMovesOnceAcknowledged() throws Exception {
    AtomicInteger calls = deployWithShutdownService("stateful");

    env.moveTo("stateful", "b");
    Application moved = env.awaitRunningOn("stateful", env.b);

    assertThat(calls.get()).isEqualTo(1);
    assertThat(moved.status().shutdownGracePeriod()).isEmpty();
    assertThat(moved.status().shutdownAttempts()).isZero();
    assertThat(env.a.objects()).isEmpty();
    assertThat(env.b.get("apps/v1", "StatefulSet", "default", "tally")).isPresent();
  }

  /**
   * Issue 12, item 13: an update's apply fails with a 503 (the workload, applied before, keeps
   * running) while the application is deleted; the FAILED state the failure records must not skip
   * the graceful shutdown.
   */
  @Test
  void shutdownServiceIsCalledWhenATransientApiErrorFailsAnApplyDuringTheDeletion()
      throws Exception {
    AtomicInteger calls = deployWithShutdownService("stateful");
    env.a.latency(Duration.ofMillis(400));
    env.a.failRequests("PATCH", null, 503);
    env.a.clearRequests();
    env.krake.applications().modify(NS, "stateful", app -> app.withSpec(withReplicas(app, 2)));
    await()
        .atMost(FakeClusters.TIMEOUT)
        .pollInterval(Duration.ofMillis(5))
        .until(() -> env.a.requests().stream().anyMatch(r -> r.startsWith("PATCH ")));

    env.krake.applications().delete(NS, "stateful");

    env.awaitGone("stateful");
    assertThat(calls.get()).isEqualTo(1);
    env.a.latency(Duration.ZERO);
    assertThat(env.a.objects()).isEmpty();
  }

  private static cloud.krake.model.ApplicationSpec withReplicas(Application app, int replicas) {
    ObjectNode spec = cloud.krake.model.KrakeJson.toObjectNode(app.spec());
    ((ObjectNode) spec.at("/manifest/0/spec")).put("replicas", replicas);
    return cloud.krake.model.KrakeJson.convert(spec, cloud.krake.model.ApplicationSpec.class);
  }

  @Test
  void shutdownWithoutAcknowledgementFallsBackToTheDeleteStrategy() throws Exception {
    // No acknowledging service at all: the attempt fails at once (no services["shutdown"]
    // reachable)
    env.create(
        "silent", documents("shutdown-statefulset.yaml"), List.of(), List.of("shutdown"), "a");
    env.awaitRunningOn("silent", env.a);
    env.krake.applications().modify(NS, "silent", app -> app.withSpec(withGraceTime(app, 1)));

    env.krake.applications().delete(NS, "silent");

    env.awaitGone("silent");
    assertThat(env.a.objects()).isEmpty();
  }

  private static cloud.krake.model.ApplicationSpec withGraceTime(Application app, int seconds) {
    ObjectNode spec = cloud.krake.model.KrakeJson.toObjectNode(app.spec());
    spec.put("shutdown_grace_time", seconds);
    return cloud.krake.model.KrakeJson.convert(spec, cloud.krake.model.ApplicationSpec.class);
  }

  /**
   * Deploys shutdown-statefulset.yaml on cluster a with a local HTTP server in place of its
   * shutdown service: the fake's NodePort of the {@code shutdown} Service is pointed at it. On
   * {@code PUT /shutdown} it answers at once and then, like the manifest's script, acknowledges
   * with the application's token and client certificate.
   */
  private AtomicInteger deployWithShutdownService(String name) throws Exception {
    env.create(name, documents("shutdown-statefulset.yaml"), List.of(), List.of("shutdown"), "a");
    env.awaitRunningOn(name, env.a);
    AtomicInteger calls = new AtomicInteger();
    shutdownService =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    shutdownService.createContext(
        "/shutdown",
        exchange -> {
          calls.incrementAndGet();
          byte[] body = "Graceful shutdown requested!".getBytes(UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
          FakeKubernetesApiServer cluster = env.a;
          pod.submit(() -> acknowledge(cluster, name));
        });
    shutdownService.start();
    int port = shutdownService.getAddress().getPort();
    ObjectNode service = env.a.get("v1", "Service", "default", "shutdown").orElseThrow();
    ((ObjectNode) service.at("/spec/ports/0")).put("nodePort", port);
    env.a.put(service);
    env.await(name, app -> ("127.0.0.1:" + port).equals(app.status().services().get("shutdown")));
    return calls;
  }

  /** What the manifest's script does: PUT its token to its URL with its certificate. */
  private Void acknowledge(FakeKubernetesApiServer cluster, String name) throws Exception {
    Map<String, String> token =
        env.secret(cluster, "default", name + "-krake-shutdown-secret-token");
    Map<String, String> certs =
        env.secret(cluster, "default", name + "-krake-shutdown-secret-certs");
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(
                TlsMaterial.clientContext(
                    TlsMaterial.certificates(certs.get("ca-bundle.pem")),
                    certs.get("cert.pem"),
                    certs.get("key.pem")))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> answer =
        client.send(
            HttpRequest.newBuilder(URI.create(token.get("krake_shutdown_url")))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"token\": \"" + token.get("krake_shutdown_token") + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    return null;
  }

  private Path write(String file, String content) throws IOException {
    return Files.writeString(dir.resolve(file), content);
  }
}
