package cloud.krake.spring.boot;

import cloud.krake.Krake;
import cloud.krake.KrakeHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Spring Boot Actuator's view of {@link Krake#health()}: {@code UP} when every check of {@link
 * KrakeHealth} is up ({@link KrakeHealth#ready()}), else {@code DOWN}; the details hold {@code
 * ready}, {@code live}, {@code checkedAt} and, per check ({@code store}, {@code watches}, {@code
 * controllers}), its {@code status}, whether it is a liveness check and its detail text. Registered
 * as the bean {@code krakeHealthIndicator}, which Actuator shows as {@code krake}.
 *
 * <p>Each call runs {@link Krake#health()} on the calling thread: it reads the store, with {@link
 * KrakeHealth#DEFAULT_STORE_TIMEOUT} (2 s) at most. An exception from it is reported as {@code
 * DOWN} with the exception, by {@link AbstractHealthIndicator}.
 */
public final class KrakeHealthIndicator extends AbstractHealthIndicator implements HealthIndicator {

  private final Krake krake;

  /**
   * Reports an instance's health.
   *
   * @param krake the instance
   */
  public KrakeHealthIndicator(Krake krake) {
    super("Krake health check failed");
    this.krake = Objects.requireNonNull(krake, "krake");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    KrakeHealth health = krake.health();
    builder.status(health.ready() ? "UP" : "DOWN");
    builder.withDetail("ready", health.ready());
    builder.withDetail("live", health.live());
    builder.withDetail("checkedAt", health.checkedAt().toString());
    for (KrakeHealth.HealthCheck check : health.checks()) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("status", check.up() ? "UP" : "DOWN");
      detail.put("liveness", check.liveness());
      detail.put("detail", check.detail());
      builder.withDetail(check.name(), detail);
    }
  }
}
