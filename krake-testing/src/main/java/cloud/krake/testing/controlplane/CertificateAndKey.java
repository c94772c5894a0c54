package cloud.krake.testing.controlplane;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Objects;

/**
 * An X.509 certificate and its private key, issued by a {@link KubernetesControlPlane}'s test CA.
 * Keys are EC P-256. {@link #toString()} shows the subject only, never the key.
 *
 * @param certificate the certificate
 * @param privateKey its private key
 * @param certificatePem the certificate as PEM ({@code CERTIFICATE})
 * @param privateKeyPem the key as PKCS#8 PEM ({@code PRIVATE KEY}), which Java ({@code
 *     okhttp3.tls.HeldCertificate.decode}), Go and OpenSSL read
 * @param privateKeySec1Pem the key as SEC 1 PEM ({@code EC PRIVATE KEY}), the form kubeconfig files
 *     carry (client-java recognises a key's algorithm by this header)
 */
public record CertificateAndKey(
    X509Certificate certificate,
    PrivateKey privateKey,
    String certificatePem,
    String privateKeyPem,
    String privateKeySec1Pem) {

  /** Checks the components. */
  public CertificateAndKey {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(certificatePem, "certificatePem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    Objects.requireNonNull(privateKeySec1Pem, "privateKeySec1Pem");
  }

  @Override
  public String toString() {
    return "CertificateAndKey[subject="
        + certificate.getSubjectX500Principal().getName()
        + ", privateKey=<redacted>]";
  }
}
