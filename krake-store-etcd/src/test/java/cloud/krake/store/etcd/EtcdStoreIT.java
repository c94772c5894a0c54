package cloud.krake.store.etcd;

import cloud.krake.store.Store;
import cloud.krake.testing.EtcdExtension;
import cloud.krake.testing.ServerStoreContract;
import org.junit.jupiter.api.extension.RegisterExtension;

// tag::contract[]
/** The shared store contract ({@link ServerStoreContract}) against a real etcd. */
class EtcdStoreIT extends ServerStoreContract {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.builder().build();

  @Override
  protected Store createStore() {
    return EtcdStore.builder().endpoint(etcd.endpoint()).build();
  }

  @Override
  protected void restartServer() {
    etcd.server().stop();
    etcd.server().start();
  }
}
// end::contract[]
