package cloud.krake.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HookDispatcherTest {

  private static final Application APP =
      KrakeJson.read(
          """
          metadata: {name: echo, namespace: ns}
          spec:
            manifest: [{apiVersion: v1, kind: Pod, metadata: {name: echo}}]
            constraints: {cluster: {}}
          """,
          Application.class);

  private static HookContext mangling() {
    return HookContext.of(DispatcherHookPoint.APPLICATION_MANGLING, APP, Optional.empty());
  }

  private static HookHandler label(String key) {
    return ctx -> {
      Application app = ctx.requireApplication();
      Map<String, String> labels = new java.util.HashMap<>(app.metadata().labels());
      labels.put(key, Integer.toString(labels.size()));
      return ctx.withApplication(app.withMetadata(app.metadata().withLabels(labels)));
    };
  }

  @Test
  void runsHandlersInRegistrationOrderEachOnThePreviousResult() {
    List<String> calls = new ArrayList<>();
    HookDispatcher dispatcher =
        HookDispatcher.builder()
            .register(
                DispatcherHookPoint.APPLICATION_MANGLING,
                "complete",
                ctx -> {
                  calls.add("complete");
                  return label("first").handle(ctx);
                })
            .register(
                DispatcherHookPoint.APPLICATION_MANGLING,
                "shutdown",
                ctx -> {
                  calls.add("shutdown");
                  return label("second").handle(ctx);
                })
            .build();

    HookContext result = dispatcher.dispatch(mangling());

    assertThat(calls).containsExactly("complete", "shutdown");
    assertThat(result.requireApplication().metadata().labels())
        .containsEntry("first", "0")
        .containsEntry("second", "1");
    assertThat(dispatcher.handlers(DispatcherHookPoint.APPLICATION_MANGLING))
        .containsExactly("complete", "shutdown");
    assertThat(dispatcher.handlers(DispatcherHookPoint.CLUSTER_CREATION)).isEmpty();
  }

  @Test
  void aFailingHandlerIsNamedAndStopsTheHandlersAfterIt() {
    List<String> calls = new ArrayList<>();
    HookDispatcher dispatcher =
        HookDispatcher.builder()
            .register(
                DispatcherHookPoint.APPLICATION_PRE_DELETE,
                "audit",
                ctx -> {
                  throw new java.io.IOException("audit log unreachable");
                })
            .register(
                DispatcherHookPoint.APPLICATION_PRE_DELETE,
                "after",
                ctx -> {
                  calls.add("after");
                  return ctx;
                })
            .build();

    assertThatThrownBy(
            () ->
                dispatcher.dispatch(
                    HookContext.of(
                        DispatcherHookPoint.APPLICATION_PRE_DELETE, APP, Optional.empty())))
        .isInstanceOfSatisfying(
            HookException.class,
            e -> {
              assertThat(e.hook()).isEqualTo("audit");
              assertThat(e.getMessage())
                  .contains("APPLICATION_PRE_DELETE", "audit log unreachable");
              assertThat(e.getCause()).isInstanceOf(java.io.IOException.class);
            });
    assertThat(calls).isEmpty();
  }

  @Test
  void aHandlerMayNotChangeTheApplicationWhereThePointForbidsIt() {
    HookDispatcher dispatcher =
        HookDispatcher.builder()
            .register(DispatcherHookPoint.APPLICATION_PRE_RECONCILE, "meddler", label("x"))
            .build();

    assertThatThrownBy(
            () ->
                dispatcher.dispatch(
                    HookContext.of(
                        DispatcherHookPoint.APPLICATION_PRE_RECONCILE, APP, Optional.empty())))
        .isInstanceOfSatisfying(
            HookException.class,
            e -> {
              assertThat(e.hook()).isEqualTo("meddler");
              assertThat(e.getMessage()).contains("allows no change");
            });
  }

  @Test
  void aHandlerReturningNothingIsAFailure() {
    HookDispatcher dispatcher =
        HookDispatcher.builder()
            .register(DispatcherHookPoint.APPLICATION_MANGLING, "lost", ctx -> null)
            .build();

    assertThatThrownBy(() -> dispatcher.dispatch(mangling()))
        .isInstanceOfSatisfying(HookException.class, e -> assertThat(e.hook()).isEqualTo("lost"));
  }

  @Test
  void rejectsDuplicateAndEmptyHandlerNames() {
    HookDispatcher.Builder builder =
        HookDispatcher.builder()
            .register(DispatcherHookPoint.APPLICATION_MANGLING, "complete", ctx -> ctx);

    assertThatThrownBy(
            () ->
                builder.register(DispatcherHookPoint.APPLICATION_MANGLING, "complete", ctx -> ctx))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("complete");
    assertThatThrownBy(
            () -> builder.register(DispatcherHookPoint.APPLICATION_MANGLING, " ", ctx -> ctx))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aBuiltDispatcherIsNotChangedByLaterRegistrations() {
    HookDispatcher.Builder builder = HookDispatcher.builder();
    HookDispatcher dispatcher = builder.build();

    builder.register(DispatcherHookPoint.APPLICATION_MANGLING, "late", label("late"));

    assertThat(dispatcher.dispatch(mangling())).isEqualTo(mangling());
    assertThat(HookDispatcher.NONE.dispatch(mangling())).isEqualTo(mangling());
  }

  @Test
  void theContextDoesNotShareItsResourceTree() {
    com.fasterxml.jackson.databind.node.ObjectNode resource =
        KrakeJson.toObjectNode(java.util.Map.of("kind", "Pod"));
    HookContext context =
        new HookContext(
            DispatcherHookPoint.RESOURCE_PRE_CREATE,
            Optional.of(APP),
            Optional.empty(),
            Optional.of(resource),
            Optional.empty());

    resource.put("kind", "Changed");
    context.resource().orElseThrow().put("kind", "AlsoChanged");

    assertThat(context.resource().orElseThrow().get("kind").asText()).isEqualTo("Pod");
  }

  /** A failing handler then a recording one at {@code point}; dispatches and returns the calls. */
  private static List<String> dispatchFailingThenRecording(
      DispatcherHookPoint point, HookContext context) {
    List<String> calls = new ArrayList<>();
    HookDispatcher dispatcher =
        HookDispatcher.builder()
            .register(
                point,
                "failing",
                ctx -> {
                  calls.add("failing");
                  throw new IllegalStateException("boom");
                })
            .register(
                point,
                "after",
                ctx -> {
                  calls.add("after");
                  return ctx;
                })
            .build();
    try {
      HookContext result = dispatcher.dispatch(context);
      assertThat(result).as("the context after a logged failure").isEqualTo(context);
      calls.add("returned");
    } catch (HookException e) {
      assertThat(e.point()).contains(point);
      assertThat(e.retried()).isEqualTo(point.failurePolicy() == HookFailurePolicy.RETRY);
      calls.add("threw");
    }
    return calls;
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(DispatcherHookPoint.class)
  void theDispatcherAppliesLogItselfAndThrowsForAbortAndRetryNamingThePoint(
      DispatcherHookPoint point) {
    HookContext context =
        point.name().startsWith("CLUSTER_")
            ? HookContext.of(
                point,
                KrakeJson.read(
                    "metadata: {name: de, namespace: ns}\nspec: {kubeconfig: {}}",
                    cloud.krake.model.Cluster.class))
            : HookContext.of(point, APP, Optional.empty());

    List<String> calls = dispatchFailingThenRecording(point, context);

    if (point.failurePolicy() == HookFailurePolicy.LOG) {
      assertThat(calls).containsExactly("failing", "after", "returned");
    } else {
      assertThat(calls).containsExactly("failing", "threw");
    }
  }
}
