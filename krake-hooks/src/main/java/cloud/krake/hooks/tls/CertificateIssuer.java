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

  /**
   * Returns whether a client certificate already stored in an application's status (Krake's {@code
   * status.complete_cert} / {@code shutdown_cert}) may be handed to the workload again, instead of
   * a new one being issued. The hook mangling asks on every reconcile; a {@code false} makes it
   * issue a new certificate and key, store them in the status and update the workload's certificate
   * Secret.
   *
   * <p>The default keeps every stored certificate (for issuers that cannot judge one). {@code
   * HookCertificateAuthority} keeps only a certificate its own hook endpoint check would accept:
   * issued by its intermediate, valid now, with the hook's CN and the application's SAN URI. A
   * certificate Krake issued (no SAN) or one of a replaced intermediate is therefore re-issued at
   * the next reconcile, instead of being refused by the endpoint with 403 when the application
   * calls. Must not throw for malformed input: a certificate that cannot be read is not reusable.
   *
   * @param certificatePem the stored certificate, PEM
   * @param identity the application, hook and CN the certificate must be for
   * @return whether to keep it
   */
  default boolean reusable(String certificatePem, HookIdentity identity) {
    return true;
  }
}
