package cloud.krake.hooks.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Wait condition over one object: {@code <operand> [<op> <operand>]}, where an operand is an
 * object path <code>{{ $.status.readyReplicas }}</code> (segments {@code .name}, {@code [0]},
 * {@code ['a.b/c']}), a number, a quoted string, {@code true}, {@code false} or {@code null}, and
 * {@code op} is one of {@code == != >= <= > <}. A lone operand holds when it is {@code true} or the
 * string {@code "true"}. A missing path is {@code null}. Ordering operators need two numbers (or
 * numeric strings), otherwise they do not hold.
 */
final class Condition {

  private static final List<String> OPERATORS = List.of("==", "!=", ">=", "<=", ">", "<");

  /** A parsed operand: a path into the object or a literal. */
  private record Operand(Optional<List<Object>> path, JsonNode literal) {
    JsonNode evaluate(JsonNode object) {
      if (path.isEmpty()) {
        return literal;
      }
      JsonNode node = object;
      for (Object segment : path.get()) {
        node = segment instanceof Integer index ? node.path(index) : node.path((String) segment);
      }
      return node;
    }
  }

  private final String source;
  private final Operand left;
  private final Optional<String> operator;
  private final Optional<Operand> right;

  private Condition(
      String source, Operand left, Optional<String> operator, Optional<Operand> right) {
    this.source = source;
    this.left = left;
    this.operator = operator;
    this.right = right;
  }

  /**
   * Parses a condition.
   *
   * @throws IllegalArgumentException with a message saying what is wrong
   */
  static Condition parse(String source) {
    String text = source.strip();
    int[] at = {0};
    Operand left = operand(text, at);
    skipSpaces(text, at);
    if (at[0] == text.length()) {
      return new Condition(source, left, Optional.empty(), Optional.empty());
    }
    String operator = null;
    for (String candidate : OPERATORS) {
      if (text.startsWith(candidate, at[0])) {
        operator = candidate;
        break;
      }
    }
    if (operator == null) {
      throw new IllegalArgumentException(
          "expected one of == != >= <= > < after the first operand at column " + (at[0] + 1));
    }
    at[0] += operator.length();
    skipSpaces(text, at);
    Operand right = operand(text, at);
    skipSpaces(text, at);
    if (at[0] != text.length()) {
      throw new IllegalArgumentException("unexpected text at column " + (at[0] + 1));
    }
    return new Condition(source, left, Optional.of(operator), Optional.of(right));
  }

  private static void skipSpaces(String text, int[] at) {
    while (at[0] < text.length() && Character.isWhitespace(text.charAt(at[0]))) {
      at[0]++;
    }
  }

  private static Operand operand(String text, int[] at) {
    skipSpaces(text, at);
    if (at[0] >= text.length()) {
      throw new IllegalArgumentException("an operand is missing");
    }
    if (text.startsWith("{{", at[0])) {
      int close = text.indexOf("}}", at[0]);
      if (close < 0) {
        throw new IllegalArgumentException("unterminated {{");
      }
      String body = text.substring(at[0] + 2, close).strip();
      at[0] = close + 2;
      return new Operand(Optional.of(path(body)), MissingNode.getInstance());
    }
    char c = text.charAt(at[0]);
    if (c == '"' || c == '\'') {
      int end = text.indexOf(c, at[0] + 1);
      if (end < 0) {
        throw new IllegalArgumentException("unterminated string");
      }
      String value = text.substring(at[0] + 1, end);
      at[0] = end + 1;
      return new Operand(Optional.empty(), TextNode.valueOf(value));
    }
    int start = at[0];
    while (at[0] < text.length()
        && !Character.isWhitespace(text.charAt(at[0]))
        && "=!<>".indexOf(text.charAt(at[0])) < 0) {
      at[0]++;
    }
    String word = text.substring(start, at[0]);
    switch (word) {
      case "true":
        return new Operand(Optional.empty(), BooleanNode.TRUE);
      case "false":
        return new Operand(Optional.empty(), BooleanNode.FALSE);
      case "null":
        return new Operand(Optional.empty(), NullNode.getInstance());
      default:
        try {
          return new Operand(Optional.empty(), DecimalNode.valueOf(new BigDecimal(word)));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "'"
                  + word
                  + "' is not an operand: use {{ $.path }}, a number, a quoted string, true,"
                  + " false or null");
        }
    }
  }

  private static List<Object> path(String body) {
    if (!body.startsWith("$")) {
      throw new IllegalArgumentException(
          "only object paths such as {{ $.status.readyReplicas }} are supported inside {{ }};"
              + " Go template actions (if, eq, pipelines) are not");
    }
    List<Object> segments = new ArrayList<>();
    int i = 1;
    while (i < body.length()) {
      char c = body.charAt(i);
      if (c == '.') {
        int start = ++i;
        while (i < body.length() && body.charAt(i) != '.' && body.charAt(i) != '[') {
          i++;
        }
        if (i == start) {
          throw new IllegalArgumentException("empty path segment in " + body);
        }
        segments.add(body.substring(start, i));
      } else if (c == '[') {
        int end = body.indexOf(']', i);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated [ in " + body);
        }
        String inside = body.substring(i + 1, end).strip();
        if (inside.matches("\\d+")) {
          segments.add(Integer.valueOf(inside));
        } else if (inside.length() >= 2
            && (inside.charAt(0) == '\'' || inside.charAt(0) == '"')
            && inside.charAt(inside.length() - 1) == inside.charAt(0)) {
          segments.add(inside.substring(1, inside.length() - 1));
        } else {
          throw new IllegalArgumentException(
              "a [ ] segment holds an index or a quoted key, in " + body);
        }
        i = end + 1;
      } else {
        throw new IllegalArgumentException("unexpected '" + c + "' in path " + body);
      }
    }
    return List.copyOf(segments);
  }

  /** Returns whether the condition holds for {@code object}. */
  boolean holds(JsonNode object) {
    JsonNode a = left.evaluate(object);
    if (operator.isEmpty()) {
      return (a.isBoolean() && a.asBoolean()) || (a.isTextual() && a.asText().equals("true"));
    }
    JsonNode b = right.orElseThrow().evaluate(object);
    return switch (operator.get()) {
      case "==" -> equal(a, b);
      case "!=" -> !equal(a, b);
      default -> order(a, b, operator.get());
    };
  }

  private static boolean isNull(JsonNode node) {
    return node.isMissingNode() || node.isNull();
  }

  private static boolean equal(JsonNode a, JsonNode b) {
    if (isNull(a) || isNull(b)) {
      return isNull(a) && isNull(b);
    }
    Optional<BigDecimal> x = number(a);
    Optional<BigDecimal> y = number(b);
    if (x.isPresent() && y.isPresent() && (a.isNumber() || b.isNumber())) {
      return x.get().compareTo(y.get()) == 0;
    }
    if (a.isValueNode() && b.isValueNode()) {
      return a.asText().equals(b.asText());
    }
    return a.equals(b);
  }

  private static boolean order(JsonNode a, JsonNode b, String operator) {
    Optional<BigDecimal> x = number(a);
    Optional<BigDecimal> y = number(b);
    if (x.isEmpty() || y.isEmpty()) {
      return false;
    }
    int c = x.get().compareTo(y.get());
    return switch (operator) {
      case ">=" -> c >= 0;
      case "<=" -> c <= 0;
      case ">" -> c > 0;
      default -> c < 0;
    };
  }

  private static Optional<BigDecimal> number(JsonNode node) {
    if (node.isNumber()) {
      return Optional.of(node.decimalValue());
    }
    if (node.isTextual()) {
      try {
        return Optional.of(new BigDecimal(node.asText().strip()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return source;
  }
}
