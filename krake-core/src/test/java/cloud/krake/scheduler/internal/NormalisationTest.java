package cloud.krake.scheduler.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.model.MetricProviderRef;
import cloud.krake.model.MetricSpec;
import cloud.krake.model.ReasonCode;
import cloud.krake.scheduler.MetricValues;
import cloud.krake.scheduler.metrics.MetricException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NormalisationTest {
  static final MetricSpec ZERO_TO_FIVE =
      new MetricSpec(List.of(), 0, 5, new MetricProviderRef("prometheus", "heat_demand_zone_1"));

  @Test
  void mapsMinToZeroAndMaxToOne() {
    assertThat(Normalisation.normalise("heat", 0, ZERO_TO_FIVE)).isEqualTo(0.0);
    assertThat(Normalisation.normalise("heat", 5, ZERO_TO_FIVE)).isEqualTo(1.0);
    assertThat(Normalisation.normalise("heat", 2, ZERO_TO_FIVE)).isEqualTo(0.4);
  }

  @Test
  void rejectsValuesOutsideMinAndMaxAsInvalidMetric() {
    for (double raw : new double[] {-0.1, 5.1, Double.NaN}) {
      assertThatThrownBy(() -> Normalisation.normalise("heat", raw, ZERO_TO_FIVE))
          .isInstanceOf(MetricException.class)
          .satisfies(
              e ->
                  assertThat(((MetricException) e).reason().code())
                      .isEqualTo(ReasonCode.INVALID_METRIC));
    }
  }

  @Test
  void rejectsValuesNotAmongANonEmptyAllowedValues() {
    MetricSpec spec = new MetricSpec(List.of(1, 3), 0, 5, new MetricProviderRef("static", "heat"));

    assertThat(Normalisation.normalise("heat", 3, spec)).isEqualTo(0.6);
    assertThatThrownBy(() -> Normalisation.normalise("heat", 2, spec))
        .isInstanceOf(MetricException.class)
        .hasMessageContaining("allowed values");
  }

  @Test
  void metricValuesRejectsNormalisedValuesOutsideZeroToOne() {
    assertThatThrownBy(() -> MetricValues.of(Map.of("heat", 1.5)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
