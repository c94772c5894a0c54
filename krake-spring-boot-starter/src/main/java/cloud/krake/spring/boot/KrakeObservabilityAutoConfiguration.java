package cloud.krake.spring.boot;

import cloud.krake.Krake;
import cloud.krake.micrometer.MicrometerKrakeMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Krake's meters and health in a Spring Boot host, each only when its classes are present:
 *
 * <ul>
 *   <li>with krake-micrometer and a {@link MeterRegistry} bean (Actuator's, or the host's): a
 *       {@link MicrometerKrakeMetrics} bean, which the {@code Krake} bean is built with as its
 *       metrics recorder, which Spring Boot binds to its registries as a {@code MeterBinder}, and
 *       which {@linkplain MicrometerKrakeMetrics#monitor monitors} the instance (queue depth and
 *       applications per state) from the start of the context to its close;
 *   <li>with Actuator: the health indicator {@code krake} ({@link KrakeHealthIndicator}), unless
 *       {@code management.health.krake.enabled=false} (or {@code
 *       management.health.defaults.enabled=false} without {@code
 *       management.health.krake.enabled=true}), as Spring Boot's own indicators.
 * </ul>
 *
 * Both need a {@code Krake} bean (the auto-configured one or the host's); ordered after {@link
 * KrakeAutoConfiguration} and Actuator's meter registry auto-configurations. The auto-configured
 * {@code Krake} bean takes every {@code KrakeMetricsRecorder} bean (when there is exactly one) as
 * its recorder; a host's own {@code Krake} bean is monitored but records only if built with it.
 */
@AutoConfiguration(
    after = KrakeAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
    })
public class KrakeObservabilityAutoConfiguration {

  /** Makes the auto-configuration; Spring calls it. */
  public KrakeObservabilityAutoConfiguration() {}

  /** The Micrometer meters. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({MeterRegistry.class, MicrometerKrakeMetrics.class})
  @ConditionalOnBean({MeterRegistry.class, Krake.class})
  public static class MetricsConfiguration {

    /** Makes the configuration; Spring calls it. */
    public MetricsConfiguration() {}

    /**
     * The recorder and binder of Krake's meters, in the context's meter registry.
     *
     * @param registry the registry
     * @return the recorder
     */
    @Bean
    @ConditionalOnMissingBean
    public MicrometerKrakeMetrics krakeMetrics(MeterRegistry registry) {
      return new MicrometerKrakeMetrics(registry);
    }

    /**
     * Monitors the {@code Krake} bean while the context runs: started before it, stopped after it.
     *
     * @param metrics the recorder
     * @param krake the instance
     * @return the lifecycle of the monitoring
     */
    @Bean
    @ConditionalOnMissingBean(name = "krakeMetricsMonitor")
    public SmartLifecycle krakeMetricsMonitor(MicrometerKrakeMetrics metrics, Krake krake) {
      return new SmartLifecycle() {
        private volatile boolean running;

        @Override
        public void start() {
          metrics.monitor(krake);
          running = true;
        }

        @Override
        public void stop() {
          running = false;
          metrics.close();
        }

        @Override
        public boolean isRunning() {
          return running;
        }

        @Override
        public int getPhase() {
          return KrakeLifecycle.PHASE - 1;
        }
      };
    }
  }

  /** The Actuator health indicator. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      value = HealthIndicator.class,
      name =
          "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator")
  public static class HealthConfiguration {

    /** Makes the configuration; Spring calls it. */
    public HealthConfiguration() {}

    /**
     * The health indicator {@code krake}.
     *
     * @param krake the instance
     * @return the indicator
     */
    @Bean
    @ConditionalOnMissingBean(name = "krakeHealthIndicator")
    @ConditionalOnBean(Krake.class)
    @ConditionalOnEnabledHealthIndicator("krake")
    public KrakeHealthIndicator krakeHealthIndicator(Krake krake) {
      return new KrakeHealthIndicator(krake);
    }
  }
}
