package cloud.krake.hooks.tls;

import cloud.krake.KrakeException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads and writes PEM with BouncyCastle: certificates (one or many), private keys (PKCS#8 {@code
 * PRIVATE KEY}, SEC1 {@code EC PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY}, all unencrypted), and
 * writes certificates and unencrypted PKCS#8 keys. Keys are always written as PKCS#8 through {@link
 * JcaPKCS8Generator}: a JDK EC key written directly would come out as SEC1 without its curve, which
 * OpenSSL cannot read. The JDK's providers make the keys and certificates; BouncyCastle is not
 * registered as a JCA provider. Stateless and thread-safe. Error messages describe the PEM's
 * structure, never its content.
 */
final class Pem {

  private Pem() {}

  /**
   * Returns every certificate in PEM text, in order; other PEM objects (keys) are skipped.
   *
   * @throws KrakeException if the text is not PEM or holds no certificate
   */
  static List<X509Certificate> certificates(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object object : objects(pem)) {
      if (object instanceof X509CertificateHolder holder) {
        try {
          certificates.add(converter.getCertificate(holder));
        } catch (CertificateException e) {
          throw new KrakeException("cannot decode a PEM certificate: " + e.getMessage(), e);
        }
      }
    }
    if (certificates.isEmpty()) {
      throw new KrakeException("no PEM certificate (BEGIN CERTIFICATE) found");
    }
    return List.copyOf(certificates);
  }

  /**
   * Returns the first private key in PEM text: PKCS#8, SEC1 (EC) or PKCS#1 (RSA), unencrypted;
   * certificates in the same text are skipped.
   *
   * @throws KrakeException if the text is not PEM, holds no private key, or the key is encrypted or
   *     cannot be decoded (for example SEC1 without its curve parameters)
   */
  static PrivateKey privateKey(String pem) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object object : objects(pem)) {
      try {
        if (object instanceof PrivateKeyInfo info) {
          return jdkKey(converter.getPrivateKey(info));
        }
        if (object instanceof PEMKeyPair pair) {
          return jdkKey(converter.getPrivateKey(pair.getPrivateKeyInfo()));
        }
      } catch (IOException | GeneralSecurityException | RuntimeException e) {
        throw new KrakeException(
            "cannot decode the PEM private key (a SEC1 EC key needs its curve parameters): "
                + e.getClass().getSimpleName(),
            e);
      }
      if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new KrakeException("encrypted PEM private keys are not supported");
      }
    }
    throw new KrakeException(
        "no PEM private key (BEGIN PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY) found");
  }

  /**
   * Re-makes a key with the JDK's providers. Once BouncyCastle is a registered provider (the
   * official Kubernetes client's {@code SSLUtils} registers it), the converter's EC keys come from
   * it with the algorithm {@code ECDSA} instead of {@code EC}.
   */
  private static PrivateKey jdkKey(PrivateKey key) throws GeneralSecurityException {
    String algorithm = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
    return KeyFactory.getInstance(algorithm)
        .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
  }

  /** Returns certificates as concatenated PEM blocks ({@code BEGIN CERTIFICATE}), in order. */
  static String write(List<X509Certificate> certificates) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        writer.writeObject(certificate);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a StringWriter", e);
    }
    return out.toString();
  }

  /**
   * Returns one DER-encoded certificate as a PEM block ({@code BEGIN CERTIFICATE}), the same text
   * {@link #write(List)} makes for it.
   */
  static String writeCertificate(byte[] der) {
    return block("CERTIFICATE", der);
  }

  /**
   * Returns one PEM block as BouncyCastle's {@code PemWriter} writes it (base64 in lines of 64
   * characters, the system's line separator), without its buffered writer and encoder.
   */
  private static String block(String type, byte[] der) {
    String newLine = System.lineSeparator();
    String base64 = Base64.getEncoder().encodeToString(der);
    StringBuilder out =
        new StringBuilder(
            base64.length() + (base64.length() / 64 + 3) * (newLine.length() + 1) + 64);
    out.append("-----BEGIN ").append(type).append("-----").append(newLine);
    for (int i = 0; i < base64.length(); i += 64) {
      out.append(base64, i, Math.min(i + 64, base64.length())).append(newLine);
    }
    return out.append("-----END ").append(type).append("-----").append(newLine).toString();
  }

  /** Returns a private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  static String write(PrivateKey key) {
    try {
      return block("PRIVATE KEY", new JcaPKCS8Generator(key, null).generate().getContent());
    } catch (IOException | RuntimeException e) {
      throw new KrakeException("cannot encode a " + key.getAlgorithm() + " private key", e);
    }
  }

  private static List<Object> objects(String pem) {
    List<Object> objects = new ArrayList<>();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        objects.add(object);
      }
    } catch (IOException | RuntimeException e) {
      // BouncyCastle reports malformed base64 or DER as IOException or as a RuntimeException.
      throw new KrakeException("malformed PEM: " + e.getClass().getSimpleName(), e);
    }
    return objects;
  }
}
