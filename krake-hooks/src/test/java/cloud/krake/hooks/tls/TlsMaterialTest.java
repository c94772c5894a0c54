package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.KrakeException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.hooks.PemSource;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TlsMaterialTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
  private static final HookIdentity APP =
      new HookIdentity("tenant", "echo", "complete", HookConfig.COMPLETE_HOOK_USER);

  private static GeneratedHookCa ca;

  @BeforeAll
  static void generateCa() {
    ca = GeneratedHookCa.generate(CLOCK);
  }

  private static String pem(String type, byte[] der) {
    StringWriter out = new StringWriter();
    try (PemWriter writer = new PemWriter(out)) {
      writer.writeObject(new PemObject(type, der));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The SEC1 form OpenSSL writes with {@code -traditional}: curve and public key included. */
  private static String sec1(PrivateKey key, X509Certificate certificate) throws IOException {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
    ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
    DERBitString publicKey =
        new DERBitString(
            SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded())
                .getPublicKeyData()
                .getBytes());
    ECPrivateKey sec1 =
        new ECPrivateKey(
            256, inner.getKey(), publicKey, info.getPrivateKeyAlgorithm().getParameters());
    return pem("EC PRIVATE KEY", sec1.getEncoded());
  }

  private static HookCertificateAuthority authority(PemSource certificate, PemSource key) {
    return HookCertificateAuthority.of(
        HooksConfig.builder()
            .complete(HookConfig.completeDefaults().withIntermediate(certificate, key))
            .build(),
        "complete",
        CLOCK);
  }

  @Test
  void acceptsAnIntermediateKeyInSec1Form() throws Exception {
    String sec1 =
        sec1(TlsMaterial.privateKey(ca.intermediateKeyPem()), ca.intermediateCertificate());
    assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");

    HookCertificateAuthority authority =
        authority(ca.intermediateCertificateSource(), PemSource.of(sec1));
    X509Certificate cert = TlsMaterial.certificates(authority.issue(APP).certificatePem()).get(0);

    cert.verify(ca.intermediateCertificate().getPublicKey());
  }

  @Test
  void acceptsAnIntermediateKeyInPkcs1Form() throws Exception {
    GeneratedHookCa rsa = GeneratedHookCa.generate(CLOCK, KeyAlgorithm.RSA_2048);
    PrivateKeyInfo info =
        PrivateKeyInfo.getInstance(TlsMaterial.privateKey(rsa.intermediateKeyPem()).getEncoded());
    String pkcs1 = pem("RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded());

    HookCertificateAuthority authority =
        authority(rsa.intermediateCertificateSource(), PemSource.of(pkcs1));
    X509Certificate cert = TlsMaterial.certificates(authority.issue(APP).certificatePem()).get(0);

    assertThat(cert.getSigAlgName()).isEqualTo("SHA256withRSA");
    cert.verify(rsa.intermediateCertificate().getPublicKey());
  }

  @Test
  void readsEveryCertificateInOrderAndSkipsKeys() {
    String mixed =
        ca.rootCertificatePem() + ca.intermediateKeyPem() + ca.intermediateCertificatePem();

    assertThat(TlsMaterial.certificates(mixed))
        .containsExactly(ca.rootCertificate(), ca.intermediateCertificate());
    assertThat(TlsMaterial.privateKey(mixed).getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void writesWhatItReads() {
    List<X509Certificate> chain = List.of(ca.intermediateCertificate(), ca.rootCertificate());
    PrivateKey key = TlsMaterial.privateKey(ca.intermediateKeyPem());

    assertThat(TlsMaterial.certificates(TlsMaterial.pem(chain))).isEqualTo(chain);
    assertThat(TlsMaterial.pem(key)).isEqualTo(ca.intermediateKeyPem());
    assertThat(
            X509Support.matches(
                key, ca.intermediateCertificate().getPublicKey(), new SecureRandom()))
        .isTrue();
  }

  @Test
  void failsWithoutQuotingTheInput() {
    String secretish = "-----BEGIN CERTIFICATE-----\nc2VjcmV0LXZhbHVl\n-----END CERTIFICATE-----\n";

    assertThatThrownBy(() -> TlsMaterial.certificates("just text"))
        .isInstanceOf(KrakeException.class)
        .hasMessageContaining("no PEM certificate");
    assertThatThrownBy(() -> TlsMaterial.certificates(secretish))
        .isInstanceOf(KrakeException.class)
        .hasMessageNotContaining("c2VjcmV0");
    assertThatThrownBy(() -> TlsMaterial.privateKey(ca.rootCertificatePem()))
        .isInstanceOf(KrakeException.class)
        .hasMessageContaining("no PEM private key");
  }

  @Test
  void buildsServerAndClientContexts() {
    IssuedCertificate server =
        ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));

    SSLContext serverContext =
        TlsMaterial.serverContext(
            server.certificatePem(), server.privateKeyPem(), List.of(ca.intermediateCertificate()));
    SSLContext clientContext =
        TlsMaterial.clientContext(TlsMaterial.certificates(server.caBundlePem()));
    X509KeyManager keyManager =
        TlsMaterial.keyManager(server.certificatePem(), server.privateKeyPem());

    assertThat(serverContext.getProtocol()).isEqualTo("TLS");
    assertThat(clientContext.getProtocol()).isEqualTo("TLS");
    assertThat(keyManager.getCertificateChain(keyManager.chooseServerAlias("EC", null, null)))
        .hasSize(2);
    assertThat(TlsMaterial.trustManager(List.of(ca.rootCertificate())).getAcceptedIssuers())
        .containsExactly(ca.rootCertificate());
    assertThatThrownBy(() -> TlsMaterial.trustManager(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
