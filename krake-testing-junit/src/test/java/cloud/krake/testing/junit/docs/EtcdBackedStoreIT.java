package cloud.krake.testing.junit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.testing.EtcdExtension;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The example of docs/testing.md: {@code EtcdExtension}. */
// tag::etcd-extension[]
class EtcdBackedStoreIT {

  // One etcd process for the class: started before all tests, stopped and deleted after.
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.builder().build();

  @Test
  void keepsApplicationsInEtcd() {
    try (EtcdStore store = EtcdStore.builder().endpoint(etcd.endpoint()).build()) {
      Applications applications = new Applications(store, Clock.systemUTC());

      applications.create(
          KrakeJson.read(
              """
              metadata: {name: echo, namespace: tenant}
              spec:
                manifest: [{apiVersion: v1, kind: ConfigMap, metadata: {name: echo}}]
                constraints: {cluster: {labels: [location is edge]}}
              """,
              Application.class));

      assertThat(applications.get("tenant", "echo")).isPresent();
    }
  }
}
// end::etcd-extension[]
