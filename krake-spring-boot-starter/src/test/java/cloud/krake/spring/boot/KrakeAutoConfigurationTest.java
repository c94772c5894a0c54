package cloud.krake.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.Krake;
import cloud.krake.KrakeExtension;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.k8s.ClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.store.Store;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.store.memory.MemoryStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class KrakeAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(KrakeAutoConfiguration.class));

  @Test
  void makesAStartedKrakeOnAMemoryStoreByDefault() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          Krake krake = context.getBean(Krake.class);
          assertThat(context.getBean(Store.class)).isInstanceOf(MemoryStore.class);
          assertThat(krake.store()).isSameAs(context.getBean(Store.class));
          assertThat(krake.workers()).isEqualTo(Krake.DEFAULT_WORKERS);
          assertThat(context.getBean(KrakeLifecycle.class).isRunning()).isTrue();
          assertThat(context).hasSingleBean(KubernetesBackend.class);
          assertThat(context).hasSingleBean(ClusterConnector.class);
          assertThat(context).doesNotHaveBean(HooksConfig.class);
          assertThat(context).doesNotHaveBean(HookEndpoint.class);
          assertThat(context).doesNotHaveBean(EmbeddedHookServer.class);
          // The Kubernetes backend's controllers and Krake's own ones.
          assertThat(krake.components()).hasSizeGreaterThanOrEqualTo(4);
        });
  }

  @Test
  void setsTheWorkersAndLeavesTheBackendOutWhenDisabled() {
    runner
        .withPropertyValues("krake.workers=3", "krake.kubernetes.enabled=false")
        .run(
            context -> {
              assertThat(context.getBean(Krake.class).workers()).isEqualTo(3);
              assertThat(context).doesNotHaveBean(KubernetesBackend.class);
              assertThat(context).doesNotHaveBean(ClusterConnector.class);
            });
  }

  @Test
  void anEtcdStoreWithoutEndpointsFailsNamingTheProperty() {
    runner
        .withPropertyValues("krake.store.type=etcd")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                  .hasMessageContaining("krake.store.etcd.endpoints");
            });
  }

  @Test
  void invalidValuesAreBindErrorsNamingTheProperty() {
    runner
        .withPropertyValues("krake.workers=0")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                  .hasMessageContaining("krake.workers")
                  .hasMessageContaining("must be at least 1");
            });
    runner
        .withPropertyValues("krake.store.type=redis")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(bindFailure(context.getStartupFailure()))
                  .hasMessageContaining("krake.store.type");
            });
    runner
        .withPropertyValues("krake.hooks.shutdown.timeout=soon")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(bindFailure(context.getStartupFailure()))
                  .hasMessageContaining("krake.hooks.shutdown.timeout");
            });
  }

  @Test
  void invalidHooksFailNamingEveryOffendingProperty() {
    runner
        .withPropertyValues(
            "krake.hooks.enabled=true",
            "krake.hooks.tls=true",
            "krake.hooks.endpoint=ftp://hooks",
            "krake.hooks.shutdown.failure-retry-count=-1")
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable failure = context.getStartupFailure();
              while (!(failure instanceof InvalidConfigurationException)) {
                failure = failure.getCause();
              }
              assertThat(failure.getMessage())
                  .contains(
                      "krake.hooks.endpoint",
                      "krake.hooks.ca-bundle",
                      "krake.hooks.complete.intermediate",
                      "krake.hooks.complete.intermediate-key",
                      "krake.hooks.shutdown.intermediate",
                      "krake.hooks.shutdown.failure-retry-count");
            });
  }

  @Test
  void backsOffForTheHostsOwnBeansAndNeverClosesTheHostsStore() {
    AtomicReference<MemoryStore> hostStore = new AtomicReference<>();
    runner
        .withUserConfiguration(HostBeans.class)
        .run(
            context -> {
              hostStore.set((MemoryStore) context.getBean(Store.class));
              assertThat(context).hasSingleBean(Store.class);
              assertThat(context.getBean(Krake.class).store()).isSameAs(hostStore.get());
              assertThat(context.getBean(ClusterConnector.class))
                  .isSameAs(context.getBean("hostConnector"));
              // The host's extension and customizer were applied to the builder.
              assertThat(context.getBean(Krake.class).workers()).isEqualTo(5);
              assertThat(context.getBean(Krake.class).component("scheduler")).isEmpty();
            });
    // The context is closed and Krake with it; the host's store (no destroy method) is still open.
    assertThat(hostStore.get().create("/after-close", new byte[] {1}).key())
        .isEqualTo("/after-close");
    hostStore.get().close();
  }

  @Test
  void aHostsKrakeBeanReplacesTheAutoConfiguredOne() {
    runner
        .withBean(
            "hostKrake",
            Krake.class,
            () -> Krake.builder().store(MemoryStore.create()).builtInControllers(false).build())
        .run(
            context -> {
              assertThat(context).hasSingleBean(Krake.class);
              assertThat(context.getBean(Krake.class).components()).isEmpty();
            });
  }

  @Test
  void servesTheHookEndpointOnAPortOfItsOwn() {
    runner
        .withPropertyValues(
            "krake.hooks.enabled=true", "krake.hooks.server.mode=port", "krake.hooks.server.port=0")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              EmbeddedHookServer server = context.getBean(EmbeddedHookServer.class);
              assertThat(server.port()).isPositive();
              assertThat(server.tls()).isFalse();
              assertThat(context).doesNotHaveBean(KrakeAutoConfiguration.HOOK_SERVLET_BEAN);
            });
  }

  @Test
  void servesTheHookEndpointWithTlsOnAPortOfItsOwnFromPemFiles(@TempDir Path dir) throws Exception {
    GeneratedHookCa ca = GeneratedHookCa.generate(Clock.systemUTC());
    var server = ca.issueServerCertificate(List.of("localhost"), List.of("127.0.0.1"));
    Path root = write(dir, "root.pem", ca.rootCertificatePem());
    Path intermediate = write(dir, "intermediate.pem", ca.intermediateCertificatePem());
    Path key = write(dir, "intermediate-key.pem", ca.intermediateKeyPem());
    Path serverCert = write(dir, "server.pem", server.certificatePem());
    Path serverKey = write(dir, "server-key.pem", server.privateKeyPem());
    runner
        .withPropertyValues(
            "krake.hooks.enabled=true",
            "krake.hooks.tls=true",
            "krake.hooks.endpoint=https://127.0.0.1:8443",
            "krake.hooks.ca-bundle=file:" + root,
            "krake.hooks.complete.intermediate=file:" + intermediate,
            "krake.hooks.complete.intermediate-key=file:" + key,
            "krake.hooks.shutdown.intermediate=file:" + intermediate,
            "krake.hooks.shutdown.intermediate-key=file:" + key,
            "krake.hooks.server.mode=port",
            "krake.hooks.server.port=0",
            "krake.hooks.server.certificate-chain=file:" + serverCert,
            "krake.hooks.server.private-key=file:" + serverKey)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(EmbeddedHookServer.class).tls()).isTrue();
              assertThat(context.getBean(HooksConfig.class).tls()).isTrue();
              assertThat(context.getBean(HookEndpoint.class).tls()).isTrue();
              // Neither the key's location nor its content is in the configuration's text.
              assertThat(context.getBean(HooksConfig.class).toString())
                  .doesNotContain(ca.intermediateKeyPem().substring(40, 80));
            });
  }

  @Test
  void servesTheHookEndpointOnTheApplicationsServletServerByDefault() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KrakeAutoConfiguration.class))
        .withPropertyValues("krake.hooks.enabled=true")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(EmbeddedHookServer.class);
              ServletRegistrationBean<?> registration =
                  context.getBean(
                      KrakeAutoConfiguration.HOOK_SERVLET_BEAN, ServletRegistrationBean.class);
              assertThat(registration.getServlet()).isInstanceOf(HookEndpointServlet.class);
              assertThat(registration.getUrlMappings()).containsExactly("/kubernetes/*");
            });
  }

  @Test
  void mapsTheHooksConfigurationKeysToProperties() {
    assertThat(KrakeAutoConfiguration.propertyName("api_endpoint"))
        .isEqualTo("krake.hooks.endpoint");
    assertThat(KrakeAutoConfiguration.propertyName("hooks.complete.intermediate_key_src"))
        .isEqualTo("krake.hooks.complete.intermediate-key");
    assertThat(KrakeAutoConfiguration.propertyName("hooks.shutdown.intermediate_src"))
        .isEqualTo("krake.hooks.shutdown.intermediate");
    assertThat(KrakeAutoConfiguration.propertyName("key_pool_size"))
        .isEqualTo("krake.hooks.key-pool-size");
  }

  @Test
  void theDefaultsOfThePropertiesAreTheLibrarys() {
    KrakeProperties properties = new KrakeProperties();
    assertThat(properties.getWorkers()).isEqualTo(Krake.DEFAULT_WORKERS);
    assertThat(properties.getStore().getEtcd().getConnectTimeout())
        .isEqualTo(EtcdStore.DEFAULT_CONNECT_TIMEOUT);
    assertThat(properties.getStore().getEtcd().getRequestTimeout())
        .isEqualTo(EtcdStore.DEFAULT_REQUEST_TIMEOUT);
    KrakeProperties.Hooks hooks = properties.getHooks();
    assertThat(hooks.getEndpoint()).isEqualTo(URI.create(HooksConfig.DEFAULT_ENDPOINT));
    assertThat(hooks.getCertificateValidity()).isEqualTo(HooksConfig.DEFAULT_CERTIFICATE_VALIDITY);
    assertThat(hooks.getKeyPoolSize()).isEqualTo(HooksConfig.DEFAULT_KEY_POOL_SIZE);
    HooksConfig defaults = HooksConfig.builder().build();
    assertThat(KrakeAutoConfiguration.hooksConfig(hooks)).isEqualTo(defaults);
    KrakeProperties.Server server = hooks.getServer();
    assertThat(server.getPort()).isEqualTo(EmbeddedHookServer.DEFAULT_PORT);
    assertThat(server.getThreads()).isEqualTo(EmbeddedHookServer.DEFAULT_THREADS);
    assertThat(server.getQueueCapacity()).isEqualTo(EmbeddedHookServer.DEFAULT_QUEUE_CAPACITY);
    assertThat(server.getReadTimeout()).isEqualTo(EmbeddedHookServer.DEFAULT_READ_TIMEOUT);
    assertThat(server.getStopGrace()).isEqualTo(EmbeddedHookServer.DEFAULT_STOP_GRACE);
  }

  /** The {@link BindException} in a start-up failure's causes; it names the property. */
  private static BindException bindFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindException bind) {
        return bind;
      }
    }
    throw new AssertionError("no BindException in", failure);
  }

  private static Path write(Path dir, String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
  }

  @Configuration(proxyBeanMethods = false)
  static class HostBeans {
    @Bean(destroyMethod = "")
    Store hostStore() {
      return MemoryStore.create();
    }

    @Bean
    ClusterConnector hostConnector() {
      return cloud.krake.k8s.KubeconfigClusterConnector.builder().build();
    }

    @Bean
    KrakeExtension hostExtension() {
      return builder -> builder.workers(5);
    }

    @Bean
    KrakeBuilderCustomizer hostCustomizer() {
      return builder -> builder.builtInControllers(false);
    }
  }
}
