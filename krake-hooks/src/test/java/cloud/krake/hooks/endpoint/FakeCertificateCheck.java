package cloud.krake.hooks.endpoint;

import cloud.krake.hooks.tls.ClientCertificateCheck;
import cloud.krake.hooks.tls.HookIdentity;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A stand-in for {@code HookCertificateAuthority}'s check: the leaf must be signed by one CA, carry
 * the expected CN and name the expected application and hook in a SAN URI.
 */
final class FakeCertificateCheck implements ClientCertificateCheck {

  private final X509Certificate ca;

  FakeCertificateCheck(X509Certificate ca) {
    this.ca = ca;
  }

  @Override
  public Optional<String> reject(List<X509Certificate> chain, HookIdentity expected) {
    if (chain.isEmpty()) {
      return Optional.of("no client certificate");
    }
    X509Certificate leaf = chain.get(0);
    try {
      leaf.verify(ca.getPublicKey());
    } catch (GeneralSecurityException e) {
      return Optional.of("not issued by the hook CA");
    }
    if (!expected.commonName().equals(commonName(leaf))) {
      return Optional.of("wrong CN");
    }
    if (!sanUris(leaf).contains(expected.sanUri())) {
      return Optional.of("issued for another application or hook");
    }
    return Optional.empty();
  }

  private static String commonName(X509Certificate certificate) {
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (InvalidNameException e) {
      return "";
    }
    return "";
  }

  private static List<String> sanUris(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return List.of();
      }
      return names.stream()
          .filter(n -> Integer.valueOf(6).equals(n.get(0)))
          .map(n -> n.get(1).toString())
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }
}
