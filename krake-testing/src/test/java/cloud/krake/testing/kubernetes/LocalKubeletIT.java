package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.testing.ManualClock;
import cloud.krake.testing.ManualTimer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.Exec;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pods of the fake API server run for real by the local kubelet (bubblewrap processes where it is
 * installed; {@link PlainProcessKubeletIT} runs the same tests as plain processes).
 */
class LocalKubeletIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  final FakeKubernetesApiServer cluster = FakeKubernetesApiServer.builder().build();
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final ManualTimer scheduler = new ManualTimer(clock);
  LocalKubelet kubelet;

  @AfterEach
  void close() {
    if (kubelet != null) {
      kubelet.close();
    }
    cluster.close();
  }

  private LocalKubelet manualKubelet() {
    kubelet = kubeletBuilder().clock(clock).timer(scheduler).build();
    return kubelet;
  }

  private LocalKubelet realTimeKubelet() {
    kubelet = kubeletBuilder().build();
    return kubelet;
  }

  /** The kubelet's builder before the tests' clock and scheduler: the default isolation. */
  LocalKubelet.Builder kubeletBuilder() {
    return LocalKubelet.builder(cluster);
  }

  @Test
  void runsPodWithSecretEnvironmentAndConfigMapVolumeToSucceeded() throws Exception {
    manualKubelet();
    cluster.put(secret("greeting", "GREETING", "hello from a secret"));
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: default}
            data: {message.txt: "hello from a config map"}
            """));
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: hello, namespace: default}
            spec:
              restartPolicy: Never
              volumes:
              - {name: settings, configMap: {name: settings}}
              containers:
              - name: main
                image: busybox
                command: [sh, -c]
                args: ['echo "$GREETING in $(POD_NAMESPACE)/$POD_NAME"; cat /etc/settings/message.txt']
                env:
                - name: GREETING
                  valueFrom: {secretKeyRef: {name: greeting, key: GREETING}}
                - name: POD_NAME
                  valueFrom: {fieldRef: {fieldPath: metadata.name}}
                - name: POD_NAMESPACE
                  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
                volumeMounts:
                - {name: settings, mountPath: /etc/settings}
            """));

    awaitPod("hello", pod -> phase(pod).equals("Succeeded"));

    JsonNode status = pod("hello").orElseThrow().path("status").path("containerStatuses").get(0);
    assertThat(status.path("state").path("terminated").path("exitCode").asInt()).isZero();
    assertThat(status.path("state").path("terminated").path("reason").asText())
        .isEqualTo("Completed");
    assertThat(kubelet.logs("default", "hello", "main"))
        .contains("hello from a secret in default/hello")
        .contains("hello from a config map");
    String viaApi = new CoreV1Api(client()).readNamespacedPodLog("hello", "default").execute();
    assertThat(viaApi).contains("hello from a secret").contains("hello from a config map");
  }

  @Test
  void waitsWithCreateContainerConfigErrorUntilTheSecretExists() {
    manualKubelet();
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: later, namespace: default}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                command: [sh, -c, 'echo "$TOKEN"']
                env:
                - name: TOKEN
                  valueFrom: {secretKeyRef: {name: late, key: token}}
            """));

    awaitPod("later", pod -> waitingReason(pod).equals("CreateContainerConfigError"));
    assertThat(phase(pod("later").orElseThrow())).isEqualTo("Pending");
    assertThat(
            container(pod("later").orElseThrow())
                .path("state")
                .path("waiting")
                .path("message")
                .asText())
        .isEqualTo("secret \"late\" not found");

    cluster.put(secret("late", "token", "s3cr3t"));

    awaitPod("later", pod -> phase(pod).equals("Succeeded"));
    assertThat(kubelet.logs("default", "later", "main")).isEqualTo("s3cr3t\n");
  }

  @Test
  void restartsAFailingContainerWithCrashLoopBackOff() {
    manualKubelet();
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: crashing, namespace: default}
            spec:
              containers:
              - name: main
                command: [sh, -c, 'echo boom; exit 2']
            """));

    List<Duration> delays = new ArrayList<>();
    for (int restart = 0; restart < 3; restart++) {
      int restarts = restart;
      awaitPod(
          "crashing",
          pod ->
              waitingReason(pod).equals("CrashLoopBackOff")
                  && container(pod).path("restartCount").asInt() == restarts);
      JsonNode pod = pod("crashing").orElseThrow();
      assertThat(phase(pod)).isEqualTo("Running");
      assertThat(container(pod).path("lastState").path("terminated").path("exitCode").asInt())
          .isEqualTo(2);
      Instant due = scheduler.nextDue().orElseThrow();
      delays.add(Duration.between(clock.instant(), due));
      scheduler.advance(Duration.between(clock.instant(), due));
    }

    assertThat(delays)
        .containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40));
    awaitPod("crashing", pod -> container(pod).path("restartCount").asInt() == 3);
    assertThat(kubelet.logs("default", "crashing", "main")).isEqualTo("boom\n");
  }

  @Test
  void stopsAPodThatTrapsSigtermWithinTheGracePeriod() {
    manualKubelet();
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: graceful, namespace: default, finalizers: [test/keep]}
            spec:
              terminationGracePeriodSeconds: 30
              containers:
              - name: main
                command: [sh, -c, 'trap "echo stopping; exit 0" TERM; echo trapping; sleep 1000 & wait $!']
            """));
    awaitPod("graceful", pod -> phase(pod).equals("Running"));
    // Running means started, not that the trap is set: the container's shell is its PID 1, which
    // ignores a SIGTERM it has no handler for, so a SIGTERM sent earlier would be lost and, with no
    // time passing, the grace period would never end
    await()
        .atMost(TIMEOUT)
        .until(() -> kubelet.logs("default", "graceful", "main").contains("trapping"));

    cluster.delete("v1", "Pod", "default", "graceful");

    // no time passes: the trap ends the container, the kubelet releases the Pod
    awaitPod(
        "graceful", pod -> pod.path("metadata").path("deletionGracePeriodSeconds").asInt(-1) == 0);
    JsonNode terminated = container(pod("graceful").orElseThrow()).path("state").path("terminated");
    assertThat(terminated.path("exitCode").asInt()).isZero();
    assertThat(terminated.path("reason").asText()).isEqualTo("Completed");
    removeFinalizers("graceful");
    assertThat(pod("graceful")).isEmpty();
  }

  @Test
  void killsAPodThatIgnoresSigtermAfterTheGracePeriod() {
    manualKubelet();
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: stubborn, namespace: default, finalizers: [test/keep]}
            spec:
              terminationGracePeriodSeconds: 5
              containers:
              - name: main
                command: [sh, -c, 'sleep 1000']
            """));
    awaitPod("stubborn", pod -> phase(pod).equals("Running"));

    cluster.delete("v1", "Pod", "default", "stubborn");
    awaitPod("stubborn", pod -> pod.path("metadata").has("deletionTimestamp"));
    // the kubelet arms SIGKILL when it syncs the termination, just after the deletion is seen
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(scheduler.nextDue()).contains(clock.instant().plusSeconds(5)));
    assertThat(container(pod("stubborn").orElseThrow()).path("state").has("running")).isTrue();

    scheduler.advance(Duration.ofSeconds(5));

    awaitPod(
        "stubborn", pod -> pod.path("metadata").path("deletionGracePeriodSeconds").asInt(-1) == 0);
    JsonNode terminated = container(pod("stubborn").orElseThrow()).path("state").path("terminated");
    assertThat(terminated.path("exitCode").asInt()).isEqualTo(137);
    assertThat(terminated.path("reason").asText()).isEqualTo("Error");
  }

  @Test
  void runsADeploymentsPodAndReportsItReady() {
    realTimeKubelet();
    cluster.put(
        yaml(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - {name: web, image: nginx}
            """));

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                cluster
                        .get("apps/v1", "Deployment", "default", "web")
                        .orElseThrow()
                        .path("status")
                        .path("readyReplicas")
                        .asInt()
                    == 1);

    List<ObjectNode> pods = cluster.list("v1", "Pod");
    assertThat(pods).hasSize(1);
    JsonNode pod = pods.get(0);
    String replicaSet = pod.path("metadata").path("ownerReferences").get(0).path("name").asText();
    assertThat(replicaSet).matches("web-[bcdfghjklmnpqrstvwxz2456789]+");
    assertThat(pod.path("metadata").path("name").asText()).startsWith(replicaSet + "-");
    assertThat(cluster.get("apps/v1", "ReplicaSet", "default", replicaSet)).isPresent();
    JsonNode deployment = cluster.get("apps/v1", "Deployment", "default", "web").orElseThrow();
    assertThat(deployment.path("status").path("availableReplicas").asInt()).isEqualTo(1);

    cluster.delete("apps/v1", "Deployment", "default", "web");

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                cluster.list("v1", "Pod").isEmpty()
                    && cluster.list("apps/v1", "ReplicaSet").isEmpty());
  }

  @Test
  void completesAJobAndNamesStatefulSetPodsByOrdinal() {
    realTimeKubelet();
    cluster.put(
        yaml(
            """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: task, namespace: default}
            spec:
              template:
                spec:
                  restartPolicy: Never
                  containers:
                  - {name: task, command: [sh, -c, 'echo done']}
            """));
    cluster.put(
        yaml(
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              replicas: 2
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec:
                  containers:
                  - {name: db}
            """));

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                cluster
                        .get("batch/v1", "Job", "default", "task")
                        .orElseThrow()
                        .path("status")
                        .path("succeeded")
                        .asInt()
                    == 1);
    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                cluster
                        .get("apps/v1", "StatefulSet", "default", "db")
                        .orElseThrow()
                        .path("status")
                        .path("readyReplicas")
                        .asInt()
                    == 2);

    JsonNode job = cluster.get("batch/v1", "Job", "default", "task").orElseThrow();
    assertThat(job.path("status").path("conditions").findValuesAsText("type")).contains("Complete");
    assertThat(cluster.get("v1", "Pod", "default", "db-0")).isPresent();
    assertThat(cluster.get("v1", "Pod", "default", "db-1")).isPresent();
  }

  @Test
  void execRunsACommandInTheContainersSandbox() throws Exception {
    manualKubelet();
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: shell, namespace: default}
            spec:
              containers:
              - name: main
                env: [{name: GREETING, value: hi}]
            """));
    awaitPod("shell", pod -> phase(pod).equals("Running"));

    Process process =
        new Exec(client())
            .exec(
                "default",
                "shell",
                new String[] {"sh", "-c", "echo $GREETING; exit 3"},
                false,
                false);
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(stdout).isEqualTo("hi\n");
    assertThat(process.exitValue()).isEqualTo(3);
  }

  @Test
  void runsTheCompleteHookJobsScriptAgainstAHookEndpoint() throws Exception {
    realTimeKubelet();
    runCompleteHookScript(
        cluster,
        kubelet,
        Path.of(getClass().getResource("/manifests/complete-job.yaml").toURI()),
        "Job");
  }

  /**
   * Puts a complete-hook manifest on {@code cluster} with the hook's token and URL injected into
   * its {@code workloadKind}'s containers, as Krake's mangling does (plain HTTP, no certificates),
   * and checks that the pod the kubelet runs PUTs {@code {"token": ...}} to the hook endpoint.
   */
  static void runCompleteHookScript(
      FakeKubernetesApiServer cluster, LocalKubelet kubelet, Path manifest, String workloadKind)
      throws Exception {
    try (MockWebServer hookEndpoint = new MockWebServer()) {
      hookEndpoint.enqueue(new MockResponse.Builder().code(200).body("{}").build());
      hookEndpoint.start();
      String url =
          hookEndpoint.url("/kubernetes/namespaces/system/applications/script/complete").toString();
      String token = "aW5qZWN0ZWQtdG9rZW4tZm9yLXRoZS1ob29rLXRlc3Q";
      ObjectNode secret =
          secret("script-krake-complete-secret-token", "krake_complete_token", token);
      ((ObjectNode) secret.path("data"))
          .put(
              "krake_complete_url",
              Base64.getEncoder().encodeToString(url.getBytes(StandardCharsets.UTF_8)));
      cluster.put(secret);
      for (JsonNode document :
          Json.YAML
              .readerFor(JsonNode.class)
              .<JsonNode>readValues(Files.readString(manifest))
              .readAll()) {
        ObjectNode resource = (ObjectNode) document;
        Json.child(resource, "metadata").put("namespace", "default");
        if (resource.path("kind").asText().equals(workloadKind)) {
          injectCompleteHookEnvironment(resource);
        }
        cluster.put(resource);
      }

      RecordedRequest request = hookEndpoint.takeRequest(30, TimeUnit.SECONDS);

      assertThat(request).as(() -> podsAndLogs(cluster, kubelet)).isNotNull();
      assertThat(request.getMethod()).isEqualTo("PUT");
      assertThat(request.getUrl().encodedPath())
          .isEqualTo("/kubernetes/namespaces/system/applications/script/complete");
      assertThat(request.getBody().utf8()).isEqualTo("{\"token\": \"" + token + "\"}");
    }
  }

  /**
   * As Krake's ApplicationMangling: the token and URL from the hook's Secret into every container.
   */
  private static void injectCompleteHookEnvironment(ObjectNode workload) {
    for (JsonNode container :
        workload.path("spec").path("template").path("spec").path("containers")) {
      ArrayNode list =
          container.get("env") instanceof ArrayNode existing
              ? existing
              : ((ObjectNode) container).putArray("env");
      for (String name : List.of("KRAKE_COMPLETE_TOKEN", "KRAKE_COMPLETE_URL")) {
        ObjectNode variable = list.addObject();
        variable.put("name", name);
        variable
            .putObject("valueFrom")
            .putObject("secretKeyRef")
            .put("name", "script-krake-complete-secret-token")
            .put("key", name.toLowerCase(java.util.Locale.ROOT));
      }
    }
  }

  // ---------------------------------------------------------------------------- helpers

  private ApiClient client() throws IOException {
    return ClientBuilder.kubeconfig(
            KubeConfig.loadKubeConfig(new StringReader(cluster.kubeconfig())))
        .build();
  }

  Optional<ObjectNode> pod(String name) {
    return cluster.get("v1", "Pod", "default", name);
  }

  void awaitPod(String name, java.util.function.Predicate<JsonNode> condition) {
    try {
      await().atMost(TIMEOUT).until(() -> pod(name).filter(condition).isPresent());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("Pod " + name + " never got there:\n" + podsAndLogs(), e);
    }
  }

  /** What ran, for failure messages: every Pod's status and its first container's logs. */
  private String podsAndLogs() {
    return podsAndLogs(cluster, kubelet);
  }

  private static String podsAndLogs(FakeKubernetesApiServer cluster, LocalKubelet kubelet) {
    StringBuilder out = new StringBuilder();
    for (ObjectNode pod : cluster.list("v1", "Pod")) {
      String name = pod.path("metadata").path("name").asText();
      String container = pod.path("spec").path("containers").path(0).path("name").asText();
      out.append(name).append(": ").append(pod.path("status")).append('\n');
      try {
        out.append(kubelet.logs("default", name, container)).append('\n');
      } catch (RuntimeException e) {
        out.append(e).append('\n');
      }
    }
    return out.toString();
  }

  private void removeFinalizers(String name) {
    ObjectNode pod = pod(name).orElseThrow();
    ((ObjectNode) pod.path("metadata")).remove("finalizers");
    cluster.put(pod);
  }

  static String phase(JsonNode pod) {
    return pod.path("status").path("phase").asText("");
  }

  private static JsonNode container(JsonNode pod) {
    return pod.path("status").path("containerStatuses").path(0);
  }

  private static String waitingReason(JsonNode pod) {
    return container(pod).path("state").path("waiting").path("reason").asText("");
  }

  private static ObjectNode secret(String name, String key, String value) {
    ObjectNode secret =
        yaml("apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: default}\n");
    secret
        .putObject("data")
        .put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
    return secret;
  }

  static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) Json.YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
