package cloud.krake.scheduler.internal;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.Metadata;
import cloud.krake.model.ResourceRef;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The changes a binding makes to an application, as Krake's {@code PUT .../binding}: {@code
 * status.scheduled_to = cluster}, {@code status.scheduled = now}, {@code
 * status.kube_controller_triggered = now}, and the cluster appended to {@code metadata.owners} if
 * absent; the state is unchanged. Pure functions; the caller writes the result (status and
 * metadata) with compare-and-set.
 */
public final class Binding {
  private Binding() {}

  /**
   * Binds the application to a cluster.
   *
   * @param app the application
   * @param cluster the cluster to bind to
   * @param now the current time
   * @return the bound application, or {@code app} itself (same instance) when it is already bound
   *     to {@code cluster}: re-binding to the same cluster changes nothing
   */
  public static Application bind(Application app, ResourceRef cluster, Instant now) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(now, "now");
    ApplicationStatus status = app.status();
    if (status.scheduledTo().filter(c -> Placement.sameCluster(c, cluster)).isPresent()) {
      return app;
    }
    ApplicationStatus bound =
        status
            .withScheduledTo(Optional.of(cluster))
            .withScheduled(Optional.of(now))
            .withKubeControllerTriggered(Optional.of(now));
    Metadata metadata = app.metadata();
    if (metadata.owners().stream().noneMatch(o -> Placement.sameCluster(o, cluster))) {
      List<ResourceRef> owners = new ArrayList<>(metadata.owners());
      owners.add(cluster);
      metadata = metadata.withOwners(owners);
    }
    return app.withMetadata(metadata).withStatus(bound);
  }

  /**
   * For a kept binding: sets {@code kube_controller_triggered = now} when the application was
   * modified after it was last triggered ({@code metadata.modified > kube_controller_triggered}),
   * so that the controller processes the update, as Krake's scheduler does on re-scheduling to the
   * same cluster.
   *
   * @param app the application
   * @param now the current time
   * @return the application with the new trigger time, or {@code app} itself when nothing changes
   */
  public static Application triggerIfModified(Application app, Instant now) {
    Objects.requireNonNull(app, "app");
    Objects.requireNonNull(now, "now");
    Optional<Instant> modified = app.metadata().modified();
    Optional<Instant> triggered = app.status().kubeControllerTriggered();
    boolean stale =
        modified.isPresent() && (triggered.isEmpty() || modified.get().isAfter(triggered.get()));
    if (!stale) {
      return app;
    }
    return app.withStatus(app.status().withKubeControllerTriggered(Optional.of(now)));
  }
}
