package cloud.krake.action;

import cloud.krake.action.internal.InterceptorChain;
import cloud.krake.model.Application;
import cloud.krake.model.Cluster;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One of Krake's actions on an application, at one interceptor of its chain: what is being done, to
 * what, and the rest of the chain ({@link #proceed}).
 *
 * <p>Not thread-safe: used by the one interceptor it was handed to, during its {@link
 * ActionInterceptor#intercept} call. {@link #proceed} may be called at most once.
 */
public interface ActionChain {

  /** Returns the action. */
  KrakeAction action();

  /**
   * Returns the application as this interceptor was handed it: as read from the store at the start
   * of the pass, or as an earlier interceptor passed it on ({@link #proceed(Application)}).
   */
  Application application();

  /**
   * Returns the cluster the action works on: for a deploy or an update the cluster the application
   * is scheduled to, for a migration or a deletion the one it runs on. Empty when that cluster no
   * longer exists (a deletion or migration then goes on without touching it).
   */
  Optional<Cluster> cluster();

  /**
   * Returns the identity of this occurrence of the action, stable across passes and restarts (for
   * example {@code <uid>/deploy} or {@code <uid>/update@<modified>}): what a durable record of the
   * action's progress is keyed by.
   */
  String operation();

  /**
   * Runs the rest of the chain with the application as it is now.
   *
   * @return the rest of the chain's outcome
   * @throws IllegalStateException if called a second time
   */
  default ActionOutcome proceed() {
    return proceed(application());
  }

  /**
   * Runs the rest of the chain with another version of the application (for example re-read from
   * the store after a gate changed its status).
   *
   * @param application the application the rest of the chain works on
   * @return the rest of the chain's outcome
   * @throws IllegalStateException if called a second time
   */
  ActionOutcome proceed(Application application);

  /**
   * Runs an action through interceptors and then the end of the chain that carries it out: what a
   * backend (the Kubernetes backend's application controller) calls for each action it runs. The
   * chain enforces its rules: {@link #proceed} at most once per interceptor, never a {@code null}
   * outcome. Runs on the calling thread.
   *
   * @param interceptors outermost first
   * @param action the action
   * @param application the application as read
   * @param cluster the cluster the action works on, if it exists
   * @param operation the occurrence's stable identity ({@link #operation()})
   * @param end carries the action out, given the chain as the last interceptor left it
   * @return the outermost interceptor's outcome
   * @throws NullPointerException if an interceptor or the end returns {@code null}
   */
  static ActionOutcome run(
      List<ActionInterceptor> interceptors,
      KrakeAction action,
      Application application,
      Optional<Cluster> cluster,
      String operation,
      Function<ActionChain, ActionOutcome> end) {
    return InterceptorChain.run(interceptors, action, application, cluster, operation, end);
  }
}
