package cloud.krake.hooks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HookTargetTest {

  private final List<JsonNode> manifest =
      KrakeJson.readAll(
          """
          apiVersion: v1
          kind: Service
          metadata: {name: echo}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: echo}
          spec:
            template:
              spec:
                containers: [{name: echo, image: e}, {name: side, image: s}]
          ---
          apiVersion: batch/v1
          kind: CronJob
          metadata: {name: report}
          spec: {jobTemplate: {spec: {template: {spec: {containers: [{name: r, image: r}]}}}}}
          """,
          JsonNode.class);

  @Test
  void defaultsToTheFirstWorkloadsFirstContainer() {
    assertThat(HookTarget.resolve(Optional.empty(), manifest))
        .contains(new HookTarget("Deployment", "echo", Optional.of("echo")));
  }

  @Test
  void resolvesADeclaredWorkloadAndContainer() {
    assertThat(
            HookTarget.resolve(
                Optional.of(new HookTarget("Deployment", "echo", Optional.of("side"))), manifest))
        .contains(new HookTarget("Deployment", "echo", Optional.of("side")));
    assertThat(
            HookTarget.resolve(
                Optional.of(new HookTarget("CronJob", "report", Optional.empty())), manifest))
        .contains(new HookTarget("CronJob", "report", Optional.of("r")));
  }

  @Test
  void findsNothingForAMissingWorkloadOrContainer() {
    assertThat(
            HookTarget.resolve(
                Optional.of(new HookTarget("Deployment", "echo", Optional.of("nope"))), manifest))
        .isEmpty();
    assertThat(
            HookTarget.resolve(
                Optional.of(new HookTarget("StatefulSet", "echo", Optional.empty())), manifest))
        .isEmpty();
    assertThat(HookTarget.resolve(Optional.empty(), manifest.subList(0, 1))).isEmpty();
  }

  @Test
  void skipsACustomResourceNamedLikeAWorkload() {
    List<JsonNode> withCustom =
        KrakeJson.readAll(
            """
            apiVersion: example.com/v1
            kind: Deployment
            metadata: {name: lookalike}
            spec: {template: {spec: {containers: [{name: fake, image: f}]}}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo}
            spec: {template: {spec: {containers: [{name: echo, image: e}]}}}
            """,
            JsonNode.class);

    assertThat(HookTarget.resolve(Optional.empty(), withCustom))
        .contains(new HookTarget("Deployment", "echo", Optional.of("echo")));
  }
}
