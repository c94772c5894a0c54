package cloud.krake.dispatcher;

import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link HookHandler} receives: the point, and the objects Krake passes as keyword arguments
 * there (see {@link DispatcherHookPoint} for which are present where). Immutable; a handler that
 * changes the application returns {@link #withApplication(Application)}.
 *
 * @param point where the hook runs
 * @param application the application concerned, if any
 * @param cluster the cluster concerned (the target cluster for mangling and migration), if any
 * @param resource the manifest resource concerned (Resource* points)
 * @param response the Kubernetes API server's answer (Resource*Post points)
 */
public record HookContext(
    DispatcherHookPoint point,
    Optional<Application> application,
    Optional<Cluster> cluster,
    Optional<ObjectNode> resource,
    Optional<ObjectNode> response) {

  /** Checks the components and deep-copies the JSON trees. */
  public HookContext {
    Objects.requireNonNull(point, "point");
    Objects.requireNonNull(application, "application");
    Objects.requireNonNull(cluster, "cluster");
    resource = Objects.requireNonNull(resource, "resource").map(ObjectNode::deepCopy);
    response = Objects.requireNonNull(response, "response").map(ObjectNode::deepCopy);
  }

  /**
   * Returns the context of an application-level point.
   *
   * @param point the point
   * @param application the application
   * @param cluster the cluster concerned, if any
   */
  public static HookContext of(
      DispatcherHookPoint point, Application application, Optional<Cluster> cluster) {
    return new HookContext(
        point, Optional.of(application), cluster, Optional.empty(), Optional.empty());
  }

  /**
   * Returns the context of a cluster-level point.
   *
   * @param point the point
   * @param cluster the cluster
   */
  public static HookContext of(DispatcherHookPoint point, Cluster cluster) {
    return new HookContext(
        point, Optional.empty(), Optional.of(cluster), Optional.empty(), Optional.empty());
  }

  /** Returns the resource as a copy (the record's own tree stays unchanged). */
  @Override
  public Optional<ObjectNode> resource() {
    return resource.map(ObjectNode::deepCopy);
  }

  /** Returns the response as a copy. */
  @Override
  public Optional<ObjectNode> response() {
    return response.map(ObjectNode::deepCopy);
  }

  /**
   * Returns the application, which the point must carry.
   *
   * @throws IllegalStateException if it carries none
   */
  public Application requireApplication() {
    return application.orElseThrow(
        () -> new IllegalStateException(point + " carries no application"));
  }

  /**
   * Returns a copy with a changed application.
   *
   * @param application the changed application
   */
  public HookContext withApplication(Application application) {
    return new HookContext(point, Optional.of(application), cluster, resource, response);
  }
}
