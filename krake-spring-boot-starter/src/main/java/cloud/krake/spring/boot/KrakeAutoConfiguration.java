package cloud.krake.spring.boot;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.KrakeExtension;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.CertificateIssuer;
import cloud.krake.hooks.tls.ClientCertificateCheck;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.hooks.tls.TlsMaterial;
import cloud.krake.k8s.ClusterConnector;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.FieldError;
import cloud.krake.runtime.KrakeMetricsRecorder;
import cloud.krake.store.Applications;
import cloud.krake.store.Store;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.store.memory.MemoryStore;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;

/**
 * Auto-configuration of a {@link Krake} instance from the {@code krake.*} properties ({@link
 * KrakeProperties}): the store ({@code krake.store.type}), the Kubernetes backend with a {@link
 * KubeconfigClusterConnector}, Krake's hooks ({@code krake.hooks.enabled}) with their endpoint on
 * the application's own servlet server or on a port of its own, and the {@link KrakeLifecycle} that
 * starts and closes the instance with the context.
 *
 * <p>Every bean is {@code @ConditionalOnMissingBean}: a host defining a bean of the same type (the
 * servlet registration: of the same name, {@value #HOOK_SERVLET_BEAN}) replaces it. {@link
 * KrakeExtension} beans are installed into the instance in their order, and {@link
 * KrakeBuilderCustomizer} beans applied last. Ownership follows Krake's contract: the instance
 * closes the Kubernetes backend, which closes the connector, the hook server and the certificate
 * authorities; the store is never closed by Krake (a store made here is closed as its bean is
 * destroyed, one the host defined stays the host's).
 */
@AutoConfiguration
@EnableConfigurationProperties(KrakeProperties.class)
public class KrakeAutoConfiguration {

  /** The bean name of the hook endpoint's servlet registration. */
  public static final String HOOK_SERVLET_BEAN = "krakeHookEndpointServlet";

  /** Makes the auto-configuration; Spring calls it. */
  public KrakeAutoConfiguration() {}

  /**
   * The store: a {@link MemoryStore} by default, an {@link EtcdStore} with {@code
   * krake.store.type=etcd}. Closed when the context closes, after the {@code Krake} bean.
   *
   * @param properties the {@code krake.*} properties
   * @return the store
   * @throws InvalidConfigurationPropertyValueException naming {@code krake.store.etcd.endpoints}
   *     when the etcd store has none
   */
  @Bean
  @ConditionalOnMissingBean(Store.class)
  public Store krakeStore(KrakeProperties properties) {
    return switch (properties.getStore().getType()) {
      case MEMORY -> MemoryStore.create();
      case ETCD -> {
        KrakeProperties.Etcd etcd = properties.getStore().getEtcd();
        if (etcd.getEndpoints().isEmpty()) {
          throw new InvalidConfigurationPropertyValueException(
              "krake.store.etcd.endpoints", "[]", "is required when krake.store.type is etcd");
        }
        yield EtcdStore.builder()
            .endpoints(etcd.getEndpoints())
            .connectTimeout(etcd.getConnectTimeout())
            .requestTimeout(etcd.getRequestTimeout())
            .build();
      }
    };
  }

  /**
   * The instance: the store, {@code krake.workers}, the metrics recorder, every {@link
   * KrakeExtension} bean (among them the Kubernetes backend), then every {@link
   * KrakeBuilderCustomizer}. Started by {@link KrakeLifecycle}; closed by it, or when its bean is
   * destroyed (close is idempotent).
   *
   * @param store the store
   * @param properties the {@code krake.*} properties
   * @param extensions the extensions to install, in order
   * @param recorder where the library reports its metrics, if there is exactly one such bean (e.g.
   *     {@code MicrometerKrakeMetrics})
   * @param customizers the customizers to apply, in order
   * @return the (not yet started) instance
   * @throws InvalidConfigurationPropertyValueException naming {@code krake.workers} if below 1
   */
  @Bean
  @ConditionalOnMissingBean
  public Krake krake(
      Store store,
      KrakeProperties properties,
      ObjectProvider<KrakeExtension> extensions,
      ObjectProvider<KrakeMetricsRecorder> recorder,
      ObjectProvider<KrakeBuilderCustomizer> customizers) {
    if (properties.getWorkers() < 1) {
      throw new InvalidConfigurationPropertyValueException(
          "krake.workers", properties.getWorkers(), "must be at least 1");
    }
    Krake.Builder builder = Krake.builder().store(store).workers(properties.getWorkers());
    recorder.ifUnique(builder::metricsRecorder);
    extensions.orderedStream().forEach(builder::extension);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /**
   * Starts and closes the instance with the context.
   *
   * @param krake the instance
   * @return the lifecycle
   */
  @Bean
  @ConditionalOnMissingBean
  public KrakeLifecycle krakeLifecycle(Krake krake) {
    return new KrakeLifecycle(krake);
  }

  /** The Kubernetes backend and its connector ({@code krake.kubernetes.enabled}, default true). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(
      prefix = "krake.kubernetes",
      name = "enabled",
      havingValue = "true",
      matchIfMissing = true)
  public static class KubernetesConfiguration {

    /** Makes the configuration; Spring calls it. */
    public KubernetesConfiguration() {}

    /**
     * How clusters are reached: a {@link KubeconfigClusterConnector} with its defaults. Closed by
     * the Kubernetes backend with the {@code Krake} instance (and again, idempotently, as a bean).
     *
     * @return the connector
     */
    @Bean
    @ConditionalOnMissingBean
    public ClusterConnector krakeClusterConnector() {
      return KubeconfigClusterConnector.builder().build();
    }

    /**
     * The backend: application and cluster controllers, plus Krake's hooks when configured (and the
     * embedded hook server in {@code krake.hooks.server.mode=port}). Owned and closed by the {@code
     * Krake} instance, so its bean has no destroy method.
     *
     * @param connector how clusters are reached
     * @param properties the {@code krake.*} properties
     * @param hooks the hooks configuration, if hooks are enabled
     * @param issuer the issuer of client certificates (with TLS)
     * @param server the embedded hook server, in port mode
     * @return the backend
     */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    public KubernetesBackend krakeKubernetesBackend(
        ClusterConnector connector,
        KrakeProperties properties,
        ObjectProvider<HooksConfig> hooks,
        ObjectProvider<CertificateIssuer> issuer,
        ObjectProvider<EmbeddedHookServer> server) {
      KubernetesBackend.Builder backend =
          KubernetesBackend.builder()
              .connector(connector)
              .clusterProbeInterval(properties.getKubernetes().getClusterProbeInterval());
      HooksConfig config = hooks.getIfUnique();
      if (config != null) {
        backend.krakeHooks(config, issuer.getIfUnique(() -> TLS_OFF));
      }
      server.ifUnique(backend::krakeHookServer);
      return backend.build();
    }
  }

  /** The issuer used without TLS, where the backend never asks for a certificate. */
  private static final CertificateIssuer TLS_OFF =
      identity -> {
        throw new IllegalStateException("krake.hooks.tls is false: no client certificates");
      };

  /** Krake's hooks ({@code krake.hooks.enabled=true}). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(prefix = "krake.hooks", name = "enabled", havingValue = "true")
  public static class HooksConfiguration {

    /** Makes the configuration; Spring calls it. */
    public HooksConfiguration() {}

    /**
     * The hooks configuration from {@code krake.hooks.*}.
     *
     * @param properties the {@code krake.*} properties
     * @return the checked configuration
     * @throws InvalidConfigurationException naming every offending {@code krake.hooks.*} property
     */
    @Bean
    @ConditionalOnMissingBean
    public HooksConfig krakeHooksConfig(KrakeProperties properties) {
      return hooksConfig(properties.getHooks());
    }

    /**
     * The hooks' certificate authorities, with TLS: they issue the client certificates and check
     * them at the endpoint. Closed by the Kubernetes backend with the instance.
     *
     * @param config the hooks configuration
     * @return the authorities
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "krake.hooks", name = "tls", havingValue = "true")
    public HookCertificateAuthorities krakeHookCertificateAuthorities(HooksConfig config) {
      return HookCertificateAuthorities.of(config, Clock.systemUTC());
    }

    /**
     * The transport-neutral hook endpoint, acknowledging on the store.
     *
     * @param store the store
     * @param config the hooks configuration
     * @param check the client certificate check, required with TLS
     * @param recorder where the endpoint reports its answers, if there is exactly one such bean
     * @return the endpoint
     */
    @Bean
    @ConditionalOnMissingBean
    public HookEndpoint krakeHookEndpoint(
        Store store,
        HooksConfig config,
        ObjectProvider<ClientCertificateCheck> check,
        ObjectProvider<KrakeMetricsRecorder> recorder) {
      HookEndpoint.Builder endpoint =
          HookEndpoint.builder()
              .applications(new Applications(store, Clock.systemUTC()))
              .config(config);
      check.ifUnique(endpoint::clientCertificateCheck);
      recorder.ifUnique(endpoint::metricsRecorder);
      return endpoint.build();
    }

    /**
     * The hook endpoint on a port of its own ({@code krake.hooks.server.mode=port}), started here
     * (the port is bound when the bean is made) and closed with the instance.
     *
     * @param endpoint the endpoint
     * @param config the hooks configuration
     * @param properties the {@code krake.*} properties
     * @param authorities the hooks' CAs, the default trust of client certificates with TLS
     * @return the started server
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnProperty(prefix = "krake.hooks.server", name = "mode", havingValue = "port")
    public EmbeddedHookServer krakeHookServer(
        HookEndpoint endpoint,
        HooksConfig config,
        KrakeProperties properties,
        ObjectProvider<HookCertificateAuthorities> authorities) {
      KrakeProperties.Server server = properties.getHooks().getServer();
      EmbeddedHookServer.Builder builder =
          EmbeddedHookServer.builder()
              .endpoint(endpoint)
              .bindAddress(server.getBindAddress())
              .port(server.getPort())
              .threads(server.getThreads())
              .queueCapacity(server.getQueueCapacity())
              .readTimeout(server.getReadTimeout())
              .stopGrace(server.getStopGrace())
              .cryptoProvider(config.cryptoProvider());
      if (config.tls()) {
        PemSource trusted =
            server.getTrustedCertificates() != null
                ? pem(server.getTrustedCertificates(), "krake.hooks.server.trusted-certificates")
                : PemSource.of(TlsMaterial.pem(authorities.getObject().trustedCertificates()));
        builder.tls(
            pem(
                required(server.getCertificateChain(), "krake.hooks.server.certificate-chain"),
                "krake.hooks.server.certificate-chain"),
            pem(
                required(server.getPrivateKey(), "krake.hooks.server.private-key"),
                "krake.hooks.server.private-key"),
            trusted);
      }
      return builder.build().start();
    }

    /**
     * The hook endpoint on the application's own servlet server ({@code
     * krake.hooks.server.mode=application}, the default, in a servlet web application).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(HttpServlet.class)
    @ConditionalOnProperty(
        prefix = "krake.hooks.server",
        name = "mode",
        havingValue = "application",
        matchIfMissing = true)
    public static class ServletHookEndpointConfiguration {

      /** Makes the configuration; Spring calls it. */
      public ServletHookEndpointConfiguration() {}

      /**
       * Maps {@link HookEndpointServlet} to {@value HookEndpointServlet#MAPPING}.
       *
       * @param endpoint the endpoint
       * @return the registration
       */
      @Bean(HOOK_SERVLET_BEAN)
      @ConditionalOnMissingBean(name = HOOK_SERVLET_BEAN)
      public ServletRegistrationBean<HookEndpointServlet> krakeHookEndpointServlet(
          HookEndpoint endpoint) {
        ServletRegistrationBean<HookEndpointServlet> registration =
            new ServletRegistrationBean<>(
                new HookEndpointServlet(endpoint), HookEndpointServlet.MAPPING);
        registration.setName(HOOK_SERVLET_BEAN);
        return registration;
      }
    }
  }

  /**
   * Builds the hooks configuration; its errors name the {@code krake.hooks.*} properties.
   *
   * @throws InvalidConfigurationException naming each offending property
   */
  static HooksConfig hooksConfig(KrakeProperties.Hooks hooks) {
    KrakeProperties.ShutdownHook shutdown = hooks.getShutdown();
    HooksConfig.Builder builder =
        HooksConfig.builder()
            .endpoint(hooks.getEndpoint())
            .tls(hooks.isTls())
            .complete(hook(hooks.getComplete(), "complete", HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(hook(shutdown, "shutdown", HookConfig.shutdownDefaults()))
                    .withTimeout(shutdown.getTimeout())
                    .withFailureStrategy(shutdown.getFailureStrategy())
                    .withFailureRetryCount(shutdown.getFailureRetryCount()))
            .keyAlgorithm(hooks.getKeyAlgorithm())
            .certificateValidity(hooks.getCertificateValidity())
            .legacyTokenVariable(hooks.isLegacyTokenVariable())
            .cryptoProvider(hooks.getCryptoProvider())
            .keyPoolSize(hooks.getKeyPoolSize());
    List<Resource> bundle = hooks.getCaBundle();
    for (int i = 0; i < bundle.size(); i++) {
      builder.addCaBundle(pem(bundle.get(i), "krake.hooks.ca-bundle[" + i + "]"));
    }
    try {
      return builder.build();
    } catch (InvalidConfigurationException e) {
      throw new InvalidConfigurationException(
          e.errors().stream()
              .map(error -> new FieldError(propertyName(error.field()), error.message()))
              .toList(),
          e);
    }
  }

  private static HookConfig hook(KrakeProperties.Hook hook, String name, HookConfig defaults) {
    HookConfig config =
        defaults
            .withHookUser(Objects.requireNonNullElse(hook.getHookUser(), defaults.hookUser()))
            .withCertDest(Objects.requireNonNullElse(hook.getCertDest(), defaults.certDest()))
            .withEnv(
                Objects.requireNonNullElse(hook.getEnvToken(), defaults.envToken()),
                Objects.requireNonNullElse(hook.getEnvUrl(), defaults.envUrl()))
            .withExternalEndpoint(Optional.ofNullable(hook.getExternalEndpoint()));
    if (hook.getIntermediate() != null || hook.getIntermediateKey() != null) {
      String prefix = "krake.hooks." + name + ".";
      config =
          config.withIntermediate(
              pem(
                  required(hook.getIntermediate(), prefix + "intermediate"),
                  prefix + "intermediate"),
              pem(
                  required(hook.getIntermediateKey(), prefix + "intermediate-key"),
                  prefix + "intermediate-key"));
    }
    return config;
  }

  /**
   * Maps a key of {@link HooksConfig.Builder#build()}'s errors (Krake's names, e.g. {@code
   * hooks.complete.intermediate_src}) to its property ({@code krake.hooks.complete.intermediate}).
   */
  static String propertyName(String key) {
    String name = key.replace('_', '-');
    if (!name.startsWith("hooks.")) {
      name = "hooks." + name;
    }
    name =
        name.replace("api-endpoint", "endpoint")
            .replace("intermediate-key-src", "intermediate-key")
            .replace("intermediate-src", "intermediate");
    return "krake." + name;
  }

  private static Resource required(Resource resource, String property) {
    if (resource == null) {
      throw new InvalidConfigurationPropertyValueException(
          property, null, "is required with the other TLS properties of its group");
    }
    return resource;
  }

  /**
   * Returns a PEM source of a resource: a file source when it is a file (read again on each use, as
   * Krake reads its PEM files), else its content, read now. Only the location is ever shown.
   */
  static PemSource pem(Resource resource, String property) {
    try {
      if (resource.isFile()) {
        return PemSource.file(resource.getFile().toPath());
      }
      return PemSource.of(resource.getContentAsString(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new InvalidConfigurationPropertyValueException(
          property, resource.getDescription(), "cannot be read: " + e.getMessage());
    }
  }
}
