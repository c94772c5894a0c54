package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hook certificate's fast encoding (issue 16) gives the bytes BouncyCastle's slower paths gave:
 * times, the certificate's DER and its PEM, the key's PEM.
 */
class HookCertificateEncodingTest {

  private static final HookIdentity APP =
      new HookIdentity("tenant", "echo", "complete", HookConfig.COMPLETE_HOOK_USER);

  static Stream<CryptoProvider> providers() {
    return Stream.of(CryptoProvider.JDK, HookCrypto.select(CryptoProvider.AUTO).provider())
        .distinct();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-12-07T00:00:00.999Z",
        "2049-12-31T23:59:59Z",
        "2050-01-01T00:00:00Z",
        "1949-12-31T23:59:59Z",
        "1950-01-01T00:00:00Z"
      })
  void encodesATimeAsBouncyCastlesTimeOfADate(String instant) throws Exception {
    Instant time = Instant.parse(instant);

    assertThat(X509Support.time(time).getEncoded())
        .isEqualTo(new Time(Date.from(time)).getEncoded());
  }

  @ParameterizedTest
  @MethodSource("providers")
  void issuesCanonicalDerSignedByTheIntermediate(CryptoProvider provider) throws Exception {
    GeneratedHookCa ca = GeneratedHookCa.generate(Clock.systemUTC());
    HookCertificateAuthority authority = authority(ca, provider);

    IssuedCertificate issued = authority.issue(APP);

    X509Certificate certificate = TlsMaterial.certificates(issued.certificatePem()).get(0);
    byte[] der = certificate.getEncoded();
    assertThat(new X509CertificateHolder(der).getEncoded()).isEqualTo(der);
    certificate.verify(ca.intermediateCertificate().getPublicKey());
    assertThat(issued.certificatePem()).isEqualTo(jcaPem(certificate));
    assertThat(authority.reject(List.of(certificate), APP)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("providers")
  void writesTheKeyAsJcaPemWriterDid(CryptoProvider provider) throws Exception {
    IssuedCertificate issued =
        authority(GeneratedHookCa.generate(Clock.systemUTC()), provider).issue(APP);
    PrivateKey key = TlsMaterial.privateKey(issued.privateKeyPem());

    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    }
    assertThat(Pem.write(key)).isEqualTo(out.toString());
  }

  @Test
  void writesACertificateAsJcaPemWriterDoes() throws Exception {
    X509Certificate root = GeneratedHookCa.generate(Clock.systemUTC()).rootCertificate();

    assertThat(Pem.writeCertificate(root.getEncoded())).isEqualTo(jcaPem(root));
  }

  private static String jcaPem(X509Certificate certificate) throws Exception {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    }
    return out.toString();
  }

  private static HookCertificateAuthority authority(GeneratedHookCa ca, CryptoProvider provider) {
    return HookCertificateAuthority.of(
        HooksConfig.builder()
            .tls(true)
            .cryptoProvider(provider)
            .keyPoolSize(0)
            .addCaBundle(ca.rootCertificateSource())
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
            .build(),
        "complete",
        Clock.systemUTC());
  }
}
