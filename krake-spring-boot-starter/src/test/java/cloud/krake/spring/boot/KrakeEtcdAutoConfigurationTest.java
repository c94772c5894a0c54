package cloud.krake.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.store.Store;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.testing.EtcdExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code krake.store.type=etcd} against a real etcd (krake-testing's fixture). */
class KrakeEtcdAutoConfigurationTest {

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.builder().build();

  @Test
  void makesAnEtcdStoreOnTheConfiguredEndpointsAndKrakeRunsOnIt() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(KrakeAutoConfiguration.class))
        .withPropertyValues(
            "krake.store.type=etcd",
            "krake.store.etcd.endpoints=" + etcd.endpoint(),
            "krake.store.etcd.request-timeout=20s")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Store store = context.getBean(Store.class);
              assertThat(store).isInstanceOf(EtcdStore.class);
              assertThat(((EtcdStore) store).endpoints()).containsExactly(etcd.endpoint());
              Krake krake = context.getBean(Krake.class);
              assertThat(krake.store()).isSameAs(store);
              assertThat(context.getBean(KrakeLifecycle.class).isRunning()).isTrue();
              long before = store.revision();
              store.create("/spring-boot-starter/probe", new byte[] {1});
              assertThat(store.revision()).isGreaterThan(before);
            });
  }
}
