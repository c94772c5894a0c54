package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.hooks.execution.Blueprint;
import cloud.krake.model.FieldError;
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
}
