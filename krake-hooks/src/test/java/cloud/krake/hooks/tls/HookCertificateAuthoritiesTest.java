package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class HookCertificateAuthoritiesTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-21T10:00:00Z"), ZoneOffset.UTC);
  private final GeneratedHookCa completeCa = GeneratedHookCa.generate(clock);
  private final GeneratedHookCa shutdownCa = GeneratedHookCa.generate(clock);
  private final HookCertificateAuthorities authorities =
      HookCertificateAuthorities.of(
          HooksConfig.builder()
              .tls(true)
              .addCaBundle(completeCa.rootCertificateSource())
              .complete(completeCa.withIntermediate(HookConfig.completeDefaults()))
              .shutdown(
                  ShutdownHookConfig.defaults()
                      .withHook(shutdownCa.withIntermediate(HookConfig.shutdownDefaults())))
              .build(),
          clock);

  private static X509Certificate leaf(IssuedCertificate issued) {
    return TlsMaterial.certificates(issued.certificatePem()).get(0);
  }

  @Test
  void issuesEachHooksCertificateFromThatHooksIntermediate() {
    IssuedCertificate complete =
        authorities.issue(new HookIdentity("ns", "app", "complete", "system:complete-hook"));
    IssuedCertificate shutdown =
        authorities.issue(new HookIdentity("ns", "app", "shutdown", "system:shutdown-hook"));

    assertThat(leaf(complete).getIssuerX500Principal())
        .isEqualTo(completeCa.intermediateCertificate().getSubjectX500Principal());
    assertThat(leaf(shutdown).getIssuerX500Principal())
        .isEqualTo(shutdownCa.intermediateCertificate().getSubjectX500Principal());
  }

  @Test
  void checksEachHookAgainstItsOwnIntermediate() {
    HookIdentity shutdownIdentity =
        new HookIdentity("ns", "app", "shutdown", "system:shutdown-hook");
    List<X509Certificate> shutdownChain = List.of(leaf(authorities.issue(shutdownIdentity)));
    HookIdentity completeIdentity =
        new HookIdentity("ns", "app", "complete", "system:shutdown-hook");

    assertThat(authorities.reject(shutdownChain, shutdownIdentity)).isEmpty();
    assertThat(authorities.reject(shutdownChain, completeIdentity)).isPresent();
    assertThat(authorities.trustedCertificates())
        .contains(completeCa.intermediateCertificate(), shutdownCa.intermediateCertificate())
        .doesNotHaveDuplicates();
    assertThatThrownBy(() -> authorities.authority("retry"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
