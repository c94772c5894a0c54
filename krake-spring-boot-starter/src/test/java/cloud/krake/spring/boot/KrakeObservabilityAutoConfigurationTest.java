package cloud.krake.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;
import static org.awaitility.Awaitility.await;

import cloud.krake.Krake;
import cloud.krake.micrometer.MicrometerKrakeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class KrakeObservabilityAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  KrakeAutoConfiguration.class, KrakeObservabilityAutoConfiguration.class));

  @Test
  void recordsAndMonitorsKrakeInTheContextsMeterRegistry() {
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              MicrometerKrakeMetrics metrics = context.getBean(MicrometerKrakeMetrics.class);
              Krake krake = context.getBean(Krake.class);
              assertThat(krake.metricsRecorder()).isSameAs(metrics);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              // monitor(krake) ran at start: one queue-depth gauge per component.
              assertThat(registry.find(MicrometerKrakeMetrics.QUEUE_DEPTH).gauges())
                  .hasSize(krake.components().size());
              assertThat(registry.find(MicrometerKrakeMetrics.APPLICATIONS).gauges()).isNotEmpty();
              // The store calls of the controllers' start went through the recorder.
              await()
                  .atMost(Duration.ofSeconds(30))
                  .until(
                      () ->
                          registry.find(MicrometerKrakeMetrics.STORE_OPERATION).timers().stream()
                                  .mapToLong(t -> t.count())
                                  .sum()
                              > 0);
            });
  }

  @Test
  void noMetersWithoutAMeterRegistryOrWithoutKrakeMicrometer() {
    runner.run(context -> assertThat(context).doesNotHaveBean(MicrometerKrakeMetrics.class));
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withClassLoader(new FilteredClassLoader(MicrometerKrakeMetrics.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean("krakeMetrics");
              assertThat(context).doesNotHaveBean("krakeMetricsMonitor");
            });
  }

  @Test
  void reportsKrakeHealthWithItsChecksAsDetails() {
    runner.run(
        context -> {
          HealthIndicator indicator =
              context.getBean("krakeHealthIndicator", HealthIndicator.class);
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> indicator.health().getStatus().equals(Status.UP));
          Health health = indicator.health();
          assertThat(health.getDetails()).containsEntry("ready", true).containsEntry("live", true);
          assertThat(health.getDetails()).containsKeys("store", "watches", "controllers");
          assertThat(health.getDetails().get("store"))
              .asInstanceOf(MAP)
              .containsEntry("status", "UP");
        });
  }

  @Test
  void reportsDownOnceKrakeIsClosed() {
    runner.run(
        context -> {
          context.getBean(KrakeLifecycle.class).stop();
          Health health = context.getBean(KrakeHealthIndicator.class).health();
          assertThat(health.getStatus()).isEqualTo(Status.DOWN);
          assertThat(health.getDetails()).containsEntry("ready", false);
        });
  }

  @Test
  void noHealthIndicatorWhenDisabledAsSpringBootsOwn() {
    runner
        .withPropertyValues("management.health.krake.enabled=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(Krake.class);
              assertThat(context).doesNotHaveBean("krakeHealthIndicator");
            });
    runner
        .withPropertyValues("management.health.defaults.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("krakeHealthIndicator"));
    runner
        .withPropertyValues(
            "management.health.defaults.enabled=false", "management.health.krake.enabled=true")
        .run(context -> assertThat(context).hasBean("krakeHealthIndicator"));
  }

  @Test
  void noHealthIndicatorWithoutActuator() {
    runner
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean("krakeHealthIndicator");
            });
  }
}
