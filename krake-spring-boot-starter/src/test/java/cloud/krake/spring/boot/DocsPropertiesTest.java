package cloud.krake.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.FailureStrategy;
import cloud.krake.spring.boot.KrakeProperties.HookServerMode;
import cloud.krake.spring.boot.KrakeProperties.StoreType;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** The properties example of docs/spring-boot.md (application-docs.yaml) binds as it says. */
class DocsPropertiesTest {

  @Test
  void theDocsExampleBindsToKrakeProperties() throws Exception {
    StandardEnvironment environment = new StandardEnvironment();
    for (PropertySource<?> source :
        new YamlPropertySourceLoader()
            .load("docs", new ClassPathResource("application-docs.yaml"))) {
      environment.getPropertySources().addFirst(source);
    }
    KrakeProperties properties = Binder.get(environment).bind("krake", KrakeProperties.class).get();

    assertThat(properties.getWorkers()).isEqualTo(4);
    assertThat(properties.getStore().getType()).isEqualTo(StoreType.ETCD);
    assertThat(properties.getStore().getEtcd().getEndpoints())
        .containsExactly(URI.create("http://10.0.0.5:2379"), URI.create("http://10.0.0.6:2379"));
    assertThat(properties.getKubernetes().getClusterProbeInterval())
        .isEqualTo(Duration.ofSeconds(30));
    KrakeProperties.Hooks hooks = properties.getHooks();
    assertThat(hooks.isTls()).isTrue();
    assertThat(hooks.getCaBundle()).hasSize(1);
    assertThat(hooks.getComplete().getIntermediateKey().getFilename())
        .isEqualTo("complete-ca-key.pem");
    assertThat(hooks.getShutdown().getTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(hooks.getShutdown().getFailureStrategy()).isEqualTo(FailureStrategy.GIVE_UP);
    assertThat(hooks.getServer().getMode()).isEqualTo(HookServerMode.PORT);
    assertThat(hooks.getServer().getPort()).isEqualTo(8443);
    assertThat(hooks.getServer().getBindAddress().isAnyLocalAddress()).isTrue();
  }
}
