package cloud.krake.hooks.tls;

import cloud.krake.KrakeException;
import cloud.krake.hooks.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.ContentSigner;

/**
 * What the hook CA and the generated CA share: key generation, serials, validity windows, key
 * identifiers and signing, with BouncyCastle's certificate builder; on the JDK's providers unless a
 * {@link HookCrypto} is given. Stateless and thread-safe ({@link SecureRandom} is).
 */
final class X509Support {

  /**
   * How far notBefore lies before "now", so that clocks a little behind accept new certificates.
   */
  static final Duration BACKDATE = Duration.ofMinutes(5);

  private X509Support() {}

  /** Returns a new key pair: EC on secp256r1 or RSA-2048, from the JDK's providers. */
  static KeyPair generateKeyPair(KeyAlgorithm algorithm, SecureRandom random) {
    return HookCrypto.jdk().generateKeyPair(algorithm, random);
  }

  /**
   * Returns a serial number from a CSPRNG: positive, exactly 127 bits long (126 random), so at most
   * 16 DER octets and well above the 64 bits of entropy CA/Browser Forum rules ask for.
   */
  static BigInteger serial(SecureRandom random) {
    return new BigInteger(127, random).setBit(126);
  }

  /** Returns notBefore: {@code now} truncated to seconds, minus {@link #BACKDATE}. */
  static Date notBefore(Instant now) {
    return Date.from(now.truncatedTo(ChronoUnit.SECONDS).minus(BACKDATE));
  }

  /** Returns notAfter: {@code now} truncated to seconds, plus {@code validity}. */
  static Date notAfter(Instant now, Duration validity) {
    return Date.from(now.truncatedTo(ChronoUnit.SECONDS).plus(validity));
  }

  /**
   * Returns the SHA-256 signature algorithm for an issuer key.
   *
   * @throws IllegalArgumentException for a key that is neither EC nor RSA
   */
  static String signatureAlgorithm(PrivateKey issuerKey) {
    return switch (issuerKey.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default ->
          throw new IllegalArgumentException(
              "unsupported issuer key type " + issuerKey.getAlgorithm() + " (EC or RSA expected)");
    };
  }

  /** Returns whether {@code key} is the private half of {@code publicKey}, by a test signature. */
  static boolean matches(PrivateKey key, PublicKey publicKey, SecureRandom random) {
    try {
      byte[] challenge = new byte[32];
      random.nextBytes(challenge);
      String algorithm = signatureAlgorithm(key);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Returns RFC 5280's Time for an instant, in whole seconds (the fraction dropped), as
   * BouncyCastle's {@code new Time(Date)} makes it: UTCTime for the years 1950 to 2049,
   * GeneralizedTime otherwise. Made from its DER, which skips the date parsing with which
   * BouncyCastle's string constructors check their input (a quarter of a hook certificate's cost).
   */
  static Time time(Instant instant) {
    ZonedDateTime utc = instant.atZone(ZoneOffset.UTC);
    int year = utc.getYear();
    boolean utcTime = year >= 1950 && year <= 2049;
    String text = (utcTime ? UTC_TIME : GENERALIZED_TIME).format(utc);
    byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
    byte[] der = new byte[ascii.length + 2];
    der[0] = (byte) (utcTime ? 0x17 : 0x18);
    der[1] = (byte) ascii.length;
    System.arraycopy(ascii, 0, der, 2, ascii.length);
    try {
      return Time.getInstance(ASN1Primitive.fromByteArray(der));
    } catch (IOException e) {
      throw new IllegalStateException("cannot decode a time just encoded: " + text, e);
    }
  }

  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT);
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("uuuuMMddHHmmss'Z'", Locale.ROOT);

  /** Returns the subject key identifier of a public key (RFC 5280 method 1: SHA-1 of the key). */
  static SubjectKeyIdentifier subjectKeyIdentifier(PublicKey key) {
    return extensionUtils().createSubjectKeyIdentifier(key);
  }

  /** Returns the subject key identifier of an encoded public key (RFC 5280 method 1). */
  static SubjectKeyIdentifier subjectKeyIdentifier(SubjectPublicKeyInfo key) {
    try {
      return new SubjectKeyIdentifier(
          MessageDigest.getInstance("SHA-1").digest(key.getPublicKeyData().getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new KrakeException("the JDK has no SHA-1 for key identifiers", e);
    }
  }

  /**
   * Returns an authority key identifier naming {@code issuer} by key id only: the issuer's own
   * subject key identifier when it has one, else one computed from its public key.
   */
  static AuthorityKeyIdentifier authorityKeyIdentifier(X509Certificate issuer) {
    byte[] extension = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    byte[] keyId =
        extension != null
            ? ASN1OctetString.getInstance(ASN1OctetString.getInstance(extension).getOctets())
                .getOctets()
            : subjectKeyIdentifier(issuer.getPublicKey()).getKeyIdentifier();
    return new AuthorityKeyIdentifier(keyId);
  }

  /** Signs a certificate with the issuer's key (SHA-256, algorithm following the key type). */
  static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) {
    return sign(builder, HookCrypto.jdk().signer(issuerKey));
  }

  /** Signs a certificate with a signer; the JDK's certificate factory parses the result. */
  static X509Certificate sign(X509v3CertificateBuilder builder, ContentSigner signer) {
    try {
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (CertificateException e) {
      throw new KrakeException("cannot sign a certificate: " + e.getMessage(), e);
    }
  }

  private static JcaX509ExtensionUtils extensionUtils() {
    try {
      return new JcaX509ExtensionUtils();
    } catch (NoSuchAlgorithmException e) {
      throw new KrakeException("the JDK has no SHA-1 for key identifiers", e);
    }
  }
}
