package cloud.krake.store.etcd;

import cloud.krake.store.Store;
import cloud.krake.testing.EtcdCluster;
import cloud.krake.testing.ServerStoreContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared store contract ({@link ServerStoreContract}) against a three-member etcd cluster; its
 * server restart kills (SIGKILL) the member the store is talking to and restarts it, so the restart
 * test proves a watch resumes on another member with no event lost or repeated.
 */
class EtcdClusterStoreIT extends ServerStoreContract {
  private static EtcdCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = EtcdCluster.start(3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected Store createStore() {
    return EtcdStore.builder().endpoints(cluster.endpoints()).build();
  }

  @Override
  protected void restartServer() {
    int serving = ((EtcdStore) store()).currentMember();
    cluster.member(serving).kill();
    cluster.member(serving).start();
  }
}
