package cloud.krake.scheduler.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BindingTest {
  static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  final Cluster a = PlacementTest.cluster("a");
  final Cluster b = PlacementTest.cluster("b");

  @Test
  void setsScheduledToScheduledTriggerAndOwnerOnAFirstBinding() {
    Application bound = Binding.bind(PlacementTest.app(), ResourceRef.to(a), NOW);

    assertThat(bound.status().scheduledTo()).contains(ResourceRef.to(a));
    assertThat(bound.status().scheduled()).contains(NOW);
    assertThat(bound.status().kubeControllerTriggered()).contains(NOW);
    assertThat(bound.status().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(bound.metadata().owners()).containsExactly(ResourceRef.to(a));
  }

  @Test
  void changesNothingWhenReboundToTheSameCluster() {
    Application bound = Binding.bind(PlacementTest.app(), ResourceRef.to(a), NOW);

    assertThat(Binding.bind(bound, ResourceRef.to(a), NOW.plusSeconds(120))).isSameAs(bound);
  }

  @Test
  void movesTheBindingAndAppendsTheNewOwnerOnMigration() {
    Application bound = Binding.bind(PlacementTest.app(), ResourceRef.to(a), NOW);

    Application moved = Binding.bind(bound, ResourceRef.to(b), NOW.plusSeconds(120));

    assertThat(moved.status().scheduledTo()).contains(ResourceRef.to(b));
    assertThat(moved.status().scheduled()).contains(NOW.plusSeconds(120));
    assertThat(moved.metadata().owners()).containsExactly(ResourceRef.to(a), ResourceRef.to(b));
  }

  @Test
  void doesNotDuplicateAnExistingOwner() {
    Application app = PlacementTest.app();
    app = app.withMetadata(app.metadata().withOwners(java.util.List.of(ResourceRef.to(a))));

    assertThat(Binding.bind(app, ResourceRef.to(a), NOW).metadata().owners())
        .containsExactly(ResourceRef.to(a));
  }

  @Test
  void triggersTheControllerOnlyWhenModifiedAfterTheLastTrigger() {
    Application bound = Binding.bind(PlacementTest.app(), ResourceRef.to(a), NOW);
    Application edited =
        bound.withMetadata(bound.metadata().withModified(Optional.of(NOW.plusSeconds(5))));

    assertThat(Binding.triggerIfModified(bound, NOW.plusSeconds(10))).isSameAs(bound);
    assertThat(
            Binding.triggerIfModified(edited, NOW.plusSeconds(10))
                .status()
                .kubeControllerTriggered())
        .contains(NOW.plusSeconds(10));
  }
}
