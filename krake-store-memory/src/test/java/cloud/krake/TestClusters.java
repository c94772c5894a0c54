package cloud.krake;

import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;

/**
 * The tests' clusters. Their kubeconfig holds an admin token for {@code https://127.0.0.1:6443},
 * which no test of this module connects to.
 */
public final class TestClusters {

  private static final String KUBECONFIG =
      """
        kubeconfig:
          apiVersion: v1
          kind: Config
          current-context: admin@c
          clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
          contexts: [{name: admin@c, context: {cluster: c, user: admin}}]
          users: [{name: admin, user: {token: secret}}]
      """;

  private TestClusters() {}

  /**
   * Reads a cluster with the tests' kubeconfig.
   *
   * @param metadata its metadata, a YAML flow mapping such as {@code {name: de, namespace: tenant}}
   * @param spec its spec's other fields, YAML lines without indentation such as {@code metrics:
   *     []}; empty for none
   * @return the cluster, not stored
   */
  public static Cluster read(String metadata, String spec) {
    return KrakeJson.read(
        "metadata: " + metadata + "\nspec:\n" + spec.indent(2) + KUBECONFIG, Cluster.class);
  }

  /**
   * Creates {@code cluster} in {@code krake}'s store and marks it ONLINE.
   *
   * @return the cluster as stored, ONLINE
   */
  public static Cluster online(Krake krake, Cluster cluster) {
    krake.clusters().create(cluster);
    return krake
        .clusters()
        .modifyStatus(
            cluster.metadata().namespace().orElseThrow(),
            cluster.metadata().name(),
            c -> c.status().withState(ClusterState.ONLINE));
  }

  /** Creates {@code tenant/de}, labelled {@code location: DE}, ONLINE; returns it so. */
  public static Cluster de(Krake krake) {
    return online(krake, read("{name: de, namespace: tenant, labels: {location: DE}}", ""));
  }
}
