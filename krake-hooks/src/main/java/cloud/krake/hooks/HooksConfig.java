package cloud.krake.hooks;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.FieldError;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The configuration of Krake's application hooks, as the {@code hooks} section of Krake's
 * Kubernetes application controller configuration plus the controller's {@code api_endpoint} and
 * {@code tls.enabled}. Built with {@link #builder()}; {@link Builder#build()} checks every key and
 * reports all problems at once, each naming its key.
 *
 * <pre>{@code
 * HooksConfig config = HooksConfig.builder()
 *     .endpoint(URI.create("https://krake.example.com:8443"))
 *     .tls(true)
 *     .addCaBundle(clientCa)   // Krake's tls.client_ca; required with TLS
 *     .complete(HookConfig.completeDefaults().withIntermediate(caCert, caKey))
 *     .shutdown(ShutdownHookConfig.defaults().withHook(
 *         HookConfig.shutdownDefaults().withIntermediate(caCert, caKey)))
 *     .build();
 * }</pre>
 *
 * @param endpoint {@code api_endpoint}: the base URL under which applications reach the hook
 *     endpoint (default {@value #DEFAULT_ENDPOINT}); its scheme is forced to {@code https} with TLS
 *     and {@code http} without, as Krake does
 * @param tls {@code tls.enabled}: whether hook calls use HTTPS with per-application client
 *     certificates (default {@code false})
 * @param complete {@code hooks.complete}
 * @param shutdown {@code hooks.shutdown}
 * @param keyAlgorithm the key type of issued client certificates (default EC P-256; Krake: RSA)
 * @param certificateValidity how long issued client certificates are valid (default 365 days, as
 *     Krake)
 * @param caBundle the CA certificates written into {@code ca-bundle.pem} before the intermediate
 *     (Krake: the controller's {@code tls.client_ca}); applications verify the hook endpoint's
 *     server certificate with that bundle; required with TLS, as Krake requires {@code
 *     tls.client_ca}
 * @param legacyTokenVariable whether every container also gets the token in {@value
 *     #LEGACY_TOKEN_VARIABLE}, the variable of Krake's older hook documentation (and of its code
 *     before each hook had its own token), so that scripts written for it run unmodified: the
 *     complete hook's token, or the shutdown hook's for an application without the complete hook
 *     (default {@code false})
 * @param cryptoProvider which provider generates the keys and signs the certificates of the hook CA
 *     (default {@link CryptoProvider#AUTO}: Conscrypt when it is on the class path and loads, else
 *     the JDK's; see {@code HookCrypto})
 * @param keyPoolSize how many key pairs (of {@code keyAlgorithm}) the hook CA keeps ready, made in
 *     the background, so that issuing a certificate on a reconcile worker does not generate a key
 *     there (default {@value #DEFAULT_KEY_POOL_SIZE}; 0 generates every key on the issuing thread)
 */
public record HooksConfig(
    URI endpoint,
    boolean tls,
    HookConfig complete,
    ShutdownHookConfig shutdown,
    KeyAlgorithm keyAlgorithm,
    Duration certificateValidity,
    List<PemSource> caBundle,
    boolean legacyTokenVariable,
    CryptoProvider cryptoProvider,
    int keyPoolSize) {

  /** Krake's default {@code api_endpoint}. */
  public static final String DEFAULT_ENDPOINT = "http://localhost:8080";

  /** The default validity of issued client certificates: 365 days, as Krake. */
  public static final Duration DEFAULT_CERTIFICATE_VALIDITY = Duration.ofDays(365);

  /**
   * The default number of key pairs the hook CA keeps ready: 64, a burst of 32 new applications
   * with both hooks (about 2 ms of background work per refill with Conscrypt, 40 ms with SunEC).
   */
  public static final int DEFAULT_KEY_POOL_SIZE = 64;

  /** The largest {@link #keyPoolSize()} accepted. */
  public static final int MAX_KEY_POOL_SIZE = 65_536;

  /** The name of the complete hook in {@code spec.hooks}. */
  public static final String COMPLETE = "complete";

  /** The name of the shutdown hook in {@code spec.hooks}. */
  public static final String SHUTDOWN = "shutdown";

  /**
   * The token variable of Krake's older hook documentation, injected besides {@code env_token} with
   * {@link Builder#legacyTokenVariable(boolean)}.
   */
  public static final String LEGACY_TOKEN_VARIABLE = "KRAKE_TOKEN";

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** Copies the CA bundle; use {@link #builder()} to get the checks. */
  public HooksConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(complete, "complete");
    Objects.requireNonNull(shutdown, "shutdown");
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(certificateValidity, "certificateValidity");
    Objects.requireNonNull(cryptoProvider, "cryptoProvider");
    caBundle = List.copyOf(caBundle);
  }

  /** Returns a builder with Krake's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the configuration of a hook by its name in {@code spec.hooks}.
   *
   * @param hook {@value #COMPLETE} or {@value #SHUTDOWN}
   * @throws IllegalArgumentException for any other name
   */
  public HookConfig hook(String hook) {
    return switch (hook) {
      case COMPLETE -> complete;
      case SHUTDOWN -> shutdown.hook();
      default -> throw new IllegalArgumentException("not one of Krake's hooks: " + hook);
    };
  }

  /**
   * Returns whether both hooks' {@code cert_dest} name one directory (compared as {@link
   * #directory(String)}), as in Krake's documents and the configuration its {@code
   * krake_generate_config} writes ({@code /etc/krake_cert} for both). Mounting both certificate
   * Secrets there would give a container two volume mounts at one {@code mountPath}, which the
   * Kubernetes API server rejects; so an application with both hooks gets one projected volume
   * there instead, with each hook's files in a folder named after the hook ({@code
   * <cert_dest>/complete/cert.pem}, {@code <cert_dest>/shutdown/cert.pem}, ...). An application
   * with one of the hooks gets Krake's layout ({@code <cert_dest>/cert.pem}).
   */
  public boolean certDestShared() {
    return directory(complete.certDest()).equals(directory(shutdown.hook().certDest()));
  }

  /**
   * Returns a {@code cert_dest} without trailing slashes ({@code /etc/krake_cert/} and {@code
   * /etc/krake_cert} are one directory); {@code /} stays {@code /}.
   *
   * @param certDest an absolute path
   */
  public static String directory(String certDest) {
    String directory = certDest;
    while (directory.length() > 1 && directory.endsWith("/")) {
      directory = directory.substring(0, directory.length() - 1);
    }
    return directory;
  }

  /**
   * Returns the base URL applications of a hook use: its {@code external_endpoint} if set, else
   * {@link #endpoint()}, with the scheme following TLS, without path, query or fragment.
   *
   * @param hook {@value #COMPLETE} or {@value #SHUTDOWN}
   */
  public URI baseUrl(String hook) {
    URI base = hook(hook).externalEndpoint().orElse(endpoint);
    try {
      return new URI(
          tls ? "https" : "http", null, base.getHost(), base.getPort(), null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("checked at build(): " + base, e);
    }
  }

  /**
   * Returns the hook URL of an application, as Krake builds it: {@code
   * <base>/kubernetes/namespaces/<namespace>/applications/<name>/<hook>}.
   *
   * @param hook {@value #COMPLETE} or {@value #SHUTDOWN}
   * @param namespace the application's (Krake) namespace
   * @param name the application's name
   */
  public URI hookUrl(String hook, String namespace, String name) {
    return URI.create(
        baseUrl(hook)
            + "/kubernetes/namespaces/"
            + namespace
            + "/applications/"
            + name
            + "/"
            + hook);
  }

  /**
   * Returns the {@code ca-bundle.pem} given to applications of a hook, as Krake builds it: the
   * {@link #caBundle()} certificates followed by the hook's {@code intermediate_src}, each ending
   * with a line break. Deterministic: the same sources give the same text on every call, so the
   * certificate Secret does not change between reconciles. Files are read on every call.
   *
   * @param hook {@value #COMPLETE} or {@value #SHUTDOWN}
   * @throws IllegalArgumentException for another hook name
   * @throws IllegalStateException if the hook has no {@code intermediate_src} (TLS disabled)
   * @throws cloud.krake.KrakeException naming the file if a PEM file cannot be read
   */
  public String caBundlePem(String hook) {
    PemSource intermediate =
        hook(hook)
            .intermediateSrc()
            .orElseThrow(
                () -> new IllegalStateException("hooks." + hook + ".intermediate_src is not set"));
    StringBuilder bundle = new StringBuilder();
    for (PemSource source : caBundle) {
      appendPem(bundle, source.read());
    }
    appendPem(bundle, intermediate.read());
    return bundle.toString();
  }

  /**
   * Returns the fingerprint of what this configuration writes into every application's hook Secrets
   * that differs between hosts, for {@code Krake.Builder.groupFingerprint("hooks", ...)} ({@code
   * HookMangling.register} passes it): every instance of a group must derive the same Secrets, or
   * each hand-over of a shard rewrites them. Per hook, {@code complete} then {@code shutdown}: its
   * {@link #baseUrl(String) base URL} and, with TLS, the first 16 hex digits of the SHA-256 of its
   * {@link #caBundlePem(String) ca-bundle.pem} (the public CA certificates, never a key), e.g.
   * {@code complete https://krake.example.com:8443 ca-bundle.pem sha256:3f1c0e9a7b2d4c55; shutdown
   * https://krake.example.com:8443 ca-bundle.pem sha256:3f1c0e9a7b2d4c55}. Reads the PEM files.
   *
   * @throws cloud.krake.KrakeException naming the file if a PEM file cannot be read
   */
  public String groupFingerprint() {
    StringBuilder fingerprint = new StringBuilder();
    for (String hook : List.of(COMPLETE, SHUTDOWN)) {
      if (fingerprint.length() > 0) {
        fingerprint.append("; ");
      }
      fingerprint.append(hook).append(' ').append(baseUrl(hook));
      if (tls && hook(hook).intermediateSrc().isPresent()) {
        fingerprint.append(" ca-bundle.pem sha256:").append(sha256Prefix(caBundlePem(hook)));
      }
    }
    return fingerprint.toString();
  }

  private static String sha256Prefix(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void appendPem(StringBuilder bundle, String pem) {
    bundle.append(pem);
    if (!pem.isEmpty() && !pem.endsWith("\n")) {
      bundle.append('\n');
    }
  }

  /** Builds a {@link HooksConfig}; not thread-safe. */
  public static final class Builder {
    private URI endpoint = URI.create(DEFAULT_ENDPOINT);
    private boolean tls;
    private HookConfig complete = HookConfig.completeDefaults();
    private ShutdownHookConfig shutdown = ShutdownHookConfig.defaults();
    private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
    private Duration certificateValidity = DEFAULT_CERTIFICATE_VALIDITY;
    private final List<PemSource> caBundle = new ArrayList<>();
    private boolean legacyTokenVariable;
    private CryptoProvider cryptoProvider = CryptoProvider.AUTO;
    private int keyPoolSize = DEFAULT_KEY_POOL_SIZE;

    private Builder() {}

    /**
     * Sets {@code api_endpoint}.
     *
     * @param endpoint an http or https URL with a host
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /**
     * Sets {@code tls.enabled}.
     *
     * @param tls whether hooks use HTTPS and client certificates
     * @return this builder
     */
    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /**
     * Sets {@code hooks.complete}.
     *
     * @param complete the complete hook's keys
     * @return this builder
     */
    public Builder complete(HookConfig complete) {
      this.complete = Objects.requireNonNull(complete, "complete");
      return this;
    }

    /**
     * Sets {@code hooks.shutdown}.
     *
     * @param shutdown the shutdown hook's keys
     * @return this builder
     */
    public Builder shutdown(ShutdownHookConfig shutdown) {
      this.shutdown = Objects.requireNonNull(shutdown, "shutdown");
      return this;
    }

    /**
     * Sets the key type of issued client certificates.
     *
     * @param keyAlgorithm EC P-256 (default) or RSA-2048
     * @return this builder
     */
    public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
      this.keyAlgorithm = Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
      return this;
    }

    /**
     * Sets the validity of issued client certificates.
     *
     * @param validity positive; default 365 days
     * @return this builder
     */
    public Builder certificateValidity(Duration validity) {
      this.certificateValidity = Objects.requireNonNull(validity, "validity");
      return this;
    }

    /**
     * Adds CA certificates to {@code ca-bundle.pem}, before the intermediate: Krake's {@code
     * tls.client_ca}, the CA of the hook endpoint's server certificate. At least one is required
     * when TLS is enabled ({@link #build()} names {@code ca_bundle} otherwise), as Krake requires
     * {@code tls.client_ca}; a host taking over a running Krake passes Krake's {@code client_ca}
     * file here, so that its workloads keep verifying the endpoint.
     *
     * @param certificates PEM certificates
     * @return this builder
     */
    public Builder addCaBundle(PemSource certificates) {
      caBundle.add(Objects.requireNonNull(certificates, "certificates"));
      return this;
    }

    /**
     * Also injects the token as {@value HooksConfig#LEGACY_TOKEN_VARIABLE}, the variable of Krake's
     * older hook documentation ({@code curl -d "{\"token\":\"$KRAKE_TOKEN\"}"
     * $KRAKE_COMPLETE_URL}), so that scripts written for it run unmodified. It carries the complete
     * hook's token, or the shutdown hook's for an application without the complete hook (Krake once
     * had one token for both); {@code env_token} and {@code env_url} are injected as always.
     *
     * @param legacyTokenVariable whether to inject {@value HooksConfig#LEGACY_TOKEN_VARIABLE};
     *     default {@code false}
     * @return this builder
     */
    public Builder legacyTokenVariable(boolean legacyTokenVariable) {
      this.legacyTokenVariable = legacyTokenVariable;
      return this;
    }

    /**
     * Sets which provider generates the hook CA's keys and signs its certificates. An explicit
     * {@link CryptoProvider#CONSCRYPT} makes {@code HookCertificateAuthority.of} fail, naming
     * {@code crypto_provider}, when Conscrypt is absent or its native library does not load.
     *
     * @param cryptoProvider default {@link CryptoProvider#AUTO}
     * @return this builder
     */
    public Builder cryptoProvider(CryptoProvider cryptoProvider) {
      this.cryptoProvider = Objects.requireNonNull(cryptoProvider, "cryptoProvider");
      return this;
    }

    /**
     * Sets how many key pairs the hook CA keeps ready for new certificates, generated on its
     * background thread {@code krake-hook-keys-1}.
     *
     * @param keyPoolSize in key pairs, 0 to {@value HooksConfig#MAX_KEY_POOL_SIZE}; default {@value
     *     HooksConfig#DEFAULT_KEY_POOL_SIZE}; 0 generates every key on the issuing thread
     * @return this builder
     */
    public Builder keyPoolSize(int keyPoolSize) {
      this.keyPoolSize = keyPoolSize;
      return this;
    }

    /**
     * Checks every key and returns the configuration.
     *
     * @throws InvalidConfigurationException listing every problem, each naming its key
     */
    public HooksConfig build() {
      List<FieldError> errors = new ArrayList<>();
      checkUrl(errors, "api_endpoint", endpoint);
      if (tls && caBundle.isEmpty()) {
        // Krake requires tls.client_ca with TLS and always puts it into ca-bundle.pem: without the
        // CA of the endpoint's server certificate the workloads cannot verify the endpoint.
        errors.add(
            new FieldError(
                "ca_bundle",
                "is required when TLS is enabled (Krake's tls.client_ca): the CA certificates the"
                    + " workloads verify the hook endpoint's server certificate with"));
      }
      checkHook(errors, "hooks.complete", complete);
      checkHook(errors, "hooks.shutdown", shutdown.hook());
      if (shutdown.timeout().isNegative() || shutdown.timeout().isZero()) {
        errors.add(new FieldError("hooks.shutdown.timeout", "must be positive"));
      }
      if (shutdown.failureRetryCount() < 0) {
        errors.add(new FieldError("hooks.shutdown.failure_retry_count", "must not be negative"));
      }
      if (certificateValidity.isNegative() || certificateValidity.isZero()) {
        errors.add(new FieldError("certificate_validity", "must be positive"));
      }
      if (keyPoolSize < 0 || keyPoolSize > MAX_KEY_POOL_SIZE) {
        errors.add(
            new FieldError(
                "key_pool_size",
                "must be 0 to " + MAX_KEY_POOL_SIZE + " key pairs, not " + keyPoolSize));
      }
      if (legacyTokenVariable) {
        checkLegacy(errors, "hooks.complete", complete);
        checkLegacy(errors, "hooks.shutdown", shutdown.hook());
      }
      if (!errors.isEmpty()) {
        throw new InvalidConfigurationException(errors);
      }
      return new HooksConfig(
          endpoint,
          tls,
          complete,
          shutdown,
          keyAlgorithm,
          certificateValidity,
          caBundle,
          legacyTokenVariable,
          cryptoProvider,
          keyPoolSize);
    }

    private static void checkLegacy(List<FieldError> errors, String prefix, HookConfig hook) {
      if (hook.envUrl().equalsIgnoreCase(LEGACY_TOKEN_VARIABLE)) {
        errors.add(
            new FieldError(
                prefix + ".env_url",
                "must not be " + LEGACY_TOKEN_VARIABLE + " when the legacy token variable is on"));
      }
    }

    private void checkHook(List<FieldError> errors, String prefix, HookConfig hook) {
      if (hook.hookUser().isBlank()) {
        errors.add(new FieldError(prefix + ".hook_user", "must not be empty"));
      }
      if (tls && hook.intermediateSrc().isEmpty()) {
        errors.add(new FieldError(prefix + ".intermediate_src", "is required when TLS is enabled"));
      }
      if (tls && hook.intermediateKeySrc().isEmpty()) {
        errors.add(
            new FieldError(prefix + ".intermediate_key_src", "is required when TLS is enabled"));
      }
      if (!hook.certDest().startsWith("/")) {
        errors.add(new FieldError(prefix + ".cert_dest", "must be an absolute path"));
      }
      if (!ENV_NAME.matcher(hook.envToken()).matches()) {
        errors.add(new FieldError(prefix + ".env_token", "must be an environment variable name"));
      }
      if (!ENV_NAME.matcher(hook.envUrl()).matches()) {
        errors.add(new FieldError(prefix + ".env_url", "must be an environment variable name"));
      }
      if (hook.envToken().equalsIgnoreCase(hook.envUrl())) {
        errors.add(new FieldError(prefix + ".env_url", "must differ from env_token"));
      }
      hook.externalEndpoint()
          .ifPresent(url -> checkUrl(errors, prefix + ".external_endpoint", url));
    }

    private static void checkUrl(List<FieldError> errors, String key, URI url) {
      String scheme = url.getScheme();
      if (scheme == null
          || !(scheme.equals("http") || scheme.equals("https"))
          || url.getHost() == null) {
        errors.add(new FieldError(key, "must be an http or https URL with a host"));
      }
    }
  }
}
