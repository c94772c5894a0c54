package cloud.krake.hooks.execution;

import cloud.krake.model.FieldError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Argument checks shared by the built-in functions. */
final class Args {

  /** The longest timeout any function or hook accepts. */
  static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private Args() {}

  static boolean isTemplate(JsonNode node) {
    return node != null && node.isTextual() && Template.hasActions(node.asText());
  }

  /** A required non-blank string (a template counts as given). */
  static void requireText(ObjectNode args, String name, List<FieldError> errors) {
    JsonNode node = args.get(name);
    if (node == null || node.isNull()) {
      errors.add(new FieldError(name, "is required"));
    } else if (!node.isTextual() || node.asText().isBlank()) {
      errors.add(new FieldError(name, "must be a non-blank string"));
    }
  }

  static void optionalText(ObjectNode args, String name, List<FieldError> errors) {
    JsonNode node = args.get(name);
    if (node != null && !node.isNull() && (!node.isTextual() || node.asText().isBlank())) {
      errors.add(new FieldError(name, "must be a non-blank string"));
    }
  }

  /** A required non-empty list of strings, Kanister's {@code command}. */
  static void requireCommand(ObjectNode args, String name, List<FieldError> errors) {
    JsonNode node = args.get(name);
    if (node == null || node.isNull()) {
      errors.add(new FieldError(name, "is required: a list of strings (argv, no implicit shell)"));
      return;
    }
    if (!(node instanceof ArrayNode array) || array.isEmpty()) {
      errors.add(new FieldError(name, "must be a non-empty list of strings"));
      return;
    }
    for (int i = 0; i < array.size(); i++) {
      if (!array.get(i).isTextual()) {
        errors.add(new FieldError(name + "[" + i + "]", "must be a string"));
      }
    }
  }

  static List<String> strings(ArrayNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(node -> values.add(node.asText()));
    return values;
  }

  static Optional<String> text(ObjectNode args, String name) {
    JsonNode node = args.get(name);
    return node == null || node.isNull() ? Optional.empty() : Optional.of(node.asText());
  }

  /**
   * Reads a duration: Go's form ({@code 90s}, {@code 2m30s}, {@code 1h}, {@code 500ms}) as Kanister
   * writes timeouts, or a number of seconds.
   */
  static Optional<Duration> duration(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (node.isIntegralNumber()) {
      return Optional.of(Duration.ofSeconds(node.asLong()));
    }
    if (!node.isTextual()) {
      return Optional.empty();
    }
    String text = node.asText().strip();
    if (text.matches("-?\\d+")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
    }
    boolean negative = text.startsWith("-");
    String rest = negative ? text.substring(1) : text;
    Matcher m = GO_DURATION.matcher(rest);
    Duration total = Duration.ZERO;
    int at = 0;
    while (m.find()) {
      if (m.start() != at) {
        return Optional.empty();
      }
      long amount = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
              });
      at = m.end();
    }
    if (at == 0 || at != rest.length()) {
      return Optional.empty();
    }
    return Optional.of(negative ? total.negated() : total);
  }

  /** A timeout: required or optional, positive and at most {@link #MAX_TIMEOUT}. */
  static void timeout(ObjectNode args, String name, boolean required, List<FieldError> errors) {
    JsonNode node = args.get(name);
    if (node == null || node.isNull()) {
      if (required) {
        errors.add(new FieldError(name, "is required (for example \"120s\" or \"10m\")"));
      }
      return;
    }
    if (isTemplate(node)) {
      return;
    }
    Optional<Duration> duration = duration(node);
    if (duration.isEmpty()) {
      errors.add(
          new FieldError(name, "must be a duration such as \"90s\", \"10m\", \"1h\" or seconds"));
    } else if (duration.get().isNegative() || duration.get().isZero()) {
      errors.add(new FieldError(name, "must be positive"));
    } else if (duration.get().compareTo(MAX_TIMEOUT) > 0) {
      errors.add(new FieldError(name, "must be at most 24h"));
    }
  }

  /** The last {@code max} characters of a text, for messages. */
  static String tail(String text, int max) {
    return text.length() <= max ? text : "..." + text.substring(text.length() - max);
  }
}
