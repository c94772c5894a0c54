package cloud.krake.k8s;

import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.k8s.internal.ObservedManifests;
import cloud.krake.k8s.internal.ServiceEndpoints;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationStatus;
import cloud.krake.model.Cluster;
import cloud.krake.model.ObserverSchemas;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The inner chain of an apply or a deletion: each resource created, updated or deleted between its
 * {@code ResourcePre*} and {@code ResourcePost*} hook points (Krake's {@code _apply_manifest}), and
 * the status it leads to ({@code last_applied_manifest} filled from the answers, {@code
 * last_observed_manifest}, {@code services}). One instance per pass; not thread-safe.
 */
final class AppliedResources {

  /** The status as the resources so far leave it. */
  ApplicationStatus status;

  /** The application as the hook points last returned it; {@code null} before the first. */
  Application app;

  /** The server objects of the applied resources, by desired resource. */
  final Map<ObjectNode, ObjectNode> objects;

  private final ClusterClient client;
  private final ApplicationHookPoints points;

  AppliedResources(
      ApplicationStatus status,
      Map<ObjectNode, ObjectNode> objects,
      ClusterClient client,
      ApplicationHookPoints points) {
    this.status = status;
    this.objects = objects;
    this.client = client;
    this.points = points;
  }

  /** Creates (or updates) one resource by server-side apply, between its hook points. */
  void apply(Application written, Cluster cluster, ObjectNode resource, boolean create) {
    Application current = (app == null ? written : app).withStatus(status);
    current =
        points.dispatchResource(
            create
                ? DispatcherHookPoint.RESOURCE_PRE_CREATE
                : DispatcherHookPoint.RESOURCE_PRE_UPDATE,
            current,
            cluster,
            resource,
            Optional.empty());
    ObjectNode response = client.apply(resource);
    objects.put(resource, response);
    ApplicationStatus s = current.status();
    Optional<ObjectNode> schema = ObserverSchemas.find(s.mangledObserverSchema(), resource);
    if (schema.isPresent()) {
      List<ObjectNode> applied = new ArrayList<>(s.lastAppliedManifest());
      int i = indexOf(applied, resource);
      if (i >= 0) {
        applied.set(i, ObservedManifests.fill(schema.get(), applied.get(i), response));
      }
      List<ObjectNode> observed = new ArrayList<>(s.lastObservedManifest());
      ObjectNode projection = ObservedManifests.project(schema.get(), response);
      int j = indexOf(observed, resource);
      if (j >= 0) {
        observed.set(j, projection);
      } else {
        observed.add(projection);
      }
      s = s.withLastAppliedManifest(applied).withLastObservedManifest(observed);
    }
    s = s.withServices(services(s.services(), List.of(response), client.host()));
    current =
        points.dispatchResource(
            create
                ? DispatcherHookPoint.RESOURCE_POST_CREATE
                : DispatcherHookPoint.RESOURCE_POST_UPDATE,
            current.withStatus(s),
            cluster,
            resource,
            Optional.of(response));
    app = current;
    status = current.status();
  }

  /**
   * Records the {@code services} entries of every Service among {@link #objects}: those this pass
   * applied and those the cluster already had. A Service an earlier pass applied without recording
   * the answer (its host was killed, or lost its shard, before the final write) is not in this
   * pass's delta, yet its entry belongs in the status this pass writes (issue 17).
   */
  void registerServices() {
    status = status.withServices(services(status.services(), objects.values(), client.host()));
  }

  /** Deletes one resource (a 404 is "already gone"), between its hook points. */
  void delete(Application written, Cluster cluster, ObjectNode resource) {
    Application current = (app == null ? written : app).withStatus(status);
    current =
        points.dispatchResource(
            DispatcherHookPoint.RESOURCE_PRE_DELETE, current, cluster, resource, Optional.empty());
    client.delete(resource);
    ApplicationStatus s = current.status();
    List<ObjectNode> observed = new ArrayList<>(s.lastObservedManifest());
    int j = indexOf(observed, resource);
    if (j >= 0) {
      observed.remove(j);
    }
    s = s.withLastObservedManifest(observed);
    if (resource.path("kind").asText("").equals("Service")) {
      Map<String, String> services = new LinkedHashMap<>(s.services());
      services.remove(resource.path("metadata").path("name").asText());
      s = s.withServices(services);
    }
    current =
        points.dispatchResource(
            DispatcherHookPoint.RESOURCE_POST_DELETE,
            current.withStatus(s),
            cluster,
            resource,
            Optional.empty());
    app = current;
    status = current.status();
  }

  private static int indexOf(List<ObjectNode> resources, ObjectNode resource) {
    Optional<ObjectNode> found = ObservedManifests.find(resources, resource);
    return found.map(resources::indexOf).orElse(-1);
  }

  /** The {@code services} entries after the given server objects: Krake's register_service. */
  static Map<String, String> services(
      Map<String, String> before, Iterable<ObjectNode> objects, String host) {
    Map<String, String> services = new LinkedHashMap<>(before);
    for (ObjectNode o : objects) {
      if (o.path("kind").asText("").equals("Service")
          && o.path("apiVersion").asText("").equals("v1")) {
        String name = o.path("metadata").path("name").asText();
        Optional<String> endpoint = ServiceEndpoints.of(o, host);
        if (endpoint.isPresent()) {
          services.put(name, endpoint.get());
        } else {
          services.remove(name);
        }
      }
    }
    return services;
  }
}
