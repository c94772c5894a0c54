package cloud.krake.hooks.mangling;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthority;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.model.Application;
import cloud.krake.model.HookCredentials;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Taking over a running Krake: the client certificates Krake's controller issued (stored in {@code
 * status.complete_cert} / {@code complete_key}) carry no SAN, so the hook endpoint refuses them;
 * the mangling replaces them at the next reconcile, and the workload's certificate Secret with
 * them, while a certificate the hook CA issued itself is kept.
 */
class KrakeCertificateReissueTest {

  private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final HookIdentity IDENTITY =
      new HookIdentity("testing", "echo-demo", "complete", HookConfig.COMPLETE_HOOK_USER);

  private static GeneratedHookCa ca;
  private static HooksConfig config;
  private static HookCertificateAuthority authority;

  @BeforeAll
  static void generateCa() {
    ca = GeneratedHookCa.generate(CLOCK);
    config =
        HooksConfig.builder()
            .tls(true)
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
            .addCaBundle(ca.rootCertificateSource())
            .build();
    authority = HookCertificateAuthority.of(config, HooksConfig.COMPLETE, CLOCK);
  }

  /**
   * A certificate as Krake's {@code generate_certificate} writes it: signed by the hook's
   * intermediate, subject the intermediate's with CN {@code system:complete-hook}, no extension at
   * all (no SAN), valid for a year.
   */
  private static IssuedCertificate issuedByKrake() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    X509Certificate intermediate = ca.intermediateCertificate();
    X509CertificateHolder holder =
        new JcaX509v3CertificateBuilder(
                intermediate.getSubjectX500Principal(),
                BigInteger.valueOf(4711),
                Date.from(NOW.minus(Duration.ofDays(1))),
                Date.from(NOW.plus(Duration.ofDays(365))),
                new X500Principal("CN=" + HookConfig.COMPLETE_HOOK_USER + ",O=Krake"),
                keys.getPublic())
            .build(
                new JcaContentSignerBuilder("SHA256withECDSA")
                    .build(TlsMaterial.privateKey(ca.intermediateKeyPem())));
    X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
    StringWriter key = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(key)) {
      writer.writeObject(keys.getPrivate());
    }
    return new IssuedCertificate(TlsMaterial.pem(List.of(certificate)), key.toString(), "");
  }

  private static Application withCertificate(IssuedCertificate stored) {
    Application app = Mangling.application(Mangling.sample("echo.yaml"), HookCredentials.COMPLETE);
    return app.withStatus(
        app.status()
            .withCredentials(
                HookCredentials.COMPLETE,
                HookCredentials.NONE
                    .withToken("krake-token")
                    .withCertificate(stored.certificatePem(), stored.privateKeyPem())));
  }

  private static String secretValue(Application app, String key) {
    ObjectNode secret =
        app.status().lastAppliedManifest().stream()
            .filter(r -> r.path("kind").asText().equals("Secret"))
            .filter(r -> r.path("data").has(key))
            .findFirst()
            .orElseThrow();
    return new String(
        Base64.getDecoder().decode(secret.path("data").path(key).asText()), StandardCharsets.UTF_8);
  }

  @Test
  void aKrakeIssuedCertificateWithoutSanIsReissuedAndTheSecretCarriesTheNewOne() throws Exception {
    IssuedCertificate krakes = issuedByKrake();
    assertThat(authority.reject(TlsMaterial.certificates(krakes.certificatePem()), IDENTITY))
        .contains(HookCertificateAuthority.OTHER_IDENTITY);

    Application mangled =
        HookMangling.complete(config, authority, new SecureRandom())
            .mangle(withCertificate(krakes))
            .application();

    HookCredentials credentials = mangled.status().credentials(HookCredentials.COMPLETE);
    String cert = credentials.cert().orElseThrow();
    assertThat(cert).isNotEqualTo(krakes.certificatePem());
    assertThat(credentials.key()).isPresent().get().isNotEqualTo(krakes.privateKeyPem());
    assertThat(credentials.token()).contains("krake-token");
    assertThat(authority.reject(TlsMaterial.certificates(cert), IDENTITY)).isEmpty();
    assertThat(secretValue(mangled, HookMangling.CERT_KEY)).isEqualTo(cert);
    assertThat(secretValue(mangled, HookMangling.KEY_KEY)).isEqualTo(credentials.key().get());
  }

  @Test
  void aCertificateTheHookCaIssuedIsKept() {
    IssuedCertificate own = authority.issue(IDENTITY);

    Application mangled =
        HookMangling.complete(config, authority, new SecureRandom())
            .mangle(withCertificate(own))
            .application();

    HookCredentials credentials = mangled.status().credentials(HookCredentials.COMPLETE);
    assertThat(credentials.cert()).contains(own.certificatePem());
    assertThat(credentials.key()).contains(own.privateKeyPem());
  }

  @Test
  void aCertificateOfAnotherApplicationOrUnreadableIsNotReusable() {
    IssuedCertificate other =
        authority.issue(
            new HookIdentity("testing", "other", "complete", HookConfig.COMPLETE_HOOK_USER));

    assertThat(authority.reusable(other.certificatePem(), IDENTITY)).isFalse();
    assertThat(authority.reusable("not a certificate", IDENTITY)).isFalse();
    assertThat(authority.reusable(authority.issue(IDENTITY).certificatePem(), IDENTITY)).isTrue();
  }
}
