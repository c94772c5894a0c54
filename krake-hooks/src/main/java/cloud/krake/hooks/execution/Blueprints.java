package cloud.krake.hooks.execution;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The blueprints a {@link HookRunner} resolves hook references against, by name, as the blueprints
 * in Kanister's controller namespace. Immutable and thread-safe.
 */
public final class Blueprints {

  /** No blueprints: only inline actions resolve. */
  public static final Blueprints NONE = new Blueprints(Map.of());

  private final Map<String, Blueprint> byName;

  private Blueprints(Map<String, Blueprint> byName) {
    this.byName = Map.copyOf(byName);
  }

  /**
   * Returns a set of blueprints.
   *
   * @param blueprints the blueprints
   * @throws IllegalArgumentException if two share a name
   */
  public static Blueprints of(Collection<Blueprint> blueprints) {
    Map<String, Blueprint> byName = new LinkedHashMap<>();
    for (Blueprint blueprint : blueprints) {
      if (byName.put(blueprint.name(), blueprint) != null) {
        throw new IllegalArgumentException("two blueprints are named " + blueprint.name());
      }
    }
    return new Blueprints(byName);
  }

  /**
   * Returns a set of blueprints.
   *
   * @param blueprints the blueprints
   * @throws IllegalArgumentException if two share a name
   */
  public static Blueprints of(Blueprint... blueprints) {
    return of(java.util.List.of(blueprints));
  }

  /**
   * Returns a blueprint.
   *
   * @param name its name
   * @return the blueprint, or empty if there is none of that name
   */
  public Optional<Blueprint> find(String name) {
    return Optional.ofNullable(byName.get(Objects.requireNonNull(name, "name")));
  }

  /** Returns the names, sorted. */
  public Set<String> names() {
    return new TreeSet<>(byName.keySet());
  }

  @Override
  public String toString() {
    return "Blueprints" + names();
  }
}
