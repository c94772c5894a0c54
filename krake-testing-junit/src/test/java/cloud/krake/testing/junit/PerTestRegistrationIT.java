package cloud.krake.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.Krake;
import cloud.krake.model.ClusterState;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An instance field: every test gets its own fixture, closed after it. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerTestRegistrationIT {

  private static final AtomicReference<Krake> first = new AtomicReference<>();

  @RegisterExtension
  final KrakeTestExtension fixture =
      KrakeTestExtension.builder().cluster("edge", Map.of("tier", "edge")).kubelet(false).build();

  private Krake injectedBeforeEach;

  @BeforeEach
  void injectedIntoBeforeEach(Krake krake) {
    injectedBeforeEach = krake;
  }

  @Test
  @Order(1)
  void firstTestGetsAStartedKrakeWithItsClusterOnline(Krake krake, KrakeTestExtension injected) {
    first.set(krake);

    assertThat(injected).isSameAs(fixture);
    assertThat(krake).isSameAs(fixture.krake()).isSameAs(injectedBeforeEach);
    assertThat(fixture.awaitCluster("edge", ClusterState.ONLINE).metadata().labels())
        .containsEntry("tier", "edge");
    assertThat(fixture.hookEndpoint().getScheme()).isEqualTo("https");
    assertThat(fixture.hookEndpoint().getPort()).isPositive();
    fixture.createApplication(
        "left-over", "{kind: ConfigMap, apiVersion: v1, metadata: {name: x}}");
  }

  @Test
  @Order(2)
  void secondTestGetsANewFixtureAndTheFirstOneIsClosed(Krake krake) {
    assertThat(krake).isNotSameAs(first.get());
    assertThatThrownBy(() -> first.get().start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(fixture.krake().applications().get(fixture.namespace(), "left-over")).isEmpty();
  }

  @Test
  @Order(3)
  void manualTimeIsRefusedWhenTheFixtureRunsOnRealTime() {
    assertThatThrownBy(fixture::timer).hasMessageContaining("manualTime()");
    assertThatThrownBy(() -> fixture.kubelet("edge")).hasMessageContaining("kubelet(false)");
  }
}
