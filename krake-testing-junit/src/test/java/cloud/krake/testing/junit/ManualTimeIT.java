package cloud.krake.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ReasonCode;
import cloud.krake.model.ResourceRef;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Krake's delays wait for the test to move time. */
class ManualTimeIT {

  private static final String CONFIG_MAP =
      "{kind: ConfigMap, apiVersion: v1, metadata: {name: settings}, data: {mode: fast}}";

  // tag::manual-time[]
  @RegisterExtension
  final KrakeTestExtension krake =
      KrakeTestExtension.builder()
          .cluster("a", Map.of("location", "a"))
          .kubelet(false)
          .manualTime()
          .build();

  @Test
  void aSchedulingRetryWaitsUntilManualTimeReachesIt() {
    krake.createApplication("settings", CONFIG_MAP, "location is b");
    Application degraded = krake.awaitState("settings", ApplicationState.DEGRADED);
    assertThat(degraded.status().reason())
        .hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(ReasonCode.NO_SUITABLE_RESOURCE));
    Instant retry = degraded.status().scheduledRetry().orElseThrow();

    // A cluster now fits, but the scheduler keeps to the retry time, which is on Krake's clock.
    krake
        .krake()
        .clusters()
        .modify(
            krake.namespace(),
            "a",
            c -> c.withMetadata(c.metadata().withLabels(Map.of("location", "b"))));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> state("settings") == ApplicationState.DEGRADED);

    int ran = krake.advance(Duration.between(krake.clock().instant(), retry).plusSeconds(1));

    assertThat(ran).isPositive();
    assertThat(krake.clock().instant()).isAfter(retry);
    Application running = krake.awaitState("settings", ApplicationState.RUNNING);
    assertThat(running.status().runningOn()).map(ResourceRef::name).contains("a");
    assertThat(krake.cluster("a").get("v1", "ConfigMap", "default", "settings")).isPresent();
  }

  // end::manual-time[]

  private ApplicationState state(String name) {
    return krake.krake().applications().require(krake.namespace(), name).status().state();
  }
}
