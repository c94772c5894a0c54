package cloud.krake.hooks.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LifecycleHooksTest {

  private static JsonNode yaml(String text) {
    return KrakeJson.read(text, JsonNode.class);
  }

  private static List<String> errors(String yaml) {
    return LifecycleHooks.validate(yaml(yaml), "spec.lifecycle", 30).stream()
        .map(FieldError::toString)
        .toList();
  }

  @Test
  void parsesEveryHandlerKindWithTargetAndTimeout() {
    LifecycleHooks hooks =
        LifecycleHooks.parse(
            yaml(
                """
                post_start:
                  exec: {command: [/bin/sh, -c, "echo hi"]}
                  target: {kind: Deployment, name: echo, container: side}
                  timeout: 60
                pre_stop:
                  http_get:
                    scheme: https
                    host: 10.0.0.7
                    port: 8443
                    path: /drain?now=1
                    headers: [{name: Authorization, value: "Bearer s3cr3t"}]
                    strict: true
                """));

    LifecycleHandler postStart = hooks.postStart().orElseThrow();
    assertThat(postStart.action())
        .isEqualTo(new LifecycleHandler.Exec(List.of("/bin/sh", "-c", "echo hi")));
    assertThat(postStart.target())
        .contains(new HookTarget("Deployment", "echo", Optional.of("side")));
    assertThat(postStart.timeout()).isEqualTo(Duration.ofSeconds(60));
    LifecycleHandler.HttpGet http =
        (LifecycleHandler.HttpGet) hooks.preStop().orElseThrow().action();
    assertThat(http.scheme()).isEqualTo(LifecycleHandler.Scheme.HTTPS);
    assertThat(http.host()).contains("10.0.0.7");
    assertThat(http.port()).isEqualTo(8443);
    assertThat(http.path()).isEqualTo("/drain?now=1");
    assertThat(http.strict()).isTrue();
    assertThat(http.headers())
        .containsExactly(new LifecycleHandler.HttpHeader("Authorization", "Bearer s3cr3t"));
    assertThat(hooks.toString()).doesNotContain("s3cr3t");
  }

  @Test
  void appliesTheDefaults() {
    LifecycleHooks hooks =
        LifecycleHooks.parse(
            yaml("post_start: {http_get: {port: 80}}\npre_stop: {sleep: {seconds: 5}}"));

    LifecycleHandler postStart = hooks.postStart().orElseThrow();
    assertThat(postStart.action())
        .isEqualTo(
            new LifecycleHandler.HttpGet(
                LifecycleHandler.Scheme.HTTP, Optional.empty(), 80, "/", List.of(), false));
    assertThat(postStart.target()).isEmpty();
    assertThat(postStart.timeout()).isEqualTo(LifecycleHandler.DEFAULT_POST_START_TIMEOUT);
    assertThat(hooks.preStop().orElseThrow().action()).isEqualTo(new LifecycleHandler.Sleep(5));
  }

  @Test
  void treatsAMissingLifecycleAsNoHooks() {
    assertThat(LifecycleHooks.parse(null)).isEqualTo(LifecycleHooks.NONE);
    assertThat(LifecycleHooks.parse(yaml("{}"))).isEqualTo(LifecycleHooks.NONE);
  }

  @Test
  void roundTripsThroughJson() {
    LifecycleHooks hooks =
        LifecycleHooks.parse(
            yaml(
                """
                post_start: {sleep: {seconds: 3}, target: {kind: StatefulSet, name: db}, timeout: 9}
                pre_stop: {http_get: {scheme: HTTPS, port: 1, headers: [{name: X-A, value: b}]}}
                """));

    assertThat(LifecycleHooks.parse(hooks.toJson())).isEqualTo(hooks);
  }

  @Test
  void rejectsAHookWithoutHandler() {
    assertThat(errors("post_start: {target: {kind: Deployment, name: echo}}"))
        .containsExactly(
            "spec.lifecycle.post_start: exactly one of exec, http_get, sleep is required");
  }

  @Test
  void rejectsAHookWithTwoHandlers() {
    assertThat(errors("pre_stop: {exec: {command: [drain]}, sleep: {seconds: 1}}"))
        .containsExactly(
            "spec.lifecycle.pre_stop: exactly one of exec, http_get, sleep is allowed, found [exec,"
                + " sleep]");
  }

  @Test
  void rejectsTcpSocketAsTheKubeletDeprecatesIt() {
    assertThat(errors("pre_stop: {tcp_socket: {port: 80}}"))
        .anySatisfy(
            e -> assertThat(e).startsWith("spec.lifecycle.pre_stop.tcp_socket: is not supported"))
        .anySatisfy(e -> assertThat(e).startsWith("spec.lifecycle.pre_stop: exactly one of"));
  }

  @Test
  void rejectsNegativeAndAbsurdNumbers() {
    assertThat(
            errors(
                """
                post_start: {http_get: {port: 70000}, timeout: -1}
                pre_stop: {sleep: {seconds: -3}}
                """))
        .containsExactlyInAnyOrder(
            "spec.lifecycle.post_start.http_get.port: must be a port number between 1 and 65535"
                + " (named ports are not supported)",
            "spec.lifecycle.post_start.timeout: must be a whole number of seconds between 1 and 3600",
            "spec.lifecycle.pre_stop.sleep.seconds: must be a whole number of seconds, 0 or more");
    assertThat(errors("post_start: {exec: {command: [x]}, timeout: 86400}"))
        .containsExactly(
            "spec.lifecycle.post_start.timeout: must be a whole number of seconds between 1 and 3600");
  }

  @Test
  void rejectsASleepLongerThanTheGracePeriod() {
    assertThat(
            LifecycleHooks.validate(yaml("pre_stop: {sleep: {seconds: 31}}"), "spec.lifecycle", 30))
        .containsExactly(
            new FieldError(
                "spec.lifecycle.pre_stop.sleep.seconds",
                "must not exceed the termination grace period of 30 s, as the kubelet's"));
    assertThat(
            LifecycleHooks.validate(yaml("pre_stop: {sleep: {seconds: 0}}"), "spec.lifecycle", 30))
        .isEmpty();
  }

  @Test
  void rejectsATimeoutOnPreStopBecauseTheGracePeriodBoundsIt() {
    assertThat(errors("pre_stop: {exec: {command: [x]}, timeout: 10}"))
        .containsExactly(
            "spec.lifecycle.pre_stop.timeout: is not allowed: the termination grace period bounds"
                + " pre_stop, as the kubelet's");
  }

  @Test
  void namesEveryBadFieldOfHandlersAndTargets() {
    assertThat(
            errors(
                """
                post_start:
                  exec: {command: []}
                  target: {kind: Deployment, container: ""}
                pre_stop:
                  http_get: {scheme: FTP, port: 80, path: drain, strict: "yes",
                             headers: [{name: "bad header", value: "v"}], method: POST}
                on_crash: {}
                """))
        .containsExactlyInAnyOrder(
            "spec.lifecycle.post_start.exec.command: must be a non-empty list of strings",
            "spec.lifecycle.post_start.target.name: is required, a non-blank string",
            "spec.lifecycle.post_start.target.container: must be a non-blank string",
            "spec.lifecycle.pre_stop.http_get.method: unknown field",
            "spec.lifecycle.pre_stop.http_get.scheme: must be HTTP or HTTPS",
            "spec.lifecycle.pre_stop.http_get.path: must be a string starting with /",
            "spec.lifecycle.pre_stop.http_get.strict: must be true or false",
            "spec.lifecycle.pre_stop.http_get.headers[0].name: must be an HTTP header name",
            "spec.lifecycle.on_crash: unknown field; expected post_start or pre_stop");
  }

  @Test
  void throwsOneExceptionWithEveryErrorAndNoHeaderValue() {
    assertThatThrownBy(
            () ->
                LifecycleHooks.parse(
                    yaml(
                        "post_start: {}\n"
                            + "pre_stop: {http_get: {port: 0, headers: [{name: A, value: \"s3cr3t\\n\"}]}}")))
        .isInstanceOf(InvalidResourceException.class)
        .satisfies(
            e -> {
              InvalidResourceException invalid = (InvalidResourceException) e;
              assertThat(invalid.errors())
                  .extracting(FieldError::field)
                  .containsExactlyInAnyOrder(
                      "spec.lifecycle.post_start",
                      "spec.lifecycle.pre_stop.http_get.port",
                      "spec.lifecycle.pre_stop.http_get.headers[0].value");
              assertThat(invalid.getMessage()).doesNotContain("s3cr3t");
            });
  }
}
