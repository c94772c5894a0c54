package cloud.krake.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A constraint on a metric of a cluster, as Krake's {@code MetricConstraint}: parsed from and
 * written back as Krake's expression string.
 *
 * <p>Grammar: {@code <metric> <operator> <value>}, spaces and tabs between tokens ignored, with the
 * operators
 *
 * <ul>
 *   <li>{@code is}, {@code =}, {@code ==}: {@link Operator#EQUAL}
 *   <li>{@code is not}, {@code !=}: {@link Operator#NOT_EQUAL}
 *   <li>{@code >}, {@code gt}, {@code greater than}: {@link Operator#GREATER_THAN}
 *   <li>{@code >=}, {@code =>}, {@code gte}, {@code greater than or equal}: {@link
 *       Operator#GREATER_THAN_OR_EQUAL}
 *   <li>{@code <}, {@code lt}, {@code lesser than}: {@link Operator#LESSER_THAN}
 *   <li>{@code <=}, {@code =<}, {@code lte}, {@code lesser than or equal}: {@link
 *       Operator#LESSER_THAN_OR_EQUAL}
 * </ul>
 *
 * Word operators must be separated from the metric and the value by blanks. As in Krake the metric
 * must be a valid label key and the value a valid label value (so a negative value is rejected).
 * Unlike Krake, which converts the value to a number only when matching (and then fails), the value
 * must be a decimal number ({@code 5}, {@code 0.25}, {@code 1e3}) when parsed.
 *
 * <p>Instances are immutable; two constraints are equal when metric, operator and value are equal,
 * whichever spelling they were parsed from. {@link #expression()} keeps the original spelling,
 * which is what is written to JSON.
 */
public final class MetricConstraint {

  /** The comparison a metric constraint makes. */
  public enum Operator {
    /** The value equals the constraint's value. */
    EQUAL,
    /** The value differs from the constraint's value. */
    NOT_EQUAL,
    /** The value is greater than the constraint's value. */
    GREATER_THAN,
    /** The value is greater than or equal to the constraint's value. */
    GREATER_THAN_OR_EQUAL,
    /** The value is less than the constraint's value. */
    LESSER_THAN,
    /** The value is less than or equal to the constraint's value. */
    LESSER_THAN_OR_EQUAL
  }

  private static final String BLANK = "[ \\t]";
  private static final Pattern GRAMMAR =
      Pattern.compile(
          "^"
              + BLANK
              + "*(?<metric>[^ \\t,()=!<>]+)(?:"
              + BLANK
              + "*(?<symbol>==|=>|=<|!=|>=|<=|=|>|<)"
              + BLANK
              + "*|"
              + BLANK
              + "+(?<word>is"
              + BLANK
              + "+not|is|gte|gt|lte|lt|greater"
              + BLANK
              + "+than"
              + BLANK
              + "+or"
              + BLANK
              + "+equal|greater"
              + BLANK
              + "+than|lesser"
              + BLANK
              + "+than"
              + BLANK
              + "+or"
              + BLANK
              + "+equal|lesser"
              + BLANK
              + "+than)"
              + BLANK
              + "+)(?<value>[^ \\t,()=!<>]+)"
              + BLANK
              + "*$");

  private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?(?:[eE]-?\\d+)?");

  private final String metric;
  private final Operator operator;
  private final double value;
  private final String expression;

  private MetricConstraint(String metric, Operator operator, double value, String expression) {
    this.metric = metric;
    this.operator = operator;
    this.value = value;
    this.expression = expression;
  }

  /**
   * Parses a metric constraint expression.
   *
   * @param expression the expression, for example {@code "heat_demand_zone_1 < 3"}
   * @return the constraint; {@link #expression()} returns {@code expression} unchanged
   * @throws InvalidResourceException naming the field {@code expression} if the expression does not
   *     follow the grammar, the metric name breaks the label key rules, or the value is not a
   *     non-negative decimal number; the message starts with "Invalid metric constraint"
   */
  public static MetricConstraint parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    return parse(expression, "expression");
  }

  /** Reads a constraint from JSON; errors name the field relatively ({@code ""} = this value). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static MetricConstraint fromJson(String expression) {
    if (expression == null) {
      throw InvalidResourceException.of("", "must not be null");
    }
    return parse(expression, "");
  }

  private static MetricConstraint parse(String expression, String field) {
    Matcher m = GRAMMAR.matcher(expression);
    if (!m.matches()) {
      throw invalid(
          field,
          expression,
          "expected '<metric> <operator> <value>' with an operator among is, =, ==, is not, !=,"
              + " >, gt, greater than, >=, =>, gte, greater than or equal, <, lt, lesser than,"
              + " <=, =<, lte, lesser than or equal");
    }
    String metric = m.group("metric");
    String op = m.group("symbol") != null ? m.group("symbol") : m.group("word");
    String value = m.group("value");
    if (!Labels.isValidKey(metric)) {
      throw invalid(field, expression, "the metric name is an " + Labels.keyMessage());
    }
    if (!Labels.isValidValue(value) || !NUMBER.matcher(value).matches()) {
      throw invalid(field, expression, "the value must be a non-negative decimal number");
    }
    return new MetricConstraint(metric, operator(op), Double.parseDouble(value), expression);
  }

  private static Operator operator(String op) {
    String normalised = op.replaceAll("[ \\t]+", " ");
    return switch (normalised) {
      case "is", "=", "==" -> Operator.EQUAL;
      case "is not", "!=" -> Operator.NOT_EQUAL;
      case ">", "gt", "greater than" -> Operator.GREATER_THAN;
      case ">=", "=>", "gte", "greater than or equal" -> Operator.GREATER_THAN_OR_EQUAL;
      case "<", "lt", "lesser than" -> Operator.LESSER_THAN;
      case "<=", "=<", "lte", "lesser than or equal" -> Operator.LESSER_THAN_OR_EQUAL;
      default -> throw new IllegalStateException("operator " + op);
    };
  }

  private static InvalidResourceException invalid(String field, String expression, String why) {
    return InvalidResourceException.of(
        field, "Invalid metric constraint: '" + expression + "': " + why);
  }

  /** Returns the name of the Krake metric resource the constraint is about. */
  public String metric() {
    return metric;
  }

  /** Returns the comparison. */
  public Operator operator() {
    return operator;
  }

  /** Returns the value compared with. */
  public double value() {
    return value;
  }

  /** Returns the expression as written (the parsed string), which is also the JSON form. */
  @JsonValue
  public String expression() {
    return expression;
  }

  /**
   * Returns whether a metric value satisfies the constraint. As in Krake's scheduler, the value to
   * pass is the cluster's <em>weighted normalised</em> value of the metric (weight × value
   * normalised into {@code [0, 1]} by the metric's min and max), not the raw value.
   *
   * @param weightedNormalisedValue the metric's weighted normalised value for the candidate
   */
  public boolean matches(double weightedNormalisedValue) {
    double v = weightedNormalisedValue;
    return switch (operator) {
      case EQUAL -> v == value;
      case NOT_EQUAL -> v != value;
      case GREATER_THAN -> v > value;
      case GREATER_THAN_OR_EQUAL -> v >= value;
      case LESSER_THAN -> v < value;
      case LESSER_THAN_OR_EQUAL -> v <= value;
    };
  }

  /**
   * Returns whether a candidate's metrics satisfy the constraint: looks up {@link #metric()} and
   * applies {@link #matches(double)}. A missing metric does not satisfy it, as in Krake.
   *
   * @param weightedNormalisedValues the candidate's weighted normalised values by metric name
   */
  public boolean matches(Map<String, Double> weightedNormalisedValues) {
    Objects.requireNonNull(weightedNormalisedValues, "weightedNormalisedValues");
    Double v = weightedNormalisedValues.get(metric);
    return v != null && matches(v.doubleValue());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricConstraint other
        && metric.equals(other.metric)
        && operator == other.operator
        && Double.compare(value, other.value) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(metric, operator, value);
  }

  /** Returns the expression. */
  @Override
  public String toString() {
    return expression;
  }
}
