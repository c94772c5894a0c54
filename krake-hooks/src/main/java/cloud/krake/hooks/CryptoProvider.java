package cloud.krake.hooks;

/**
 * Which JCA provider generates the keys and signs the certificates of the hook CA, and does the TLS
 * of the embedded hook server ({@code HookCrypto} resolves the choice). Certificates are the same
 * whichever provider makes them (same algorithms, extensions and encoding); only the speed differs:
 * Conscrypt (BoringSSL, native code) issues an EC P-256 hook certificate several times faster than
 * the JDK's pure-Java SunEC (see {@code docs/performance.md}).
 */
public enum CryptoProvider {
  /**
   * The default: the system property {@code krake.hooks.crypto_provider} ({@code auto}, {@code
   * conscrypt} or {@code jdk}) when set, else Conscrypt when it is on the class path and its native
   * library loads ({@code Conscrypt.isAvailable()}), else the JDK's providers.
   */
  AUTO,
  /**
   * Conscrypt ({@code org.conscrypt:conscrypt-openjdk-uber}, an optional dependency the host adds);
   * configuring it when it is absent or its native library fails to load is an error.
   */
  CONSCRYPT,
  /** The JDK's own providers: SunEC and SunRsaSign for keys and signatures, SunJSSE for TLS. */
  JDK
}
