package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hook server's trust manager ({@link TlsMaterial#trustManager(List, HookCrypto)}, a {@link
 * PinnedIssuerTrustManager} over the provider's PKIX one) accepts a leaf of the hook CA, also with
 * its intermediate or through a presented intermediate when only the root is trusted, and refuses
 * another CA's, one signed in the intermediate's name by another key, an expired one, a not yet
 * valid one, one without clientAuth or digitalSignature, one with an unknown critical extension,
 * and none, with either provider.
 */
class HookServerTrustManagerTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final HookIdentity APP =
      new HookIdentity("tenant", "echo", "complete", HookConfig.COMPLETE_HOOK_USER);
  private static final String AUTH_TYPE = "ECDHE_ECDSA";

  private static GeneratedHookCa ca;
  private static GeneratedHookCa otherCa;

  @BeforeAll
  static void generateCas() {
    ca = GeneratedHookCa.generate(CLOCK);
    otherCa = GeneratedHookCa.generate(CLOCK);
  }

  static Stream<HookCrypto> providers() {
    return Stream.of(HookCrypto.jdk(), HookCrypto.select(CryptoProvider.AUTO)).distinct();
  }

  private static HookCertificateAuthority authority(GeneratedHookCa of, Clock clock) {
    return HookCertificateAuthority.of(
        HooksConfig.builder()
            .tls(true)
            .addCaBundle(of.rootCertificateSource())
            .complete(of.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(of.withIntermediate(HookConfig.shutdownDefaults())))
            .build(),
        "complete",
        clock);
  }

  private static X509Certificate[] chain(GeneratedHookCa of, Clock clock) {
    X509Certificate leaf =
        TlsMaterial.certificates(authority(of, clock).issue(APP).certificatePem()).get(0);
    return new X509Certificate[] {leaf};
  }

  private static X509TrustManager trustManager(HookCrypto crypto) {
    return TlsMaterial.trustManager(authority(ca, CLOCK).trustedCertificates(), crypto);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void acceptsALeafOfTheHookCa(HookCrypto crypto) throws CertificateException {
    trustManager(crypto).checkClientTrusted(chain(ca, CLOCK), AUTH_TYPE);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesALeafOfAnotherCaWithTheSameNames(HookCrypto crypto) {
    X509Certificate[] foreign = chain(otherCa, CLOCK);
    assertThat(foreign[0].getIssuerX500Principal())
        .isEqualTo(ca.intermediateCertificate().getSubjectX500Principal());

    assertThatThrownBy(() -> trustManager(crypto).checkClientTrusted(foreign, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesAnExpiredLeaf(HookCrypto crypto) {
    Clock twoYearsAgo = Clock.fixed(Instant.now().minus(Duration.ofDays(730)), ZoneOffset.UTC);
    X509Certificate[] expired = chain(ca, twoYearsAgo);

    assertThatThrownBy(() -> trustManager(crypto).checkClientTrusted(expired, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void acceptsALeafOfTheHookCaWithoutAskingPkix(HookCrypto crypto) throws CertificateException {
    X509TrustManager refusingPkix = new RefusingTrustManager();
    X509TrustManager trustManager =
        new PinnedIssuerTrustManager(
            refusingPkix, authority(ca, CLOCK).trustedCertificates(), crypto, CLOCK);

    trustManager.checkClientTrusted(chain(ca, CLOCK), AUTH_TYPE);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void acceptsALeafSentWithItsIntermediate(HookCrypto crypto) throws CertificateException {
    X509Certificate leaf = chain(ca, CLOCK)[0];

    trustManager(crypto)
        .checkClientTrusted(new X509Certificate[] {leaf, ca.intermediateCertificate()}, AUTH_TYPE);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void acceptsALeafThroughItsIntermediateWhenOnlyTheRootIsTrusted(HookCrypto crypto)
      throws CertificateException {
    X509Certificate leaf = chain(ca, CLOCK)[0];
    X509TrustManager rootOnly = TlsMaterial.trustManager(List.of(ca.rootCertificate()), crypto);

    // Refused first: Conscrypt's trust manager remembers intermediates it has seen.
    assertThatThrownBy(() -> rootOnly.checkClientTrusted(new X509Certificate[] {leaf}, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
    rootOnly.checkClientTrusted(
        new X509Certificate[] {leaf, ca.intermediateCertificate()}, AUTH_TYPE);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesALeafInTheIntermediatesNameSignedByAnotherKey(HookCrypto crypto) throws Exception {
    KeyPair otherKey = ecKeyPair();
    X509Certificate forged =
        leaf(
            ca.intermediateCertificate(),
            otherKey.getPrivate(),
            Instant.now(),
            KeyPurposeId.id_kp_clientAuth,
            KeyUsage.digitalSignature,
            false);
    assertThat(forged.getIssuerX500Principal())
        .isEqualTo(ca.intermediateCertificate().getSubjectX500Principal());

    assertThatThrownBy(
            () ->
                trustManager(crypto).checkClientTrusted(new X509Certificate[] {forged}, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesALeafNotYetValid(HookCrypto crypto) {
    Clock tomorrow = Clock.fixed(Instant.now().plus(Duration.ofDays(1)), ZoneOffset.UTC);
    X509Certificate[] future = chain(ca, tomorrow);

    assertThatThrownBy(() -> trustManager(crypto).checkClientTrusted(future, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesALeafOutsideItsValidityAtTheInjectedClock(HookCrypto crypto) {
    Clock inTwoYears = Clock.fixed(Instant.now().plus(Duration.ofDays(730)), ZoneOffset.UTC);
    X509TrustManager later =
        TlsMaterial.trustManager(authority(ca, CLOCK).trustedCertificates(), crypto, inTwoYears);

    assertThatThrownBy(() -> later.checkClientTrusted(chain(ca, CLOCK), AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesALeafForServerAuthOnly(HookCrypto crypto) throws Exception {
    X509Certificate serverOnly =
        signedByTheIntermediate(KeyPurposeId.id_kp_serverAuth, KeyUsage.digitalSignature, false);

    assertThatThrownBy(
            () ->
                trustManager(crypto)
                    .checkClientTrusted(new X509Certificate[] {serverOnly}, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesALeafWithoutDigitalSignature(HookCrypto crypto) throws Exception {
    X509Certificate noSignature =
        signedByTheIntermediate(KeyPurposeId.id_kp_clientAuth, KeyUsage.keyAgreement, false);

    assertThatThrownBy(
            () ->
                trustManager(crypto)
                    .checkClientTrusted(new X509Certificate[] {noSignature}, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesALeafWithAnUnknownCriticalExtension(HookCrypto crypto) throws Exception {
    X509Certificate unknownCritical =
        signedByTheIntermediate(KeyPurposeId.id_kp_clientAuth, KeyUsage.digitalSignature, true);
    // The same leaf without the extension passes, so the extension is what is refused.
    trustManager(crypto)
        .checkClientTrusted(
            new X509Certificate[] {
              signedByTheIntermediate(
                  KeyPurposeId.id_kp_clientAuth, KeyUsage.digitalSignature, false)
            },
            AUTH_TYPE);

    assertThatThrownBy(
            () ->
                trustManager(crypto)
                    .checkClientTrusted(new X509Certificate[] {unknownCritical}, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  private static X509Certificate signedByTheIntermediate(
      KeyPurposeId purpose, int keyUsage, boolean unknownCriticalExtension) throws Exception {
    return leaf(
        ca.intermediateCertificate(),
        TlsMaterial.privateKey(ca.intermediateKeyPem()),
        Instant.now(),
        purpose,
        keyUsage,
        unknownCriticalExtension);
  }

  /** A hook-like leaf in {@code issuer}'s name, signed by {@code signingKey}. */
  private static X509Certificate leaf(
      X509Certificate issuer,
      PrivateKey signingKey,
      Instant now,
      KeyPurposeId purpose,
      int keyUsage,
      boolean unknownCriticalExtension)
      throws Exception {
    KeyPair leafKey = ecKeyPair();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
                X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(1))),
                new X500Name("CN=" + HookConfig.COMPLETE_HOOK_USER),
                leafKey.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage))
            .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
            .addExtension(
                Extension.authorityKeyIdentifier,
                false,
                X509Support.authorityKeyIdentifier(issuer));
    if (unknownCriticalExtension) {
      builder.addExtension(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), true, DERNull.INSTANCE);
    }
    ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(signingKey);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static KeyPair ecKeyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  /** A PKIX stand-in that refuses everything, to show what the direct check accepts alone. */
  private static final class RefusingTrustManager implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("refused by the stand-in");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("refused by the stand-in");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesAnEmptyChain(HookCrypto crypto) {
    assertThatThrownBy(
            () -> trustManager(crypto).checkClientTrusted(new X509Certificate[0], AUTH_TYPE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
