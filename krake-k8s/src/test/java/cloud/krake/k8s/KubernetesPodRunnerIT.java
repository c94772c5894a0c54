package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.dispatcher.HookException;
import cloud.krake.hooks.execution.ActionResult;
import cloud.krake.hooks.execution.BlueprintAction;
import cloud.krake.hooks.execution.Cancellation;
import cloud.krake.hooks.execution.ExecutionContext;
import cloud.krake.hooks.execution.ExecutionEngine;
import cloud.krake.hooks.execution.PodRunner;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.Metadata;
import cloud.krake.model.ResourceRef;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KubeTask, KubeExec and Wait on pods that really run: a {@link FakeKubernetesApiServer} with a
 * {@link LocalKubelet}, reached through a client of the {@link KubeconfigClusterConnector}.
 */
class KubernetesPodRunnerIT {

  private static final ResourceRef LOCAL = Cluster.ref("testing", "local");

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String TASK_OUTPUT =
      "echo hi; echo '###Phase-output###: {\"key\":\"k\",\"value\":\"v\"}'";

  private FakeKubernetesApiServer server;
  private LocalKubelet kubelet;
  private KubeconfigClusterConnector connector;
  private ClusterClient client;
  private KubernetesPodRunner runner;

  @BeforeEach
  void start() {
    server = FakeKubernetesApiServer.builder().name("local").build();
    kubelet = LocalKubelet.builder(server).build();
    connector = KubeconfigClusterConnector.builder().build();
    client =
        connector.connect(
            Cluster.of(
                Metadata.of("testing", "local"),
                ClusterSpec.ofKubeconfig(Manifests.yaml(server.kubeconfig()))));
    runner = KubernetesPodRunner.of(client);
  }

  @AfterEach
  void stop() {
    runner.close();
    connector.close();
    kubelet.close();
    server.close();
  }

  @Test
  void runsATaskPodToCompletionCollectsItsLogAndDeletesIt() throws Exception {
    PodRunner.PodResult result =
        runner.run(
            task(List.of("sh", "-c", TASK_OUTPUT), Duration.ofSeconds(20)), new Cancellation());

    assertThat(result.exitCode()).isZero();
    assertThat(result.logs())
        .contains("hi\n")
        .contains("###Phase-output###: {\"key\":\"k\",\"value\":\"v\"}");
    awaitNoTaskPods();
  }

  @Test
  void reportsTheExitCodeOfAFailingTask() throws Exception {
    PodRunner.PodResult result =
        runner.run(
            task(List.of("sh", "-c", "echo oops >&2; exit 3"), Duration.ofSeconds(20)),
            new Cancellation());

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.logs()).contains("oops");
    awaitNoTaskPods();
  }

  @Test
  void mergesThePodOverrideIntoTheTaskPod() throws Exception {
    ObjectNode override =
        Manifests.yaml(
            """
            terminationGracePeriodSeconds: 1
            securityContext: {runAsNonRoot: true}
            containers:
            - name: container
              env: [{name: GREETING, value: merged}]
            """);

    PodRunner.PodResult result =
        runner.run(
            new PodRunner.PodTask(
                LOCAL,
                "default",
                "busybox",
                List.of("sh", "-c", "echo $GREETING"),
                override,
                Instant.now().plusSeconds(20)),
            new Cancellation());

    assertThat(result.logs()).isEqualTo("merged\n");
  }

  @Test
  void stopsAndDeletesATaskPodAtItsDeadline() {
    assertThatThrownBy(
            () ->
                runner.run(task(List.of("sleep", "60"), Duration.ofSeconds(2)), new Cancellation()))
        .isInstanceOf(HookException.class)
        .hasMessageContaining("not complete by the deadline");

    awaitNoTaskPods();
  }

  @Test
  void stopsAndDeletesACancelledTaskPod() {
    Cancellation cancellation = new Cancellation();
    cancellation.cancel();

    assertThatThrownBy(
            () -> runner.run(task(List.of("sleep", "60"), Duration.ofSeconds(20)), cancellation))
        .isInstanceOf(HookException.class)
        .hasMessageContaining("cancelled");

    awaitNoTaskPods();
  }

  @Test
  void execsIntoARunningPodOfADeployment() throws Exception {
    String pod = deploySleeper();

    KubernetesExecResult direct =
        client.exec(
            "default",
            pod,
            Optional.of("main"),
            List.of("sh", "-c", "echo out; echo err >&2; exit 4"),
            Duration.ofSeconds(10));
    PodRunner.ExecResult viaRunner =
        runner.exec(
            new PodRunner.ExecRequest(
                LOCAL,
                "default",
                pod,
                Optional.empty(),
                List.of("sh", "-c", "echo ok"),
                Instant.now().plusSeconds(10)),
            new Cancellation());

    assertThat(direct.exitCode()).isEqualTo(4);
    assertThat(direct.stdout()).isEqualTo("out\n");
    assertThat(direct.stderr()).isEqualTo("err\n");
    assertThat(viaRunner.exitCode()).isZero();
    assertThat(viaRunner.stdout()).isEqualTo("ok\n");
  }

  @Test
  void failsAnExecIntoAMissingPodOrContainerNamingIt() throws Exception {
    String pod = deploySleeper();

    assertThatThrownBy(
            () ->
                client.exec(
                    "default", "nope", Optional.empty(), List.of("true"), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(KubernetesException.class, e -> assertThat(e.isNotFound()).isTrue())
        .hasMessageContaining("exec in Pod default/nope: the pod does not exist");
    assertThatThrownBy(
            () ->
                client.exec(
                    "default", pod, Optional.of("sidecar"), List.of("true"), Duration.ofSeconds(5)))
        .isInstanceOf(KubernetesException.class)
        .hasMessageContaining("the pod has no container sidecar (containers: main)");
    assertThatThrownBy(
            () ->
                runner.exec(
                    new PodRunner.ExecRequest(
                        LOCAL,
                        "default",
                        "nope",
                        Optional.empty(),
                        List.of("true"),
                        Instant.now().plusSeconds(5)),
                    new Cancellation()))
        .isInstanceOf(HookException.class)
        .hasCauseInstanceOf(KubernetesException.class)
        .hasMessageContaining("the pod does not exist");
  }

  @Test
  void stopsAnExecAtItsTimeout() throws Exception {
    String pod = deploySleeper();

    assertThatThrownBy(
            () ->
                client.exec(
                    "default",
                    pod,
                    Optional.empty(),
                    List.of("sleep", "30"),
                    Duration.ofMillis(500)))
        .isInstanceOf(KubernetesException.class)
        .hasMessageContaining("did not finish within");
  }

  @Test
  void readsLogsAndListsByLabelSelector() {
    String pod = deploySleeper();
    KubernetesObjectReader reader = KubernetesObjectReader.of(client);

    List<ObjectNode> matching = reader.list(LOCAL, "v1", "Pod", "default", "app=sleeper");
    List<ObjectNode> none = reader.list(LOCAL, "v1", "Pod", "", "app=other");
    Optional<ObjectNode> deployment =
        reader.read(LOCAL, "apps/v1", "Deployment", "default", "sleeper");

    assertThat(matching).extracting(Manifests::name).containsExactly(pod);
    assertThat(none).isEmpty();
    assertThat(deployment).isPresent();
    assertThat(reader.read(LOCAL, "apps/v1", "Deployment", "default", "gone")).isEmpty();
    assertThat(client.logs("default", pod, Optional.of("main"))).isEmpty();
  }

  @Test
  void runsABlueprintOfKubeTaskKubeExecAndWaitPassingPhaseOutputsOn() {
    String pod = deploySleeper();
    BlueprintAction action =
        BlueprintAction.fromJson(
            Manifests.yaml(
                """
                phases:
                - func: KubeTask
                  name: task
                  args:
                    image: busybox
                    command: [sh, -c, 'echo hi; echo "###Phase-output###: {\\"key\\":\\"k\\",\\"value\\":\\"v\\"}"']
                    podOverride: {terminationGracePeriodSeconds: 1}
                - func: KubeExec
                  name: exec
                  args:
                    pod: "{{ .Options.pod }}"
                    container: main
                    command: [sh, -c, 'echo "###Phase-output###: {\\"key\\":\\"seen\\",\\"value\\":\\"{{ .Phases.task.Output.k }}\\"}"']
                - func: Wait
                  name: ready
                  args:
                    timeout: 20s
                    interval: 1s
                    conditions:
                      allOf:
                      - objectReference: {apiVersion: apps/v1, kind: Deployment, namespace: "{{ .Namespace.Name }}", name: sleeper}
                        condition: '{{ $.status.readyReplicas }} == 1'
                """));
    try (ExecutionEngine engine =
        ExecutionEngine.builder()
            .podRunner(runner)
            .objectReader(KubernetesObjectReader.of(client))
            .build()) {

      ActionResult result =
          engine.run(
              action,
              ExecutionContext.of("default", "sleeper")
                  .withCluster("local")
                  .withNamespace("default")
                  .withOptions(Map.of("pod", pod)),
              Duration.ofSeconds(60),
              new Cancellation());

      assertThat(result.succeeded()).as(result::toString).isTrue();
      assertThat(result.outputs()).containsEntry("task", Map.of("k", "v"));
      assertThat(result.outputs()).containsEntry("exec", Map.of("seen", "v"));
    }
    awaitNoTaskPods();
  }

  // ---------------------------------------------------------------------------- helpers

  private static PodRunner.PodTask task(List<String> command, Duration budget) {
    return new PodRunner.PodTask(
        LOCAL,
        "default",
        "busybox",
        command,
        Manifests.yaml("terminationGracePeriodSeconds: 1\nsecurityContext: {runAsNonRoot: true}"),
        Instant.now().plus(budget));
  }

  private void awaitNoTaskPods() {
    try {
      await().atMost(TIMEOUT).until(() -> taskPods().isEmpty());
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("task pods left: " + taskPods(), e);
    }
  }

  private List<ObjectNode> taskPods() {
    return server.list("v1", "Pod").stream()
        .filter(pod -> Manifests.name(pod).startsWith(KubernetesPodRunner.NAME_PREFIX))
        .toList();
  }

  /** Deploys {@code sleeper} (one replica of {@code sleep infinity}) and returns its pod's name. */
  private String deploySleeper() {
    client.apply(
        Manifests.yaml(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: sleeper, namespace: default}
            spec:
              replicas: 1
              selector: {matchLabels: {app: sleeper}}
              template:
                metadata: {labels: {app: sleeper}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - {name: main, image: busybox, command: [sleep, infinity]}
            """));
    return await()
        .atMost(TIMEOUT)
        .until(
            () ->
                server.list("v1", "Pod").stream()
                    .filter(
                        p ->
                            p.path("metadata")
                                .path("labels")
                                .path("app")
                                .asText()
                                .equals("sleeper"))
                    .filter(p -> p.path("status").path("phase").asText().equals("Running"))
                    .map(Manifests::name)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }
}
