package cloud.krake.scheduler;

import cloud.krake.Krake;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;

/** The scheduler tests' cluster: {@code tenant/de}, labelled {@code location: DE}, ONLINE. */
final class OnlineClusters {

  private OnlineClusters() {}

  /** Creates {@code tenant/de} in {@code krake}'s store and marks it ONLINE; returns it so. */
  static Cluster de(Krake krake) {
    krake
        .clusters()
        .create(
            KrakeJson.read(
                """
                metadata: {name: de, namespace: tenant, labels: {location: DE}}
                spec:
                  kubeconfig:
                    apiVersion: v1
                    kind: Config
                    current-context: admin@c
                    clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
                    contexts: [{name: admin@c, context: {cluster: c, user: admin}}]
                    users: [{name: admin, user: {token: secret}}]
                """,
                Cluster.class));
    return krake
        .clusters()
        .modifyStatus("tenant", "de", c -> c.status().withState(ClusterState.ONLINE));
  }
}
