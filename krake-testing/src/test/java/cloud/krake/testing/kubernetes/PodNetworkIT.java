package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.Exec;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pods of the local kubelet in their own network namespaces: addresses, isolation, the way back to
 * the host's loopback services, the kube-proxy's node ports, and cleanup. Needs root and iproute2
 * (skipped otherwise, where the kubelet falls back to the host's network).
 */
class PodNetworkIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** Answers every connection with the Pod's name ({@code $HOSTNAME}) and closes it. */
  private static final String NAME_SERVER =
      "import os, socket\n"
          + "s = socket.socket(); s.bind((os.environ.get('BIND', ''), int(os.environ['PORT'])))\n"
          + "s.listen(8)\n"
          + "while True:\n"
          + "    c, _ = s.accept(); c.sendall(os.environ['HOSTNAME'].encode()); c.close()\n";

  private final FakeKubernetesApiServer cluster = FakeKubernetesApiServer.builder().build();
  private LocalKubelet kubelet;

  @BeforeEach
  void start() {
    kubelet = LocalKubelet.builder(cluster).build();
    assumeTrue(
        kubelet.podNetwork() == LocalKubelet.PodNetwork.ISOLATED,
        "isolated Pod networking needs root and iproute2");
  }

  @AfterEach
  void stop() {
    kubelet.close();
    cluster.close();
  }

  @Test
  void givesEachPodItsOwnAddressOnTheKubeletsBridge() {
    cluster.put(nameServer("one", 8080, ""));
    cluster.put(nameServer("two", 8080, ""));

    JsonNode one = awaitRunning("one");
    JsonNode two = awaitRunning("two");

    String ipOne = one.at("/status/podIP").asText();
    String ipTwo = two.at("/status/podIP").asText();
    assertThat(ipOne).startsWith("10.244.").isNotEqualTo(ipTwo);
    assertThat(ipTwo).startsWith("10.244.");
    assertThat(one.at("/status/podIPs/0/ip").asText()).isEqualTo(ipOne);
    assertThat(one.at("/status/hostIP").asText()).isEqualTo(LocalKubelet.POD_IP);
  }

  @Test
  void runsTwoPodsListeningOnTheSamePort() {
    cluster.put(nameServer("one", 8080, ""));
    cluster.put(nameServer("two", 8080, ""));

    String ipOne = awaitRunning("one").at("/status/podIP").asText();
    String ipTwo = awaitRunning("two").at("/status/podIP").asText();

    await().atMost(TIMEOUT).ignoreExceptions().until(() -> read(ipOne, 8080), "one"::equals);
    await().atMost(TIMEOUT).ignoreExceptions().until(() -> read(ipTwo, 8080), "two"::equals);
    for (String name : List.of("one", "two")) {
      assertThat(pod(name).at("/status/containerStatuses/0/restartCount").asInt()).isZero();
    }
  }

  @Test
  void execSeesThePodsOwnLoopback() throws Exception {
    int port = freeHostPort();
    cluster.put(nameServer("private", port, "127.0.0.1"));
    awaitRunning("private");

    String seen =
        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    exec(
                        "private",
                        "python3",
                        "-c",
                        "import socket; s = socket.create_connection(('127.0.0.1', "
                            + port
                            + ")); print(s.recv(100).decode())"),
                out -> out.startsWith("private"));

    assertThat(seen).isEqualTo("private\n");
    assertThatThrownBy(() -> read("127.0.0.1", port)).isInstanceOf(ConnectException.class);
  }

  @Test
  void podReachesTheHostsLoopbackServicesAtItsOwnLoopback() throws Exception {
    try (MockWebServer hookEndpoint = new MockWebServer()) {
      hookEndpoint.enqueue(
          new MockResponse.Builder().code(200).body("hello from the host").build());
      hookEndpoint.start(InetAddress.getByName("127.0.0.1"), 0);
      cluster.put(
          yaml(
              """
              apiVersion: v1
              kind: Pod
              metadata: {name: caller, namespace: default}
              spec:
                restartPolicy: Never
                containers:
                - name: main
                  command: [sh, -c]
                  args:
                  - >-
                    curl -sS "$HOOK_URL"; echo;
                    curl -sS -o /dev/null -w 'api %%{http_code}'
                    "http://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/version"
                  env:
                  - {name: HOOK_URL, value: "%s"}
              """
                  .formatted(hookEndpoint.url("/hook"))));

      await()
          .atMost(TIMEOUT)
          .until(() -> pod("caller").at("/status/phase").asText(), "Succeeded"::equals);

      assertThat(kubelet.logs("default", "caller", "main"))
          .isEqualTo("hello from the host\napi 401");
      assertThat(hookEndpoint.takeRequest(1, TimeUnit.SECONDS).getUrl().encodedPath())
          .isEqualTo("/hook");
    }
  }

  @Test
  void relaysANodePortToTheServicesReadyPodsInTurn() throws Exception {
    ObjectNode deployment =
        yaml(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers:
                  - name: main
                    command: [python3, -c]
                    env: [{name: PORT, value: "8080"}]
                    ports: [{name: http, containerPort: 8080}]
            """);
    ((ObjectNode) deployment.at("/spec/template/spec/containers/0"))
        .putArray("args")
        .add(NAME_SERVER);
    cluster.put(deployment);
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              type: NodePort
              selector: {app: web}
              ports: [{port: 80, targetPort: http}]
            """));
    int nodePort =
        cluster
            .get("v1", "Service", "default", "web")
            .orElseThrow()
            .at("/spec/ports/0/nodePort")
            .asInt();
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                cluster.list("v1", "Pod").stream()
                    .filter(p -> p.at("/status/phase").asText().equals("Running"))
                    .count(),
            n -> n == 2);

    // Running (and Ready: no probes) comes before the server has bound its port; the relay
    // closes a connection the Pod refuses, so the test reads an empty answer then and asks again
    Set<String> answered = new HashSet<>();
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(
            () -> {
              String name = read("127.0.0.1", nodePort);
              if (!name.isEmpty()) {
                answered.add(name);
              }
              return answered.size();
            },
            n -> n == 2);
    assertThat(answered).allMatch(name -> name.startsWith("web-"));

    cluster.delete("v1", "Service", "default", "web");

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> read("127.0.0.1", nodePort))
                    .isInstanceOf(ConnectException.class));
  }

  @Test
  void stopsPodsDeletedWhileTheirSandboxesStart() {
    for (int i = 0; i < 5; i++) {
      ObjectNode pod =
          yaml(
              """
              apiVersion: v1
              kind: Pod
              metadata: {name: short-%d, namespace: default}
              spec:
                terminationGracePeriodSeconds: 1
                containers:
                - {name: main, command: [sleep, "60"]}
              """
                  .formatted(i));
      cluster.put(pod);
      cluster.delete("v1", "Pod", "default", "short-" + i);
    }

    await().atMost(TIMEOUT).until(() -> cluster.list("v1", "Pod").isEmpty());
  }

  @Test
  void keepsHostNetworkPodsOnTheHostsAddress() {
    ObjectNode pod = nameServer("host", freeHostPort(), "127.0.0.1");
    ((ObjectNode) pod.path("spec")).put("hostNetwork", true);
    cluster.put(pod);

    assertThat(awaitRunning("host").at("/status/podIP").asText()).isEqualTo(LocalKubelet.POD_IP);
  }

  @Test
  void removesThePodsNetworkOnDeletionAndEveryLinkOnClose() throws Exception {
    cluster.put(nameServer("one", 8080, ""));
    cluster.put(nameServer("two", 8080, ""));
    awaitRunning("one");
    awaitRunning("two");
    String bridge = kubelet.network().orElseThrow().bridge(); // other kubelets may run beside
    String subnet = bridge.substring("kkbr".length());
    assertThat(veths(subnet)).hasSize(2);

    cluster.delete("v1", "Pod", "default", "one");

    await().atMost(TIMEOUT).until(() -> veths(subnet).size(), n -> n == 1);

    kubelet.close();

    assertThat(links()).doesNotContain(bridge);
    assertThat(veths(subnet)).isEmpty();
    assertThat(netnsHolders()).isEmpty();
  }

  @Test
  void deletesTheBridgeOfAKubeletWhoseJvmIsGone() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String bridge = "kkbr250";
    run("ip", "link", "add", bridge, "type", "bridge");
    run("ip", "link", "set", bridge, "alias", "krake-kubelet:" + gone.pid() + ":crashed");

    try (FakeKubernetesApiServer other = FakeKubernetesApiServer.builder().name("other").build();
        LocalKubelet second = LocalKubelet.builder(other).build()) {
      assertThat(second.podNetwork()).isEqualTo(LocalKubelet.PodNetwork.ISOLATED);
      assertThat(links()).doesNotContain(bridge);
    } finally {
      new ProcessBuilder("ip", "link", "del", bridge).start().waitFor();
    }
  }

  // ---------------------------------------------------------------------------- helpers

  private static ObjectNode nameServer(String name, int port, String bind) {
    ObjectNode pod =
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: %s, namespace: default}
            spec:
              terminationGracePeriodSeconds: 0
              containers:
              - name: main
                command: [python3, -c]
                env: [{name: PORT, value: "%d"}, {name: BIND, value: "%s"}]
            """
                .formatted(name, port, bind));
    ((ObjectNode) pod.at("/spec/containers/0")).putArray("args").add(NAME_SERVER);
    return pod;
  }

  private JsonNode awaitRunning(String name) {
    return await()
        .atMost(TIMEOUT)
        .until(
            () -> cluster.get("v1", "Pod", "default", name).orElse(null),
            pod ->
                pod != null
                    && pod.at("/status/phase").asText().equals("Running")
                    && !pod.at("/status/podIP").asText().isEmpty());
  }

  private JsonNode pod(String name) {
    return cluster.get("v1", "Pod", "default", name).orElseThrow();
  }

  /** Connects, reads what the server sends until it closes. */
  private static String read(String host, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getByName(host), port), 2000);
      socket.setSoTimeout(5000);
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static int freeHostPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private String exec(String pod, String... command) throws Exception {
    Process process =
        new Exec(
                ClientBuilder.kubeconfig(
                        KubeConfig.loadKubeConfig(new StringReader(cluster.kubeconfig())))
                    .build())
            .exec("default", pod, command, false, false);
    process.getOutputStream().close();
    try (InputStream stdout = process.getInputStream()) {
      String out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
      return out;
    }
  }

  private static List<String> links() throws Exception {
    return run("ip", "-o", "link", "show")
        .lines()
        .map(line -> line.split(": ", 3)[1].split("@")[0])
        .toList();
  }

  private static List<String> veths(String subnet) throws Exception {
    return links().stream().filter(l -> l.matches("kk" + subnet + "v\\d+")).toList();
  }

  /** Live processes running this kubelet's forwarder. */
  private List<ProcessHandle> netnsHolders() {
    String script = kubelet.workDirectory().resolve("net").resolve("pod-forwarder.py").toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(script)).orElse(false))
        .filter(ProcessHandle::isAlive)
        .toList();
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(() -> String.join(" ", command) + ": " + out).isZero();
    return out;
  }

  private static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) Json.YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
