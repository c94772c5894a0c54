package cloud.krake.k8s;

import cloud.krake.k8s.e2e.SharedControlPlanes;
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
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link ClusterClientContract} against a real Kubernetes API server: by default cluster {@code
 * a} of the module's shared real control planes ({@code KubernetesControlPlane} of krake-testing,
 * Kubernetes' own kube-apiserver, controller manager and scheduler, with the local kubelet as its
 * node; see {@link cloud.krake.k8s.e2e.SharedControlPlanes}), so every build runs it; or, when the
 * environment variable {@value #KUBECONFIG_VARIABLE} names a kubeconfig file (exactly one context,
 * user and cluster, embedded credentials), that cluster instead.
 *
 * <p>It works in a namespace of its own ({@code krake-it-<random>}, made the context's namespace so
 * that namespace-less samples land there, plus {@code krake-it-<random>-secondary} for the sample
 * that names {@code secondary}) and deletes them afterwards. The custom resource test creates and
 * deletes the cluster-scoped definition {@code crontabs.stable.example.com}, and the
 * PersistentVolume sample the cluster-scoped {@code pv}: do not point it at a cluster that has
 * those.
 */
@ExtendWith(SharedControlPlanes.class)
class RealClusterClientIT extends ClusterClientContract {

  /** The environment variable naming another real cluster's kubeconfig file. */
  static final String KUBECONFIG_VARIABLE = "KRAKE_IT_KUBECONFIG";

  private static final String NAMESPACE =
      "krake-it-" + UUID.randomUUID().toString().substring(0, 8);
  private static final List<ObjectNode> namespaces = new ArrayList<>();
  private static KubeconfigClusterConnector connector;
  private static ObjectNode kubeconfig;
  private static ClusterClient client;

  @BeforeAll
  static void connect() throws Exception {
    String file = System.getenv(KUBECONFIG_VARIABLE);
    kubeconfig =
        Manifests.yaml(
            file == null || file.isBlank()
                ? SharedControlPlanes.current().cluster("a").kubeconfig()
                : Files.readString(Path.of(file)));
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
