package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a phase returns: its outputs, string key-values that later phases reference as {@code {{
 * .Phases.<phase>.Output.<key> }}}.
 *
 * <p>Commands publish outputs as Kanister's {@code kando output} does, one line per value on stdout
 * (KubeExec) or in the pod's log (KubeTask): {@value #MARKER} followed by a JSON object {@code
 * {"key":"k","value":"v"}}, for example {@code ###Phase-output###: {"key":"path","value":"/b/1"}}.
 * {@link #parse} reads them: lines are trimmed, a line that does not start with the marker is
 * ignored, a later value of the same key wins, and keys must match {@code [a-zA-Z0-9_]+}
 * (Kanister's {@code ValidateKey}).
 *
 * <p>{@link #toString()} shows the keys only.
 *
 * @param outputs the values by key
 */
public record PhaseOutput(Map<String, String> outputs) {

  /** Kanister's marker of an output line ({@code pkg/output.PhaseOpString}). */
  public static final String MARKER = "###Phase-output###:";

  private static final Pattern KEY = Pattern.compile("[a-zA-Z0-9_]+");
  private static final ObjectMapper MAPPER = KrakeJson.mapper();
  private static final PhaseOutput NONE = new PhaseOutput(Map.of());

  /**
   * Checks and copies the map.
   *
   * @throws IllegalArgumentException if a key does not match {@code [a-zA-Z0-9_]+}
   */
  public PhaseOutput {
    outputs = Map.copyOf(Objects.requireNonNull(outputs, "outputs"));
    for (String key : outputs.keySet()) {
      if (!KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("an output key must match [a-zA-Z0-9_]+: '" + key + "'");
      }
    }
  }

  /** Returns the empty output. */
  public static PhaseOutput none() {
    return NONE;
  }

  /**
   * Returns an output of these values.
   *
   * @param outputs the values by key
   */
  public static PhaseOutput of(Map<String, String> outputs) {
    return new PhaseOutput(outputs);
  }

  /**
   * Reads the output lines of a command's stdout or a pod's log.
   *
   * @param text the whole text
   * @return the outputs found; empty if there is no marker line
   * @throws HookException naming the line number if a marker line is not a JSON object with a
   *     string {@code key} matching {@code [a-zA-Z0-9_]+} and a string {@code value} (the value is
   *     not echoed)
   */
  public static PhaseOutput parse(String text) {
    Objects.requireNonNull(text, "text");
    Map<String, String> outputs = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.startsWith(MARKER)) {
        continue;
      }
      String json = line.substring(MARKER.length()).strip();
      JsonNode node;
      try {
        node = MAPPER.readTree(json);
      } catch (JsonProcessingException e) {
        throw new HookException(
            "phase-output", "line " + (i + 1) + ": the output after " + MARKER + " is not JSON", e);
      }
      JsonNode key = node == null ? null : node.get("key");
      JsonNode value = node == null ? null : node.get("value");
      if (key == null || !key.isTextual() || !KEY.matcher(key.asText()).matches()) {
        throw new HookException(
            "phase-output",
            "line " + (i + 1) + ": an output needs a \"key\" matching [a-zA-Z0-9_]+",
            null);
      }
      if (value == null || !value.isTextual()) {
        throw new HookException(
            "phase-output",
            "line " + (i + 1) + ": output \"" + key.asText() + "\" needs a string \"value\"",
            null);
      }
      outputs.put(key.asText(), value.asText());
    }
    return outputs.isEmpty() ? NONE : new PhaseOutput(outputs);
  }

  /**
   * Returns the marker line that publishes one value, as {@code kando output key value} prints it.
   *
   * @param key the key, {@code [a-zA-Z0-9_]+}
   * @param value the value
   */
  public static String line(String key, String value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    Map<String, String> object = new LinkedHashMap<>();
    object.put("key", key);
    object.put("value", value);
    try {
      return MARKER + " " + MAPPER.writeValueAsString(object);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write an output line", e);
    }
  }

  @Override
  public String toString() {
    return "PhaseOutput[keys=" + new java.util.TreeSet<>(outputs.keySet()) + "]";
  }
}
