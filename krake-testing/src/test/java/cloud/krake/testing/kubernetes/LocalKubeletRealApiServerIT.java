package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import cloud.krake.testing.controlplane.KubernetesControlPlaneExtension;
import com.fasterxml.jackson.databind.JsonNode;
import io.kubernetes.client.Exec;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local kubelet as the node of a real control plane (kube-apiserver, controller-manager and
 * scheduler of Kubernetes' own release): the scheduler binds Pods to it, it runs them, and {@code
 * kubectl logs}, {@code kubectl exec} and client-java's {@code Exec} reach them through the API
 * server.
 */
class LocalKubeletRealApiServerIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @RegisterExtension
  static final KubernetesControlPlaneExtension CONTROL_PLANE =
      KubernetesControlPlaneExtension.builder().build();

  static ApiServerClient api;

  private final List<LocalKubelet> kubelets = new ArrayList<>();
  @TempDir Path temp;

  @BeforeAll
  static void connect() {
    api = ApiServerClient.fromKubeconfig(kubeconfig());
  }

  @AfterAll
  static void disconnect() {
    if (api != null) {
      api.close();
    }
  }

  private static String kubeconfig() {
    return CONTROL_PLANE.kubeconfig().toString();
  }

  @AfterEach
  void closeKubelets() {
    kubelets.forEach(LocalKubelet::close);
    for (JsonNode pod : api.get("/api/v1/namespaces/default/pods").path("items")) {
      deletePod(pod.path("metadata").path("name").asText(), 0);
    }
  }

  private LocalKubelet kubelet(LocalKubelet.Builder builder) {
    LocalKubelet kubelet = builder.build();
    kubelets.add(kubelet);
    return kubelet;
  }

  private static LocalKubelet.Builder node(String name) {
    return LocalKubelet.forControlPlane(CONTROL_PLANE.controlPlane(), name);
  }

  @Test
  void registersAReadyNodeAndRenewsItsLease() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    ManualTimer timer = new ManualTimer(clock);
    LocalKubelet kubelet = kubelet(node("lease-node").clock(clock).timer(timer));

    JsonNode node = api.get("/api/v1/nodes/lease-node");
    assertThat(condition(node, "Ready")).isEqualTo("True");
    assertThat(node.at("/status/daemonEndpoints/kubeletEndpoint/Port").asInt())
        .isEqualTo(kubelet.kubeletPort());
    assertThat(node.at("/status/addresses/0/address").asText()).isEqualTo("127.0.0.1");
    assertThat(node.at("/status/capacity/pods").asText()).isEqualTo("110");
    String leasePath = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/lease-node";
    assertThat(api.get(leasePath).at("/spec/renewTime").asText())
        .isEqualTo("2026-01-01T00:00:00.000000Z");
    assertThat(api.get(leasePath).at("/metadata/ownerReferences/0/name").asText())
        .isEqualTo("lease-node");

    timer.advance(Duration.ofSeconds(10));

    await()
        .atMost(TIMEOUT)
        .until(
            () -> api.get(leasePath).at("/spec/renewTime").asText(),
            renew -> renew.equals("2026-01-01T00:00:10.000000Z"));
    assertThat(kubelet.lastLeaseRenewal()).contains(Instant.parse("2026-01-01T00:00:10Z"));

    kubelet.close();
    assertThat(api.find("/api/v1/nodes/lease-node")).isEmpty();
  }

  @Test
  void servesTheKubeletApiOnlyToClientsWithACertificateOfTheApiServersClientCa() throws Exception {
    LocalKubelet kubelet = kubelet(node("auth-node"));
    String healthz = "https://127.0.0.1:" + kubelet.kubeletPort() + "/healthz";
    Path cert = Files.writeString(temp.resolve("client.crt"), admin().certificatePem());
    Path key = Files.writeString(temp.resolve("client.key"), admin().privateKeySec1Pem());
    Path ca =
        Files.writeString(temp.resolve("ca.crt"), CONTROL_PLANE.controlPlane().caCertificatePem());

    assertThat(curl("--cacert", ca.toString(), healthz).exitValue()).isNotZero();
    Process withCertificate =
        curl(
            "--cacert", ca.toString(), "--cert", cert.toString(), "--key", key.toString(), healthz);
    assertThat(new String(withCertificate.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("ok");
    assertThat(withCertificate.exitValue()).isZero();
  }

  private static cloud.krake.testing.controlplane.CertificateAndKey admin() {
    return CONTROL_PLANE.controlPlane().adminCredentials();
  }

  private static Process curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return process;
  }

  @Test
  void runsTheRunningPodsOfADeploymentTheSchedulerBindsToIt() {
    LocalKubelet kubelet = kubelet(node("deploy-node"));
    create(
        "/apis/apps/v1/namespaces/default/deployments",
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: main
                image: nginx:1.27
                command: [sh, -c, 'echo started $HOSTNAME; exec sleep infinity']
        """);

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                api.get("/apis/apps/v1/namespaces/default/deployments/web")
                    .at("/status/readyReplicas")
                    .asInt(),
            ready -> ready == 2);
    JsonNode pods = api.get("/api/v1/namespaces/default/pods").path("items");
    assertThat(pods).hasSize(2);
    for (JsonNode pod : pods) {
      assertThat(pod.at("/spec/nodeName").asText()).isEqualTo(kubelet.nodeName());
      assertThat(pod.at("/status/phase").asText()).isEqualTo("Running");
      assertThat(pod.at("/status/podIP").asText()).isNotEmpty();
      assertThat(pod.at("/status/hostIP").asText()).isEqualTo("127.0.0.1");
      assertThat(pod.at("/status/startTime").asText()).isNotEmpty();
      assertThat(pod.at("/status/containerStatuses/0/state/running").isObject()).isTrue();
      assertThat(pod.at("/status/containerStatuses/0/restartCount").asInt()).isZero();
      assertThat(condition(pod, "Ready")).isEqualTo("True");
      // the service account token the API server's admission projected is there
      String name = pod.at("/metadata/name").asText();
      assertThat(exec(name, "cat /var/run/secrets/kubernetes.io/serviceaccount/namespace"))
          .isEqualTo("default");
    }
    api.delete(
        "/apis/apps/v1/namespaces/default/deployments/web",
        Json.JSON.createObjectNode().put("propagationPolicy", "Foreground"));
  }

  @Test
  void kubectlLogsAndExecAndClientJavaExecReachThePodThroughTheApiServer() throws Exception {
    kubelet(node("exec-node"));
    create(
        "/api/v1/namespaces/default/pods",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: shell}
        spec:
          nodeName: exec-node
          containers:
          - name: main
            image: busybox
            env: [{name: GREETING, value: hi}]
            command: [sh, -c, 'echo one; echo two; exec sleep infinity']
        """);
    awaitPhase("shell", "Running");
    Path kubeconfig = Files.writeString(temp.resolve("kubeconfig"), kubeconfig());

    await()
        .atMost(TIMEOUT)
        .until(() -> kubectl(kubeconfig, "logs", "shell"), out -> out.equals("one\ntwo\n"));
    assertThat(kubectl(kubeconfig, "logs", "shell", "--tail=1")).isEqualTo("two\n");
    assertThat(kubectl(kubeconfig, "exec", "shell", "--", "sh", "-c", "echo $GREETING $((6*7))"))
        .isEqualTo("hi 42\n");

    Process process =
        new Exec(
                ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(new StringReader(kubeconfig())))
                    .build())
            .exec(
                "default",
                "shell",
                new String[] {"sh", "-c", "echo $GREETING; exit 3"},
                false,
                false);
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(stdout).isEqualTo("hi\n");
    assertThat(process.exitValue()).isEqualTo(3);
  }

  @Test
  void deletesAPodAfterItsGracePeriodAndAtOnceWhenItsContainersStop() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    ManualTimer timer = new ManualTimer(clock);
    kubelet(node("grace-node").clock(clock).timer(timer));
    create(
        "/api/v1/namespaces/default/pods",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: stubborn}
        spec:
          nodeName: grace-node
          containers:
          - name: main
            image: busybox
            command: [sleep, infinity]
        """);
    create(
        "/api/v1/namespaces/default/pods",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: polite}
        spec:
          nodeName: grace-node
          containers:
          - name: main
            image: busybox
            command: [sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.1; done']
        """);
    awaitPhase("stubborn", "Running");
    awaitPhase("polite", "Running");

    deletePod("polite", 30);
    deletePod("stubborn", 30);

    // polite exits on SIGTERM: the kubelet deletes it with grace 0 at once
    await().atMost(TIMEOUT).until(() -> api.find(podPath("polite")).isEmpty());
    // stubborn (PID 1 ignores SIGTERM) stays, marked, until the grace period has passed
    JsonNode marked = api.get(podPath("stubborn"));
    assertThat(marked.at("/metadata/deletionGracePeriodSeconds").asInt()).isEqualTo(30);
    assertThat(marked.at("/status/containerStatuses/0/state/running").isObject()).isTrue();

    timer.advance(Duration.ofSeconds(30));

    await().atMost(TIMEOUT).until(() -> api.find(podPath("stubborn")).isEmpty());
  }

  @Test
  void aNodePortServiceReachesThePodThroughItsEndpointSlice() {
    kubelet(node("proxy-node"));
    create(
        "/api/v1/namespaces/default/pods",
        """
        apiVersion: v1
        kind: Pod
        metadata: {name: http, labels: {app: http}}
        spec:
          nodeName: proxy-node
          containers:
          - name: main
            image: python
            command: [sh, -c, 'cd /tmp && echo served > index.html && exec python3 -m http.server 8080']
            ports: [{name: web, containerPort: 8080}]
        """);
    JsonNode service =
        create(
            "/api/v1/namespaces/default/services",
            """
            apiVersion: v1
            kind: Service
            metadata: {name: http}
            spec:
              type: NodePort
              selector: {app: http}
              ports: [{port: 80, targetPort: web}]
            """);
    int nodePort = service.at("/spec/ports/0/nodePort").asInt();
    awaitPhase("http", "Running");

    HttpClient client = HttpClient.newHttpClient();
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(
            () ->
                client
                    .send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + nodePort + "/index.html"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body(),
            body -> body.equals("served\n"));
    api.delete("/api/v1/namespaces/default/services/http", Json.JSON.createObjectNode());
  }

  // ------------------------------------------------------------------------------- helpers

  private static JsonNode create(String path, String yaml) {
    return api.post(path, Json.readYaml(yaml.getBytes(StandardCharsets.UTF_8)));
  }

  private static String podPath(String name) {
    return "/api/v1/namespaces/default/pods/" + name;
  }

  private static void deletePod(String name, long grace) {
    try {
      api.delete(podPath(name), Json.JSON.createObjectNode().put("gracePeriodSeconds", grace));
    } catch (ApiServerClient.Failure e) {
      if (e.code() != 404) {
        throw e;
      }
    }
  }

  private static void awaitPhase(String pod, String phase) {
    await()
        .atMost(TIMEOUT)
        .until(
            () -> api.find(podPath(pod)).map(p -> p.at("/status/phase").asText()),
            found -> found.equals(Optional.of(phase)));
  }

  private static String condition(JsonNode object, String type) {
    for (JsonNode condition : object.at("/status/conditions")) {
      if (condition.path("type").asText().equals(type)) {
        return condition.path("status").asText();
      }
    }
    return "";
  }

  private String exec(String pod, String script) {
    try {
      Path kubeconfig = temp.resolve("exec-kubeconfig");
      if (!Files.exists(kubeconfig)) {
        Files.writeString(kubeconfig, kubeconfig());
      }
      return kubectl(kubeconfig, "exec", pod, "--", "sh", "-c", script).strip();
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static String kubectl(Path kubeconfig, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.add("--namespace=default");
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("kubectl %s: %s", List.of(args), out).isZero();
    return out;
  }
}
