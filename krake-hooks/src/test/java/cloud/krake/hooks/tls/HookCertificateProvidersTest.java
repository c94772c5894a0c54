package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.model.FieldError;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hook CA with each provider: Conscrypt-made certificates are the same certificates as
 * SunEC-made ones and pass the same check, and keys come from the pool of ready pairs.
 */
class HookCertificateProvidersTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final HookIdentity APP =
      new HookIdentity("tenant", "echo", "complete", HookConfig.COMPLETE_HOOK_USER);

  private static GeneratedHookCa ca;

  @BeforeAll
  static void generateCa() {
    ca = GeneratedHookCa.generate(CLOCK);
  }

  private static HooksConfig.Builder config(CryptoProvider provider) {
    return HooksConfig.builder()
        .tls(true)
        .addCaBundle(ca.rootCertificateSource())
        .complete(ca.withIntermediate(HookConfig.completeDefaults()))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
        .cryptoProvider(provider)
        .keyPoolSize(0);
  }

  private static X509Certificate leaf(IssuedCertificate issued) {
    return TlsMaterial.certificates(issued.certificatePem()).get(0);
  }

  private static ASN1ObjectIdentifier curve(X509Certificate certificate) {
    return ASN1ObjectIdentifier.getInstance(
        SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded())
            .getAlgorithm()
            .getParameters());
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyAlgorithm.class,
      names = {"EC_P256", "RSA_2048"})
  void conscryptIssuesTheSameCertificateAsTheJdkAndBothChecksAcceptIt(KeyAlgorithm algorithm)
      throws Exception {
    try (HookCertificateAuthority conscrypt =
            HookCertificateAuthority.of(
                config(CryptoProvider.CONSCRYPT).keyAlgorithm(algorithm).build(),
                "complete",
                CLOCK);
        HookCertificateAuthority jdk =
            HookCertificateAuthority.of(
                config(CryptoProvider.JDK).keyAlgorithm(algorithm).build(), "complete", CLOCK)) {
      assertThat(conscrypt.crypto().provider()).isEqualTo(CryptoProvider.CONSCRYPT);
      assertThat(jdk.crypto().provider()).isEqualTo(CryptoProvider.JDK);

      IssuedCertificate fromConscrypt = conscrypt.issue(APP);
      X509Certificate native_ = leaf(fromConscrypt);
      X509Certificate java = leaf(jdk.issue(APP));

      assertThat(native_.getVersion()).isEqualTo(3);
      assertThat(native_.getSubjectX500Principal()).isEqualTo(java.getSubjectX500Principal());
      assertThat(native_.getIssuerX500Principal()).isEqualTo(java.getIssuerX500Principal());
      assertThat(native_.getNotBefore()).isEqualTo(java.getNotBefore());
      assertThat(native_.getNotAfter()).isEqualTo(java.getNotAfter());
      assertThat(native_.getSigAlgName()).isEqualTo(java.getSigAlgName());
      assertThat(native_.getCriticalExtensionOIDs()).isEqualTo(java.getCriticalExtensionOIDs());
      assertThat(native_.getNonCriticalExtensionOIDs())
          .isEqualTo(java.getNonCriticalExtensionOIDs());
      assertThat(native_.getKeyUsage()).isEqualTo(java.getKeyUsage());
      assertThat(native_.getExtendedKeyUsage()).isEqualTo(java.getExtendedKeyUsage());
      assertThat(native_.getSubjectAlternativeNames())
          .containsExactlyElementsOf(java.getSubjectAlternativeNames())
          .containsExactly(List.of(6, "krake:tenant/echo/complete"));
      assertThat(native_.getPublicKey().getAlgorithm())
          .isEqualTo(java.getPublicKey().getAlgorithm());
      if (algorithm == KeyAlgorithm.EC_P256) {
        assertThat(curve(native_)).isEqualTo(X9ObjectIdentifiers.prime256v1).isEqualTo(curve(java));
      }
      native_.verify(ca.intermediateCertificate().getPublicKey());
      assertThat(jdk.reject(List.of(native_), APP)).isEmpty();
      assertThat(conscrypt.reject(List.of(native_), APP)).isEmpty();
      assertThat(conscrypt.reject(List.of(java), APP)).isEmpty();
      assertThat(
              conscrypt.reject(
                  List.of(native_),
                  new HookIdentity("tenant", "other", "complete", HookConfig.COMPLETE_HOOK_USER)))
          .contains(HookCertificateAuthority.OTHER_IDENTITY);
      // The key file is PKCS#8 PEM, readable by the JDK, and belongs to the certificate.
      assertThat(fromConscrypt.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
      assertThat(
              X509Support.matches(
                  TlsMaterial.privateKey(fromConscrypt.privateKeyPem()),
                  native_.getPublicKey(),
                  new SecureRandom()))
          .isTrue();
      assertThat(fromConscrypt.toString()).doesNotContain(fromConscrypt.privateKeyPem());
    }
  }

  @Test
  void bothHooksTakeTheirKeysFromOneSharedPoolFilledInTheBackground() {
    Queue<Runnable> refills = new ArrayDeque<>();
    Executor manual = refills::add;
    HooksConfig config = config(CryptoProvider.AUTO).keyPoolSize(4).build();
    KeyPairPool keys =
        KeyPairPool.create(
            config.keyAlgorithm(),
            HookCrypto.select(config.cryptoProvider()),
            new SecureRandom(),
            4,
            manual);
    HookCertificateAuthorities authorities = HookCertificateAuthorities.of(config, CLOCK, keys);
    {
      authorities.issue(APP);
      assertThat(authorities.inlineKeyGenerations()).isEqualTo(1);
      refills.poll().run();
      assertThat(keys.available()).isEqualTo(4);

      authorities.issue(APP);
      authorities.issue(
          new HookIdentity("tenant", "echo", "shutdown", HookConfig.SHUTDOWN_HOOK_USER));

      assertThat(authorities.inlineKeyGenerations()).isEqualTo(1);
      assertThat(authorities.authority("shutdown").inlineKeyGenerations()).isEqualTo(1);
      assertThat(keys.available()).isEqualTo(2);

      authorities.close();
      assertThat(keys.available()).isZero();
      assertThat(authorities.issue(APP).certificatePem()).startsWith("-----BEGIN CERTIFICATE");
      assertThat(authorities.inlineKeyGenerations()).isEqualTo(2);
    }
  }

  @Test
  void aNegativeOrHugeKeyPoolSizeIsRejectedNamingTheField() {
    for (int size : new int[] {-1, HooksConfig.MAX_KEY_POOL_SIZE + 1}) {
      assertThatThrownBy(() -> HooksConfig.builder().keyPoolSize(size).build())
          .isInstanceOfSatisfying(
              InvalidConfigurationException.class,
              e ->
                  assertThat(e.errors())
                      .extracting(FieldError::field)
                      .containsExactly("key_pool_size"));
    }
    assertThat(HooksConfig.builder().build().keyPoolSize())
        .isEqualTo(HooksConfig.DEFAULT_KEY_POOL_SIZE);
    assertThat(HooksConfig.builder().build().cryptoProvider()).isEqualTo(CryptoProvider.AUTO);
  }
}
