package cloud.krake.hooks.endpoint;

import cloud.krake.KrakeException;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * PEM to {@link SSLContext} for the {@link EmbeddedHookServer}: a server certificate chain and key,
 * and trusted CA certificates for client authentication. A minimal stand-in until the shared {@code
 * cloud.krake.hooks.tls.TlsMaterial} exists. Error messages name the PEM part, never its content.
 */
final class PemKeyStores {

  private static final char[] NO_PASSWORD = new char[0];

  private PemKeyStores() {}

  /**
   * Returns a TLS server context presenting {@code chainPem} and requiring clients to be signed by
   * one of {@code trustedPem}.
   *
   * @throws KrakeException if a PEM part cannot be read or the key does not fit
   */
  static SSLContext serverContext(String chainPem, String keyPem, String trustedPem) {
    try {
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      List<X509Certificate> chain = certificates(chainPem, "server certificate");
      identity.setKeyEntry(
          "server", privateKey(keyPem), NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(identity, NO_PASSWORD);

      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : certificates(trustedPem, "trusted CA certificate")) {
        trust.setCertificateEntry("ca-" + i++, ca);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);

      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new KrakeException("cannot build the hook server's TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * Reads every certificate of a PEM text, in order.
   *
   * @throws KrakeException if there is none or one is unreadable
   */
  static List<X509Certificate> certificates(String pem, String what) {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new KrakeException("cannot read the " + what + " PEM: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new KrakeException("no certificate in the " + what + " PEM");
    }
    return certificates;
  }

  /**
   * Reads the first private key of a PEM text: PKCS#8 ({@code PRIVATE KEY}), SEC1 ({@code EC
   * PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}); unencrypted.
   *
   * @throws KrakeException if there is none or it is unreadable; the message never quotes the key
   */
  static PrivateKey privateKey(String pem) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
        if (o instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (o instanceof PEMKeyPair pair) {
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
      }
    } catch (IOException e) {
      throw new KrakeException("cannot read the server private key PEM", e);
    }
    throw new KrakeException("no unencrypted private key in the server private key PEM");
  }
}
