package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.model.FieldError;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HookCertificateAuthorityTest {

  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00.750Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final HookIdentity APP =
      new HookIdentity("tenant", "echo", "complete", HookConfig.COMPLETE_HOOK_USER);

  private static GeneratedHookCa ecCa;
  private static GeneratedHookCa otherCa;

  @BeforeAll
  static void generateCas() {
    ecCa = GeneratedHookCa.generate(CLOCK);
    otherCa = GeneratedHookCa.generate(CLOCK);
  }

  private static HooksConfig.Builder config(GeneratedHookCa ca) {
    return HooksConfig.builder()
        .tls(true)
        .addCaBundle(ca.rootCertificateSource())
        .complete(ca.withIntermediate(HookConfig.completeDefaults()))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())));
  }

  private static HooksConfig.Builder config(PemSource certificate, PemSource key) {
    return HooksConfig.builder()
        .complete(HookConfig.completeDefaults().withIntermediate(certificate, key));
  }

  private static HookCertificateAuthority authority(GeneratedHookCa ca, Clock clock) {
    return HookCertificateAuthority.of(config(ca).build(), "complete", clock);
  }

  private static X509Certificate leaf(IssuedCertificate issued) {
    List<X509Certificate> certificates = TlsMaterial.certificates(issued.certificatePem());
    assertThat(certificates).hasSize(1);
    return certificates.get(0);
  }

  private static byte[] extensionOctets(X509Certificate certificate, ASN1ObjectIdentifier oid) {
    byte[] value = certificate.getExtensionValue(oid.getId());
    assertThat(value).as(oid.getId()).isNotNull();
    return ASN1OctetString.getInstance(value).getOctets();
  }

  private static byte[] sha1OfKey(X509Certificate certificate) throws Exception {
    byte[] keyBits =
        SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded())
            .getPublicKeyData()
            .getBytes();
    return MessageDigest.getInstance("SHA-1").digest(keyBits);
  }

  @Test
  void issuesEcClientCertificateWithEveryFieldAndExtension() throws Exception {
    HookCertificateAuthority ca = authority(ecCa, CLOCK);

    X509Certificate cert = leaf(ca.issue(APP));

    X509Certificate intermediate = ecCa.intermediateCertificate();
    assertThat(cert.getVersion()).isEqualTo(3);
    assertThat(cert.getSerialNumber().signum()).isPositive();
    assertThat(cert.getSerialNumber().bitLength()).isGreaterThanOrEqualTo(64);
    assertThat(cert.getIssuerX500Principal()).isEqualTo(intermediate.getSubjectX500Principal());
    assertThat(cert.getSubjectX500Principal().getName())
        .isEqualTo("CN=system:complete-hook,O=Krake");
    assertThat(cert.getNotBefore().toInstant()).isEqualTo(Instant.parse("2026-03-01T11:55:00Z"));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(Instant.parse("2027-03-01T12:00:00Z"));
    assertThat(cert.getPublicKey()).isInstanceOf(ECPublicKey.class);
    assertThat(((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize())
        .isEqualTo(256);
    assertThat(cert.getPublicKey().getEncoded())
        .as("secp256r1 OID in the key's algorithm parameters")
        .containsSequence(0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);
    assertThat(cert.getSigAlgName()).isEqualTo("SHA256withECDSA");
    cert.verify(intermediate.getPublicKey());

    assertThat(cert.getCriticalExtensionOIDs())
        .containsExactlyInAnyOrder(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
    assertThat(cert.getNonCriticalExtensionOIDs())
        .containsExactlyInAnyOrder(
            Extension.extendedKeyUsage.getId(),
            Extension.subjectAlternativeName.getId(),
            Extension.subjectKeyIdentifier.getId(),
            Extension.authorityKeyIdentifier.getId());
    assertThat(
            BasicConstraints.getInstance(extensionOctets(cert, Extension.basicConstraints)).isCA())
        .isFalse();
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    assertThat(KeyUsage.getInstance(extensionOctets(cert, Extension.keyUsage)))
        .isEqualTo(new KeyUsage(KeyUsage.digitalSignature));
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactly(List.of(6, "krake:tenant/echo/complete"));
    assertThat(
            ASN1OctetString.getInstance(extensionOctets(cert, Extension.subjectKeyIdentifier))
                .getOctets())
        .isEqualTo(sha1OfKey(cert));
    assertThat(
            AuthorityKeyIdentifier.getInstance(
                    extensionOctets(cert, Extension.authorityKeyIdentifier))
                .getKeyIdentifierObject()
                .getOctets())
        .isEqualTo(
            ASN1OctetString.getInstance(
                    extensionOctets(intermediate, Extension.subjectKeyIdentifier))
                .getOctets());
  }

  @Test
  void issuesRsa2048KeysWithKeyEnciphermentWhenConfigured() throws Exception {
    HookCertificateAuthority ca =
        HookCertificateAuthority.of(
            config(ecCa).keyAlgorithm(KeyAlgorithm.RSA_2048).build(), "complete", CLOCK);

    IssuedCertificate issued = ca.issue(APP);

    X509Certificate cert = leaf(issued);
    assertThat(cert.getPublicKey()).isInstanceOf(RSAPublicKey.class);
    assertThat(((RSAPublicKey) cert.getPublicKey()).getModulus().bitLength()).isEqualTo(2048);
    assertThat(KeyUsage.getInstance(extensionOctets(cert, Extension.keyUsage)))
        .isEqualTo(new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    assertThat(cert.getSigAlgName())
        .as("the signature follows the issuer's EC key, not the leaf's")
        .isEqualTo("SHA256withECDSA");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactly(List.of(6, "krake:tenant/echo/complete"));
    assertThat(issued.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n");
    assertThat(
            X509Support.matches(
                TlsMaterial.privateKey(issued.privateKeyPem()),
                cert.getPublicKey(),
                new SecureRandom()))
        .isTrue();
  }

  @Test
  void signsWithSha256WithRsaWhenTheIntermediateKeyIsRsa() throws Exception {
    GeneratedHookCa rsaCa = GeneratedHookCa.generate(CLOCK, KeyAlgorithm.RSA_2048);
    HookCertificateAuthority ca = authority(rsaCa, CLOCK);

    X509Certificate cert = leaf(ca.issue(APP));

    assertThat(cert.getSigAlgName()).isEqualTo("SHA256withRSA");
    assertThat(cert.getPublicKey()).isInstanceOf(ECPublicKey.class);
    cert.verify(rsaCa.intermediateCertificate().getPublicKey());
    assertThat(ca.reject(List.of(cert), APP)).isEmpty();
  }

  @Test
  void replacesOnlyTheCnOfTheIntermediateSubject() throws Exception {
    KeyPair keys = X509Support.generateKeyPair(KeyAlgorithm.EC_P256, new SecureRandom());
    X509Certificate intermediate =
        caCertificate(
            "C=DE,O=Krake Project,OU=hooks,CN=Hook Intermediate,L=Berlin", keys, true, true);
    HookCertificateAuthority ca =
        HookCertificateAuthority.of(
            config(pem(intermediate), PemSource.of(TlsMaterial.pem(keys.getPrivate()))).build(),
            "complete",
            CLOCK);

    X509Certificate cert = leaf(ca.issue(APP));

    assertThat(X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).toString())
        .as("in encoding order")
        .isEqualTo("C=DE,O=Krake Project,OU=hooks,CN=system:complete-hook,L=Berlin");
    assertThat(cert.getIssuerX500Principal()).isEqualTo(intermediate.getSubjectX500Principal());
  }

  @Test
  void appendsTheCnWhenTheIntermediateHasNoneAndDropsExtraCns() {
    assertThat(
            HookCertificateAuthority.subjectWithCn(new X500Name("O=Krake,C=DE"), "user").toString())
        .isEqualTo("O=Krake,C=DE,CN=user");
    assertThat(
            HookCertificateAuthority.subjectWithCn(new X500Name("CN=a,O=Krake,CN=b"), "user")
                .toString())
        .isEqualTo("CN=user,O=Krake");
    assertThat(
            HookCertificateAuthority.subjectWithCn(new X500Name("O=Krake+CN=a,C=DE"), "user")
                .toString())
        .isEqualTo("CN=user+O=Krake,C=DE");
  }

  @Test
  void validityFollowsTheConfiguredDurationAndTheClockInUtc() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2030-12-31T23:59:59Z"), ZoneOffset.ofHours(-8));
    HookCertificateAuthority ca =
        HookCertificateAuthority.of(
            config(ecCa).certificateValidity(Duration.ofHours(2)).build(), "complete", clock);

    X509Certificate cert = leaf(ca.issue(APP));

    assertThat(cert.getNotBefore().toInstant()).isEqualTo(Instant.parse("2030-12-31T23:54:59Z"));
    assertThat(cert.getNotAfter().toInstant()).isEqualTo(Instant.parse("2031-01-01T01:59:59Z"));
  }

  @Test
  void drawsADifferentSerialAndKeyForEveryCertificate() {
    HookCertificateAuthority ca = authority(ecCa, CLOCK);

    IssuedCertificate first = ca.issue(APP);
    IssuedCertificate second = ca.issue(APP);

    BigInteger firstSerial = leaf(first).getSerialNumber();
    BigInteger secondSerial = leaf(second).getSerialNumber();
    assertThat(firstSerial).isNotEqualTo(secondSerial);
    assertThat(firstSerial.bitLength()).isEqualTo(127);
    assertThat(first.privateKeyPem()).isNotEqualTo(second.privateKeyPem());
  }

  @Test
  void writesTheKeyAsPkcs8MatchingTheCertificate() {
    IssuedCertificate issued = authority(ecCa, CLOCK).issue(APP);

    assertThat(issued.privateKeyPem())
        .startsWith("-----BEGIN PRIVATE KEY-----\n")
        .endsWith("-----END PRIVATE KEY-----\n")
        .doesNotContain("EC PRIVATE KEY");
    PrivateKey key = TlsMaterial.privateKey(issued.privateKeyPem());
    assertThat(key.getAlgorithm()).isEqualTo("EC");
    assertThat(X509Support.matches(key, leaf(issued).getPublicKey(), new SecureRandom())).isTrue();
    assertThat(
            X509Support.matches(
                key, ecCa.intermediateCertificate().getPublicKey(), new SecureRandom()))
        .isFalse();
  }

  @Test
  void caBundleHoldsTheConfiguredCasFollowedByTheIntermediate() {
    HookCertificateAuthority withBundle =
        HookCertificateAuthority.of(config(ecCa).build(), "complete", CLOCK);
    HookCertificateAuthority withoutTls =
        HookCertificateAuthority.of(
            config(ecCa.intermediateCertificateSource(), ecCa.intermediateKeySource()).build(),
            "complete",
            CLOCK);

    IssuedCertificate issued = withBundle.issue(APP);

    assertThat(TlsMaterial.certificates(issued.caBundlePem()))
        .containsExactly(ecCa.rootCertificate(), ecCa.intermediateCertificate());
    assertThat(issued.caBundlePem())
        .isEqualTo(ecCa.rootCertificatePem() + ecCa.intermediateCertificatePem());
    assertThat(withBundle.trustedCertificates())
        .containsExactly(ecCa.rootCertificate(), ecCa.intermediateCertificate());
    // Without TLS no bundle is required (with TLS, HooksConfig refuses a missing one naming
    // ca_bundle, as Krake requires tls.client_ca): the bundle is then the intermediate alone.
    assertThat(TlsMaterial.certificates(withoutTls.issue(APP).caBundlePem()))
        .containsExactly(ecCa.intermediateCertificate());
  }

  @Test
  void toStringsShowNoKeyMaterial() {
    IssuedCertificate issued = authority(ecCa, CLOCK).issue(APP);
    String keyBody = base64Body(issued.privateKeyPem());
    String caKeyBody = base64Body(ecCa.intermediateKeyPem());

    assertThat(issued.toString())
        .contains("redacted")
        .doesNotContain("PRIVATE KEY")
        .doesNotContain(keyBody.substring(0, 20));
    assertThat(ecCa.toString())
        .contains("redacted")
        .doesNotContain("PRIVATE KEY")
        .doesNotContain(caKeyBody.substring(0, 20));
    assertThat(authority(ecCa, CLOCK).toString()).doesNotContain(caKeyBody.substring(0, 20));
    assertThat(ecCa.intermediateKeySource().toString()).doesNotContain(caKeyBody.substring(0, 20));
  }

  @Test
  void acceptsItsOwnCertificateForTheApplicationAndHookItWasIssuedFor() {
    HookCertificateAuthority ca = authority(ecCa, CLOCK);
    X509Certificate cert = leaf(ca.issue(APP));

    assertThat(ca.reject(List.of(cert), APP)).isEmpty();
    assertThat(ca.reject(List.of(cert, ecCa.intermediateCertificate()), APP)).isEmpty();
  }

  @Test
  void rejectsAMissingClientCertificate() {
    assertThat(authority(ecCa, CLOCK).reject(List.of(), APP))
        .contains("client certificate required");
  }

  @Test
  void rejectsACertificateFromAnotherCaWithTheSameNames() {
    X509Certificate foreign = leaf(authority(otherCa, CLOCK).issue(APP));
    assertThat(foreign.getIssuerX500Principal())
        .isEqualTo(ecCa.intermediateCertificate().getSubjectX500Principal());

    assertThat(authority(ecCa, CLOCK).reject(List.of(foreign), APP))
        .contains("not issued by the hook CA");
  }

  @Test
  void rejectsTheIntermediateItselfAndServerCertificatesOfTheSameCa() {
    HookCertificateAuthority ca = authority(ecCa, CLOCK);
    X509Certificate server =
        TlsMaterial.certificates(
                ecCa.issueServerCertificate(List.of("localhost"), List.of()).certificatePem())
            .get(0);

    assertThat(ca.reject(List.of(ecCa.intermediateCertificate()), APP))
        .contains("not issued by the hook CA");
    assertThat(ca.reject(List.of(server), APP)).contains("wrong CN");
  }

  @Test
  void rejectsAnExpiredCertificate() {
    X509Certificate cert = leaf(authority(ecCa, CLOCK).issue(APP));
    Clock later = Clock.fixed(NOW.plus(Duration.ofDays(366)), ZoneOffset.UTC);

    assertThat(authority(ecCa, later).reject(List.of(cert), APP))
        .contains("expired or not yet valid");
  }

  @Test
  void rejectsACertificateThatIsNotYetValid() {
    X509Certificate cert = leaf(authority(ecCa, CLOCK).issue(APP));
    Clock earlier = Clock.fixed(NOW.minus(Duration.ofMinutes(6)), ZoneOffset.UTC);

    assertThat(
            authority(ecCa, Clock.offset(CLOCK, Duration.ofMinutes(-4))).reject(List.of(cert), APP))
        .as("within the five minutes of back-dating")
        .isEmpty();
    assertThat(authority(ecCa, earlier).reject(List.of(cert), APP))
        .contains("expired or not yet valid");
  }

  @Test
  void rejectsACertificateWithAnotherCn() {
    HookCertificateAuthority ca = authority(ecCa, CLOCK);
    X509Certificate cert =
        leaf(ca.issue(new HookIdentity("tenant", "echo", "complete", "system:admin")));

    assertThat(ca.reject(List.of(cert), APP)).contains("wrong CN");
  }

  @Test
  void rejectsACertificateIssuedForAnotherApplication() {
    HookCertificateAuthority ca = authority(ecCa, CLOCK);
    X509Certificate other =
        leaf(ca.issue(new HookIdentity("tenant", "other", "complete", APP.commonName())));
    X509Certificate otherNamespace =
        leaf(ca.issue(new HookIdentity("elsewhere", "echo", "complete", APP.commonName())));

    assertThat(ca.reject(List.of(other), APP)).contains("issued for another application or hook");
    assertThat(ca.reject(List.of(otherNamespace), APP))
        .contains("issued for another application or hook");
  }

  @Test
  void rejectsACertificateIssuedForTheOtherHook() {
    HooksConfig config = config(ecCa).build();
    HookCertificateAuthority complete = HookCertificateAuthority.of(config, "complete", CLOCK);
    HookCertificateAuthority shutdown = HookCertificateAuthority.of(config, "shutdown", CLOCK);
    HookIdentity shutdownIdentity =
        new HookIdentity("tenant", "echo", "shutdown", APP.commonName());
    X509Certificate cert = leaf(shutdown.issue(shutdownIdentity));

    assertThat(complete.reject(List.of(cert), APP))
        .contains("issued for another application or hook");
  }

  @Test
  void refusesToIssueForAnotherHook() {
    HookCertificateAuthority ca = authority(ecCa, CLOCK);
    HookIdentity shutdown = new HookIdentity("tenant", "echo", "shutdown", APP.commonName());

    assertThatThrownBy(() -> ca.issue(shutdown))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("complete hook's CA");
  }

  @Test
  void namesBothKeysWhenTheIntermediateIsMissing() {
    HooksConfig config = HooksConfig.builder().build();

    assertThatThrownBy(() -> HookCertificateAuthority.of(config, "shutdown", CLOCK))
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly(
                        "hooks.shutdown.intermediate_src", "hooks.shutdown.intermediate_key_src"));
  }

  @Test
  void namesTheCertificateKeyWhenItsPemCannotBeParsed() {
    HooksConfig config =
        config(PemSource.of("not a certificate"), ecCa.intermediateKeySource()).build();

    assertThatThrownBy(() -> HookCertificateAuthority.of(config, "complete", CLOCK))
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .singleElement()
                    .satisfies(
                        error -> {
                          assertThat(error.field()).isEqualTo("hooks.complete.intermediate_src");
                          assertThat(error.message()).contains("no PEM certificate");
                        }));
  }

  @Test
  void namesTheCertificateKeyWhenTheFileCannotBeRead() {
    HooksConfig config =
        config(
                PemSource.file(Path.of("/nonexistent/intermediate.pem")),
                ecCa.intermediateKeySource())
            .build();

    assertThatThrownBy(() -> HookCertificateAuthority.of(config, "complete", CLOCK))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("hooks.complete.intermediate_src")
        .hasMessageContaining("/nonexistent/intermediate.pem");
  }

  @Test
  void namesTheKeyKeyWhenTheKeyPemIsBrokenWithoutQuotingIt() {
    String broken =
        "-----BEGIN PRIVATE KEY-----\nTUFURVJJQUwtU0VDUkVULXh5eg==\n-----END PRIVATE KEY-----\n";
    HooksConfig config = config(ecCa.intermediateCertificateSource(), PemSource.of(broken)).build();

    assertThatThrownBy(() -> HookCertificateAuthority.of(config, "complete", CLOCK))
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("hooks.complete.intermediate_key_src"))
        .message()
        .doesNotContain("TUFURVJJQUwtU0VDUkVULXh5eg");
  }

  @Test
  void namesTheCertificateKeyWhenItIsNotACaCertificate() {
    KeyPair keys = X509Support.generateKeyPair(KeyAlgorithm.EC_P256, new SecureRandom());
    X509Certificate notCa = caCertificate("CN=not a CA,O=Krake", keys, false, true);
    X509Certificate noCertSign = caCertificate("CN=no keyCertSign,O=Krake", keys, true, false);
    PemSource key = PemSource.of(TlsMaterial.pem(keys.getPrivate()));

    for (X509Certificate certificate : List.of(notCa, noCertSign)) {
      HooksConfig config = config(pem(certificate), key).build();
      assertThatThrownBy(() -> HookCertificateAuthority.of(config, "complete", CLOCK))
          .isInstanceOfSatisfying(
              InvalidConfigurationException.class,
              e ->
                  assertThat(e.errors())
                      .singleElement()
                      .satisfies(
                          error -> {
                            assertThat(error.field()).isEqualTo("hooks.complete.intermediate_src");
                            assertThat(error.message()).contains("not a CA certificate");
                          }));
    }
  }

  @Test
  void namesTheKeyKeyWhenKeyAndCertificateDoNotMatch() {
    HooksConfig config =
        config(ecCa.intermediateCertificateSource(), otherCa.intermediateKeySource()).build();

    assertThatThrownBy(() -> HookCertificateAuthority.of(config, "complete", CLOCK))
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .singleElement()
                    .satisfies(
                        error -> {
                          assertThat(error.field())
                              .isEqualTo("hooks.complete.intermediate_key_src");
                          assertThat(error.message()).contains("is not the private key");
                        }));
  }

  @Test
  void namesTheCaBundleEntryThatCannotBeParsed() {
    HooksConfig config =
        HooksConfig.builder()
            .tls(true)
            .addCaBundle(PemSource.of("garbage"))
            .complete(ecCa.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(ecCa.withIntermediate(HookConfig.shutdownDefaults())))
            .build();

    assertThatThrownBy(() -> HookCertificateAuthority.of(config, "complete", CLOCK))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("ca_bundle[0]");
  }

  @Test
  void keepsFurtherCertificatesOfTheIntermediateFileInTheBundle() {
    PemSource chain = PemSource.of(ecCa.intermediateCertificatePem() + ecCa.rootCertificatePem());
    HookCertificateAuthority ca =
        HookCertificateAuthority.of(
            config(chain, ecCa.intermediateKeySource()).build(), "complete", CLOCK);

    assertThat(ca.intermediateCertificate()).isEqualTo(ecCa.intermediateCertificate());
    assertThat(TlsMaterial.certificates(ca.issue(APP).caBundlePem()))
        .containsExactly(ecCa.intermediateCertificate(), ecCa.rootCertificate());
  }

  @Test
  void generatedCaHasProperCaCertificates() throws Exception {
    X509Certificate root = ecCa.rootCertificate();
    X509Certificate intermediate = ecCa.intermediateCertificate();

    assertThat(root.getBasicConstraints()).isEqualTo(1);
    assertThat(intermediate.getBasicConstraints()).isZero();
    for (X509Certificate ca : List.of(root, intermediate)) {
      assertThat(ca.getVersion()).isEqualTo(3);
      assertThat(ca.getCriticalExtensionOIDs())
          .containsExactlyInAnyOrder(
              Extension.basicConstraints.getId(), Extension.keyUsage.getId());
      assertThat(KeyUsage.getInstance(extensionOctets(ca, Extension.keyUsage)))
          .isEqualTo(new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      assertThat(ca.getNotBefore().toInstant()).isEqualTo(Instant.parse("2026-03-01T11:55:00Z"));
    }
    root.verify(root.getPublicKey());
    intermediate.verify(root.getPublicKey());
    assertThat(intermediate.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
    assertThat(ecCa.intermediateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----\n");
  }

  @Test
  void generatedCaIssuesServerCertificatesWithTheirNames() throws Exception {
    IssuedCertificate server =
        ecCa.issueServerCertificate(
            List.of("localhost", "krake.local"), List.of("127.0.0.1", "::1"));

    List<X509Certificate> chain = TlsMaterial.certificates(server.certificatePem());
    assertThat(chain).hasSize(2).element(1).isEqualTo(ecCa.intermediateCertificate());
    X509Certificate cert = chain.get(0);
    assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost,O=Krake");
    assertThat(cert.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThat(cert.getSubjectAlternativeNames())
        .containsExactlyInAnyOrder(
            List.of(2, "localhost"),
            List.of(2, "krake.local"),
            List.of(7, "127.0.0.1"),
            List.of(7, "0:0:0:0:0:0:0:1"));
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    cert.verify(ecCa.intermediateCertificate().getPublicKey());
    assertThat(TlsMaterial.certificates(server.caBundlePem()))
        .containsExactly(ecCa.rootCertificate(), ecCa.intermediateCertificate());
    assertThatThrownBy(() -> ecCa.issueServerCertificate(List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String base64Body(String pem) {
    return pem.lines().filter(line -> !line.startsWith("-----")).reduce("", String::concat);
  }

  private static PemSource pem(X509Certificate certificate) {
    return PemSource.of(TlsMaterial.pem(List.of(certificate)));
  }

  /** A self-signed certificate with the given CA-ness, for configuration checks. */
  private static X509Certificate caCertificate(
      String subject, KeyPair keys, boolean ca, boolean keyCertSign) {
    X500Name name = new X500Name(subject);
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.TEN,
            X509Support.notBefore(NOW),
            X509Support.notAfter(NOW, Duration.ofDays(3650)),
            name,
            keys.getPublic());
    try {
      builder.addExtension(
          Extension.basicConstraints,
          true,
          ca ? new BasicConstraints(0) : new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(keyCertSign ? KeyUsage.keyCertSign : KeyUsage.digitalSignature));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          X509Support.subjectKeyIdentifier(keys.getPublic()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return X509Support.sign(builder, keys.getPrivate());
  }
}
