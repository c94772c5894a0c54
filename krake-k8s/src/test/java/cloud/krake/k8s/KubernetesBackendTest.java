package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.hooks.execution.Blueprint;
import cloud.krake.hooks.execution.FunctionContext;
import cloud.krake.hooks.execution.HookFunction;
import cloud.krake.hooks.execution.PhaseOutput;
import cloud.krake.model.Application;
import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import org.junit.jupiter.api.Test;

/**
 * {@link KubernetesBackend.Builder#build()} reports configuration errors as {@code Krake.builder()}
 * does: one {@link InvalidConfigurationException} naming every problem.
 */
class KubernetesBackendTest {

  private static Blueprint blueprint(String name) {
    return Blueprint.parse(
        """
        apiVersion: cr.kanister.io/v1alpha1
        kind: Blueprint
        metadata: {name: %s}
        actions:
          backup:
            phases:
            - func: KubeTask
              name: dump
              args: {image: busybox, command: [sh, -c, "true"]}
        """
            .formatted(name));
  }

  @Test
  void buildWithoutAConnectorIsTheSameConfigurationErrorAsKrakesWithoutAStore() {
    assertThatThrownBy(() -> KubernetesBackend.builder().build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("connector");
    assertThatThrownBy(() -> Krake.builder().build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("store");
  }

  @Test
  void buildNamesEveryProblemAtOnce() {
    assertThatThrownBy(
            () ->
                KubernetesBackend.builder()
                    .blueprints(blueprint("backup"), blueprint("backup"))
                    .build())
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("connector", "blueprints"))
        .hasMessageContaining("two blueprints are named backup");
  }

  private static HookFunction function(String name) {
    return new HookFunction() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public PhaseOutput execute(FunctionContext context) {
        return PhaseOutput.none();
      }
    };
  }

  @Test
  void buildRejectsAnExecutionHookFunctionNamedAsABuiltInOrAsAnother() {
    assertThatThrownBy(
            () ->
                KubernetesBackend.builder()
                    .connector(KubeconfigClusterConnector.builder().build())
                    .executionHookFunction(function("KubeTask"))
                    .executionHookFunction(function("Flush"))
                    .executionHookFunction(function("Flush"))
                    .build())
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field, FieldError::message)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                            "executionHookFunctions", "the function KubeTask is a built-in"),
                        org.assertj.core.groups.Tuple.tuple(
                            "executionHookFunctions", "two functions are named Flush")));
  }

  private static Application app(String func) {
    return KrakeJson.read(
        """
        metadata: {name: job, namespace: tenant}
        spec:
          manifest: [{apiVersion: v1, kind: ConfigMap, metadata: {name: job}}]
          constraints: {cluster: {}}
          execution_hooks:
            deploy:
              preHook:
                action: {phases: [{func: %s, name: flush}]}
        """
            .formatted(func),
        Application.class);
  }

  @Test
  void anApplicationMayNameARegisteredExecutionHookFunctionAndNoOther() {
    try (MemoryStore store = MemoryStore.create();
        Krake krake =
            Krake.builder()
                .store(store)
                .extension(
                    KubernetesBackend.builder()
                        .connector(KubeconfigClusterConnector.builder().build())
                        .executionHookFunction(function("Flush"))
                        .build())
                .build()) {

      assertThat(krake.applications().create(app("Flush")).metadata().name()).isEqualTo("job");
      assertThatThrownBy(() -> krake.applications().create(app("Flsh")))
          .isInstanceOf(InvalidResourceException.class)
          .hasMessageContaining("spec.execution_hooks.deploy.preHook.action.phases[0].func");
    }
  }
}
