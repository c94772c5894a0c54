package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.execution.Blueprint;
import cloud.krake.hooks.execution.HookAction;
import cloud.krake.hooks.execution.HookKind;
import cloud.krake.hooks.execution.HookRecord;
import cloud.krake.hooks.execution.HookRecords;
import cloud.krake.hooks.execution.HookState;
import cloud.krake.hooks.lifecycle.LifecycleEvent;
import cloud.krake.hooks.lifecycle.LifecycleHookPoint;
import cloud.krake.hooks.lifecycle.LifecycleRecords;
import cloud.krake.hooks.lifecycle.LifecycleRun;
import cloud.krake.hooks.lifecycle.RestartBackoff;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Watch;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Container lifecycle hooks (kubelet semantics) and execution hooks (Kasten K10's rules) declared
 * on applications, run by the application controller against pods that really run on the local
 * kubelet; and their validation when an application is created. On two fake API servers and on two
 * real control planes, whose node is the local kubelet.
 */
@ParameterizedClass(name = "{0} clusters")
@EnumSource(ClusterSource.class)
@ExtendWith(SharedControlPlanes.class)
class WorkloadHooksIT {

  /** Kasten K10's first documented example, adapted: a KubeTask that unlabels the namespace. */
  private static final String NAMESPACE_HOOKS =
      """
      # tag::blueprint[]
      apiVersion: cr.kanister.io/v1alpha1
      kind: Blueprint
      metadata: {name: namespace-hooks}
      actions:
        removeMigrateLabel:
          phases:
          - func: KubeTask
            name: unlabel
            args:
              image: bitnami/kubectl
              command:
              - kubectl
              - patch
              - namespace
              - "{{ .Namespace.Name }}"
              - --type
              - json
              - -p
              - '[{"op": "remove", "path": "/metadata/labels/migrate"}]'
              podOverride:
                volumes: [{name: kubeconfig, secret: {secretName: task-kubeconfig}}]
                containers:
                - name: container
                  env: [{name: KUBECONFIG, value: /etc/kube/config}]
                  volumeMounts: [{name: kubeconfig, mountPath: /etc/kube}]
        podsReady:
          phases:
          - func: Wait
            name: waitForPods
            args:
              timeout: 120
              conditions:
                allOf:
                - objectReference:
                    apiVersion: v1
                    kind: Pod
                    namespace: "{{ .Namespace.Name }}"
                    selector: "app={{ .Deployment.Name }}"
                  condition: '{{ $.status.conditions[0].status }} == "True"'
      # end::blueprint[]
      """;

  @Parameter ClusterSource source;

  private final MemoryStore store = MemoryStore.create();
  private FakeClusters env;

  @BeforeEach
  void start() {
    env =
        new FakeClusters(
            store,
            source,
            ShutdownHookConfig.defaults(),
            backend ->
                backend
                    // tag::register[]
                    .blueprints(Blueprint.parse(NAMESPACE_HOOKS))
                    // end::register[]
                    .restartBackoff(
                        new RestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(2))));
    env.clusterA.kubelet();
    env.registerClusters();
  }

  @AfterEach
  void stop() {
    env.close(); // Krake, then the kubelets of fakes and the fakes (a real cluster is emptied)
    store.close();
  }

  private static List<ObjectNode> worker(String name, String extraPodSpec) {
    return KrakeJson.readAll(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %1$s}
        spec:
          selector: {matchLabels: {app: %1$s}}
          template:
            metadata: {labels: {app: %1$s}}
            spec:
              %2$s
              containers:
              - name: main
                image: busybox
                command: [/bin/sh, -c, 'trap "exit 0" TERM; while true; do sleep 0.2; done']
        """
            .formatted(name, extraPodSpec),
        ObjectNode.class);
  }

  /** A worker that takes a second to stop on SIGTERM (so its pod is seen terminating). */
  private static List<ObjectNode> stubborn(String name, int gracePeriodSeconds) {
    List<ObjectNode> manifest =
        worker(name, "terminationGracePeriodSeconds: " + gracePeriodSeconds);
    ((com.fasterxml.jackson.databind.node.ArrayNode)
            manifest.get(0).at("/spec/template/spec/containers/0/command"))
        .set(2, "trap 'sleep 1; exit 0' TERM; while true; do sleep 0.2; done");
    return manifest;
  }

  private Application create(String name, List<ObjectNode> manifest, String hooksYaml) {
    ObjectNode hooks = KrakeJson.read(hooksYaml, ObjectNode.class);
    return env.create(name, manifest, List.of(), List.of(), "a", spec -> spec.setAll(hooks));
  }

  private List<LifecycleRun> runs(String name) {
    return new LifecycleRecords(store).list(NS, name);
  }

  // ------------------------------------------------------------------ lifecycle hooks

  @Test
  void postStartRunsInThePodAndTheApplicationIsNotRunningBeforeItSucceeded() {
    List<Optional<LifecycleRun>> atFirstRunning = new CopyOnWriteArrayList<>();
    Watch watch =
        env.krake
            .applications()
            .watch(
                NS,
                store.revision() + 1,
                e -> {
                  if (e.resource().status().state() == ApplicationState.RUNNING
                      && atFirstRunning.isEmpty()) {
                    atFirstRunning.add(
                        new LifecycleRecords(store)
                            .latest(NS, "warm", LifecycleHookPoint.POST_START));
                  }
                });
    try {
      create(
          "warm",
          worker("warm", ""),
          """
          # tag::post-start[]
          lifecycle:
            post_start:
              exec: {command: [/bin/sh, -c, 'sleep 1; echo warmed up in $HOSTNAME-less pod']}
          # end::post-start[]
          """);

      env.awaitRunningOn("warm", env.clusterA);
      // the watch delivers the RUNNING event after the store read above may have seen it
      await().atMost(TIMEOUT).until(() -> !atFirstRunning.isEmpty());
    } finally {
      watch.close();
    }

    assertThat(atFirstRunning).hasSize(1);
    assertThat(atFirstRunning.get(0))
        .as("the postStart record when the application first became RUNNING")
        .hasValueSatisfying(run -> assertThat(run.state()).isEqualTo(LifecycleRun.State.SUCCEEDED));
    LifecycleRun run = runs("warm").get(0);
    assertThat(run.outputTail()).contains("warmed up");
    assertThat(run.target()).startsWith("a/default/warm-");
  }

  @Test
  void failingPostStartRecordsFailedPostStartHookAndRestartsThePodWithBackOff() {
    create(
        "broken",
        worker("broken", ""),
        """
        lifecycle:
          post_start:
            exec: {command: [/bin/sh, -c, 'echo no warm-up today >&2; exit 3']}
        """);

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                runs("broken").stream()
                        .filter(r -> r.state() == LifecycleRun.State.FAILED)
                        .map(LifecycleRun::target)
                        .distinct()
                        .count()
                    >= 2);

    List<LifecycleRun> runs = runs("broken");
    assertThat(runs.get(0).events())
        .extracting(LifecycleEvent::reason)
        .contains(LifecycleEvent.FAILED_POST_START_HOOK);
    assertThat(runs.get(0).outputTail()).contains("no warm-up today");
    assertThat(runs.get(0).target())
        .as("a new pod runs postStart again")
        .isNotEqualTo(runs.get(runs.size() - 1).target());
    Application app = env.krake.applications().require(NS, "broken");
    assertThat(app.status().state()).isNotEqualTo(ApplicationState.RUNNING);
  }

  /**
   * A Deployment whose server listens on port 8080 of its pod only {@code delay} seconds after its
   * container started (an interpreter that takes long to load), with a NodePort Service on {@code
   * nodePort}.
   */
  private static List<ObjectNode> lateServer(String name, int nodePort, int delay) {
    List<ObjectNode> manifest = new ArrayList<>(worker(name, "terminationGracePeriodSeconds: 2"));
    ((com.fasterxml.jackson.databind.node.ArrayNode)
            manifest.get(0).at("/spec/template/spec/containers/0/command"))
        .set(2, "sleep " + delay + "; exec python3 -m http.server --bind 0.0.0.0 8080");
    manifest.add(
        KrakeJson.read(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: %1$s}
            spec:
              type: NodePort
              selector: {app: %1$s}
              ports: [{port: 8080, targetPort: 8080, nodePort: %2$d}]
            """
                .formatted(name, nodePort),
            ObjectNode.class));
    return manifest;
  }

  /** A port of the Service node port range that is free on this host now. */
  private static int freeNodePort() throws IOException {
    for (int port = 30000 + new java.util.Random().nextInt(2000); port < 32768; port++) {
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // next one
      }
    }
    throw new IOException("no free node port");
  }

  /**
   * The root cause of the quickstart's {@code misprint} on real control planes (issue 15): an
   * {@code http_get} postStart against the server in its own container runs as soon as the
   * container runs (as the kubelet runs it), before the server listens, and is refused; the failure
   * replaces the pod, whose server starts over, so every new pod's postStart is refused again.
   */
  @Test
  void httpGetPostStartAgainstItsOwnServerIsRefusedInEveryNewPodWhileTheServerStarts()
      throws IOException {
    create(
        "self",
        lateServer("self", freeNodePort(), 30),
        """
        lifecycle:
          post_start:
            http_get: {path: /warm-up, port: 8080}
        """);

    await()
        .atMost(TIMEOUT)
        .until(
            () ->
                runs("self").stream()
                        .filter(r -> r.state() == LifecycleRun.State.FAILED)
                        .map(LifecycleRun::target)
                        .distinct()
                        .count()
                    >= 2);

    // a later pod's run may be under way (RUNNING) when the records are read: every ended one
    // failed
    assertThat(runs("self"))
        .filteredOn(run -> run.state() != LifecycleRun.State.RUNNING)
        .allSatisfy(
            run -> {
              assertThat(run.state()).isEqualTo(LifecycleRun.State.FAILED);
              assertThat(run.error())
                  .hasValueSatisfying(e -> assertThat(e).contains("ConnectException"));
            });
    assertThat(env.krake.applications().require(NS, "self").status().state())
        .isNotEqualTo(ApplicationState.RUNNING);
  }

  /**
   * What the quickstart's {@code misprint} does instead: the postStart is a warm-up pod's and calls
   * the server through its Service's node port; a failure replaces only the warm-up pod, and once
   * the server listens the hook's 404 counts as success with a {@code LifecycleHTTPNon2xx} warning.
   */
  @Test
  void httpGetPostStartOfAWarmUpPodReachesALateServerThroughItsServiceAndA404CountsAsSuccess()
      throws IOException {
    int nodePort = freeNodePort();
    List<ObjectNode> manifest = lateServer("late", nodePort, 3);
    manifest.addAll(worker("warm-up", ""));
    create(
        "late",
        manifest,
        """
        lifecycle:
          post_start:
            target: {kind: Deployment, name: warm-up}
            http_get: {host: 127.0.0.1, path: /warm-up, port: %d}
        """
            .formatted(nodePort));

    env.awaitRunningOn("late", env.clusterA);

    List<LifecycleRun> runs = runs("late");
    LifecycleRun last = runs.get(runs.size() - 1);
    assertThat(last.state()).isEqualTo(LifecycleRun.State.SUCCEEDED);
    assertThat(last.target()).startsWith("a/default/warm-up-");
    assertThat(last.events())
        .extracting(LifecycleEvent::reason)
        .contains(LifecycleEvent.LIFECYCLE_HTTP_NON_2XX);
  }

  @Test
  void preStopRunsBeforeDeletionAndThePodStopsWithWhatIsLeftOfItsGracePeriod() {
    create(
        "drain",
        stubborn("drain", 4),
        """
        # tag::pre-stop[]
        lifecycle:
          pre_stop:
            exec: {command: [/bin/sh, -c, 'echo draining; sleep 1']}
        # end::pre-stop[]
        """);
    env.awaitRunningOn("drain", env.clusterA);

    env.krake.applications().delete(NS, "drain");

    ObjectNode stopping =
        await()
            .atMost(TIMEOUT)
            .until(
                () ->
                    env.clusterA.list("v1", "Pod").stream()
                        .filter(p -> p.at("/metadata/deletionGracePeriodSeconds").isNumber())
                        .filter(p -> p.at("/metadata/deletionGracePeriodSeconds").asLong() < 4)
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    assertThat(stopping.at("/metadata/deletionGracePeriodSeconds").asLong())
        .as("the grace period of 4 s minus the hook's whole seconds, at least 2 s")
        .isBetween(2L, 3L);
    env.awaitGone("drain");
    List<LifecycleRun> runs = runs("drain");
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).hook()).isEqualTo(LifecycleHookPoint.PRE_STOP);
    assertThat(runs.get(0).state()).isEqualTo(LifecycleRun.State.SUCCEEDED);
    assertThat(runs.get(0).outputTail()).contains("draining");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(env.clusterA.objects()).isEmpty());
  }

  // ------------------------------------------------------------------ execution hooks

  @Test
  void k10KubeTaskOnSuccessRemovesTheMigrateLabelFromTheApplicationsNamespace() {
    if (env.a != null) {
      env.a.allowAnonymous(true); // kubectl sends no token over the fake's plain HTTP
    }
    ObjectNode namespace = env.clusterA.get("v1", "Namespace", "", "default").orElseThrow();
    ((ObjectNode) namespace.path("metadata")).putObject("labels").put("migrate", "true");
    env.clusterA.put(namespace);
    ObjectNode kubeconfig =
        KrakeJson.read(
            """
            {"apiVersion": "v1", "kind": "Secret",
             "metadata": {"name": "task-kubeconfig", "namespace": "default"},
             "data": {"config": ""}}
            """,
            ObjectNode.class);
    ((ObjectNode) kubeconfig.path("data"))
        .put(
            "config",
            java.util.Base64.getEncoder()
                .encodeToString(
                    env.clusterA.kubeconfig().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    env.clusterA.put(kubeconfig);

    create(
        "labelled",
        worker("labelled", ""),
        """
        # tag::references[]
        execution_hooks:
          deploy:
            onSuccess: {blueprint: namespace-hooks, actionName: removeMigrateLabel}
        # end::references[]
        """);

    await()
        .atMost(TIMEOUT)
        .until(
            () -> record("labelled", HookKind.ON_SUCCESS).map(HookRecord::state),
            s -> s.isPresent() && s.get() != HookState.RUNNING);
    assertThat(record("labelled", HookKind.ON_SUCCESS).orElseThrow().error()).isEmpty();
    assertThat(
            env.clusterA
                .get("v1", "Namespace", "", "default")
                .orElseThrow()
                .path("metadata")
                .path("labels")
                .has("migrate"))
        .isFalse();
  }

  @Test
  void k10WaitOnSuccessHoldsOnceTheApplicationsPodsAreReady() {
    create(
        "waiting",
        worker("waiting", ""),
        """
        execution_hooks:
          deploy:
            onSuccess: {blueprint: namespace-hooks, actionName: podsReady}
        """);

    await()
        .atMost(TIMEOUT)
        .until(
            () -> record("waiting", HookKind.ON_SUCCESS).map(HookRecord::state),
            s -> s.equals(Optional.of(HookState.SUCCEEDED)));
    assertThat(env.clusterA.list("v1", "Pod"))
        .isNotEmpty()
        .allSatisfy(
            p -> assertThat(p.at("/status/conditions/0/status").asText()).isEqualTo("True"));
  }

  @Test
  void aFailingPreHookFailsTheDeployAndRunsOnFailureOnce() {
    create(
        "vetoed",
        worker("vetoed", ""),
        """
        execution_hooks:
          deploy:
            preHook:
              action: {phases: [{func: KubeTask, name: check, args: {image: busybox, command: [/bin/sh, -c, 'exit 1']}}]}
              retry: {attempts: 1}
            onFailure:
              action: {phases: [{func: KubeTask, name: alert, args: {image: busybox, command: [/bin/sh, -c, 'echo alerted']}}]}
        """);

    Application failed = env.awaitState("vetoed", ApplicationState.FAILED);

    assertThat(failed.status().reason().orElseThrow().message()).contains("preHook of deploy");
    await()
        .atMost(TIMEOUT)
        .until(
            () -> record("vetoed", HookKind.ON_FAILURE).map(HookRecord::state),
            s -> s.equals(Optional.of(HookState.SUCCEEDED)));
    assertThat(record("vetoed", HookKind.ON_FAILURE).orElseThrow().attempt()).isEqualTo(1);
    assertThat(env.clusterA.list("apps/v1", "Deployment")).as("the action did not run").isEmpty();
  }

  private Optional<HookRecord> record(String name, HookKind kind) {
    return new HookRecords(store)
        .find(NS, name, HookAction.DEPLOY, kind)
        .map(HookRecords.Versioned::record);
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void badHooksAreRejectedWhenTheApplicationIsCreatedNamingTheFieldAndNothingIsStored() {
    String bad =
        """
        lifecycle:
          post_start:
            exec: {command: [x]}
            sleep: {seconds: 1}
            timeout: -5
          pre_stop: {}
        execution_hooks:
          deploy:
            preHook: {blueprint: namespace-hooks, actionName: nope}
            onSuccess:
              action: {phases: [{func: NoSuchFunction, name: p, args: {}}]}
          delete:
            preHook:
              action: {phases: [{func: HttpCall, name: call, args: {url: "http://x/{{ .Options.missing }}"}}]}
          migrate:
            preHook: {blueprint: unknown-blueprint, actionName: x}
        """;

    assertThatThrownBy(() -> create("bad", worker("bad", ""), bad))
        .isInstanceOf(InvalidResourceException.class)
        .satisfies(
            e ->
                assertThat(((InvalidResourceException) e).errors())
                    .extracting(FieldError::field)
                    .contains(
                        "spec.lifecycle.post_start",
                        "spec.lifecycle.post_start.timeout",
                        "spec.lifecycle.pre_stop",
                        "spec.execution_hooks.deploy.preHook.actionName",
                        "spec.execution_hooks.migrate.preHook.blueprint")
                    .anyMatch(f -> f.startsWith("spec.execution_hooks.deploy.onSuccess.action"))
                    .anyMatch(f -> f.startsWith("spec.execution_hooks.delete.preHook.action")));
    assertThat(env.krake.applications().get(NS, "bad")).isEmpty();

    // a year: structure errors of execution_hooks are reported before its references are checked
    assertThatThrownBy(
            () ->
                create(
                    "bad",
                    worker("bad", ""),
                    """
                    execution_hooks:
                      delete:
                        onSuccess: {blueprint: namespace-hooks, actionName: podsReady, timeout: 31536000}
                    """))
        .isInstanceOf(InvalidResourceException.class)
        .satisfies(
            e ->
                assertThat(((InvalidResourceException) e).errors())
                    .extracting(FieldError::field)
                    .containsExactly("spec.execution_hooks.delete.onSuccess.timeout"));
    assertThat(env.krake.applications().get(NS, "bad")).isEmpty();
  }
}
