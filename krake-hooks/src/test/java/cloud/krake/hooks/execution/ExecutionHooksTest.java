package cloud.krake.hooks.execution;

import static cloud.krake.hooks.execution.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.store.memory.MemoryStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An application's {@code execution_hooks}: the shape, and every kind of bad input rejected with
 * its field named, before anything is stored.
 */
class ExecutionHooksTest {

  private static final String FIELD = "spec.execution_hooks";

  private final HookRunner runner =
      HookRunner.builder()
          .engine(ExecutionEngine.builder().build())
          .records(new HookRecords(MemoryStore.create()))
          .blueprints(Blueprints.of(Blueprint.parse(BlueprintTest.MYSQL)))
          .build();

  private List<String> errors(String yaml) {
    try {
      runner.validate(json(yaml), FIELD);
      return List.of();
    } catch (InvalidResourceException e) {
      return e.errors().stream().map(FieldError::toString).toList();
    }
  }

  @Test
  void readsHooksWithDefaultsAndRoundTrips() {
    ExecutionHooks hooks =
        runner.validate(
            json(
                """
                deploy:
                  preHook: {blueprint: mysql-hooks, actionName: quiesce, timeout: 600,
                            retry: {attempts: 5, backoff: {initial: 2, max: 30}}}
                  onSuccess: {blueprint: mysql-hooks, actionName: unquiesce}
                  onFailure:
                    action:
                      phases: [{func: HttpCall, name: alert, args: {url: "http://alerts/{{ .Application.Name }}"}}]
                """),
            FIELD);

    ActionHooks deploy = hooks.forAction(HookAction.DEPLOY);
    assertThat(deploy.preHook().orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(600));
    assertThat(deploy.preHook().orElseThrow().retry())
        .isEqualTo(new RetryPolicy(5, Duration.ofSeconds(2), Duration.ofSeconds(30)));
    assertThat(deploy.onSuccess().orElseThrow().retry()).isEqualTo(RetryPolicy.DEFAULT);
    assertThat(deploy.onSuccess().orElseThrow().timeout()).isEqualTo(HookRef.DEFAULT_TIMEOUT);
    assertThat(deploy.onFailure().orElseThrow().retry()).isEqualTo(RetryPolicy.NONE);
    assertThat(hooks.forAction(HookAction.DELETE)).isEqualTo(ActionHooks.NONE);
    assertThat(ExecutionHooks.fromJson(hooks.toJson(), FIELD)).isEqualTo(hooks);
  }

  @Test
  void rejectsAHookWithoutAHandler() {
    assertThat(errors("deploy: {preHook: {timeout: 10}}"))
        .containsExactly(
            FIELD
                + ".deploy.preHook: has no handler: give blueprint and actionName, or an inline"
                + " action");
  }

  @Test
  void rejectsAHookWithTwoHandlers() {
    assertThat(
            errors(
                """
                deploy:
                  preHook:
                    blueprint: mysql-hooks
                    actionName: quiesce
                    action: {phases: [{func: HttpCall, name: a, args: {url: "http://x"}}]}
                """))
        .containsExactly(
            FIELD
                + ".deploy.preHook: has two handlers (blueprint/actionName and action); give"
                + " exactly one");
  }

  @Test
  void rejectsNegativeZeroAndAbsurdTimeouts() {
    assertThat(
            errors(
                """
                deploy:
                  preHook: {blueprint: mysql-hooks, actionName: quiesce, timeout: -5}
                  onSuccess: {blueprint: mysql-hooks, actionName: unquiesce, timeout: 90000}
                update:
                  preHook: {blueprint: mysql-hooks, actionName: quiesce, timeout: 0}
                  onSuccess: {blueprint: mysql-hooks, actionName: unquiesce, timeout: "10m"}
                """))
        .containsExactly(
            FIELD + ".deploy.preHook.timeout: must not be negative",
            FIELD + ".deploy.onSuccess.timeout: must be at most 86400 seconds (24 h)",
            FIELD + ".update.preHook.timeout: must be at least 1",
            FIELD + ".update.onSuccess.timeout: must be an integer number of seconds");
  }

  @Test
  void rejectsRetriesOfOnFailureAndBadBackoff() {
    assertThat(
            errors(
                """
                delete:
                  preHook: {blueprint: mysql-hooks, actionName: quiesce,
                            retry: {attempts: 0}}
                  onSuccess: {blueprint: mysql-hooks, actionName: quiesce,
                              retry: {attempts: 2, backoff: {initial: 60, max: 10}}}
                  onFailure: {blueprint: mysql-hooks, actionName: unquiesce, retry: {attempts: 3}}
                """))
        .containsExactly(
            FIELD + ".delete.preHook.retry.attempts: must be an integer from 1 to 100",
            FIELD + ".delete.onSuccess.retry.backoff.max: must be at least backoff.initial",
            FIELD
                + ".delete.onFailure.retry.attempts: onFailure is never retried (Kasten K10);"
                + " remove retry");
  }

  @Test
  void rejectsUnknownActionsHooksAndFields() {
    assertThat(
            errors(
                """
                deploy:
                  prehook: {blueprint: mysql-hooks, actionName: quiesce}
                  onSuccess: {blueprint: mysql-hooks, action_name: unquiesce}
                scale: {}
                """))
        .containsExactly(
            FIELD + ".deploy.prehook: unknown hook; expected preHook, onSuccess or onFailure",
            FIELD
                + ".deploy.onSuccess.action_name: unknown field; expected blueprint, actionName,"
                + " action, options, timeout or retry",
            FIELD + ".deploy.onSuccess.actionName: is required with blueprint",
            FIELD + ".scale: unknown action; expected deploy, update, migrate or delete");
  }

  @Test
  void rejectsAnUnknownBlueprintAndAnActionThatDoesNotExist() {
    assertThat(
            errors(
                """
                deploy:
                  preHook: {blueprint: postgres-hooks, actionName: quiesce}
                  onSuccess: {blueprint: mysql-hooks, actionName: frezee}
                """))
        .containsExactly(
            FIELD
                + ".deploy.preHook.blueprint: unknown blueprint \"postgres-hooks\"; registered:"
                + " [mysql-hooks]",
            FIELD
                + ".deploy.onSuccess.actionName: blueprint \"mysql-hooks\" has no action"
                + " \"frezee\"; its actions: [quiesce, unquiesce]");
  }

  @Test
  void rejectsAnUnknownFunctionInAnInlineAction() {
    assertThat(
            errors(
                """
                migrate:
                  preHook:
                    action: {phases: [{func: KubeTsk, name: one}]}
                """))
        .singleElement()
        .asString()
        .startsWith(FIELD + ".migrate.preHook.action.phases[0].func: unknown function \"KubeTsk\"");
  }

  @Test
  void rejectsOptionsTheHookDoesNotProvide() {
    assertThat(
            errors(
                """
                deploy:
                  preHook:
                    options: {bucket: b}
                    action:
                      phases:
                        - func: HttpCall
                          name: one
                          args: {url: "http://x/{{ .Options.bucket }}/{{ .Options.region }}"}
                """))
        .containsExactly(
            FIELD
                + ".deploy.preHook.action.phases[0].args.url: template references"
                + " .Options.region, which is not provided: no option \"region\" is given");
  }

  @Test
  void rejectsInputArtifactsThePreHookDoesNotProduce() {
    assertThat(
            errors(
                """
                deploy:
                  preHook: {blueprint: mysql-hooks, actionName: quiesce}
                  onSuccess:
                    action:
                      phases:
                        - func: HttpCall
                          name: ok
                          args: {url: "http://x/{{ .ArtifactsIn.snapshot.KeyValue.id }}"}
                  onFailure:
                    action:
                      phases:
                        - func: HttpCall
                          name: bad
                          args: {url: "http://x/{{ .ArtifactsIn.snapshot.KeyValue.path }}"}
                update:
                  preHook:
                    action:
                      phases:
                        - func: HttpCall
                          name: early
                          args: {url: "http://x/{{ .ArtifactsIn.snapshot.KeyValue.id }}"}
                """))
        .containsExactly(
            FIELD
                + ".deploy.onFailure.action.phases[0].args.url: template references"
                + " .ArtifactsIn.snapshot.KeyValue.path, which is not provided: input artifact"
                + " \"snapshot\" has no key \"path\"",
            FIELD
                + ".update.preHook.action.phases[0].args.url: template references"
                + " .ArtifactsIn.snapshot.KeyValue.id, which is not provided: no input artifact"
                + " \"snapshot\" (only a preHook's outputArtifacts reach onSuccess and onFailure)");
  }

  @Test
  void namesTheBlueprintWhenItsActionDoesNotFitTheHook() {
    Blueprint needsOption =
        Blueprint.parse(
            """
            name: notify
            actions:
              send:
                phases: [{func: HttpCall, name: post, args: {url: "http://{{ .Options.host }}/"}}]
            """);
    HookRunner r =
        HookRunner.builder()
            .engine(ExecutionEngine.builder().build())
            .records(new HookRecords(MemoryStore.create()))
            .blueprints(Blueprints.of(needsOption))
            .build();

    assertThatThrownBy(
            () ->
                r.validate(
                    json("delete: {onSuccess: {blueprint: notify, actionName: send}}"), FIELD))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly(
                        FIELD
                            + ".delete.onSuccess (blueprint notify).actions.send.phases[0].args.url"));
  }

  @Test
  void refusesToBuildARunnerWithABlueprintOfUnknownFunctions() {
    Blueprint bad = Blueprint.parse("name: bad\nactions: {a: {phases: [{func: Nope, name: x}]}}");

    assertThatThrownBy(
            () ->
                HookRunner.builder()
                    .engine(ExecutionEngine.builder().build())
                    .records(new HookRecords(MemoryStore.create()))
                    .blueprints(Blueprints.of(bad))
                    .build())
        .hasMessageContaining("blueprints[bad].actions.a.phases[0].func")
        .hasMessageContaining("unknown function \"Nope\"");
  }
}
