package cloud.krake.k8s;

import cloud.krake.action.ActionChain;
import cloud.krake.action.ActionOutcome;
import cloud.krake.k8s.internal.ClusterObjects;
import cloud.krake.k8s.internal.ObservedManifests;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import cloud.krake.runtime.ResourceKey;
import cloud.krake.store.Applications;
import cloud.krake.store.Clusters;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the application controller removes from clusters, and its bookkeeping of where an
 * application may hold objects ({@code metadata.owners}, {@code running_on}): every resource of an
 * application deleted from the cluster it ran on (the end of a deletion, the first half of a
 * migration), and what an interrupted apply may have left on a cluster among the owners.
 * Thread-safe.
 */
final class ClusterCleanup {

  private static final Logger log = LoggerFactory.getLogger(ApplicationController.class);

  private final Applications applications;
  private final Clusters clusters;
  private final ClusterConnector connector;
  private final ClusterObjects<ResourceKey> objects;
  private final ApplicationHookPoints points;

  ClusterCleanup(
      Applications applications,
      Clusters clusters,
      ClusterConnector connector,
      ClusterObjects<ResourceKey> objects,
      ApplicationHookPoints points) {
    this.applications = applications;
    this.clusters = clusters;
    this.connector = connector;
    this.objects = objects;
    this.points = points;
  }

  /** The cluster a reference names, if it exists. */
  Optional<Cluster> cluster(ResourceRef ref) {
    return clusters.get(ref.namespace().orElse(""), ref.name());
  }

  /**
   * Deletes every resource of the application from a cluster, drops the cluster from the owners and
   * clears {@code running_on}, {@code last_observed_manifest} and {@code services}.
   */
  Application deleteEverything(ResourceKey key, Application app, ResourceRef from) {
    Application current = deleteResources(key, app, from);
    objects.forget(key);
    List<ResourceRef> owners = new ArrayList<>(current.metadata().owners());
    owners.remove(from);
    return applications.writeByController(
        current
            .withMetadata(current.metadata().withOwners(owners))
            .withStatus(
                current
                    .status()
                    .withRunningOn(Optional.empty())
                    .withLastObservedManifest(List.of())
                    .withServices(Map.of())));
  }

  /**
   * Deletes every resource of the application ({@code last_applied_manifest} and {@code
   * last_observed_manifest}) from a cluster, between the resource hook points, writing nothing.
   *
   * @return the application as the hook points leave it
   */
  Application deleteResources(ResourceKey key, Application app, ResourceRef from) {
    Optional<Cluster> cluster = cluster(from);
    Application current = app;
    if (cluster.isPresent()) {
      ClusterClient client = connector.connect(cluster.get());
      List<ObjectNode> all = new ArrayList<>(app.status().lastAppliedManifest());
      for (ObjectNode observed : app.status().lastObservedManifest()) {
        if (ObservedManifests.find(all, observed).isEmpty()) {
          all.add(observed);
        }
      }
      AppliedResources deleting =
          new AppliedResources(app.status(), new LinkedHashMap<>(), client, points);
      for (ObjectNode resource : all) {
        deleting.delete(app, cluster.get(), resource);
      }
      current = deleting.app == null ? app : deleting.app;
    } else {
      log.warn(
          "application {}: cluster {} is gone; its resources there cannot be deleted",
          key,
          from.name());
    }
    return current;
  }

  /**
   * The clusters that may hold objects of the application although they are neither where it runs
   * nor where it is scheduled: an apply there was interrupted (by a deletion, a new binding or a
   * crash) before it could record {@code running_on}.
   */
  static List<ResourceRef> abandoned(Application app, ResourceRef target) {
    List<ResourceRef> abandoned = new ArrayList<>();
    for (ResourceRef owner : ownerClusters(app)) {
      if (!sameCluster(owner, target)
          && app.status().runningOn().filter(r -> sameCluster(r, owner)).isEmpty()) {
        abandoned.add(owner);
      }
    }
    return abandoned;
  }

  /**
   * The application's owners that are Kubernetes clusters: every cluster it has been bound to (the
   * scheduler's binding adds it) and not yet cleaned up, hence every cluster where an apply may
   * have created objects (the controller records its target there before it applies).
   */
  static List<ResourceRef> ownerClusters(Application app) {
    return app.metadata().owners().stream()
        .filter(o -> o.api().equals(Cluster.API) && o.kind().equals(Cluster.KIND))
        .toList();
  }

  /**
   * Deletes whatever the application may have created on each of the clusters, without hooks (its
   * workload never recorded as running there, no shutdown service is known for it), and drops them
   * from the owners. A cluster that no longer exists is dropped with a warning; an unreachable one
   * throws, and the cleanup is retried.
   */
  Application cleanUp(ResourceKey key, Application app, List<ResourceRef> clusters) {
    List<ObjectNode> resources = new ArrayList<>(app.status().lastAppliedManifest());
    for (List<ObjectNode> more :
        List.of(app.spec().manifest(), app.status().lastObservedManifest())) {
      for (ObjectNode resource : more) {
        if (ObservedManifests.find(resources, resource).isEmpty()) {
          resources.add(resource);
        }
      }
    }
    List<ResourceRef> owners = new ArrayList<>(app.metadata().owners());
    for (ResourceRef ref : clusters) {
      Optional<Cluster> cluster = cluster(ref);
      if (cluster.isPresent()) {
        log.info(
            "application {}: deleting what an interrupted apply may have left on cluster {}",
            key,
            ref.name());
        ClusterClient client = connector.connect(cluster.get());
        for (ObjectNode resource : resources) {
          client.delete(resource);
        }
      } else {
        log.warn(
            "application {}: cluster {} is gone; what it may hold cannot be deleted",
            key,
            ref.name());
      }
      owners.removeIf(o -> sameCluster(o, ref));
    }
    return applications.writeByController(app.withMetadata(app.metadata().withOwners(owners)));
  }

  // ------------------------------------------------------------------ steps of migrate and delete

  /** MIGRATING, with the finalizer, before anything is deleted from the old cluster. */
  ActionOutcome migrating(ActionChain chain) {
    Application app = chain.application();
    log.info(
        "application {}: migrating from {} to {}",
        ResourceKey.of(app),
        app.status().runningOn().map(ResourceRef::name).orElse(""),
        app.status().scheduledTo().map(ResourceRef::name).orElse(""));
    return chain.proceed(
        applications.writeByController(
            withFinalizer(app).withStatus(app.status().withState(ApplicationState.MIGRATING))));
  }

  /**
   * DELETING before anything is deleted; once the resources are gone, what interrupted applies left
   * on other clusters among the owners, then {@value ApplicationController#RESOURCES_FINALIZER}
   * dropped.
   */
  ActionOutcome deleting(ActionChain chain) {
    Application app = chain.application();
    ResourceKey key = ResourceKey.of(app);
    Application written =
        applications.writeByController(
            app.withStatus(app.status().withState(ApplicationState.DELETING)));
    log.info("application {}: DELETING", key);
    ActionOutcome outcome = chain.proceed(written);
    if (!outcome.proceeds()) {
      return outcome;
    }
    written = outcome.application().orElse(written);
    List<ResourceRef> mayHoldObjects = ownerClusters(written);
    if (!mayHoldObjects.isEmpty()) {
      written = cleanUp(key, written, mayHoldObjects);
    }
    objects.forget(key);
    List<String> remaining = new ArrayList<>(written.metadata().finalizers());
    remaining.remove(ApplicationController.RESOURCES_FINALIZER);
    Application removed =
        applications.writeByController(
            written.withMetadata(written.metadata().withFinalizers(remaining)));
    log.info(
        "application {}: resources deleted{}",
        key,
        remaining.isEmpty() ? ", removed" : ", waiting for finalizers " + remaining);
    return ActionOutcome.proceed(removed);
  }

  /** The end of a deletion's chain: every resource deleted from {@code running_on}, if any. */
  ActionOutcome deleteFromRunningOn(ActionChain chain) {
    Application written = chain.application();
    if (written.status().runningOn().isPresent()) {
      written =
          deleteEverything(ResourceKey.of(written), written, written.status().runningOn().get());
    }
    return ActionOutcome.proceed(written);
  }

  /** Records the cluster among the owners, where deletion and migration look for objects. */
  static Application withOwner(Application app, ResourceRef cluster) {
    List<ResourceRef> owners = app.metadata().owners();
    if (owners.stream().anyMatch(o -> sameCluster(o, cluster))) {
      return app;
    }
    List<ResourceRef> next = new ArrayList<>(owners);
    next.add(cluster);
    return app.withMetadata(app.metadata().withOwners(next));
  }

  static boolean sameCluster(ResourceRef a, ResourceRef b) {
    return a.name().equals(b.name())
        && a.namespace().equals(b.namespace())
        && a.kind().equals(b.kind());
  }

  /** Adds {@value ApplicationController#RESOURCES_FINALIZER} if it is missing. */
  static Application withFinalizer(Application app) {
    List<String> finalizers = app.metadata().finalizers();
    if (finalizers.contains(ApplicationController.RESOURCES_FINALIZER)) {
      return app;
    }
    List<String> next = new ArrayList<>(finalizers);
    next.add(ApplicationController.RESOURCES_FINALIZER);
    return app.withMetadata(app.metadata().withFinalizers(next));
  }

  static boolean scheduledTo(Application app, ResourceRef cluster) {
    return app.status().scheduledTo().filter(t -> sameCluster(t, cluster)).isPresent();
  }

  static boolean recorded(Application app, ResourceRef cluster) {
    return ownerClusters(app).stream().anyMatch(o -> sameCluster(o, cluster))
        || app.status().runningOn().filter(r -> sameCluster(r, cluster)).isPresent();
  }
}
