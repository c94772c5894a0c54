package cloud.krake.hooks.tls;

/**
 * Issues hook client certificates to applications. Implemented by {@code HookCertificateAuthority};
 * tests may use a fake.
 */
@FunctionalInterface
public interface CertificateIssuer {

  /**
   * Issues a client certificate for one application and hook.
   *
   * @param identity the application, hook and CN ({@code hook_user}) to certify
   * @return the certificate, its private key and the CA bundle, as PEM
   */
  IssuedCertificate issue(HookIdentity identity);
}
