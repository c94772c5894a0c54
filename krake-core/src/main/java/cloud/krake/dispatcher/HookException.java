package cloud.krake.dispatcher;

import cloud.krake.KrakeException;
import java.util.Objects;
import java.util.Optional;

/**
 * A hook handler failed, or a hook did not get its answer. Names the hook (the handler's registered
 * name, or a hook such as {@code shutdown}), where it ran and, when a {@link HookDispatcher} threw
 * it, the {@link DispatcherHookPoint} (whose {@link DispatcherHookPoint#failurePolicy()} says what
 * the failure does).
 */
public class HookException extends KrakeException {
  private static final long serialVersionUID = 1L;

  private final String hook;

  /** The dispatcher's point; null when the failure is not a dispatcher handler's. */
  private final DispatcherHookPoint point;

  /**
   * Creates the exception.
   *
   * @param hook the name of the failed handler or hook
   * @param message what failed, naming the point or attempt
   * @param cause the handler's exception, or {@code null}
   */
  public HookException(String hook, String message, Throwable cause) {
    this(hook, null, message, cause);
  }

  /**
   * Creates the exception of a handler that failed at a dispatcher's point.
   *
   * @param hook the name of the failed handler
   * @param point the point it failed at; {@code null} for none
   * @param message what failed
   * @param cause the handler's exception, or {@code null}
   */
  public HookException(String hook, DispatcherHookPoint point, String message, Throwable cause) {
    super("hook " + Objects.requireNonNull(hook, "hook") + ": " + message, cause);
    this.hook = hook;
    this.point = point;
  }

  /** Returns the name of the failed handler or hook. */
  public String hook() {
    return hook;
  }

  /** Returns the dispatcher's point the handler failed at; empty for other hooks. */
  public Optional<DispatcherHookPoint> point() {
    return Optional.ofNullable(point);
  }

  /**
   * Returns whether the failure's policy is {@link HookFailurePolicy#RETRY}: the operation is to be
   * tried again with back-off rather than failed.
   */
  public boolean retried() {
    return point != null && point.failurePolicy() == HookFailurePolicy.RETRY;
  }
}
