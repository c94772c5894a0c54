package cloud.krake.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Krake's observer rules for workload health, with the worst workload winning. */
class WorkloadHealthTest {

  private static ObjectNode json(String yaml) {
    return KrakeJson.read(yaml, ObjectNode.class);
  }

  private static ObjectNode deployment(int replicas, int ready) {
    return json(
        "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {replicas: %d}, status: {readyReplicas: %d}}"
            .formatted(replicas, ready));
  }

  private static ObjectNode job(int completions, int succeeded) {
    return json(
        "{apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {completions: %d}, status: {succeeded: %d}}"
            .formatted(completions, succeeded));
  }

  private static ObjectNode pod(String restartPolicy, String state) {
    return json(
        "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {restartPolicy: %s}, status: {phase: Running, containerStatuses: [{name: c, state: %s}]}}"
            .formatted(restartPolicy, state));
  }

  @Test
  void readyReplicasMakeRunningAndMissingOnesDegraded() {
    assertThat(WorkloadHealth.of(List.of(deployment(2, 2))).state())
        .isEqualTo(ApplicationState.RUNNING);
    assertThat(WorkloadHealth.of(List.of(deployment(2, 1))).state())
        .isEqualTo(ApplicationState.DEGRADED);
    assertThat(WorkloadHealth.of(List.of(deployment(2, 1))).containers().desiredPods())
        .isEqualTo(2);
  }

  @Test
  void aJobIsCompletedOnceEveryCompletionSucceeded() {
    assertThat(WorkloadHealth.of(List.of(job(1, 1))).state()).isEqualTo(ApplicationState.COMPLETED);
    assertThat(WorkloadHealth.of(List.of(job(2, 1))).state()).isEqualTo(ApplicationState.RUNNING);
  }

  @Test
  void aCompletedJobDoesNotHideADegradedDeployment() {
    assertThat(WorkloadHealth.of(List.of(job(1, 1), deployment(1, 0))).state())
        .isEqualTo(ApplicationState.DEGRADED);
    assertThat(WorkloadHealth.of(List.of(job(1, 1), deployment(1, 1))).state())
        .isEqualTo(ApplicationState.RUNNING);
  }

  @Test
  void podsFollowKrakesFirstContainerRule() {
    assertThat(WorkloadHealth.of(List.of(pod("Never", "{terminated: {exitCode: 0}}"))).state())
        .isEqualTo(ApplicationState.COMPLETED);
    assertThat(WorkloadHealth.of(List.of(pod("Always", "{terminated: {exitCode: 1}}"))).state())
        .isEqualTo(ApplicationState.RESTARTING);
    assertThat(
            WorkloadHealth.of(List.of(pod("Always", "{waiting: {reason: CrashLoopBackOff}}")))
                .state())
        .isEqualTo(ApplicationState.DEGRADED);
    assertThat(WorkloadHealth.of(List.of(pod("Always", "{running: {}}"))).state())
        .isEqualTo(ApplicationState.RUNNING);
  }

  @Test
  void objectsThatAreNotWorkloadsDoNotCount() {
    ObjectNode secret = json("{apiVersion: v1, kind: Secret, metadata: {name: s}}");

    assertThat(WorkloadHealth.of(List.of(secret)).state()).isEqualTo(ApplicationState.RUNNING);
  }

  @Test
  void aRolloutInProgressIsDegradedButStartingWhileAFailedDeploymentIsNot() {
    WorkloadHealth rollingOut = WorkloadHealth.of(List.of(deployment(2, 1)));
    assertThat(rollingOut.state()).isEqualTo(ApplicationState.DEGRADED);
    assertThat(rollingOut.starting()).isTrue();

    ObjectNode stuck = deployment(2, 1);
    ((ObjectNode) stuck.path("status"))
        .putArray("conditions")
        .addObject()
        .put("type", "Progressing")
        .put("status", "False")
        .put("reason", "ProgressDeadlineExceeded");
    assertThat(WorkloadHealth.of(List.of(stuck)).starting()).isFalse();
    assertThat(
            WorkloadHealth.of(
                    List.of(
                        deployment(1, 0), pod("Always", "{waiting: {reason: CrashLoopBackOff}}")))
                .starting())
        .isFalse();
  }

  @Test
  void aCustomResourceNamedLikeAWorkloadIsNotJudged() {
    ObjectNode custom =
        json(
            "{apiVersion: example.com/v1, kind: Deployment, metadata: {name: d},"
                + " spec: {replicas: 3}, status: {}}");

    assertThat(WorkloadHealth.of(List.of(deployment(1, 1), custom)).state())
        .isEqualTo(ApplicationState.RUNNING);
    assertThat(WorkloadHealth.of(List.of(deployment(1, 1), custom)).containers().desiredPods())
        .isEqualTo(1);
  }
}
