package cloud.krake.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.action.internal.InterceptorChain;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ClusterConstraints;
import cloud.krake.model.Constraints;
import cloud.krake.model.Metadata;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.runtime.ReconcileResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ActionChainTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  private static Application app(String name) {
    return Application.of(
        Metadata.of("ns", name),
        ApplicationSpec.of(List.of(), Constraints.of(ClusterConstraints.NONE)));
  }

  private static ActionOutcome run(List<ActionInterceptor> interceptors, List<String> calls) {
    return InterceptorChain.run(
        interceptors,
        KrakeAction.DEPLOY,
        app("a"),
        Optional.empty(),
        "uid/deploy",
        chain -> {
          calls.add("end:" + chain.application().metadata().name());
          return ActionOutcome.proceed();
        });
  }

  @Test
  void runsInterceptorsInOrderAroundTheEnd() {
    List<String> calls = new ArrayList<>();
    ActionInterceptor outer =
        chain -> {
          calls.add("outer>");
          ActionOutcome o = chain.proceed(app("b"));
          calls.add("<outer");
          return o;
        };
    ActionInterceptor inner =
        chain -> {
          calls.add("inner:" + chain.application().metadata().name() + ":" + chain.operation());
          return chain.proceed();
        };

    ActionOutcome outcome = run(List.of(outer, inner), calls);

    assertThat(outcome.proceeds()).isTrue();
    assertThat(calls).containsExactly("outer>", "inner:b:uid/deploy", "end:b", "<outer");
  }

  @Test
  void anInterceptorThatDoesNotProceedStopsTheChain() {
    List<String> calls = new ArrayList<>();
    Instant later = CLOCK.instant().plusSeconds(30);

    ActionOutcome outcome = run(List.of(chain -> ActionOutcome.waitUntil(later)), calls);

    assertThat(outcome.kind()).isEqualTo(ActionOutcome.Kind.WAIT_UNTIL);
    assertThat(calls).isEmpty();
    assertThat(outcome.toReconcileResult(CLOCK))
        .isEqualTo(ReconcileResult.requeueAfter(Duration.ofSeconds(30)));
  }

  @Test
  void proceedingTwiceIsRejected() {
    assertThatThrownBy(
            () ->
                run(
                    List.of(
                        chain -> {
                          chain.proceed();
                          return chain.proceed();
                        }),
                    new ArrayList<>()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("proceed() twice");
  }

  @Test
  void aNullOutcomeIsRejected() {
    assertThatThrownBy(() -> run(List.of(chain -> null), new ArrayList<>()))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("returned null");
  }

  @Test
  void mapsEveryOutcomeToOneReconcileResult() {
    assertThat(ActionOutcome.proceed().toReconcileResult(CLOCK)).isEqualTo(ReconcileResult.done());
    assertThat(ActionOutcome.waitForEvent().toReconcileResult(CLOCK))
        .isEqualTo(ReconcileResult.done());
    assertThat(ActionOutcome.waitUntil(CLOCK.instant().minusSeconds(5)).toReconcileResult(CLOCK))
        .isEqualTo(ReconcileResult.requeueAfter(Duration.ZERO));
    assertThat(ActionOutcome.waitFor(Duration.ofSeconds(2), CLOCK).toReconcileResult(CLOCK))
        .isEqualTo(ReconcileResult.requeueAfter(Duration.ofSeconds(2)));
    assertThat(
            ActionOutcome.fail(Reason.of(ReasonCode.INTERNAL_ERROR, "x")).toReconcileResult(CLOCK))
        .isEqualTo(ReconcileResult.done());
    assertThat(
            ActionOutcome.fail(Reason.of(ReasonCode.KUBERNETES_ERROR, "x"))
                .toReconcileResult(CLOCK))
        .isEqualTo(ReconcileResult.retryWithBackoff());
  }
}
