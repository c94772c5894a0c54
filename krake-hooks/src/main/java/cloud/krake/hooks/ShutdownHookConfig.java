package cloud.krake.hooks;

import java.time.Duration;
import java.util.Objects;

/**
 * The shutdown hook's configuration: the hook itself plus Krake's shutdown policy keys.
 *
 * @param hook the {@code hooks.shutdown.*} hook keys
 * @param timeout {@code hooks.shutdown.timeout}: how long one attempt waits for the application's
 *     acknowledgement (default {@value #DEFAULT_TIMEOUT_SECONDS} s); an application's {@code
 *     spec.shutdown_grace_time} (seconds) overrides it
 * @param failureStrategy {@code hooks.shutdown.failure_strategy} (default {@code delete}); an
 *     application's {@code spec.shutdown_failure_strategy} overrides it
 * @param failureRetryCount {@code hooks.shutdown.failure_retry_count}: attempts after the first
 *     (default 0); an application's {@code spec.shutdown_retry_count} overrides it
 */
public record ShutdownHookConfig(
    HookConfig hook, Duration timeout, FailureStrategy failureStrategy, int failureRetryCount) {

  /** Krake's default {@code hooks.shutdown.timeout}, in seconds. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 30;

  /** Checks that no component is null; value rules are checked by {@link HooksConfig}. */
  public ShutdownHookConfig {
    Objects.requireNonNull(hook, "hook");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(failureStrategy, "failureStrategy");
  }

  /** Returns Krake's defaults: 30 s, {@code delete}, no retry. */
  public static ShutdownHookConfig defaults() {
    return new ShutdownHookConfig(
        HookConfig.shutdownDefaults(),
        Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS),
        FailureStrategy.DELETE,
        0);
  }

  /** Returns a copy with other hook keys. */
  public ShutdownHookConfig withHook(HookConfig hook) {
    return new ShutdownHookConfig(hook, timeout, failureStrategy, failureRetryCount);
  }

  /** Returns a copy with another timeout per attempt. */
  public ShutdownHookConfig withTimeout(Duration timeout) {
    return new ShutdownHookConfig(hook, timeout, failureStrategy, failureRetryCount);
  }

  /** Returns a copy with another failure strategy. */
  public ShutdownHookConfig withFailureStrategy(FailureStrategy failureStrategy) {
    return new ShutdownHookConfig(hook, timeout, failureStrategy, failureRetryCount);
  }

  /** Returns a copy with another number of extra attempts. */
  public ShutdownHookConfig withFailureRetryCount(int failureRetryCount) {
    return new ShutdownHookConfig(hook, timeout, failureStrategy, failureRetryCount);
  }
}
