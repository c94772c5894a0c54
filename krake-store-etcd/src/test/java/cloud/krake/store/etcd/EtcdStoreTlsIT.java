package cloud.krake.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.store.KeyValue;
import cloud.krake.store.StoreUnavailableException;
import cloud.krake.testing.EtcdExtension;
import cloud.krake.testing.EtcdServer;
import java.time.Duration;
import java.util.UUID;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link EtcdStore} against an etcd that requires TLS client certificates. */
class EtcdStoreTlsIT {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.builder().tls(true).build();

  private static EtcdServer.Tls material() {
    return etcd.server().tls().orElseThrow();
  }

  @Test
  void readsWritesAndWatchesWithAClientCertificate() {
    EtcdServer.Tls tls = material();
    String key = "/krake-tls/" + UUID.randomUUID();
    try (EtcdStore store =
        EtcdStore.builder()
            .endpoint(etcd.endpoint())
            .tls(
                EtcdTls.mutual(
                    tls.caCertificatePem(), tls.clientCertificatePem(), tls.clientKeyPem()))
            .build()) {
      RecordingListener listener = new RecordingListener();
      store.watch(key, 0, listener);
      KeyValue created = store.create(key, "v".getBytes(UTF_8));
      assertThat(store.get(key)).contains(created);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(listener.events).hasSize(1));
    }
  }

  @Test
  void isRejectedWithoutAClientCertificate() {
    try (EtcdStore store =
        EtcdStore.builder()
            .endpoint(etcd.endpoint())
            .tls(EtcdTls.trusting(material().caCertificatePem()))
            .build()) {
      assertThatThrownBy(store::revision)
          .isInstanceOf(StoreUnavailableException.class)
          .hasMessageContaining(etcd.endpoint().toString());
    }
  }

  @Test
  void rejectsAServerSignedByAnotherAuthority() {
    HeldCertificate otherCa = new HeldCertificate.Builder().certificateAuthority(0).build();
    EtcdServer.Tls tls = material();
    try (EtcdStore store =
        EtcdStore.builder()
            .endpoint(etcd.endpoint())
            .tls(
                EtcdTls.mutual(
                    otherCa.certificatePem(), tls.clientCertificatePem(), tls.clientKeyPem()))
            .build()) {
      assertThatThrownBy(store::revision).isInstanceOf(StoreUnavailableException.class);
    }
  }
}
