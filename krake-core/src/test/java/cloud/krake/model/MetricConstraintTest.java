package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.MetricConstraint.Operator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MetricConstraintTest {

  @ParameterizedTest
  @CsvSource({
    "load is 5, EQUAL",
    "load = 5, EQUAL",
    "load == 5, EQUAL",
    "load is not 5, NOT_EQUAL",
    "load != 5, NOT_EQUAL",
    "load > 5, GREATER_THAN",
    "load gt 5, GREATER_THAN",
    "load greater than 5, GREATER_THAN",
    "load >= 5, GREATER_THAN_OR_EQUAL",
    "load => 5, GREATER_THAN_OR_EQUAL",
    "load gte 5, GREATER_THAN_OR_EQUAL",
    "load greater than or equal 5, GREATER_THAN_OR_EQUAL",
    "load < 5, LESSER_THAN",
    "load lt 5, LESSER_THAN",
    "load lesser than 5, LESSER_THAN",
    "load <= 5, LESSER_THAN_OR_EQUAL",
    "load =< 5, LESSER_THAN_OR_EQUAL",
    "load lte 5, LESSER_THAN_OR_EQUAL",
    "load lesser than or equal 5, LESSER_THAN_OR_EQUAL",
    "load<=5, LESSER_THAN_OR_EQUAL",
  })
  void parsesEveryOperatorSpelling(String expression, Operator operator) {
    MetricConstraint c = MetricConstraint.parse(expression);

    assertThat(c.metric()).isEqualTo("load");
    assertThat(c.operator()).isEqualTo(operator);
    assertThat(c.value()).isEqualTo(5.0);
    assertThat(c.expression()).isEqualTo(expression);
  }

  @Test
  void toleratesTabsAndRepeatedBlanks() {
    MetricConstraint c =
        MetricConstraint.parse("\theat_demand_zone_1 \t greater  than\tor equal 0.25 ");

    assertThat(c.operator()).isEqualTo(Operator.GREATER_THAN_OR_EQUAL);
    assertThat(c.value()).isEqualTo(0.25);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "load",
        "load 5",
        "load >",
        "load ~ 5",
        "load is abc",
        "load > -1",
        "load > 1 2",
        "loadgt 5",
        "load is greater than 5",
        "$load > 5"
      })
  void rejectsInvalidExpressions(String expression) {
    assertThatThrownBy(() -> MetricConstraint.parse(expression))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("Invalid metric constraint");
  }

  @Test
  void matchesWeightedNormalisedValues() {
    assertThat(MetricConstraint.parse("m > 0.5").matches(0.6)).isTrue();
    assertThat(MetricConstraint.parse("m > 0.5").matches(0.5)).isFalse();
    assertThat(MetricConstraint.parse("m >= 0.5").matches(0.5)).isTrue();
    assertThat(MetricConstraint.parse("m < 0.5").matches(0.4)).isTrue();
    assertThat(MetricConstraint.parse("m <= 0.5").matches(0.6)).isFalse();
    assertThat(MetricConstraint.parse("m = 1").matches(1.0)).isTrue();
    assertThat(MetricConstraint.parse("m != 1").matches(1.0)).isFalse();
  }

  @Test
  void missingMetricDoesNotMatch() {
    MetricConstraint c = MetricConstraint.parse("m is not 1");

    assertThat(c.matches(Map.of("other", 0.0))).isFalse();
    assertThat(c.matches(Map.of("m", 0.0))).isTrue();
  }

  @Test
  void roundTripsThroughJsonAsOriginalString() {
    ClusterConstraints constraints =
        ClusterConstraints.NONE.withMetrics(
            java.util.List.of(MetricConstraint.parse("load lesser than 3")));

    String json = KrakeJson.write(constraints);

    assertThat(json).contains("\"metrics\":[\"load lesser than 3\"]");
    assertThat(KrakeJson.read(json, ClusterConstraints.class)).isEqualTo(constraints);
  }
}
