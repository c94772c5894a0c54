package cloud.krake.examples.embedding;

import cloud.krake.Krake;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.Constraints;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.ResourceRef;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * Embedding Krake in a host: the minimal builder. A {@code MemoryStore}, the Kubernetes backend
 * with the kubeconfig connector and no hooks, one cluster (a {@link FakeKubernetesApiServer}, in
 * memory: nothing is written to disk), and one application created from a Kubernetes manifest
 * string, awaited until RUNNING, then deleted and awaited until it has left the store.
 *
 * <p>Run: {@code java -cp examples/target/krake-examples.jar
 * cloud.krake.examples.embedding.MinimalHost}. Exits 0 when the application ran and was removed.
 */
public final class MinimalHost {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private MinimalHost() {}

  /**
   * Runs the example; exits 0 when the application ran and was removed, 1 otherwise.
   *
   * @param args none
   */
  public static void main(String[] args) {
    try {
      run(System.out);
      System.exit(0);
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Runs the example, printing what happens.
   *
   * @param out where to print
   * @return the application as it was seen RUNNING
   * @throws cloud.krake.KrakeException if it did not reach RUNNING, or was not removed, within 30 s
   */
  public static Application run(PrintStream out) {
    try (FakeKubernetesApiServer edge = FakeKubernetesApiServer.builder().name("edge-1").build();
        MemoryStore store = MemoryStore.create()) {
      // tag::builder[]
      Krake krake =
          Krake.builder()
              .store(store)
              .extension(
                  KubernetesBackend.builder()
                      .connector(KubeconfigClusterConnector.builder().build())
                      .build())
              .build();
      // end::builder[]
      try (krake) {
        krake.start();
        // tag::cluster[]
        ObjectNode kubeconfig = KrakeJson.read(edge.kubeconfig(), ObjectNode.class);
        krake
            .clusters()
            .create(
                Cluster.of(Metadata.of("default", "edge-1"), ClusterSpec.ofKubeconfig(kubeconfig)));
        // end::cluster[]
        // tag::application[]
        String manifest =
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo}
            spec:
              selector: {matchLabels: {app: echo}}
              template:
                metadata: {labels: {app: echo}}
                spec:
                  containers: [{name: echo, image: registry.k8s.io/echoserver:1.10}]
            """;
        List<ObjectNode> resources = KrakeJson.readAll(manifest, ObjectNode.class);
        krake
            .applications()
            .create(
                Application.of(
                    Metadata.of("default", "echo"),
                    ApplicationSpec.of(resources, Constraints.NONE)));

        Application running =
            krake.awaitApplication(
                "default", "echo", a -> a.status().state() == ApplicationState.RUNNING, TIMEOUT);
        out.println(
            "echo: state="
                + running.status().state()
                + " running_on="
                + running.status().runningOn().map(ResourceRef::name).orElse("-"));

        krake.applications().delete("default", "echo");
        krake.awaitApplicationGone("default", "echo", TIMEOUT);
        // end::application[]
        out.println(
            "echo: deleted; objects left on edge-1: " + edge.list("apps/v1", "Deployment").size());
        return running;
      }
    }
  }
}
