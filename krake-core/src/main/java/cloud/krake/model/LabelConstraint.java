package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A constraint on the labels of a cluster, as Krake's {@code LabelConstraint}: parsed from and
 * written back as Krake's expression string.
 *
 * <p>Grammar (spaces and tabs between tokens are ignored; a token is {@code [^ ,()=!]+}):
 *
 * <ul>
 *   <li>{@code <key> is <value>}, {@code <key> = <value>}, {@code <key> == <value>}: {@link
 *       Operator#EQUAL}
 *   <li>{@code <key> is not <value>}, {@code <key> != <value>}: {@link Operator#NOT_EQUAL}
 *   <li>{@code <key> in (<value>, <value>, ...)}: {@link Operator#IN}; trailing commas are allowed
 *   <li>{@code <key> not in (<value>, ...)}: {@link Operator#NOT_IN}
 * </ul>
 *
 * The key must then be a valid label key and every value a valid label value ({@link Labels}).
 *
 * <p>Instances are immutable. Two constraints are equal when key, operator and values (in order)
 * are equal, whichever spelling they were parsed from (as in Krake); {@link #expression()} keeps
 * the original spelling, which is what is written to JSON.
 */
public final class LabelConstraint {

  /** The comparison a label constraint makes. */
  public enum Operator {
    /** The label's value equals the single value. */
    EQUAL,
    /** The label's value differs from the single value. */
    NOT_EQUAL,
    /** The label's value is one of the values. */
    IN,
    /** The label's value is none of the values. */
    NOT_IN
  }

  private final String key;
  private final Operator operator;
  private final List<String> values;
  private final String expression;

  private LabelConstraint(String key, Operator operator, List<String> values, String expression) {
    this.key = key;
    this.operator = operator;
    this.values = List.copyOf(values);
    this.expression = expression;
  }

  /**
   * Parses a label constraint expression.
   *
   * @param expression the expression, for example {@code "location in (DE, UK)"}
   * @return the constraint; {@link #expression()} returns {@code expression} unchanged
   * @throws InvalidResourceException naming the field {@code expression} if the expression does not
   *     follow the grammar or a key or value breaks the label rules; the message starts with
   *     "Invalid label constraint"
   */
  public static LabelConstraint parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    return parse(expression, "expression");
  }

  /**
   * Returns a constraint built from its parts, with the canonical expression ({@code "k is v"},
   * {@code "k is not v"}, {@code "k in (a, b)"}, {@code "k not in (a, b)"}).
   *
   * @param operator the comparison
   * @param key the label key
   * @param values the values: exactly one for {@code EQUAL}/{@code NOT_EQUAL}, at least one for
   *     {@code IN}/{@code NOT_IN}
   * @throws InvalidResourceException if the key or a value breaks the label rules
   * @throws IllegalArgumentException if the number of values does not fit the operator
   */
  public static LabelConstraint of(Operator operator, String key, List<String> values) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(operator, "operator");
    List<String> copy = List.copyOf(values);
    boolean single = operator == Operator.EQUAL || operator == Operator.NOT_EQUAL;
    if (single ? copy.size() != 1 : copy.isEmpty()) {
      throw new IllegalArgumentException(
          operator + " takes " + (single ? "exactly one value" : "at least one value"));
    }
    String expression =
        switch (operator) {
          case EQUAL -> key + " is " + copy.get(0);
          case NOT_EQUAL -> key + " is not " + copy.get(0);
          case IN -> key + " in (" + String.join(", ", copy) + ")";
          case NOT_IN -> key + " not in (" + String.join(", ", copy) + ")";
        };
    return parse(expression, "expression");
  }

  /** Reads a constraint from JSON; errors name the field relatively ({@code ""} = this value). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static LabelConstraint fromJson(String expression) {
    if (expression == null) {
      throw InvalidResourceException.of("", "must not be null");
    }
    return parse(expression, "");
  }

  private static LabelConstraint parse(String expression, String field) {
    List<String> tokens = tokenize(expression, field);
    if (tokens.size() < 3 || isPunctuation(tokens.get(0))) {
      throw invalid(field, expression, "expected '<key> <operator> <value>'");
    }
    String key = tokens.get(0);
    String op = tokens.get(1);
    Operator operator;
    List<String> values;
    int rest = tokens.size() - 2;
    if (op.equals("=") || op.equals("==") || op.equals("!=")) {
      operator = op.equals("!=") ? Operator.NOT_EQUAL : Operator.EQUAL;
      values = singleValue(tokens, 2, field, expression);
    } else if (op.equals("is")) {
      if (rest == 2 && tokens.get(2).equals("not")) {
        operator = Operator.NOT_EQUAL;
        values = singleValue(tokens, 3, field, expression);
      } else {
        operator = Operator.EQUAL;
        values = singleValue(tokens, 2, field, expression);
      }
    } else if (op.equals("in")) {
      operator = Operator.IN;
      values = valueList(tokens, 2, field, expression);
    } else if (op.equals("not") && tokens.get(2).equals("in")) {
      operator = Operator.NOT_IN;
      values = valueList(tokens, 3, field, expression);
    } else {
      throw invalid(
          field, expression, "expected one of 'is', '=', '==', 'is not', '!=', 'in', 'not in'");
    }
    if (!Labels.isValidKey(key)) {
      throw invalid(field, expression, Labels.keyMessage());
    }
    for (String value : values) {
      if (!Labels.isValidValue(value)) {
        throw invalid(field, expression, "'" + value + "' is an " + Labels.valueMessage());
      }
    }
    return new LabelConstraint(key, operator, values, expression);
  }

  private static List<String> singleValue(
      List<String> tokens, int start, String field, String expression) {
    if (tokens.size() != start + 1 || isPunctuation(tokens.get(start))) {
      throw invalid(field, expression, "expected exactly one value after the operator");
    }
    return List.of(tokens.get(start));
  }

  private static List<String> valueList(
      List<String> tokens, int start, String field, String expression) {
    String shape = "expected a list of values '(<value>, <value>, ...)' after the operator";
    if (tokens.size() <= start || !tokens.get(start).equals("(")) {
      throw invalid(field, expression, shape);
    }
    List<String> values = new ArrayList<>();
    int i = start + 1;
    while (true) {
      if (i >= tokens.size() || isPunctuation(tokens.get(i))) {
        throw invalid(field, expression, shape);
      }
      values.add(tokens.get(i++));
      int commas = 0;
      while (i < tokens.size() && tokens.get(i).equals(",")) {
        commas++;
        i++;
      }
      if (i < tokens.size() && tokens.get(i).equals(")")) {
        i++;
        break;
      }
      if (commas != 1) {
        throw invalid(field, expression, shape);
      }
    }
    if (i != tokens.size()) {
      throw invalid(field, expression, "unexpected text after ')'");
    }
    return values;
  }

  private static List<String> tokenize(String expression, String field) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    int n = expression.length();
    while (i < n) {
      char c = expression.charAt(i);
      if (c == ' ' || c == '\t') {
        i++;
      } else if (c == '(' || c == ')' || c == ',') {
        tokens.add(String.valueOf(c));
        i++;
      } else if (c == '=') {
        boolean twice = i + 1 < n && expression.charAt(i + 1) == '=';
        tokens.add(twice ? "==" : "=");
        i += twice ? 2 : 1;
      } else if (c == '!') {
        if (i + 1 >= n || expression.charAt(i + 1) != '=') {
          throw invalid(field, expression, "'!' must be followed by '='");
        }
        tokens.add("!=");
        i += 2;
      } else {
        int start = i;
        while (i < n && " \t,()=!".indexOf(expression.charAt(i)) < 0) {
          i++;
        }
        tokens.add(expression.substring(start, i));
      }
    }
    return tokens;
  }

  private static boolean isPunctuation(String token) {
    return token.equals("(")
        || token.equals(")")
        || token.equals(",")
        || token.equals("=")
        || token.equals("==")
        || token.equals("!=");
  }

  private static InvalidResourceException invalid(String field, String expression, String why) {
    return InvalidResourceException.of(
        field, "Invalid label constraint: '" + expression + "': " + why);
  }

  /** Returns the label key the constraint is about. */
  public String key() {
    return key;
  }

  /** Returns the comparison. */
  public Operator operator() {
    return operator;
  }

  /** Returns the values: one for {@code EQUAL}/{@code NOT_EQUAL}, at least one otherwise. */
  public List<String> values() {
    return values;
  }

  /** Returns the expression as written (the parsed string), which is also the JSON form. */
  @JsonValue
  public String expression() {
    return expression;
  }

  /**
   * Returns whether a label set satisfies the constraint. As in Krake, a missing label never
   * satisfies it, for all four operators (so {@code "zone != a"} does not match a cluster without a
   * {@code zone} label).
   *
   * @param labels the labels of the candidate, for example a cluster's {@code metadata.labels}
   */
  public boolean matches(Map<String, String> labels) {
    Objects.requireNonNull(labels, "labels");
    String actual = labels.get(key);
    if (actual == null) {
      return false;
    }
    return switch (operator) {
      case EQUAL -> actual.equals(values.get(0));
      case NOT_EQUAL -> !actual.equals(values.get(0));
      case IN -> values.contains(actual);
      case NOT_IN -> !values.contains(actual);
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelConstraint other
        && key.equals(other.key)
        && operator == other.operator
        && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, operator, values);
  }

  /** Returns the expression. */
  @Override
  public String toString() {
    return expression;
  }
}
