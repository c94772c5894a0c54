package cloud.krake.k8s;

import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.Metadata;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The {@link ClusterClientContract} against a real cluster, when the environment variable {@code
 * KRAKE_IT_KUBECONFIG} names a kubeconfig file (exactly one context, user and cluster, embedded
 * credentials). The build runs it only then (the {@code real-cluster} Maven profile, activated by
 * that variable); without it, it is left out rather than reported as skipped.
 *
 * <p>It works in a namespace of its own ({@code krake-it-<random>}, made the context's namespace so
 * that namespace-less samples land there, plus {@code krake-it-<random>-secondary} for the sample
 * that names {@code secondary}) and deletes them afterwards. The custom resource test creates and
 * deletes the cluster-scoped definition {@code crontabs.stable.example.com}, and the
 * PersistentVolume sample the cluster-scoped {@code pv}: do not point it at a cluster that has
 * those.
 */
@EnabledIfEnvironmentVariable(named = "KRAKE_IT_KUBECONFIG", matches = ".+")
class RealClusterClientIT extends ClusterClientContract {

  private static final String NAMESPACE =
      "krake-it-" + UUID.randomUUID().toString().substring(0, 8);
  private static final List<ObjectNode> namespaces = new ArrayList<>();
  private static KubeconfigClusterConnector connector;
  private static ObjectNode kubeconfig;
  private static ClusterClient client;

  @BeforeAll
  static void connect() throws Exception {
    kubeconfig = Manifests.yaml(Files.readString(Path.of(System.getenv("KRAKE_IT_KUBECONFIG"))));
    ((ObjectNode) kubeconfig.path("contexts").path(0).path("context")).put("namespace", NAMESPACE);
    connector = KubeconfigClusterConnector.builder().build();
    client = connector.connect(cluster("real", List.of()));
    createNamespaceOnCluster(NAMESPACE);
  }

  @AfterAll
  static void cleanUp() {
    if (client != null) {
      for (ObjectNode namespace : namespaces) {
        client.delete(namespace);
      }
    }
    if (connector != null) {
      connector.close();
    }
  }

  private static Cluster cluster(String name, List<String> customResources) {
    return Cluster.of(
        Metadata.of("krake-it", name),
        ClusterSpec.ofKubeconfig(kubeconfig).withCustomResources(customResources));
  }

  private static void createNamespaceOnCluster(String name) {
    ObjectNode namespace =
        Manifests.yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + name + "\n");
    if (client.get(namespace).isEmpty()) {
      namespaces.add(client.apply(namespace));
    }
  }

  @Override
  protected ClusterClient client() {
    return client;
  }

  @Override
  protected ClusterClient clientWithCustomResources(List<String> definitions) {
    return connector.connect(cluster("real-with-crds", definitions));
  }

  @Override
  protected void createNamespace(String name) {
    createNamespaceOnCluster(name);
  }

  @Override
  protected String namespaceFor(String sampleNamespace) {
    return NAMESPACE + "-" + sampleNamespace;
  }
}
