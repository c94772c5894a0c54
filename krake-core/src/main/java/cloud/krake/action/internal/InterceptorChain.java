package cloud.krake.action.internal;

import cloud.krake.action.ActionChain;
import cloud.krake.action.ActionInterceptor;
import cloud.krake.action.ActionOutcome;
import cloud.krake.action.KrakeAction;
import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The chain of an action: the interceptors in order, then the end of the chain that carries the
 * action out. Enforces the chain's rules: {@link #proceed} at most once per interceptor, never a
 * {@code null} outcome. Not API.
 */
public final class InterceptorChain implements ActionChain {

  private final List<ActionInterceptor> interceptors;
  private final int index;
  private final KrakeAction action;
  private final Application application;
  private final Optional<Cluster> cluster;
  private final String operation;
  private final Function<ActionChain, ActionOutcome> end;
  private boolean proceeded;

  private InterceptorChain(
      List<ActionInterceptor> interceptors,
      int index,
      KrakeAction action,
      Application application,
      Optional<Cluster> cluster,
      String operation,
      Function<ActionChain, ActionOutcome> end) {
    this.interceptors = interceptors;
    this.index = index;
    this.action = action;
    this.application = application;
    this.cluster = cluster;
    this.operation = operation;
    this.end = end;
  }

  /**
   * Runs an action through interceptors and then the end of the chain.
   *
   * @param interceptors outermost first
   * @param action the action
   * @param application the application as read
   * @param cluster the cluster the action works on, if it exists
   * @param operation the occurrence's stable identity
   * @param end carries the action out, given the chain as the last interceptor left it
   * @return the outermost interceptor's outcome
   * @throws NullPointerException if an interceptor or the end returns {@code null}
   */
  public static ActionOutcome run(
      List<ActionInterceptor> interceptors,
      KrakeAction action,
      Application application,
      Optional<Cluster> cluster,
      String operation,
      Function<ActionChain, ActionOutcome> end) {
    return new InterceptorChain(
            List.copyOf(interceptors),
            0,
            Objects.requireNonNull(action, "action"),
            Objects.requireNonNull(application, "application"),
            Objects.requireNonNull(cluster, "cluster"),
            Objects.requireNonNull(operation, "operation"),
            Objects.requireNonNull(end, "end"))
        .call();
  }

  private ActionOutcome call() {
    if (index == interceptors.size()) {
      return Objects.requireNonNull(end.apply(this), "the end of the chain returned null");
    }
    ActionInterceptor interceptor = interceptors.get(index);
    return Objects.requireNonNull(
        interceptor.intercept(this), () -> "interceptor " + interceptor + " returned null");
  }

  @Override
  public KrakeAction action() {
    return action;
  }

  @Override
  public Application application() {
    return application;
  }

  @Override
  public Optional<Cluster> cluster() {
    return cluster;
  }

  @Override
  public String operation() {
    return operation;
  }

  @Override
  public ActionOutcome proceed(Application application) {
    Objects.requireNonNull(application, "application");
    if (index == interceptors.size()) {
      throw new IllegalStateException("the end of the chain cannot proceed");
    }
    if (proceeded) {
      throw new IllegalStateException(
          "interceptor " + interceptors.get(index) + " called proceed() twice");
    }
    proceeded = true;
    return new InterceptorChain(
            interceptors, index + 1, action, application, cluster, operation, end)
        .call();
  }
}
