package cloud.krake.testing.controlplane;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A throw-away certificate authority for one control plane: EC P-256 keys, SHA-256 with ECDSA
 * signatures, certificates valid from an hour ago for {@link #VALIDITY}. Thread-safe (immutable
 * apart from the random serial numbers).
 */
final class TestPki {
  /** How long issued certificates stay valid: 7 days (a test run is far shorter). */
  static final Duration VALIDITY = Duration.ofDays(7);

  private static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom random = new SecureRandom();

  private final CertificateAndKey ca;

  private TestPki(CertificateAndKey ca) {
    this.ca = ca;
  }

  /** Creates a self-signed CA with the given common name. */
  static TestPki create(String commonName) {
    KeyPair keys = keyPair();
    X500Name subject = name(commonName, List.of());
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          builder(subject, subject, keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return new TestPki(sign(builder, keys.getPrivate(), keys));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot create the test CA " + commonName, e);
    }
  }

  /** Returns the CA's certificate and key. */
  CertificateAndKey ca() {
    return ca;
  }

  /**
   * Issues a client certificate ({@code clientAuth}); Kubernetes reads the user from the common
   * name and the groups from the organizations.
   */
  CertificateAndKey client(String commonName, List<String> organizations) {
    return issue(commonName, organizations, List.of(), List.of(), KeyPurposeId.id_kp_clientAuth);
  }

  /** Issues a serving certificate ({@code serverAuth}) for the given DNS names and IP addresses. */
  CertificateAndKey server(String commonName, List<String> dnsNames, List<String> ipAddresses) {
    return issue(commonName, List.of(), dnsNames, ipAddresses, KeyPurposeId.id_kp_serverAuth);
  }

  /** Issues a certificate for both serving and client authentication. */
  CertificateAndKey serverAndClient(
      String commonName, List<String> organizations, List<String> dns, List<String> ips) {
    return issue(
        commonName,
        organizations,
        dns,
        ips,
        KeyPurposeId.id_kp_serverAuth,
        KeyPurposeId.id_kp_clientAuth);
  }

  private CertificateAndKey issue(
      String commonName,
      List<String> organizations,
      List<String> dnsNames,
      List<String> ipAddresses,
      KeyPurposeId... purposes) {
    KeyPair keys = keyPair();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          builder(
                  X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                  name(commonName, organizations),
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  extensions.createAuthorityKeyIdentifier(ca.certificate()));
      List<GeneralName> names = new ArrayList<>();
      dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      if (!names.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      return sign(builder, ca.privateKey(), keys);
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot issue a test certificate for " + commonName, e);
    }
  }

  /** Generates an EC P-256 key pair. */
  static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no EC P-256 key generator", e);
    }
  }

  /** Returns a public key as PEM ({@code PUBLIC KEY}, X.509 SubjectPublicKeyInfo). */
  static String publicKeyPem(PublicKey key) {
    return pem(new PemObject("PUBLIC KEY", key.getEncoded()));
  }

  /**
   * Returns a private key as PKCS#8 PEM ({@code PRIVATE KEY}), its inner SEC 1 structure with the
   * curve and the public key (as OpenSSL writes it).
   */
  static String pkcs8Pem(KeyPair keys) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
      return pem(
          new PemObject(
              "PRIVATE KEY",
              new PrivateKeyInfo(info.getPrivateKeyAlgorithm(), sec1(keys)).getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a private key", e);
    }
  }

  /**
   * Returns an EC private key as SEC 1 PEM ({@code EC PRIVATE KEY}) naming its curve, which Go
   * requires (the SEC 1 structure inside the JDK's PKCS#8 encoding leaves the curve out).
   */
  static String sec1Pem(KeyPair keys) {
    try {
      return pem(new PemObject("EC PRIVATE KEY", sec1(keys).getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a private key", e);
    }
  }

  private static ECPrivateKey sec1(KeyPair keys) throws IOException {
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
    ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
    SubjectPublicKeyInfo publicKey =
        SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
    return new ECPrivateKey(
        256,
        inner.getKey(),
        publicKey.getPublicKeyData(),
        info.getPrivateKeyAlgorithm().getParameters());
  }

  private static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write PEM", e);
    }
    return out.toString();
  }

  private static X500Name name(String commonName, List<String> organizations) {
    X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
    organizations.forEach(o -> name.addRDN(BCStyle.O, o));
    name.addRDN(BCStyle.CN, commonName);
    return name.build();
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, PublicKey key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(127, random).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(VALIDITY)),
        subject,
        key);
  }

  private static CertificateAndKey sign(
      X509v3CertificateBuilder builder, PrivateKey signer, KeyPair keys)
      throws GeneralSecurityException {
    try {
      X509Certificate certificate =
          new JcaX509CertificateConverter()
              .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
      return new CertificateAndKey(
          certificate, keys.getPrivate(), pem(certificate), pkcs8Pem(keys), sec1Pem(keys));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot sign with " + SIGNATURE, e);
    }
  }
}
