package cloud.krake.runtime;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link Component} reports of its own machinery for {@code Krake.health()}: its worker
 * threads and its watches.
 *
 * @param component the component's name
 * @param tracked whether the component reports at all; a component of the host's that does not
 *     override {@link Component#health()} is untracked, and the health checks pass over it
 * @param workers the worker threads started (0 before {@code start()}, and while it is driven with
 *     {@code drain()})
 * @param workersAlive how many of them are alive
 * @param watching the names of its reflectors that are watching
 * @param notWatching the names of its reflectors that are not: not started, waiting to retry a
 *     failed listing, closed, or whose watch the store closed
 */
public record ComponentHealth(
    String component,
    boolean tracked,
    int workers,
    int workersAlive,
    List<String> watching,
    List<String> notWatching) {

  /**
   * Checks and copies.
   *
   * @throws IllegalArgumentException if a count is negative or more workers are alive than started
   */
  public ComponentHealth {
    Objects.requireNonNull(component, "component");
    watching = List.copyOf(watching);
    notWatching = List.copyOf(notWatching);
    if (workers < 0 || workersAlive < 0 || workersAlive > workers) {
      throw new IllegalArgumentException(
          "workersAlive must be within [0, workers]: " + workersAlive + ", " + workers);
    }
  }

  /**
   * Returns the report of a component that does not track its machinery.
   *
   * @param component its name
   */
  public static ComponentHealth untracked(String component) {
    return new ComponentHealth(component, false, 0, 0, List.of(), List.of());
  }
}
