package com.example.host;

import cloud.krake.Krake;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The host as a Spring Boot application: krake-spring-boot-starter makes, starts and closes the
 * {@link Krake} bean from the {@code krake.*} properties of {@code application.yaml}.
 */
// tag::application[]
@SpringBootApplication
public class HostApplication {

  /** Runs the host until the JVM is stopped. */
  public static void main(String[] args) {
    SpringApplication.run(HostApplication.class, args);
  }
}
// end::application[]
