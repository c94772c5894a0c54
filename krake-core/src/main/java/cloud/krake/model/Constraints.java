package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The scheduling constraints of an application ({@code spec.constraints}), as Krake's {@code
 * Constraints}.
 *
 * @param cluster the constraints a cluster must satisfy to receive the application
 * @param migration whether the application may be moved to a better cluster once bound; default
 *     {@code true}. With {@code false} the scheduler leaves a bound application where it is.
 */
public record Constraints(ClusterConstraints cluster, boolean migration) {

  /** Constraints that every cluster satisfies, with migration allowed. */
  public static final Constraints NONE = new Constraints(ClusterConstraints.NONE, true);

  /**
   * Checks the components.
   *
   * @throws InvalidResourceException naming {@code cluster} if it is absent (required, as in Krake)
   */
  public Constraints {
    if (cluster == null) {
      throw InvalidResourceException.of("cluster", "is required");
    }
  }

  @JsonCreator
  static Constraints fromJson(
      @JsonProperty("cluster") ClusterConstraints cluster,
      @JsonProperty("migration") Boolean migration) {
    return new Constraints(cluster, migration == null || migration);
  }

  /**
   * Returns constraints with migration allowed.
   *
   * @param cluster the cluster constraints
   */
  public static Constraints of(ClusterConstraints cluster) {
    Objects.requireNonNull(cluster, "cluster");
    return new Constraints(cluster, true);
  }

  /**
   * Returns a copy with another migration flag.
   *
   * @param migration whether migration is allowed
   */
  public Constraints withMigration(boolean migration) {
    return new Constraints(cluster, migration);
  }
}
