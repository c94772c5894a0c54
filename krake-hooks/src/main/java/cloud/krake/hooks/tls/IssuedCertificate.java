package cloud.krake.hooks.tls;

import java.util.Objects;

/**
 * A client certificate issued to one application for one hook, with the files Krake mounts into its
 * pods: {@code cert.pem}, {@code key.pem} and {@code ca-bundle.pem}. {@link #toString()} never
 * shows the private key.
 *
 * @param certificatePem the client certificate, PEM ({@code cert.pem})
 * @param privateKeyPem its private key, unencrypted PKCS#8 PEM ({@code key.pem})
 * @param caBundlePem the configured CA certificates followed by the issuing intermediate, PEM
 *     ({@code ca-bundle.pem})
 */
public record IssuedCertificate(String certificatePem, String privateKeyPem, String caBundlePem) {

  /** Checks the components. */
  public IssuedCertificate {
    Objects.requireNonNull(certificatePem, "certificatePem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    Objects.requireNonNull(caBundlePem, "caBundlePem");
  }

  @Override
  public String toString() {
    return "IssuedCertificate[certificatePem=<"
        + certificatePem.length()
        + " chars>, privateKeyPem=<redacted>, caBundlePem=<"
        + caBundlePem.length()
        + " chars>]";
  }
}
