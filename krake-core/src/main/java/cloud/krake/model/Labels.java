package cloud.krake.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Krake's rules for label keys, label values and resource names (Krake's {@code validate_key},
 * {@code validate_value} and resource name validation in {@code krake/data/core.py}). All rules are
 * ASCII: a "word character" is {@code [A-Za-z0-9_]}.
 *
 * <ul>
 *   <li>A <b>label key</b> is an optional prefix and {@code /}, then a name. The name is a word
 *       character, or a word character, up to 61 of {@code [\w\-_.]} and a word character (at most
 *       63 characters). The prefix follows the same rule with at most 253 characters.
 *   <li>A <b>label value</b> follows the rule of the key's name: at most 63 characters. Unlike
 *       Kubernetes, an empty value is not allowed (as in Krake).
 *   <li>A <b>resource name or namespace</b> is a word character, or a word character, up to 253 of
 *       {@code [\w\-_.:]} and a word character (1 to 255 characters).
 * </ul>
 */
public final class Labels {

  private static final String NAME_63 = "(?:\\w|\\w[\\w\\-_.]{0,61}\\w)";
  private static final String PREFIX_253 = "(?:\\w|\\w[\\w\\-_.]{0,251}\\w)";
  private static final Pattern KEY = Pattern.compile("(?:" + PREFIX_253 + "/)?" + NAME_63);
  private static final Pattern VALUE = Pattern.compile(NAME_63);
  private static final Pattern RESOURCE_NAME = Pattern.compile("\\w|\\w[\\w\\-_.:]{0,253}\\w");

  private Labels() {}

  /**
   * Returns whether a string is a valid label key.
   *
   * @param key the key
   */
  public static boolean isValidKey(String key) {
    return key != null && KEY.matcher(key).matches();
  }

  /**
   * Returns whether a string is a valid label value.
   *
   * @param value the value
   */
  public static boolean isValidValue(String value) {
    return value != null && VALUE.matcher(value).matches();
  }

  /**
   * Returns whether a string is a valid resource name or namespace.
   *
   * @param name the name
   */
  public static boolean isValidResourceName(String name) {
    return name != null && RESOURCE_NAME.matcher(name).matches();
  }

  /**
   * Checks every key and value of a label map and returns all violations, as Krake collects them.
   * Each error names the label as {@code <fieldPrefix>.<key>}.
   *
   * @param fieldPrefix the path of the label map, for example {@code metadata.labels}
   * @param labels the labels
   * @return every violation, in the map's iteration order; empty if all labels are valid
   */
  public static List<FieldError> validate(String fieldPrefix, Map<String, String> labels) {
    Objects.requireNonNull(fieldPrefix, "fieldPrefix");
    Objects.requireNonNull(labels, "labels");
    List<FieldError> errors = new ArrayList<>();
    labels.forEach(
        (key, value) -> {
          String field = fieldPrefix + "." + key;
          if (!isValidKey(key)) {
            errors.add(new FieldError(field, keyMessage()));
          }
          if (!isValidValue(value)) {
            errors.add(new FieldError(field, valueMessage()));
          }
        });
    return errors;
  }

  static String keyMessage() {
    return "invalid label key: expected an optional prefix of at most 253 characters and '/',"
        + " then a name of at most 63 characters, each starting and ending with [A-Za-z0-9_]"
        + " and containing only [A-Za-z0-9_.-]";
  }

  static String valueMessage() {
    return "invalid label value: expected 1 to 63 characters starting and ending with"
        + " [A-Za-z0-9_] and containing only [A-Za-z0-9_.-]";
  }

  static String resourceNameMessage() {
    return "expected 1 to 255 characters starting and ending with [A-Za-z0-9_] and containing"
        + " only [A-Za-z0-9_.:-]";
  }
}
