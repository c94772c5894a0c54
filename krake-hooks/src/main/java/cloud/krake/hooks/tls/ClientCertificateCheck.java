package cloud.krake.hooks.tls;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether a TLS client certificate chain may call a hook for an application: it must be
 * issued by the hook's CA, carry the hook's CN ({@code hook_user}) and name that application and
 * hook, so that one application's certificate cannot complete another. Implemented by {@code
 * HookCertificateAuthority}.
 */
@FunctionalInterface
public interface ClientCertificateCheck {

  /**
   * Checks a presented chain against the identity the request claims (from its URL).
   *
   * @param chain the client's certificate chain, leaf first; empty if none was presented
   * @param expected the application and hook of the request, with the hook's configured CN
   * @return empty if the chain may call; otherwise why not (for a 403 body; names no secret)
   */
  Optional<String> reject(List<X509Certificate> chain, HookIdentity expected);
}
