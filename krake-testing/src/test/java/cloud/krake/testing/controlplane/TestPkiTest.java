package cloud.krake.testing.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.junit.jupiter.api.Test;

/** The certificates and keys {@link TestPki} issues. */
class TestPkiTest {
  private final TestPki pki = TestPki.create("test-ca");

  private static PemObject read(String pem) throws IOException {
    try (PemReader reader = new PemReader(new StringReader(pem))) {
      return reader.readPemObject();
    }
  }

  @Test
  void sec1KeysNameTheirCurveAndCarryThePublicKeyAsGoRequires() throws IOException {
    // Go's x509.ParseECPrivateKey rejects a SEC 1 key without its curve ("tls: failed to parse
    // private key" in kube-controller-manager), which is what the JDK's PKCS#8 encoding holds.
    CertificateAndKey client = pki.client("jane", List.of("devs"));

    PemObject sec1 = read(client.privateKeySec1Pem());
    assertThat(sec1.getType()).isEqualTo("EC PRIVATE KEY");
    ECPrivateKey key = ECPrivateKey.getInstance(sec1.getContent());
    assertThat(key.getParametersObject()).isEqualTo(SECObjectIdentifiers.secp256r1);
    assertThat(key.getPublicKey()).isNotNull();

    PemObject pkcs8 = read(client.privateKeyPem());
    assertThat(pkcs8.getType()).isEqualTo("PRIVATE KEY");
    ECPrivateKey inner =
        ECPrivateKey.getInstance(PrivateKeyInfo.getInstance(pkcs8.getContent()).parsePrivateKey());
    assertThat(inner.getParametersObject()).isEqualTo(SECObjectIdentifiers.secp256r1);
  }

  @Test
  void clientCertificatesCarryTheUserAsCommonNameAndTheGroupsAsOrganizations() throws Exception {
    CertificateAndKey node = pki.client("system:node:a", List.of("system:nodes"));

    assertThat(node.certificate().getSubjectX500Principal().getName())
        .isEqualTo("CN=system:node:a,O=system:nodes");
    assertThat(node.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    node.certificate().verify(pki.ca().certificate().getPublicKey());
    assertThat(node.toString()).doesNotContain("PRIVATE KEY");
  }

  @Test
  void servingCertificatesNameTheirHostsAndAddresses() throws Exception {
    CertificateAndKey server = pki.server("api", List.of("localhost"), List.of("127.0.0.1"));

    assertThat(server.certificate().getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
    assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(pki.ca().certificate().getBasicConstraints()).isEqualTo(0x7fffffff);
  }
}
