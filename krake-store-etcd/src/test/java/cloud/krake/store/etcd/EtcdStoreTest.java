package cloud.krake.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;

/** {@link EtcdStore}'s configuration and encoding, without etcd. */
class EtcdStoreTest {

  private static String decoded(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.ISO_8859_1);
  }

  @Test
  void rangeEndIncrementsTheLastByteOfThePrefix() {
    assertThat(decoded(Gateway.prefixEnd("/krake/apps/"))).isEqualTo("/krake/apps0");
    assertThat(decoded(Gateway.prefixEnd(""))).isEqualTo("\0");
    assertThat(Base64.getDecoder().decode(Gateway.prefixEnd("a\u00ff")))
        .containsExactly('a', 0xc3, 0xc0);
  }

  @Test
  void builderRequiresAnEndpointAndChecksIt() {
    assertThatThrownBy(() -> EtcdStore.builder().build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("endpoint");
    assertThatThrownBy(() -> EtcdStore.builder().endpoint(URI.create("ftp://etcd:2379")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> EtcdStore.builder().endpoint(URI.create("http://user:secret@etcd:2379")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> EtcdStore.builder().requestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                EtcdStore.builder()
                    .endpoint(URI.create("http://etcd:2379"))
                    .tls(EtcdTls.trusting(""))
                    .build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("tls")
        .hasMessageContaining("https");
  }

  @Test
  void builderChecksEveryEndpointOfAClusterNamingItsIndex() {
    URI first = URI.create("http://10.0.0.1:2379");
    assertThatThrownBy(() -> EtcdStore.builder().endpoints(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints");
    assertThatThrownBy(
            () -> EtcdStore.builder().endpoints(List.of(first, URI.create("ftp://10.0.0.2:2379"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints[1]");
    assertThatThrownBy(
            () ->
                EtcdStore.builder().endpoints(List.of(first, URI.create("https://10.0.0.2:2379"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints[1]")
        .hasMessageContaining("scheme");
    assertThatThrownBy(() -> EtcdStore.builder().endpoints(List.of(first, first)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints[1] repeats");

    URI second = URI.create("http://10.0.0.2:2379");
    try (EtcdStore store = EtcdStore.builder().endpoints(List.of(first, second)).build()) {
      assertThat(store.endpoints()).containsExactly(first, second);
      assertThat(store.endpoint()).isEqualTo(first);
      assertThat(store).hasToString("EtcdStore[http://10.0.0.1:2379,http://10.0.0.2:2379]");
    }
  }

  @Test
  void builderRejectsUndecodablePemAsAConfigurationErrorWithoutQuotingIt() {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    EtcdTls badKey =
        EtcdTls.mutual(
            ca.certificatePem(),
            ca.certificatePem(),
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");

    assertThatThrownBy(
            () -> EtcdStore.builder().endpoint(URI.create("https://etcd:2379")).tls(badKey).build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("tls")
        .hasMessageContaining("clientKeyPem")
        .hasMessageNotContaining("c2VjcmV0");
  }

  @Test
  void tlsSettingsNeverShowTheKey() {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate client = new HeldCertificate.Builder().signedBy(ca).build();
    EtcdTls tls =
        EtcdTls.mutual(ca.certificatePem(), client.certificatePem(), client.privateKeyPkcs8Pem());

    assertThat(tls.toString())
        .doesNotContain("PRIVATE")
        .doesNotContain(client.privateKeyPkcs8Pem().substring(40, 80))
        .contains("<redacted>");
    assertThat(tls.handshakeCertificates().keyManager()).isNotNull();
  }

  @Test
  void tlsSettingsRejectBadPemWithoutQuotingIt() {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    assertThatThrownBy(() -> new EtcdTls(ca.certificatePem(), ca.certificatePem(), ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EtcdTls.trusting("not a certificate").handshakeCertificates())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("caCertificatesPem");
    EtcdTls badKey =
        EtcdTls.mutual(
            ca.certificatePem(),
            ca.certificatePem(),
            "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(badKey::handshakeCertificates)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clientKeyPem")
        .hasMessageNotContaining("c2VjcmV0");
  }
}
