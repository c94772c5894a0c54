package cloud.krake.testing.junit;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.model.ApplicationState;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A static field: the tests of the class share one fixture. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerClassRegistrationIT {

  @RegisterExtension
  static final KrakeTestExtension fixture =
      KrakeTestExtension.builder().cluster("only").kubelet(false).build();

  private static final AtomicReference<Krake> beforeAll = new AtomicReference<>();

  @BeforeAll
  static void injectedIntoBeforeAll(Krake krake) {
    beforeAll.set(krake);
  }

  @Test
  @Order(1)
  void firstTestSeesTheInstanceStartedBeforeAll(Krake krake) {
    assertThat(krake).isSameAs(beforeAll.get()).isSameAs(fixture.krake());

    fixture.createApplication(
        "shared", "{kind: ConfigMap, apiVersion: v1, metadata: {name: shared}}");
    fixture.awaitState("shared", ApplicationState.RUNNING);
  }

  @Test
  @Order(2)
  void secondTestSharesTheStoreAndTheClusters(Krake krake) {
    assertThat(krake).isSameAs(beforeAll.get());
    assertThat(fixture.krake().applications().get(fixture.namespace(), "shared")).isPresent();
    assertThat(fixture.cluster("only").get("v1", "ConfigMap", "default", "shared")).isPresent();
  }
}
