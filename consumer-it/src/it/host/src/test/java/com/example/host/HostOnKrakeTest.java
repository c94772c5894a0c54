package com.example.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.ResourceRef;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.testing.junit.KrakeTestExtension;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A host's test: KrakeTestExtension on the host's JUnit, with JUnit's own assertions only (no
 * AssertJ or Awaitility on this classpath). One fixture for the class: one start.
 */
class HostOnKrakeTest {

  @RegisterExtension
  static final KrakeTestExtension krake =
      KrakeTestExtension.builder()
          .cluster("edge-1", Map.of("location", "edge"))
          .kubelet(false)
          .build();

  @Test
  void runsOnTheJUnitTheHostChose() {
    assertEquals(
        System.getProperty("host.junit.version"),
        Test.class.getPackage().getImplementationVersion());
  }

  @Test
  void placesAnApplicationOnTheFakeClusterItsLabelsSelect() {
    krake.createApplication(
        "settings",
        "{apiVersion: v1, kind: ConfigMap, metadata: {name: settings}}",
        "location is edge");

    Application running = krake.awaitState("settings", ApplicationState.RUNNING);

    assertEquals(Optional.of("edge-1"), running.status().runningOn().map(ResourceRef::name));
  }

  @Test
  void buildsAnEtcdStoreWithoutContactingEtcd() throws Exception {
    URI endpoint = URI.create("http://127.0.0.1:2379");
    try (EtcdStore store = HostStore.open(endpoint)) {
      assertEquals(endpoint, store.endpoint());
    }
  }
}
