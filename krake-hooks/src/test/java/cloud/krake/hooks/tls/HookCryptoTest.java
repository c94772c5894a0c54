package cloud.krake.hooks.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.CryptoProvider;
import cloud.krake.hooks.KeyAlgorithm;
import cloud.krake.model.FieldError;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Security;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class HookCryptoTest {

  /** Conscrypt absent, as on a host that did not add the optional dependency. */
  private static final Supplier<ConscryptSupport.Probe> ABSENT =
      () -> new ConscryptSupport.Probe(Optional.empty(), "Conscrypt is not on the class path");

  /** Conscrypt on the class path but its native library unusable. */
  private static final Supplier<ConscryptSupport.Probe> NO_NATIVE =
      () ->
          new ConscryptSupport.Probe(
              Optional.empty(), "Conscrypt's native library did not load (test)");

  @Test
  void autoChoosesConscryptWhenItIsOnTheClassPathAndLoads() {
    // The optional dependency is on krake-hooks' test class path, with BoringSSL for this platform.
    HookCrypto crypto = HookCrypto.select(CryptoProvider.AUTO, null, ConscryptSupport::probe);

    assertThat(crypto.provider()).isEqualTo(CryptoProvider.CONSCRYPT);
    assertThat(crypto.jcaProvider()).isPresent();
    assertThat(crypto.toString()).contains("CONSCRYPT", "Conscrypt 2.");
  }

  @Test
  void autoFallsBackToTheJdkWhenConscryptIsAbsentOrItsNativeLibraryFails() {
    assertThat(HookCrypto.select(CryptoProvider.AUTO, null, ABSENT).provider())
        .isEqualTo(CryptoProvider.JDK);
    HookCrypto fallback = HookCrypto.select(CryptoProvider.AUTO, "", NO_NATIVE);
    assertThat(fallback.provider()).isEqualTo(CryptoProvider.JDK);
    assertThat(fallback.jcaProvider()).isEmpty();
    assertThat(fallback.generateKeyPair(KeyAlgorithm.EC_P256, new SecureRandom()).getPublic())
        .isNotNull();
  }

  @Test
  void theSystemPropertyOverridesAutoButNotAnExplicitChoice() {
    assertThat(HookCrypto.select(CryptoProvider.AUTO, "JDK", ConscryptSupport::probe).provider())
        .isEqualTo(CryptoProvider.JDK);
    assertThat(HookCrypto.select(CryptoProvider.AUTO, " conscrypt ", ConscryptSupport::probe))
        .extracting(HookCrypto::provider)
        .isEqualTo(CryptoProvider.CONSCRYPT);
    assertThat(HookCrypto.select(CryptoProvider.JDK, "conscrypt", ConscryptSupport::probe))
        .extracting(HookCrypto::provider)
        .isEqualTo(CryptoProvider.JDK);
    assertThat(HookCrypto.select(CryptoProvider.CONSCRYPT, "jdk", ConscryptSupport::probe))
        .extracting(HookCrypto::provider)
        .isEqualTo(CryptoProvider.CONSCRYPT);
  }

  @Test
  void forcedJdkUsesTheJdkEvenWithConscryptAvailable() {
    HookCrypto crypto = HookCrypto.select(CryptoProvider.JDK, null, ConscryptSupport::probe);

    assertThat(crypto).isSameAs(HookCrypto.jdk());
    KeyPair pair = crypto.generateKeyPair(KeyAlgorithm.EC_P256, new SecureRandom());
    assertThat(pair.getPrivate().getClass().getName()).startsWith("sun.security.ec.");
  }

  @Test
  void explicitConscryptThatCannotBeUsedIsRejectedNamingTheField() {
    assertThatThrownBy(() -> HookCrypto.select(CryptoProvider.CONSCRYPT, null, NO_NATIVE))
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("crypto_provider"))
        .hasMessageContaining("native library did not load");
    assertThatThrownBy(() -> HookCrypto.select(CryptoProvider.AUTO, "conscrypt", ABSENT))
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly(HookCrypto.PROVIDER_PROPERTY));
  }

  @Test
  void aSystemPropertyOfAnotherValueIsRejectedNamingTheProperty() {
    assertThatThrownBy(() -> HookCrypto.select(CryptoProvider.AUTO, "boringssl", ABSENT))
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly(HookCrypto.PROVIDER_PROPERTY))
        .hasMessageContaining("must be auto, conscrypt or jdk, not 'boringssl'");
  }

  @Test
  void conscryptMakesKeysButIsNeverInstalledJvmWide() {
    HookCrypto crypto = HookCrypto.select(CryptoProvider.CONSCRYPT, null, ConscryptSupport::probe);

    KeyPair pair = crypto.generateKeyPair(KeyAlgorithm.EC_P256, new SecureRandom());

    assertThat(pair.getPrivate().getClass().getName()).startsWith("org.conscrypt.");
    assertThat(pair.getPrivate().getFormat()).isEqualTo("PKCS#8");
    assertThat(Arrays.stream(Security.getProviders()).map(p -> p.getClass().getName()))
        .noneMatch(name -> name.startsWith("org.conscrypt."));
  }
}
