package cloud.krake.hooks.lifecycle;

import java.util.Optional;

/**
 * The two container lifecycle hook points, as the kubelet's {@code postStart} and {@code preStop}.
 */
public enum LifecycleHookPoint {
  /** Runs once the workload has been applied, concurrently with its start. */
  POST_START("post_start", "PostStartHook", "FailedPostStartHook"),
  /** Runs before the workload's resources are deleted, within the termination grace period. */
  PRE_STOP("pre_stop", "PreStopHook", "FailedPreStopHook");

  private final String jsonName;
  private final String displayName;
  private final String failureReason;

  LifecycleHookPoint(String jsonName, String displayName, String failureReason) {
    this.jsonName = jsonName;
    this.displayName = displayName;
    this.failureReason = failureReason;
  }

  /**
   * Returns the field name in {@code spec.lifecycle} and in store keys, e.g. {@code post_start}.
   */
  public String jsonName() {
    return jsonName;
  }

  /** Returns the kubelet's name of the hook in event messages, e.g. {@code PostStartHook}. */
  public String displayName() {
    return displayName;
  }

  /**
   * Returns the reason of the Warning event a failure emits: {@code FailedPostStartHook} or {@code
   * FailedPreStopHook}, as the kubelet's.
   */
  public String failureReason() {
    return failureReason;
  }

  /**
   * Returns the hook point of a JSON name.
   *
   * @param jsonName {@code post_start} or {@code pre_stop}
   * @return the hook point, or empty for any other name
   */
  public static Optional<LifecycleHookPoint> fromJsonName(String jsonName) {
    for (LifecycleHookPoint point : values()) {
      if (point.jsonName.equals(jsonName)) {
        return Optional.of(point);
      }
    }
    return Optional.empty();
  }
}
