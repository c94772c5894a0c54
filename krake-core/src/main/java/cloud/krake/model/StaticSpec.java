package cloud.krake.model;

import java.util.Map;

/**
 * The settings of a static metrics provider ({@code spec.static}), as Krake's {@code StaticSpec}:
 * fixed values, mostly for tests.
 *
 * @param metrics the value of each metric, by the metric's name at the provider
 */
public record StaticSpec(Map<String, Double> metrics) {

  /**
   * Copies the map; a missing map reads as empty.
   *
   * @throws InvalidResourceException naming the entry if a value is {@code null}
   */
  public StaticSpec {
    metrics = Values.map("metrics", metrics);
  }
}
