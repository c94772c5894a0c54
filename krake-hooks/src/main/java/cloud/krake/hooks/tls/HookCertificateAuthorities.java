package cloud.krake.hooks.tls;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.hooks.HooksConfig;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The hook CAs of both of Krake's hooks behind one {@link CertificateIssuer} and {@link
 * ClientCertificateCheck}, routing by {@link HookIdentity#hook()}: each hook has its own
 * intermediate ({@code hooks.complete.intermediate_src}, {@code hooks.shutdown.intermediate_src}),
 * as in Krake. Pass it where one issuer or check serves both hooks ({@code HookMangling.register},
 * {@code HookEndpoint.Builder.clientCertificateCheck}). Both CAs take their key pairs from one pool
 * of {@link HooksConfig#keyPoolSize()} ready pairs, refilled on the daemon thread {@code
 * krake-hook-keys-1} (see {@link HookCertificateAuthority}); {@link #close()} stops it, and {@code
 * KubernetesBackend} closes the issuer it is given with {@code Krake}. Thread-safe.
 */
public final class HookCertificateAuthorities
    implements CertificateIssuer, ClientCertificateCheck, AutoCloseable {

  private final HookCertificateAuthority complete;
  private final HookCertificateAuthority shutdown;
  private final KeyPairPool keys;

  private HookCertificateAuthorities(
      HookCertificateAuthority complete, HookCertificateAuthority shutdown, KeyPairPool keys) {
    this.complete = complete;
    this.shutdown = shutdown;
    this.keys = keys;
  }

  /**
   * Loads the CAs of both hooks.
   *
   * @param config the hooks configuration, with TLS and both intermediates
   * @param clock the source of validity times
   * @throws InvalidConfigurationException naming each key whose PEM is missing or unusable, or
   *     {@code crypto_provider} when it chooses a Conscrypt that cannot be used
   */
  public static HookCertificateAuthorities of(HooksConfig config, Clock clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    KeyPairPool keys;
    try {
      keys =
          KeyPairPool.create(
              config.keyAlgorithm(),
              HookCrypto.select(config.cryptoProvider()),
              new SecureRandom(),
              config.keyPoolSize());
    } catch (InvalidConfigurationException e) {
      // Report it with the PEM problems, if any.
      HookCertificateAuthority.of(config, HooksConfig.COMPLETE, clock);
      throw e;
    }
    return of(config, clock, keys);
  }

  /** {@link #of(HooksConfig, Clock)} with the pool given (tests); it is closed by this object. */
  static HookCertificateAuthorities of(HooksConfig config, Clock clock, KeyPairPool keys) {
    return new HookCertificateAuthorities(
        HookCertificateAuthority.of(config, HooksConfig.COMPLETE, clock, keys),
        HookCertificateAuthority.of(config, HooksConfig.SHUTDOWN, clock, keys),
        keys);
  }

  /**
   * Returns the CA of one hook.
   *
   * @param hook {@value HooksConfig#COMPLETE} or {@value HooksConfig#SHUTDOWN}
   * @throws IllegalArgumentException for any other name
   */
  public HookCertificateAuthority authority(String hook) {
    return switch (hook) {
      case HooksConfig.COMPLETE -> complete;
      case HooksConfig.SHUTDOWN -> shutdown;
      default -> throw new IllegalArgumentException("not one of Krake's hooks: " + hook);
    };
  }

  @Override
  public IssuedCertificate issue(HookIdentity identity) {
    return authority(identity.hook()).issue(identity);
  }

  @Override
  public Optional<String> reject(List<X509Certificate> chain, HookIdentity expected) {
    return authority(expected.hook()).reject(chain, expected);
  }

  /**
   * Returns how many key pairs were generated on an issuing thread because the shared pool was
   * empty.
   */
  public long inlineKeyGenerations() {
    return keys.inlineGenerations();
  }

  /**
   * Stops the background generation of key pairs and drops the ready ones. Idempotent; the CAs
   * still issue afterwards, generating each key on the calling thread.
   */
  @Override
  public void close() {
    keys.close();
  }

  /**
   * Returns the certificates a TLS server must trust to accept the client certificates of both
   * hooks, without duplicates (the hooks may share an intermediate).
   */
  public List<X509Certificate> trustedCertificates() {
    LinkedHashSet<X509Certificate> all = new LinkedHashSet<>(complete.trustedCertificates());
    all.addAll(shutdown.trustedCertificates());
    return List.copyOf(new ArrayList<>(all));
  }
}
