package cloud.krake.testing;

import cloud.krake.testing.internal.LoopbackPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real etcd cluster of several members ({@link EtcdServer}s) on loopback, each with its own
 * client and peer ports and data directory, for tests of a store that fails over between members.
 * The members are bootstrapped together ({@code --initial-cluster} names all of them, with a token
 * unique to this cluster); a member can be {@link EtcdServer#kill() killed} and {@link
 * EtcdServer#start() restarted} with its data while the others keep the quorum.
 *
 * <pre>{@code
 * try (EtcdCluster cluster = EtcdCluster.start(3)) {
 *   Store store = EtcdStore.builder().endpoints(cluster.endpoints()).build();
 *   cluster.member(0).kill();      // the store goes on with the two others
 *   cluster.member(0).start();     // rejoins with its data
 * }
 * }</pre>
 *
 * <p>Threading: the members' lifecycle methods are {@code synchronized}; {@link #close()} is
 * idempotent.
 */
public final class EtcdCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EtcdCluster.class);

  private final List<EtcdServer> members;

  private EtcdCluster(List<EtcdServer> members) {
    this.members = List.copyOf(members);
  }

  /**
   * Starts a cluster and waits until every member is healthy.
   *
   * @param size how many members, 1 to 7 (3 for a quorum that survives one member)
   * @return the running cluster
   * @throws IllegalArgumentException if {@code size} is out of range
   * @throws IllegalStateException as {@link EtcdServer#start()}, naming the member
   */
  public static EtcdCluster start(int size) {
    if (size < 1 || size > 7) {
      throw new IllegalArgumentException("size must be 1 to 7: " + size);
    }
    int[] ports;
    try {
      ports = LoopbackPorts.free(2 * size);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free loopback ports for etcd", e);
    }
    String token = "krake-test-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      peers.add(memberName(token, i) + "=http://127.0.0.1:" + ports[2 * i + 1]);
    }
    String initialCluster = String.join(",", peers);
    List<EtcdServer> servers = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        Member member =
            new Member(memberName(token, i), ports[2 * i], ports[2 * i + 1], initialCluster, token);
        servers.add(new EtcdServer(EtcdServer.builder(), member));
      }
      // Every member must run before any can elect a leader and report itself healthy.
      servers.forEach(EtcdServer::launch);
      servers.forEach(EtcdServer::awaitHealthy);
    } catch (RuntimeException e) {
      servers.forEach(EtcdServer::close);
      throw e;
    }
    EtcdCluster cluster = new EtcdCluster(servers);
    log.info("etcd cluster of {} members started: {}", size, cluster.endpoints());
    return cluster;
  }

  private static String memberName(String token, int index) {
    return token + "-" + index;
  }

  /** Returns the members, in the order of {@link #endpoints()}. */
  public List<EtcdServer> members() {
    return members;
  }

  /**
   * Returns one member.
   *
   * @param index from 0
   * @throws IndexOutOfBoundsException if there is no such member
   */
  public EtcdServer member(int index) {
    return members.get(index);
  }

  /** Returns the members' client URLs, for {@code EtcdStore.Builder.endpoints}. */
  public List<URI> endpoints() {
    return members.stream().map(EtcdServer::endpoint).toList();
  }

  /** Stops every member and deletes their directories. Idempotent. */
  @Override
  public void close() {
    members.forEach(EtcdServer::close);
  }

  /** How one member is bootstrapped: its name and ports, and the whole initial cluster. */
  record Member(
      String name, int clientPort, int peerPort, String initialCluster, String clusterToken) {}
}
