package cloud.krake.hooks.lifecycle;

import java.time.Instant;
import java.util.Objects;

/**
 * An event of a lifecycle hook run, as the kubelet records Kubernetes events for its hooks: a type,
 * a reason such as {@link #FAILED_POST_START_HOOK}, a short message and the time. Messages never
 * carry hook output or known secrets (they are terse for the same reason as the kubelet's, see
 * kubernetes#119541); the output tail is in the run's {@link LifecycleRun#outputTail()}.
 *
 * @param type Normal or Warning
 * @param reason a CamelCase reason, one of the constants of this type
 * @param message a short, secret-free message
 * @param time when it happened, from the runner's clock
 * @param hook the hook it belongs to
 */
public record LifecycleEvent(
    LifecycleEvent.Type type,
    String reason,
    String message,
    Instant time,
    LifecycleHookPoint hook) {

  /** A postStart handler failed (Warning), as the kubelet's event of that name. */
  public static final String FAILED_POST_START_HOOK = "FailedPostStartHook";

  /** A preStop handler failed (Warning), as the kubelet's event of that name. */
  public static final String FAILED_PRE_STOP_HOOK = "FailedPreStopHook";

  /**
   * An {@code http_get} handler got a non-2xx answer (Warning), in both the kubelet's default mode
   * (where it still counts as success) and the strict mode. Not a kubelet event: it makes the
   * kubelet's silent-404 trap visible.
   */
  public static final String LIFECYCLE_HTTP_NON_2XX = "LifecycleHTTPNon2xx";

  /**
   * A run recorded as still running was found when the hook was due again, so the hook runs again
   * (Warning): lifecycle hooks are delivered at least once, as the kubelet's.
   */
  public static final String LIFECYCLE_HOOK_RERUN = "LifecycleHookRerun";

  /** A preStop handler ran past the grace period and was abandoned (Warning). */
  public static final String LIFECYCLE_HOOK_DEADLINE_EXCEEDED = "LifecycleHookDeadlineExceeded";

  /** The type of an event, as Kubernetes' event types. */
  public enum Type {
    /** Informational. */
    Normal,
    /** Something that needs attention. */
    Warning
  }

  /** Checks the components. */
  public LifecycleEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(hook, "hook");
  }

  static LifecycleEvent warning(
      String reason, String message, Instant time, LifecycleHookPoint hook) {
    return new LifecycleEvent(Type.Warning, reason, message, time, hook);
  }
}
