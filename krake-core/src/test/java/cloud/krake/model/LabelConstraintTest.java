package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.LabelConstraint.Operator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelConstraintTest {

  @ParameterizedTest
  @ValueSource(strings = {"location is DE", "location = DE", "location == DE", "location=DE"})
  void parsesEveryEqualitySpelling(String expression) {
    LabelConstraint c = LabelConstraint.parse(expression);

    assertThat(c.key()).isEqualTo("location");
    assertThat(c.operator()).isEqualTo(Operator.EQUAL);
    assertThat(c.values()).containsExactly("DE");
    assertThat(c.expression()).isEqualTo(expression);
  }

  @ParameterizedTest
  @ValueSource(strings = {"location is not DE", "location != DE", "location!=DE"})
  void parsesEveryNonEqualitySpelling(String expression) {
    LabelConstraint c = LabelConstraint.parse(expression);

    assertThat(c.operator()).isEqualTo(Operator.NOT_EQUAL);
    assertThat(c.values()).containsExactly("DE");
  }

  @Test
  void parsesInWithTrailingCommas() {
    LabelConstraint c = LabelConstraint.parse("location in (DE, UK,)");
    LabelConstraint many = LabelConstraint.parse("location in (DE,UK,,)");

    assertThat(c.operator()).isEqualTo(Operator.IN);
    assertThat(c.values()).containsExactly("DE", "UK");
    assertThat(many.values()).containsExactly("DE", "UK");
  }

  @Test
  void parsesNotInWithTabsAndSpaces() {
    LabelConstraint c = LabelConstraint.parse("\tlocation \t not\tin\t( DE ,\tUK )  ");

    assertThat(c.key()).isEqualTo("location");
    assertThat(c.operator()).isEqualTo(Operator.NOT_IN);
    assertThat(c.values()).containsExactly("DE", "UK");
  }

  @Test
  void acceptsPrefixedKeys() {
    assertThat(LabelConstraint.parse("example.com/zone in (a-1, b.2)").key())
        .isEqualTo("example.com/zone");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "location",
        "location is",
        "location DE",
        "location is a b",
        "location in DE",
        "location in ()",
        "location in (DE",
        "location in (, DE)",
        "location in (DE,,UK)",
        "location in (DE) extra",
        "location not DE",
        "location ! DE",
        "= DE",
        "$location is DE",
        "location is -DE",
        "location in (DE, -UK)"
      })
  void rejectsInvalidExpressions(String expression) {
    assertThatThrownBy(() -> LabelConstraint.parse(expression))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("Invalid label constraint")
        .satisfies(
            e ->
                assertThat(((InvalidResourceException) e).errors())
                    .extracting(FieldError::field)
                    .containsExactly("expression"));
  }

  @Test
  void missingLabelMatchesNoOperator() {
    Map<String, String> labels = Map.of("other", "x");

    assertThat(LabelConstraint.parse("zone is a").matches(labels)).isFalse();
    assertThat(LabelConstraint.parse("zone is not a").matches(labels)).isFalse();
    assertThat(LabelConstraint.parse("zone in (a, b)").matches(labels)).isFalse();
    assertThat(LabelConstraint.parse("zone not in (a, b)").matches(labels)).isFalse();
  }

  @Test
  void matchesPresentLabelsPerOperator() {
    Map<String, String> labels = Map.of("zone", "a");

    assertThat(LabelConstraint.parse("zone = a").matches(labels)).isTrue();
    assertThat(LabelConstraint.parse("zone = b").matches(labels)).isFalse();
    assertThat(LabelConstraint.parse("zone != b").matches(labels)).isTrue();
    assertThat(LabelConstraint.parse("zone != a").matches(labels)).isFalse();
    assertThat(LabelConstraint.parse("zone in (b, a)").matches(labels)).isTrue();
    assertThat(LabelConstraint.parse("zone in (b, c)").matches(labels)).isFalse();
    assertThat(LabelConstraint.parse("zone not in (b, c)").matches(labels)).isTrue();
    assertThat(LabelConstraint.parse("zone not in (a)").matches(labels)).isFalse();
  }

  @Test
  void equalsIgnoresSpellingButKeepsOriginalExpression() {
    LabelConstraint a = LabelConstraint.parse("zone is a");
    LabelConstraint b = LabelConstraint.parse("zone==a");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(b.expression()).isEqualTo("zone==a");
    assertThat(b).hasToString("zone==a");
  }

  @Test
  void buildsCanonicalExpressionFromParts() {
    assertThat(LabelConstraint.of(Operator.NOT_IN, "zone", List.of("a", "b")).expression())
        .isEqualTo("zone not in (a, b)");
    assertThat(LabelConstraint.of(Operator.NOT_EQUAL, "zone", List.of("a")).expression())
        .isEqualTo("zone is not a");
  }

  @Test
  void writesOriginalExpressionToJsonAndReadsItBack() {
    ClusterConstraints constraints =
        ClusterConstraints.NONE.withLabels(
            List.of(LabelConstraint.parse("zone in (a, b,)"), LabelConstraint.parse("x!=y")));

    String json = KrakeJson.write(constraints);
    ClusterConstraints back = KrakeJson.read(json, ClusterConstraints.class);

    assertThat(json).contains("\"labels\":[\"zone in (a, b,)\",\"x!=y\"]");
    assertThat(back).isEqualTo(constraints);
    assertThat(back.labels())
        .extracting(LabelConstraint::expression)
        .containsExactly("zone in (a, b,)", "x!=y");
  }
}
