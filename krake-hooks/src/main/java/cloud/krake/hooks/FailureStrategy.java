package cloud.krake.hooks;

import java.util.Optional;

/**
 * What happens when an application with the shutdown hook does not acknowledge its shutdown in
 * time, after every attempt: Krake's {@code hooks.shutdown.failure_strategy} and the application's
 * {@code spec.shutdown_failure_strategy}.
 */
public enum FailureStrategy {
  /**
   * Go on without the acknowledgement: a deletion deletes the application's resources, a migration
   * moves it. Krake's default ({@code delete}).
   */
  DELETE("delete"),
  /**
   * Stop: the application becomes DEGRADED and keeps its resources (a migration keeps it on the old
   * cluster) until it acknowledges late or a retry starts a new round ({@code give_up}).
   */
  GIVE_UP("give_up");

  private final String configValue;

  FailureStrategy(String configValue) {
    this.configValue = configValue;
  }

  /** Returns the value as written in Krake's configuration and specs. */
  public String configValue() {
    return configValue;
  }

  /**
   * Returns the strategy of a configuration value. Unlike Krake, which treats every value other
   * than {@code delete} as {@code give_up}, an unknown value is not a strategy.
   *
   * @param value {@code delete} or {@code give_up}
   * @return the strategy, or empty for any other value
   */
  public static Optional<FailureStrategy> fromConfigValue(String value) {
    for (FailureStrategy strategy : values()) {
      if (strategy.configValue.equals(value)) {
        return Optional.of(strategy);
      }
    }
    return Optional.empty();
  }
}
