package cloud.krake.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.FieldError;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HooksConfigTest {

  /** Not parsed by build(): only the issuing CA reads its sources. */
  private static final String CA_PEM = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n";

  @Test
  void defaultsAreKrakes() {
    HooksConfig config = HooksConfig.builder().build();

    assertThat(config.endpoint()).isEqualTo(URI.create("http://localhost:8080"));
    assertThat(config.tls()).isFalse();
    assertThat(config.complete().hookUser()).isEqualTo("system:complete-hook");
    assertThat(config.complete().certDest()).isEqualTo("/etc/krake_complete_certs");
    assertThat(config.complete().envToken()).isEqualTo("KRAKE_COMPLETE_TOKEN");
    assertThat(config.complete().envUrl()).isEqualTo("KRAKE_COMPLETE_URL");
    assertThat(config.complete().tokenSecretKey()).isEqualTo("krake_complete_token");
    assertThat(config.shutdown().hook().hookUser()).isEqualTo("system:shutdown-hook");
    assertThat(config.shutdown().hook().certDest()).isEqualTo("/etc/krake_shutdown_certs");
    assertThat(config.shutdown().hook().urlSecretKey()).isEqualTo("krake_shutdown_url");
    assertThat(config.shutdown().timeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.shutdown().failureStrategy()).isEqualTo(FailureStrategy.DELETE);
    assertThat(config.shutdown().failureRetryCount()).isZero();
    assertThat(config.keyAlgorithm()).isEqualTo(KeyAlgorithm.EC_P256);
    assertThat(config.certificateValidity()).isEqualTo(Duration.ofDays(365));
  }

  @Test
  void hookUrlFollowsKrakesLayoutAndTheSchemeFollowsTls() {
    HooksConfig plain =
        HooksConfig.builder()
            .endpoint(URI.create("https://krake.example:8443/ignored?q=1"))
            .build();

    assertThat(plain.hookUrl("complete", "tenant", "job"))
        .isEqualTo(
            URI.create(
                "http://krake.example:8443/kubernetes/namespaces/tenant/applications/job/complete"));
  }

  @Test
  void externalEndpointReplacesTheEndpointForItsHook() {
    HookConfig complete =
        HookConfig.completeDefaults()
            .withExternalEndpoint(Optional.of(URI.create("https://new.external.endpoint")))
            .withIntermediate(PemSource.of("cert"), PemSource.of("key"));
    HookConfig shutdown =
        HookConfig.shutdownDefaults().withIntermediate(PemSource.of("cert"), PemSource.of("key"));
    HooksConfig tls =
        HooksConfig.builder()
            .endpoint(URI.create("http://api:8080"))
            .tls(true)
            .addCaBundle(PemSource.of(CA_PEM))
            .complete(complete)
            .shutdown(ShutdownHookConfig.defaults().withHook(shutdown))
            .build();

    assertThat(tls.baseUrl("complete")).isEqualTo(URI.create("https://new.external.endpoint"));
    assertThat(tls.baseUrl("shutdown")).isEqualTo(URI.create("https://api:8080"));
    assertThat(HooksConfig.builder().complete(complete).build().baseUrl("complete"))
        .isEqualTo(URI.create("http://new.external.endpoint"));
  }

  @Test
  void buildReportsEveryBadKeyByName() {
    HooksConfig.Builder builder =
        HooksConfig.builder()
            .endpoint(URI.create("ftp://nowhere"))
            .tls(true)
            .addCaBundle(PemSource.of(CA_PEM))
            .complete(
                HookConfig.completeDefaults()
                    .withCertDest("relative/path")
                    .withEnv("1BAD", "KRAKE_COMPLETE_URL"))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withTimeout(Duration.ZERO)
                    .withFailureRetryCount(-1)
                    .withHook(
                        HookConfig.shutdownDefaults()
                            .withHookUser(" ")
                            .withExternalEndpoint(Optional.of(URI.create("mailto:x@y")))));

    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactlyInAnyOrder(
                        "api_endpoint",
                        "hooks.complete.intermediate_src",
                        "hooks.complete.intermediate_key_src",
                        "hooks.complete.cert_dest",
                        "hooks.complete.env_token",
                        "hooks.shutdown.hook_user",
                        "hooks.shutdown.intermediate_src",
                        "hooks.shutdown.intermediate_key_src",
                        "hooks.shutdown.external_endpoint",
                        "hooks.shutdown.timeout",
                        "hooks.shutdown.failure_retry_count"));
  }

  @Test
  void tlsWithoutACaBundleIsRefusedNamingItAsKrakeRequiresItsClientCa() {
    HooksConfig.Builder builder =
        HooksConfig.builder()
            .tls(true)
            .complete(
                HookConfig.completeDefaults()
                    .withIntermediate(PemSource.of(CA_PEM), PemSource.of(CA_PEM)))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(
                        HookConfig.shutdownDefaults()
                            .withIntermediate(PemSource.of(CA_PEM), PemSource.of(CA_PEM))));

    assertThatThrownBy(builder::build)
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e -> assertThat(e.errors()).extracting(FieldError::field).containsExactly("ca_bundle"));
    assertThat(builder.addCaBundle(PemSource.of(CA_PEM)).build().caBundle()).hasSize(1);
    assertThat(HooksConfig.builder().build().caBundle()).isEmpty(); // without TLS: not needed
  }

  @Test
  void theLegacyTokenVariableIsOffByDefaultAndCannotBeAHooksUrlVariable() {
    assertThat(HooksConfig.builder().build().legacyTokenVariable()).isFalse();
    assertThat(HooksConfig.builder().legacyTokenVariable(true).build().legacyTokenVariable())
        .isTrue();

    HooksConfig.Builder clash =
        HooksConfig.builder()
            .legacyTokenVariable(true)
            .complete(HookConfig.completeDefaults().withEnv("KRAKE_COMPLETE_TOKEN", "KRAKE_TOKEN"));

    assertThatThrownBy(clash::build)
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("hooks.complete.env_url"));
  }

  @Test
  void aSharedCertDestIsOneDirectoryWithOrWithoutATrailingSlash() {
    HookConfig complete = HookConfig.completeDefaults().withCertDest("/etc/krake_cert/");
    HookConfig shutdown = HookConfig.shutdownDefaults().withCertDest("/etc/krake_cert");

    assertThat(
            HooksConfig.builder()
                .complete(complete)
                .shutdown(ShutdownHookConfig.defaults().withHook(shutdown))
                .build()
                .certDestShared())
        .isTrue();
    assertThat(HooksConfig.builder().build().certDestShared()).isFalse();
    assertThat(HooksConfig.directory("/")).isEqualTo("/");
  }

  @Test
  void unknownFailureStrategiesAreNotStrategies() {
    assertThat(FailureStrategy.fromConfigValue("delete")).contains(FailureStrategy.DELETE);
    assertThat(FailureStrategy.fromConfigValue("give_up")).contains(FailureStrategy.GIVE_UP);
    assertThat(FailureStrategy.fromConfigValue("Delete")).isEmpty();
  }

  @Test
  void aPemSourceNeverShowsItsContent() {
    String secret = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAsecret\n-----END PRIVATE KEY-----\n";

    assertThat(PemSource.of(secret).toString()).doesNotContain("MIGHAgEAsecret");
    assertThat(PemSource.of(secret).read()).isEqualTo(secret);
    assertThat(PemSource.file(Path.of("/etc/krake/ca.pem")).toString()).contains("ca.pem");
    assertThatThrownBy(() -> PemSource.file(Path.of("/nonexistent/ca.pem")).read())
        .hasMessageContaining("/nonexistent/ca.pem");
  }

  @Test
  void theGroupFingerprintNamesEachHooksUrlWithoutTls() {
    HooksConfig plain =
        HooksConfig.builder().endpoint(URI.create("https://krake.example:8443/x")).build();

    assertThat(plain.groupFingerprint())
        .isEqualTo("complete http://krake.example:8443; shutdown http://krake.example:8443");
  }

  @Test
  void theGroupFingerprintHashesEachHooksCaBundleButNeverItsKey() throws Exception {
    HooksConfig one = tls("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "k1");
    HooksConfig sameCaOtherKey =
        tls("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "k2");
    HooksConfig otherCa =
        tls("-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n", "k1");
    String hash =
        java.util.HexFormat.of()
            .formatHex(
                java.security.MessageDigest.getInstance("SHA-256")
                    .digest(
                        one.caBundlePem("complete")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                0,
                8);

    assertThat(one.groupFingerprint())
        .isEqualTo(
            "complete https://api:8080 ca-bundle.pem sha256:"
                + hash
                + "; shutdown https://api:8080 ca-bundle.pem sha256:"
                + hash)
        .doesNotContain("k1");
    assertThat(sameCaOtherKey.groupFingerprint()).isEqualTo(one.groupFingerprint());
    assertThat(otherCa.groupFingerprint()).isNotEqualTo(one.groupFingerprint());
  }

  private static HooksConfig tls(String intermediate, String key) {
    return HooksConfig.builder()
        .endpoint(URI.create("http://api:8080"))
        .tls(true)
        .addCaBundle(PemSource.of(CA_PEM))
        .complete(
            HookConfig.completeDefaults()
                .withIntermediate(PemSource.of(intermediate), PemSource.of(key)))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(
                    HookConfig.shutdownDefaults()
                        .withIntermediate(PemSource.of(intermediate), PemSource.of(key))))
        .build();
  }
}
