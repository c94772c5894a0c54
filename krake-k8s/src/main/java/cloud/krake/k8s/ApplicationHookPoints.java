package cloud.krake.k8s;

import cloud.krake.action.ActionChain;
import cloud.krake.action.ActionInterceptor;
import cloud.krake.action.ActionOutcome;
import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.dispatcher.HookContext;
import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.function.Function;

/**
 * The dispatcher's hook points around the application controller's work (Krake's {@code
 * HookDispatcher}): as an interceptor, {@code ApplicationPreMigrate} / {@code
 * ApplicationPostMigrate} around a migration (with the target cluster) and {@code
 * ApplicationPreDelete} / {@code ApplicationPostDelete} around a deletion (with the cluster it ran
 * on); the application a Pre point's handlers return goes down the chain, the Post point is
 * dispatched with the application the chain ended with, once it went through. Also the dispatch of
 * the points the reconcile pass and the apply reach directly: {@code ApplicationPreReconcile} /
 * {@code ApplicationPostReconcile}, {@code ApplicationMangling} and the per-resource points.
 *
 * <p>A point without handlers costs nothing. Thread-safe.
 */
final class ApplicationHookPoints implements ActionInterceptor {

  private final HookDispatcher hooks;
  private final Function<ResourceRef, Optional<Cluster>> clusters;

  ApplicationHookPoints(HookDispatcher hooks, Function<ResourceRef, Optional<Cluster>> clusters) {
    this.hooks = hooks;
    this.clusters = clusters;
  }

  @Override
  public ActionOutcome intercept(ActionChain chain) {
    DispatcherHookPoint pre;
    DispatcherHookPoint post;
    Cluster cluster;
    switch (chain.action()) {
      case MIGRATE -> {
        pre = DispatcherHookPoint.APPLICATION_PRE_MIGRATE;
        post = DispatcherHookPoint.APPLICATION_POST_MIGRATE;
        cluster = chain.application().status().scheduledTo().flatMap(clusters).orElse(null);
      }
      case DELETE -> {
        pre = DispatcherHookPoint.APPLICATION_PRE_DELETE;
        post = DispatcherHookPoint.APPLICATION_POST_DELETE;
        cluster = chain.cluster().orElse(null);
      }
      default -> {
        return chain.proceed();
      }
    }
    ActionOutcome outcome = chain.proceed(dispatch(pre, chain.application(), cluster));
    if (outcome.proceeds()) {
      dispatch(post, outcome.application().orElse(chain.application()), cluster);
    }
    return outcome;
  }

  /** Dispatches an application point; returns the application its handlers returned. */
  Application dispatch(DispatcherHookPoint point, Application app, Cluster cluster) {
    if (hooks.handlers(point).isEmpty()) {
      return app;
    }
    return hooks
        .dispatch(HookContext.of(point, app, Optional.ofNullable(cluster)))
        .application()
        .orElse(app);
  }

  /** Dispatches {@code ApplicationMangling}: its handlers must return the application. */
  Application mangling(Application app, Cluster cluster) {
    return hooks
        .dispatch(
            HookContext.of(DispatcherHookPoint.APPLICATION_MANGLING, app, Optional.of(cluster)))
        .requireApplication();
  }

  /** Dispatches a per-resource point; returns the application its handlers returned. */
  Application dispatchResource(
      DispatcherHookPoint point,
      Application app,
      Cluster cluster,
      ObjectNode resource,
      Optional<ObjectNode> response) {
    if (hooks.handlers(point).isEmpty()) {
      return app;
    }
    return hooks
        .dispatch(
            new HookContext(
                point,
                Optional.of(app),
                Optional.ofNullable(cluster),
                Optional.of(resource),
                response))
        .application()
        .orElse(app);
  }

  @Override
  public String toString() {
    return "ApplicationHookPoints";
  }
}
