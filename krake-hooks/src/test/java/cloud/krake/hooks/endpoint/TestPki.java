package cloud.krake.hooks.endpoint;

import cloud.krake.hooks.tls.HookIdentity;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for tests: one self-signed EC P-256 CA that issues hook client certificates (CN
 * = hook user, SAN URI {@code krake:<ns>/<name>/<hook>}, EKU clientAuth) and server certificates
 * for an IP address. Keys are written as PKCS#8.
 */
final class TestPki {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyPair caKeys;
  private final X509Certificate ca;

  private TestPki(String name) {
    this.caKeys = ecKeyPair();
    X500Principal subject = new X500Principal("CN=" + name + ",O=krake-test");
    this.ca =
        sign(
            new JcaX509v3CertificateBuilder(
                subject,
                serial(),
                Date.from(Instant.now().minus(Duration.ofMinutes(5))),
                Date.from(Instant.now().plus(Duration.ofDays(1))),
                subject,
                caKeys.getPublic()),
            true,
            null,
            null);
  }

  /** Creates a new CA named {@code name}. */
  static TestPki create(String name) {
    return new TestPki(name);
  }

  X509Certificate caCertificate() {
    return ca;
  }

  String caPem() {
    return pem(ca);
  }

  /** The CA as an {@link Issued} (its certificate and PKCS#8 key). */
  Issued caIssued() {
    return new Issued(ca, caKeys.getPrivate());
  }

  /** A certificate and its key. */
  record Issued(X509Certificate certificate, PrivateKey privateKey) {
    String certificatePem() {
      return pem(certificate);
    }

    String privateKeyPem() {
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(new JcaPKCS8Generator(privateKey, null));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString();
    }

    @Override
    public String toString() {
      return "Issued[" + certificate.getSubjectX500Principal() + "]";
    }
  }

  /** Issues a hook client certificate for {@code identity}. */
  Issued issueClient(HookIdentity identity) {
    KeyPair keys = ecKeyPair();
    X509Certificate certificate =
        sign(
            builder(new X500Principal("CN=" + identity.commonName() + ",O=krake-test"), keys),
            false,
            KeyPurposeId.id_kp_clientAuth,
            new GeneralName(GeneralName.uniformResourceIdentifier, identity.sanUri()));
    return new Issued(certificate, keys.getPrivate());
  }

  /** Issues a TLS server certificate for an IP address. */
  Issued issueServer(String ipAddress) {
    KeyPair keys = ecKeyPair();
    X509Certificate certificate =
        sign(
            builder(new X500Principal("CN=" + ipAddress), keys),
            false,
            KeyPurposeId.id_kp_serverAuth,
            new GeneralName(GeneralName.iPAddress, ipAddress));
    return new Issued(certificate, keys.getPrivate());
  }

  private X509v3CertificateBuilder builder(X500Principal subject, KeyPair keys) {
    return new JcaX509v3CertificateBuilder(
        ca,
        serial(),
        Date.from(Instant.now().minus(Duration.ofMinutes(5))),
        Date.from(Instant.now().plus(Duration.ofDays(1))),
        subject,
        keys.getPublic());
  }

  private X509Certificate sign(
      X509v3CertificateBuilder builder, boolean isCa, KeyPurposeId purpose, GeneralName san) {
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      if (purpose != null) {
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      }
      if (san != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM);
  }

  static String pem(X509Certificate certificate) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(certificate);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
