package cloud.krake.hooks.tls;

import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Hands a provider's trust manager the peer's chain as that provider's own certificate objects, so
 * that it verifies their signatures in its own code.
 *
 * <p>Why (issue 16): Conscrypt's engine gives its trust manager the peer's chain parsed by the
 * JDK's {@code CertificateFactory}, and Conscrypt's trust manager finds a chain's anchor with
 * {@code certificate.verify(anchorKey)}, which for a JDK certificate is SunEC's ECDSA in Java
 * (about a quarter of the hook endpoint's server CPU per new connection in {@code ControllerLoad}).
 * The same chain re-parsed by Conscrypt's {@code CertificateFactory}, with anchors parsed the same
 * way, is verified by BoringSSL. The decision is still the delegate's alone: this class only
 * changes the certificate objects, never the checks (anchors, signatures, validity, key usage).
 * Thread-safe if the delegate is.
 */
final class ProviderCertificatesTrustManager extends X509ExtendedTrustManager {

  private final X509ExtendedTrustManager delegate;
  private final CertificateFactory factory;

  /**
   * @param delegate the provider's trust manager
   * @param factory the same provider's {@code X.509} certificate factory
   */
  ProviderCertificatesTrustManager(X509ExtendedTrustManager delegate, CertificateFactory factory) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.factory = Objects.requireNonNull(factory, "factory");
  }

  /**
   * Returns {@code certificate} re-parsed by {@code factory} from its DER encoding.
   *
   * @throws CertificateException if the factory cannot parse it
   */
  static X509Certificate reparse(CertificateFactory factory, X509Certificate certificate)
      throws CertificateException {
    return (X509Certificate)
        factory.generateCertificate(new ByteArrayInputStream(certificate.getEncoded()));
  }

  private X509Certificate[] reparse(X509Certificate[] chain) throws CertificateException {
    if (chain == null) {
      return null;
    }
    X509Certificate[] out = new X509Certificate[chain.length];
    for (int i = 0; i < chain.length; i++) {
      out[i] = chain[i] == null ? null : reparse(factory, chain[i]);
    }
    return out;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate.checkClientTrusted(reparse(chain), authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate.checkClientTrusted(reparse(chain), authType, socket);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkClientTrusted(reparse(chain), authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    delegate.checkServerTrusted(reparse(chain), authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    delegate.checkServerTrusted(reparse(chain), authType, socket);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    delegate.checkServerTrusted(reparse(chain), authType, engine);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
