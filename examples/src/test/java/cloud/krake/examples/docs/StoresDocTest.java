package cloud.krake.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.Store;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.store.etcd.EtcdTls;
import cloud.krake.store.memory.MemoryStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The snippets of docs/stores.md, run: the typed layer on a {@code MemoryStore}, and building
 * {@code EtcdStore}s (building connects to nothing; {@code EtcdStoreIT} and {@code EtcdStoreTlsIT}
 * in krake-store-etcd talk to a real etcd).
 */
class StoresDocTest {

  private static final String YAML =
      """
      metadata: {name: echo, namespace: default}
      spec:
        constraints: {cluster: {labels: []}}
        manifest:
          - {apiVersion: v1, kind: ConfigMap, metadata: {name: echo}, data: {greeting: hello}}
      """;

  @Test
  void typedLayerCreatesModifiesAndDeletesAnApplication() {
    String yaml = YAML;
    // tag::typed-layer[]
    Store store = MemoryStore.create();
    Applications apps = new Applications(store, Clock.systemUTC());
    Application app = apps.create(KrakeJson.read(yaml, Application.class));
    apps.modifyStatus("default", "echo", a -> a.status().withState(ApplicationState.RUNNING));
    apps.delete("default", "echo");
    // end::typed-layer[]

    assertThat(app.status().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(apps.get("default", "echo"))
        .hasValueSatisfying(a -> assertThat(a.metadata().isDeleted()).isTrue());
    store.close();
  }

  @Test
  void etcdStoresBuildWithTimeoutsAndWithMutualTls() {
    GeneratedHookCa ca = GeneratedHookCa.generate(Clock.systemUTC());
    IssuedCertificate client = ca.issueServerCertificate(List.of("localhost"), List.of());
    String caPem = ca.rootCertificatePem();
    String clientCertPem = client.certificatePem();
    String clientKeyPem = client.privateKeyPem();

    // tag::etcd[]
    EtcdStore store =
        EtcdStore.builder()
            .endpoint(URI.create("http://127.0.0.1:2379"))
            .connectTimeout(Duration.ofSeconds(5)) // default 5 s
            .requestTimeout(Duration.ofSeconds(10)) // default 10 s, per call
            .build();
    // end::etcd[]
    // tag::etcd-tls[]
    EtcdStore secure =
        EtcdStore.builder()
            .endpoint(URI.create("https://127.0.0.1:2379"))
            .tls(EtcdTls.mutual(caPem, clientCertPem, clientKeyPem)) // or EtcdTls.trusting(caPem)
            .build();
    // end::etcd-tls[]

    assertThat(EtcdTls.mutual(caPem, clientCertPem, clientKeyPem).toString())
        .doesNotContain(clientKeyPem.lines().skip(1).findFirst().orElseThrow());
    store.close();
    secure.close();
  }
}
