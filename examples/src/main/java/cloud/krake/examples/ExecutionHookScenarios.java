package cloud.krake.examples;

import cloud.krake.hooks.execution.HookAction;
import cloud.krake.hooks.execution.HookKind;
import cloud.krake.hooks.execution.HookRecord;
import cloud.krake.hooks.execution.HookRecords;
import cloud.krake.hooks.execution.HookState;
import cloud.krake.k8s.ClusterClient;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The quickstart's scenarios of the Kanister/K10-style execution hooks: {@code inventory} (a
 * preHook's artifact reaching onSuccess, K10's Wait and {@code kubectl patch} KubeTask) and {@code
 * vetoed} (a failing preHook, onFailure once). Each method returns once its scenario reached its
 * expected end and throws the reason otherwise.
 */
final class ExecutionHookScenarios extends QuickstartHost {

  ExecutionHookScenarios(QuickstartHost host) {
    super(host);
  }

  /**
   * Execution hooks with Kasten K10's rules: a preHook whose output artifact reaches onSuccess, and
   * K10's two documented examples in the onSuccess action (blueprint {@code k10-examples}): Wait
   * until the StatefulSet's pods are ready, KubeTask removing the namespace's label.
   */
  void executionHooks() throws Exception {
    ClusterClient de = clients.get("de");
    String namespace = de.defaultNamespace();
    ObjectNode ns = namespaceObject(de, namespace);
    metadataLabels(ns).put("migrate", "true");
    de.apply(ns);
    timeline.say("inventory", "-", "namespace " + namespace + " on de labelled migrate=true");
    ObjectNode secret = JsonNodeFactory.instance.objectNode();
    secret.put("apiVersion", "v1").put("kind", "Secret");
    secret.putObject("metadata").put("name", "task-kubeconfig").put("namespace", namespace);
    secret
        .putObject("data")
        .put("config", java.util.Base64.getEncoder().encodeToString(kubeconfigOf("de")));
    de.apply(secret);
    create(
        "inventory",
        manifest("inventory", "inventory.yaml"),
        "[]",
        PINNED_TO_DE
            + spec(
                """

              execution_hooks:
                deploy:
                  preHook:
                    action:
                      phases:
                      - func: KubeTask
                        name: snapshot
                        args:
                          image: busybox
                          command: [/bin/sh, -c, 'echo "###Phase-output###: {\\\"key\\\": \\\"id\\\", \\\"value\\\": \\\"snap-$(date +%H%M%S)\\\"}"']
                      outputArtifacts:
                        snapshot:
                          keyValue: {id: "{{ .Phases.snapshot.Output.id }}"}
                  onSuccess: {blueprint: k10-examples, actionName: afterDeploy}"""));
    awaitState("inventory", ApplicationState.RUNNING);
    HookRecord preHook = finalRecord("inventory", HookKind.PRE_HOOK);
    HookRecord onSuccess = finalRecord("inventory", HookKind.ON_SUCCESS);
    say(preHook);
    say(onSuccess);
    String id = preHook.artifacts().get("snapshot").keyValue().get("id");
    check(preHook.state() == HookState.SUCCEEDED, "preHook " + preHook);
    check(onSuccess.state() == HookState.SUCCEEDED, "onSuccess " + onSuccess);
    String reported = onSuccess.outputs().getOrDefault("report", Map.of()).get("snapshot");
    check(id.equals(reported), "onSuccess got snapshot " + reported + ", the preHook made " + id);
    timeline.say(
        "inventory", "-", "the preHook's artifact snapshot.id=" + id + " reached onSuccess");
    List<ObjectNode> pods = pods(de, "inventory");
    check(
        pods.size() == 2 && pods.stream().allMatch(QuickstartHost::ready),
        "onSuccess's Wait held but not both pods are ready");
    timeline.say("inventory", "-", "Wait held: both pods of StatefulSet/inventory ready");
    boolean labelled = metadataLabels(namespaceObject(de, namespace)).has("migrate");
    if (kubectl) {
      check(!labelled, "the KubeTask did not remove the label migrate");
      timeline.say(
          "inventory", "-", "namespace " + namespace + ": label migrate removed by kubectl patch");
    } else {
      timeline.say("inventory", "-", "no kubectl on this machine: the label removal was skipped");
    }
    krake.applications().delete(NS, "inventory");
    krake.awaitApplicationGone(NS, "inventory", TIMEOUT);
    awaitNothingLeft("inventory");
    de.delete(secret);
    forgetHookRecords("inventory");
  }

  /** A failing action: the preHook vetoes the deploy, which fails; onFailure runs exactly once. */
  void failingAction() throws Exception {
    create(
        "vetoed",
        manifest("vetoed", "inventory.yaml"),
        "[]",
        PINNED_TO_DE
            + spec(
                """

              execution_hooks:
                deploy:
                  preHook:
                    action: {phases: [{func: KubeTask, name: quota, args: {image: busybox, command: [/bin/sh, -c, 'echo "no quota left for a third inventory"; exit 1']}}]}
                    retry: {attempts: 2, backoff: {initial: 1, max: 1}}
                  onFailure:
                    action: {phases: [{func: KubeTask, name: alert, args: {image: busybox, command: [/bin/sh, -c, 'echo "###Phase-output###: {\\\"key\\\": \\\"paged\\\", \\\"value\\\": \\\"on-call\\\"}"']}}]}"""));
    Application failed = awaitState("vetoed", ApplicationState.FAILED);
    timeline.say(
        "vetoed",
        "FAILED",
        "reason: "
            + failed.status().reason().map(r -> ApplicationTable.oneLine(r.message())).orElse("-"));
    HookRecord preHook = finalRecord("vetoed", HookKind.PRE_HOOK);
    HookRecord onFailure = finalRecord("vetoed", HookKind.ON_FAILURE);
    say(preHook);
    say(onFailure);
    check(preHook.state() == HookState.FAILED, "preHook " + preHook);
    check(
        onFailure.state() == HookState.SUCCEEDED && onFailure.attempt() == 1,
        "onFailure did not run exactly once: " + onFailure);
    check(
        clients.get("de").list("apps/v1", "StatefulSet", Optional.empty()).stream()
            .noneMatch(o -> o.at("/metadata/name").asText().equals("inventory")),
        "the vetoed deploy was applied anyway");
    timeline.say("vetoed", "-", "nothing applied; onFailure ran once (attempt 1)");
    krake.applications().delete(NS, "vetoed");
    krake.awaitApplicationGone(NS, "vetoed", TIMEOUT);
    until("vetoed: its removal not seen by the store's watch", () -> table.removed("vetoed"));
    check(
        finalRecord("vetoed", HookKind.ON_FAILURE).attempt() == 1,
        "onFailure ran again on deletion");
    forgetHookRecords("vetoed");
  }

  /** The deploy action's hook record, once no further attempt will be made. */
  private HookRecord finalRecord(String app, HookKind kind) {
    HookRecords records = new HookRecords(store);
    until(
        app + ": no final " + kind + " record",
        () ->
            records
                .find(NS, app, HookAction.DEPLOY, kind)
                .map(v -> v.record().isFinal())
                .orElse(false));
    return records.find(NS, app, HookAction.DEPLOY, kind).orElseThrow().record();
  }

  private void say(HookRecord record) {
    String what =
        "deploy "
            + record.hook()
            + " "
            + record.state()
            + " (attempt "
            + record.attempt()
            + ", "
            + record.handler()
            + ")";
    if (!record.artifacts().isEmpty()) {
      what += ", output artifacts " + record.artifacts();
    }
    if (!record.outputs().isEmpty()) {
      what += ", phase outputs " + record.outputs();
    }
    if (record.error().isPresent()) {
      what += ": " + ApplicationTable.oneLine(record.error().get());
    }
    timeline.say(record.application(), "[exec hook]", what);
  }
}
