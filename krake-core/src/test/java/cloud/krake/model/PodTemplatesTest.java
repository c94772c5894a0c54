package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodTemplatesTest {

  private static ObjectNode resource(String apiVersion, String kind) {
    return KrakeJson.read(
        "{\"apiVersion\": \""
            + apiVersion
            + "\", \"kind\": \""
            + kind
            + "\", \"spec\": {\"template\": {\"spec\": {\"containers\": [{\"name\": \"t\"}]}},"
            + " \"jobTemplate\": {\"spec\": {\"template\": {\"spec\": {\"containers\":"
            + " [{\"name\": \"j\"}]}}}}, \"containers\": [{\"name\": \"p\"}]}}",
        ObjectNode.class);
  }

  @Test
  void findsThePodSpecOfEveryBuiltInWorkloadByKindAndGroup() {
    assertThat(PodTemplates.podSpecPath(resource("v1", "Pod"))).contains(List.of("spec"));
    for (String[] workload :
        new String[][] {
          {"v1", "ReplicationController"},
          {"apps/v1", "Deployment"},
          {"apps/v1", "StatefulSet"},
          {"apps/v1", "DaemonSet"},
          {"apps/v1", "ReplicaSet"},
          {"extensions/v1beta1", "Deployment"},
          {"extensions/v1beta1", "DaemonSet"},
          {"extensions/v1beta1", "ReplicaSet"},
          {"batch/v1", "Job"}
        }) {
      assertThat(PodTemplates.podSpecPath(resource(workload[0], workload[1])))
          .as(workload[0] + " " + workload[1])
          .contains(List.of("spec", "template", "spec"));
    }
    assertThat(PodTemplates.podSpec(resource("batch/v1", "CronJob")).path("containers").path(0))
        .isEqualTo(KrakeJson.read("{\"name\": \"j\"}", ObjectNode.class));
  }

  @Test
  void aKindOfAnotherGroupIsNoWorkload() {
    assertThat(PodTemplates.isWorkload(resource("example.com/v1", "Deployment"))).isFalse();
    assertThat(PodTemplates.isWorkload(resource("apps/v1", "Pod"))).isFalse();
    assertThat(PodTemplates.isWorkload(resource("extensions/v1beta1", "StatefulSet"))).isFalse();
    assertThat(PodTemplates.isWorkload(resource("v1", "Service"))).isFalse();
    assertThat(PodTemplates.podSpec(resource("example.com/v1", "Job")).isMissingNode()).isTrue();
  }

  @Test
  void thePodTemplateOfAPodIsThePodItself() {
    ObjectNode pod = resource("v1", "Pod");

    assertThat(PodTemplates.podTemplate(pod)).isSameAs(pod);
    assertThat(
            PodTemplates.podTemplate(resource("batch/v1", "CronJob"))
                .path("spec")
                .has("containers"))
        .isTrue();
  }
}
