package cloud.krake.hooks.execution;

import java.util.Map;
import java.util.Objects;

/**
 * A key-value artifact, as Kanister's {@code keyValue} artifacts: what an action's {@code
 * outputArtifacts} produce and what a later action reads as {@code {{
 * .ArtifactsIn.<name>.KeyValue.<key> }}}. In a {@link BlueprintAction} the values are templates; in
 * results and records they are rendered.
 *
 * <p>{@link #toString()} shows the keys only: artifact values may be sensitive.
 *
 * @param keyValue the values by key
 */
public record Artifact(Map<String, String> keyValue) {

  /** Checks and copies the map. */
  public Artifact {
    keyValue = Map.copyOf(Objects.requireNonNull(keyValue, "keyValue"));
  }

  @Override
  public String toString() {
    return "Artifact[keys=" + new java.util.TreeSet<>(keyValue.keySet()) + "]";
  }
}
