package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.execution.PodRunner;
import cloud.krake.model.Cluster;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The task pod KubernetesPodRunner creates, without a cluster. */
class KubernetesPodRunnerTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void buildsKanistersTaskPodWithTheOverrideMergedAsAStrategicMergePatch() {
    ObjectNode override =
        Manifests.yaml(
            """
            serviceAccountName: hooks
            securityContext: {runAsNonRoot: true, runAsUser: 1000}
            containers:
            - name: container
              env: [{name: A, value: "1"}]
            - name: sidecar
              image: busybox
            tolerations: [{key: dedicated, operator: Exists}]
            """);
    PodRunner.PodTask task =
        new PodRunner.PodTask(
            Cluster.ref("tenant", "c"),
            "db",
            "alpine",
            List.of("sh", "-c", "true"),
            override,
            NOW.plusSeconds(30));

    ObjectNode pod = KubernetesPodRunner.pod(task, "krake-task-abc", NOW);

    assertThat(pod.path("metadata").path("namespace").asText()).isEqualTo("db");
    assertThat(pod.path("metadata").path("labels").path(KubernetesPodRunner.TASK_LABEL).asText())
        .isEqualTo("true");
    ObjectNode spec = (ObjectNode) pod.path("spec");
    assertThat(spec.path("restartPolicy").asText()).isEqualTo("Never");
    assertThat(spec.path("activeDeadlineSeconds").asLong()).isEqualTo(31);
    assertThat(spec.path("serviceAccountName").asText()).isEqualTo("hooks");
    assertThat(spec.path("securityContext").toString())
        .isEqualTo("{\"runAsNonRoot\":true,\"runAsUser\":1000}");
    assertThat(spec.path("containers")).hasSize(2);
    assertThat(spec.path("containers").get(0).toString())
        .isEqualTo(
            "{\"name\":\"container\",\"image\":\"alpine\",\"imagePullPolicy\":\"IfNotPresent\","
                + "\"command\":[\"sh\",\"-c\",\"true\"],\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}");
    assertThat(spec.path("containers").get(1).path("name").asText()).isEqualTo("sidecar");
    assertThat(spec.path("tolerations")).hasSize(1);
  }

  @Test
  void removesFieldsTheOverrideSetsToNull() {
    ObjectNode override = Manifests.yaml("activeDeadlineSeconds: null\nrestartPolicy: OnFailure");
    PodRunner.PodTask task =
        new PodRunner.PodTask(
            Cluster.ref("tenant", "c"),
            "db",
            "alpine",
            List.of("true"),
            override,
            NOW.plusSeconds(5));

    ObjectNode spec = (ObjectNode) KubernetesPodRunner.pod(task, "p", NOW).path("spec");

    assertThat(spec.has("activeDeadlineSeconds")).isFalse();
    assertThat(spec.path("restartPolicy").asText()).isEqualTo("OnFailure");
  }
}
