package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.execution.Subject;
import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import org.junit.jupiter.api.Test;

/** The execution hooks' subject ({@code .Deployment}, {@code .StatefulSet}) of an application. */
class WorkloadHooksSubjectTest {

  @Test
  void theSubjectIsABuiltInWorkloadNotACustomResourceNamedLikeOne() {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: app, namespace: tenant}
            spec:
              manifest:
              - {apiVersion: example.com/v1, kind: Deployment, metadata: {name: lookalike}}
              - apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec: {template: {spec: {containers: [{name: web, image: w}]}}}
              constraints: {cluster: {}}
            """,
            Application.class);

    assertThat(WorkloadHooks.context(app, "c1", "tenant").subject())
        .contains(Subject.deployment("web"));
  }
}
