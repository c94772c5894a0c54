package com.example.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cloud.krake.Krake;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.spring.boot.KrakeLifecycle;
import cloud.krake.store.memory.MemoryStore;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The host's Spring Boot application on the starter (application.yaml of src/main/resources): a
 * started Krake on a memory store with the hook endpoint on a port of its own, closed with the
 * context. JUnit's own assertions only, no spring-boot-test on this classpath.
 */
class HostApplicationTest {

  @Test
  void startsKrakeFromItsPropertiesAndClosesItWithTheContext() {
    KrakeLifecycle lifecycle;
    try (ConfigurableApplicationContext context =
        SpringApplication.run(HostApplication.class, "--spring.main.web-application-type=none")) {
      Krake krake = context.getBean(Krake.class);
      assertTrue(krake.store() instanceof MemoryStore);
      assertEquals(2, krake.workers());
      assertTrue(context.getBean(EmbeddedHookServer.class).port() > 0);
      lifecycle = context.getBean(KrakeLifecycle.class);
      assertTrue(lifecycle.isRunning());
    }
    assertFalse(lifecycle.isRunning());
  }
}
