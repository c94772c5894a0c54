package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Label and field selectors of list and watch requests, as the API server parses them.
 *
 * <p>Label selectors: {@code a=b}, {@code a==b}, {@code a!=b}, {@code a}, {@code !a}, {@code a in
 * (x,y)}, {@code a notin (x,y)}, joined by commas. Field selectors: {@code path=value}, {@code
 * path==value}, {@code path!=value}, joined by commas, where the path is a dotted path into the
 * object ({@code metadata.name}, {@code metadata.namespace}, {@code status.phase}); the real server
 * only accepts a few fields per kind, the fake accepts any.
 */
final class Selectors {
  private static final Pattern SET_BASED =
      Pattern.compile("\\s*([^\\s!=,()]+)\\s+(in|notin)\\s*\\(([^)]*)\\)\\s*");

  private final List<Requirement> labels;
  private final List<Requirement> fields;

  private Selectors(List<Requirement> labels, List<Requirement> fields) {
    this.labels = labels;
    this.fields = fields;
  }

  static final Selectors NONE = new Selectors(List.of(), List.of());

  /**
   * Parses both selectors; a {@code null} or empty one selects everything.
   *
   * @throws ApiError 400 if a selector cannot be parsed
   */
  static Selectors parse(String labelSelector, String fieldSelector) {
    List<Requirement> labels = parseLabels(labelSelector == null ? "" : labelSelector);
    List<Requirement> fields = parseFields(fieldSelector == null ? "" : fieldSelector);
    return labels.isEmpty() && fields.isEmpty() ? NONE : new Selectors(labels, fields);
  }

  boolean selectsEverything() {
    return labels.isEmpty() && fields.isEmpty();
  }

  boolean matches(ObjectNode object) {
    if (selectsEverything()) {
      return true;
    }
    JsonNode objectLabels = object.path("metadata").path("labels");
    for (Requirement requirement : labels) {
      JsonNode value = objectLabels.get(requirement.key);
      if (!requirement.matches(value == null || !value.isValueNode() ? null : value.asText())) {
        return false;
      }
    }
    for (Requirement requirement : fields) {
      JsonNode node = object;
      for (String part : requirement.key.split("\\.")) {
        node = node.path(part);
      }
      String value = node.isValueNode() ? node.asText() : "";
      if (!requirement.matches(value)) {
        return false;
      }
    }
    return true;
  }

  private static List<Requirement> parseLabels(String selector) {
    List<Requirement> requirements = new ArrayList<>();
    for (String term : splitTopLevel(selector)) {
      Matcher setBased = SET_BASED.matcher(term);
      if (setBased.matches()) {
        Set<String> values = new java.util.HashSet<>();
        for (String value : setBased.group(3).split(",")) {
          if (!value.isBlank()) {
            values.add(value.trim());
          }
        }
        requirements.add(
            new Requirement(
                setBased.group(1), setBased.group(2).equals("in") ? Op.IN : Op.NOT_IN, values));
      } else if (term.contains("!=")) {
        requirements.add(equality(term, "!=", Op.NOT_IN, "label"));
      } else if (term.contains("==")) {
        requirements.add(equality(term, "==", Op.IN, "label"));
      } else if (term.contains("=")) {
        requirements.add(equality(term, "=", Op.IN, "label"));
      } else if (term.startsWith("!")) {
        requirements.add(new Requirement(key(term.substring(1), "label"), Op.ABSENT, Set.of()));
      } else {
        requirements.add(new Requirement(key(term, "label"), Op.EXISTS, Set.of()));
      }
    }
    return List.copyOf(requirements);
  }

  private static List<Requirement> parseFields(String selector) {
    List<Requirement> requirements = new ArrayList<>();
    for (String term : splitTopLevel(selector)) {
      if (term.contains("!=")) {
        requirements.add(equality(term, "!=", Op.NOT_IN, "field"));
      } else if (term.contains("==")) {
        requirements.add(equality(term, "==", Op.IN, "field"));
      } else if (term.contains("=")) {
        requirements.add(equality(term, "=", Op.IN, "field"));
      } else {
        throw ApiError.badRequest("invalid field selector: '" + term + "': no operator");
      }
    }
    return List.copyOf(requirements);
  }

  private static Requirement equality(String term, String operator, Op op, String what) {
    int at = term.indexOf(operator);
    String value = term.substring(at + operator.length()).trim();
    return new Requirement(key(term.substring(0, at), what), op, Set.of(value));
  }

  private static String key(String key, String what) {
    String trimmed = key.trim();
    if (trimmed.isEmpty() || trimmed.contains(" ") || trimmed.contains("(")) {
      throw ApiError.badRequest("unable to parse requirement: invalid " + what + " key");
    }
    return trimmed;
  }

  /** Splits on commas outside parentheses; blank terms are dropped. */
  private static List<String> splitTopLevel(String selector) {
    List<String> terms = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        terms.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    terms.add(selector.substring(start));
    if (depth != 0) {
      throw ApiError.badRequest("unable to parse requirement: unbalanced parentheses");
    }
    return terms.stream().map(String::trim).filter(term -> !term.isEmpty()).toList();
  }

  private enum Op {
    IN,
    NOT_IN,
    EXISTS,
    ABSENT
  }

  private record Requirement(String key, Op op, Set<String> values) {
    boolean matches(String value) {
      return switch (op) {
        case IN -> value != null && values.contains(value);
        case NOT_IN -> value == null || !values.contains(value);
        case EXISTS -> value != null;
        case ABSENT -> value == null;
      };
    }
  }
}
