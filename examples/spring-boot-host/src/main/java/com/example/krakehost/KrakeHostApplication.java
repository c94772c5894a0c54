package com.example.krakehost;

import cloud.krake.Krake;
import java.util.List;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot web host on krake-spring-boot-starter: the {@link Krake} bean comes from the
 * {@code krake.*} properties of {@code application.yaml}; Krake's hook endpoint is served on this
 * application's own server under {@code /kubernetes/*}; {@code /actuator/health} includes the
 * {@code krake} indicator and {@code /actuator/metrics} Krake's meters.
 */
@SpringBootApplication
@RestController
public class KrakeHostApplication {

  private final Krake krake;

  /** Takes the auto-configured instance. */
  public KrakeHostApplication(Krake krake) {
    this.krake = krake;
  }

  /** Lists the names of the applications of the namespace {@code default}. */
  @GetMapping("/applications")
  public List<String> applications() {
    return krake.applications().list("default").items().stream()
        .map(application -> application.metadata().name())
        .toList();
  }

  /** Runs the host. */
  public static void main(String[] args) {
    SpringApplication.run(KrakeHostApplication.class, args);
  }
}
