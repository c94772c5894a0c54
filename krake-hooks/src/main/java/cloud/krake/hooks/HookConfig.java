package cloud.krake.hooks;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of one of Krake's application hooks ({@code complete} or {@code shutdown}),
 * with Krake's keys ({@code hooks.complete.*}, {@code hooks.shutdown.*} of the Kubernetes
 * application controller) and defaults. Checked as part of {@link HooksConfig.Builder#build()}.
 *
 * @param hookUser {@code hook_user}: the CN of the client certificates issued for this hook
 *     (defaults {@value #COMPLETE_HOOK_USER}, {@value #SHUTDOWN_HOOK_USER})
 * @param intermediateSrc {@code intermediate_src}: the PEM certificate of the intermediate CA that
 *     signs this hook's client certificates; required when TLS is enabled
 * @param intermediateKeySrc {@code intermediate_key_src}: that intermediate's PEM private key;
 *     required when TLS is enabled
 * @param certDest {@code cert_dest}: where the certificate Secret is mounted in every container
 *     (defaults {@value #COMPLETE_CERT_DEST}, {@value #SHUTDOWN_CERT_DEST})
 * @param envToken {@code env_token}: the name of the environment variable carrying the token; its
 *     lower-case form is the key in the token Secret (defaults {@code KRAKE_COMPLETE_TOKEN}, {@code
 *     KRAKE_SHUTDOWN_TOKEN})
 * @param envUrl {@code env_url}: the name of the environment variable carrying the hook URL
 *     (defaults {@code KRAKE_COMPLETE_URL}, {@code KRAKE_SHUTDOWN_URL})
 * @param externalEndpoint {@code external_endpoint}: the base URL applications use to reach the
 *     hook endpoint, when it differs from {@link HooksConfig#endpoint()}; its scheme follows TLS
 */
public record HookConfig(
    String hookUser,
    Optional<PemSource> intermediateSrc,
    Optional<PemSource> intermediateKeySrc,
    String certDest,
    String envToken,
    String envUrl,
    Optional<URI> externalEndpoint) {

  /** The default {@code hook_user} of the complete hook. */
  public static final String COMPLETE_HOOK_USER = "system:complete-hook";

  /** The default {@code hook_user} of the shutdown hook. */
  public static final String SHUTDOWN_HOOK_USER = "system:shutdown-hook";

  /** The default {@code cert_dest} of the complete hook. */
  public static final String COMPLETE_CERT_DEST = "/etc/krake_complete_certs";

  /** The default {@code cert_dest} of the shutdown hook. */
  public static final String SHUTDOWN_CERT_DEST = "/etc/krake_shutdown_certs";

  /** Checks that no component is null; value rules are checked by {@link HooksConfig}. */
  public HookConfig {
    Objects.requireNonNull(hookUser, "hookUser");
    Objects.requireNonNull(intermediateSrc, "intermediateSrc");
    Objects.requireNonNull(intermediateKeySrc, "intermediateKeySrc");
    Objects.requireNonNull(certDest, "certDest");
    Objects.requireNonNull(envToken, "envToken");
    Objects.requireNonNull(envUrl, "envUrl");
    Objects.requireNonNull(externalEndpoint, "externalEndpoint");
  }

  /** Returns Krake's defaults for the complete hook (no intermediate CA). */
  public static HookConfig completeDefaults() {
    return new HookConfig(
        COMPLETE_HOOK_USER,
        Optional.empty(),
        Optional.empty(),
        COMPLETE_CERT_DEST,
        "KRAKE_COMPLETE_TOKEN",
        "KRAKE_COMPLETE_URL",
        Optional.empty());
  }

  /** Returns Krake's defaults for the shutdown hook (no intermediate CA). */
  public static HookConfig shutdownDefaults() {
    return new HookConfig(
        SHUTDOWN_HOOK_USER,
        Optional.empty(),
        Optional.empty(),
        SHUTDOWN_CERT_DEST,
        "KRAKE_SHUTDOWN_TOKEN",
        "KRAKE_SHUTDOWN_URL",
        Optional.empty());
  }

  /** Returns a copy with another {@code hook_user}. */
  public HookConfig withHookUser(String hookUser) {
    return new HookConfig(
        hookUser,
        intermediateSrc,
        intermediateKeySrc,
        certDest,
        envToken,
        envUrl,
        externalEndpoint);
  }

  /**
   * Returns a copy with another signing intermediate CA ({@code intermediate_src}, {@code
   * intermediate_key_src}).
   *
   * @param certificate the intermediate's PEM certificate
   * @param privateKey the intermediate's PEM private key (PKCS#8, SEC1 or PKCS#1)
   */
  public HookConfig withIntermediate(PemSource certificate, PemSource privateKey) {
    return new HookConfig(
        hookUser,
        Optional.of(certificate),
        Optional.of(privateKey),
        certDest,
        envToken,
        envUrl,
        externalEndpoint);
  }

  /** Returns a copy with another {@code cert_dest}. */
  public HookConfig withCertDest(String certDest) {
    return new HookConfig(
        hookUser,
        intermediateSrc,
        intermediateKeySrc,
        certDest,
        envToken,
        envUrl,
        externalEndpoint);
  }

  /** Returns a copy with other environment variable names ({@code env_token}, {@code env_url}). */
  public HookConfig withEnv(String envToken, String envUrl) {
    return new HookConfig(
        hookUser,
        intermediateSrc,
        intermediateKeySrc,
        certDest,
        envToken,
        envUrl,
        externalEndpoint);
  }

  /** Returns a copy with another {@code external_endpoint}. */
  public HookConfig withExternalEndpoint(Optional<URI> externalEndpoint) {
    return new HookConfig(
        hookUser,
        intermediateSrc,
        intermediateKeySrc,
        certDest,
        envToken,
        envUrl,
        externalEndpoint);
  }

  /** Returns the key of the token in the token Secret: {@code env_token} in lower case. */
  public String tokenSecretKey() {
    return envToken.toLowerCase(Locale.ROOT);
  }

  /** Returns the key of the URL in the token Secret: {@code env_url} in lower case. */
  public String urlSecretKey() {
    return envUrl.toLowerCase(Locale.ROOT);
  }
}
