package cloud.krake.hooks.tls;

import cloud.krake.KrakeException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509KeyManager;
import javax.net.ssl.X509TrustManager;

/**
 * PEM in, JSSE out: the one place where certificates and keys in PEM (Krake's {@code cert.pem},
 * {@code key.pem}, {@code ca-bundle.pem}, {@code intermediate_src}) become the key managers, trust
 * managers and {@link SSLContext}s of the hook endpoint, its clients and tests.
 *
 * <pre>{@code
 * IssuedCertificate server = generatedCa.issueServerCertificate(List.of("localhost"), List.of());
 * SSLContext context = TlsMaterial.serverContext(
 *     server.certificatePem(), server.privateKeyPem(), hookCa.trustedCertificates());
 * httpsServer.setHttpsConfigurator(new HttpsConfigurator(context) { ... setNeedClientAuth ... });
 * }</pre>
 *
 * <p>Keys may be PKCS#8, SEC1 (EC) or PKCS#1 (RSA) PEM, unencrypted. Key stores are in memory
 * (PKCS12, empty password) and never written anywhere. Stateless and thread-safe. Exceptions name
 * what is wrong with the PEM's structure, never its content.
 */
public final class TlsMaterial {

  private TlsMaterial() {}

  /**
   * Returns every certificate in PEM text, in order (other PEM objects are skipped).
   *
   * @param pem one or more {@code BEGIN CERTIFICATE} blocks
   * @throws KrakeException if the text is not PEM or holds no certificate
   */
  public static List<X509Certificate> certificates(String pem) {
    return Pem.certificates(Objects.requireNonNull(pem, "pem"));
  }

  /**
   * Returns the first private key in PEM text.
   *
   * @param pem a {@code PRIVATE KEY}, {@code EC PRIVATE KEY} or {@code RSA PRIVATE KEY} block
   * @throws KrakeException if the text holds no unencrypted key that can be decoded
   */
  public static PrivateKey privateKey(String pem) {
    return Pem.privateKey(Objects.requireNonNull(pem, "pem"));
  }

  /**
   * Returns certificates as PEM, one {@code BEGIN CERTIFICATE} block each, in order.
   *
   * @param certificates the certificates
   */
  public static String pem(List<X509Certificate> certificates) {
    return Pem.write(List.copyOf(certificates));
  }

  /**
   * Returns a private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), the form OpenSSL,
   * curl and Python read for both EC and RSA.
   *
   * @param key an EC or RSA private key
   */
  public static String pem(PrivateKey key) {
    return Pem.write(Objects.requireNonNull(key, "key"));
  }

  /**
   * Returns a trust manager that trusts exactly the given certificates as anchors (PKIX, no
   * revocation checks), as OkHttp's {@code sslSocketFactory(factory, trustManager)} wants.
   *
   * @param trusted the CA certificates to trust; not empty
   * @throws IllegalArgumentException if {@code trusted} is empty
   */
  public static X509TrustManager trustManager(List<X509Certificate> trusted) {
    return pkixTrustManager(trusted, HookCrypto.jdk());
  }

  /**
   * Returns the hook server's trust manager for client certificates, made with {@code crypto}'s
   * provider, trusting exactly the given certificates as anchors, without revocation checks: a
   * client leaf signed directly by one of them (a hook certificate, signed by the hook CA's
   * intermediate) is checked with its signature verified by the provider (natively with Conscrypt),
   * as RFC 5280 path validation with that certificate as trust anchor plus the TLS client checks of
   * KeyUsage and ExtendedKeyUsage; any other chain, and server chains, are decided by the
   * provider's PKIX trust manager (Conscrypt's own, or the JDK's). The leaf's validity is checked
   * against the system clock, as PKIX does.
   *
   * @param trusted the CA certificates to trust; not empty
   * @param crypto the provider
   * @throws IllegalArgumentException if {@code trusted} is empty
   */
  public static X509TrustManager trustManager(List<X509Certificate> trusted, HookCrypto crypto) {
    return trustManager(trusted, crypto, Clock.systemUTC());
  }

  /** {@link #trustManager(List, HookCrypto)} with the leaf's validity checked at {@code clock}. */
  static X509TrustManager trustManager(
      List<X509Certificate> trusted, HookCrypto crypto, Clock clock) {
    List<X509Certificate> copy = List.copyOf(trusted);
    return new PinnedIssuerTrustManager(pkixTrustManager(copy, crypto), copy, crypto, clock);
  }

  /** The provider's PKIX trust manager over exactly {@code trusted}. */
  private static X509TrustManager pkixTrustManager(
      List<X509Certificate> trusted, HookCrypto crypto) {
    Objects.requireNonNull(crypto, "crypto");
    if (trusted.isEmpty()) {
      throw new IllegalArgumentException("a trust manager needs at least one certificate");
    }
    try {
      KeyStore store = emptyKeyStore();
      for (int i = 0; i < trusted.size(); i++) {
        store.setCertificateEntry("ca-" + i, trusted.get(i));
      }
      TrustManagerFactory factory = crypto.trustManagerFactory();
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          return x509;
        }
      }
      throw new KrakeException(crypto.provider() + " made no X509TrustManager");
    } catch (GeneralSecurityException e) {
      throw new KrakeException("cannot build a trust manager: " + e.getMessage(), e);
    }
  }

  /**
   * Returns a key manager presenting one certificate chain and its key.
   *
   * @param certChainPem the certificate, then its intermediates, PEM
   * @param keyPem the certificate's private key, PEM
   * @throws KrakeException if either PEM cannot be read or the JDK rejects the pair
   */
  public static X509KeyManager keyManager(String certChainPem, String keyPem) {
    List<X509Certificate> chain = certificates(certChainPem);
    PrivateKey key = privateKey(keyPem);
    try {
      KeyStore store = emptyKeyStore();
      store.setKeyEntry("key", key, new char[0], chain.toArray(new X509Certificate[0]));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, new char[0]);
      for (KeyManager manager : factory.getKeyManagers()) {
        if (manager instanceof X509KeyManager x509) {
          return x509;
        }
      }
      throw new KrakeException("the JDK made no X509KeyManager");
    } catch (GeneralSecurityException e) {
      // The JDK's message may describe the key type, never the key material.
      throw new KrakeException("cannot build a key manager: " + e.getMessage(), e);
    }
  }

  /**
   * Returns a server context that presents a certificate chain and trusts client certificates
   * issued under {@code trustedClientCas}. Whether client certificates are requested or required is
   * the server's choice ({@code SSLParameters#setNeedClientAuth} or {@code setWantClientAuth}).
   *
   * @param certChainPem the server certificate, then its intermediates, PEM
   * @param keyPem the server's private key, PEM
   * @param trustedClientCas the CAs of acceptable client certificates, e.g. {@link
   *     HookCertificateAuthority#trustedCertificates()}; not empty
   * @throws IllegalArgumentException if {@code trustedClientCas} is empty
   * @throws KrakeException if a PEM cannot be read
   */
  public static SSLContext serverContext(
      String certChainPem, String keyPem, List<X509Certificate> trustedClientCas) {
    return serverContext(certChainPem, keyPem, trustedClientCas, HookCrypto.jdk());
  }

  /**
   * Returns {@link #serverContext(String, String, List)} made by {@code crypto}'s provider: with
   * Conscrypt the handshake (key exchange, signature, verification of the client's chain) runs in
   * BoringSSL; the key manager is the JDK's either way. The JDK's {@code HttpsServer} takes either.
   *
   * @param certChainPem the server certificate, then its intermediates, PEM
   * @param keyPem the server's private key, PEM
   * @param trustedClientCas the CAs of acceptable client certificates; not empty
   * @param crypto the provider, e.g. {@code HookCrypto.select(CryptoProvider.AUTO)}
   * @throws IllegalArgumentException if {@code trustedClientCas} is empty
   * @throws KrakeException if a PEM cannot be read or the provider cannot make the context
   */
  public static SSLContext serverContext(
      String certChainPem,
      String keyPem,
      List<X509Certificate> trustedClientCas,
      HookCrypto crypto) {
    X509KeyManager keyManager = keyManager(certChainPem, keyPem);
    X509TrustManager trustManager = trustManager(trustedClientCas, crypto);
    return crypto.sslContext(new KeyManager[] {keyManager}, new TrustManager[] {trustManager});
  }

  /**
   * Returns a client context that trusts servers whose certificates chain to {@code
   * trustedServerCas} and presents a client certificate, as an application with Krake's {@code
   * ca-bundle.pem}, {@code cert.pem} and {@code key.pem} does.
   *
   * @param trustedServerCas the CAs of acceptable server certificates; not empty
   * @param certChainPem the client certificate (and intermediates), PEM
   * @param keyPem the client's private key, PEM
   * @throws IllegalArgumentException if {@code trustedServerCas} is empty
   * @throws KrakeException if a PEM cannot be read
   */
  public static SSLContext clientContext(
      List<X509Certificate> trustedServerCas, String certChainPem, String keyPem) {
    return context(keyManager(certChainPem, keyPem), trustManager(trustedServerCas));
  }

  /**
   * Returns a client context that trusts servers whose certificates chain to {@code
   * trustedServerCas} and presents no client certificate.
   *
   * @param trustedServerCas the CAs of acceptable server certificates; not empty
   * @throws IllegalArgumentException if {@code trustedServerCas} is empty
   */
  public static SSLContext clientContext(List<X509Certificate> trustedServerCas) {
    return context(null, trustManager(trustedServerCas));
  }

  private static SSLContext context(X509KeyManager keyManager, X509TrustManager trustManager) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          keyManager == null ? new KeyManager[0] : new KeyManager[] {keyManager},
          new TrustManager[] {trustManager},
          null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new KrakeException("cannot initialise a TLS context", e);
    }
  }

  private static KeyStore emptyKeyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new KrakeException("cannot create an in-memory key store", e);
    }
    return store;
  }
}
