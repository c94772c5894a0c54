package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hook server's trust manager ({@link TlsMaterial#trustManager(List, HookCrypto)}) accepts a
 * leaf of the hook CA and refuses another CA's, an expired one and none, with either provider.
 */
class HookServerTrustManagerTest {

  private static final Clock CLOCK = Clock.systemUTC();
  private static final HookIdentity APP =
      new HookIdentity("tenant", "echo", "complete", HookConfig.COMPLETE_HOOK_USER);
  private static final String AUTH_TYPE = "ECDHE_ECDSA";

  private static GeneratedHookCa ca;
  private static GeneratedHookCa otherCa;

  @BeforeAll
  static void generateCas() {
    ca = GeneratedHookCa.generate(CLOCK);
    otherCa = GeneratedHookCa.generate(CLOCK);
  }

  static Stream<HookCrypto> providers() {
    return Stream.of(HookCrypto.jdk(), HookCrypto.select(CryptoProvider.AUTO)).distinct();
  }

  private static HookCertificateAuthority authority(GeneratedHookCa of, Clock clock) {
    return HookCertificateAuthority.of(
        HooksConfig.builder()
            .tls(true)
            .addCaBundle(of.rootCertificateSource())
            .complete(of.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(of.withIntermediate(HookConfig.shutdownDefaults())))
            .build(),
        "complete",
        clock);
  }

  private static X509Certificate[] chain(GeneratedHookCa of, Clock clock) {
    X509Certificate leaf =
        TlsMaterial.certificates(authority(of, clock).issue(APP).certificatePem()).get(0);
    return new X509Certificate[] {leaf};
  }

  private static X509TrustManager trustManager(HookCrypto crypto) {
    return TlsMaterial.trustManager(authority(ca, CLOCK).trustedCertificates(), crypto);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void acceptsALeafOfTheHookCa(HookCrypto crypto) throws CertificateException {
    trustManager(crypto).checkClientTrusted(chain(ca, CLOCK), AUTH_TYPE);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesALeafOfAnotherCaWithTheSameNames(HookCrypto crypto) {
    X509Certificate[] foreign = chain(otherCa, CLOCK);
    assertThat(foreign[0].getIssuerX500Principal())
        .isEqualTo(ca.intermediateCertificate().getSubjectX500Principal());

    assertThatThrownBy(() -> trustManager(crypto).checkClientTrusted(foreign, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesAnExpiredLeaf(HookCrypto crypto) {
    Clock twoYearsAgo = Clock.fixed(Instant.now().minus(Duration.ofDays(730)), ZoneOffset.UTC);
    X509Certificate[] expired = chain(ca, twoYearsAgo);

    assertThatThrownBy(() -> trustManager(crypto).checkClientTrusted(expired, AUTH_TYPE))
        .isInstanceOf(CertificateException.class);
  }

  @ParameterizedTest
  @MethodSource("providers")
  void refusesAnEmptyChain(HookCrypto crypto) {
    assertThatThrownBy(
            () -> trustManager(crypto).checkClientTrusted(new X509Certificate[0], AUTH_TYPE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
