package cloud.krake.k8s.e2e;

import cloud.krake.k8s.ClusterClient;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesException;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.testing.controlplane.KubernetesControlPlane;
import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;

/**
 * A {@link TestCluster} on a real control plane ({@link KubernetesControlPlane}) whose node is a
 * {@link LocalKubelet} joined to it. The two of a module ({@code a} and {@code b}) are shared by
 * every suite of the module's test run: {@link SharedControlPlanes} starts them on first use and
 * stops them when the run ends. Reads and writes go through the library's {@link ClusterClient}
 * with the administrator's kubeconfig (its contract is proven on its own by {@code
 * RealClusterClientIT}).
 */
final class RealTestCluster implements TestCluster {

  /** The kinds {@link #objects()} looks at: every kind a test manifest or the kubelet creates. */
  static final List<List<String>> KINDS =
      List.of(
          List.of("v1", "Pod"),
          List.of("v1", "Service"),
          List.of("v1", "ConfigMap"),
          List.of("v1", "Secret"),
          List.of("v1", "PersistentVolumeClaim"),
          List.of("v1", "PersistentVolume"),
          List.of("v1", "ReplicationController"),
          List.of("apps/v1", "Deployment"),
          List.of("apps/v1", "StatefulSet"),
          List.of("apps/v1", "DaemonSet"),
          List.of("apps/v1", "ReplicaSet"),
          List.of("batch/v1", "Job"),
          List.of("batch/v1", "CronJob"),
          List.of("networking.k8s.io/v1", "Ingress"));

  /** Namespaces the suites use besides {@code default}; created once, emptied after each test. */
  static final List<String> NAMESPACES = List.of("default", "secondary");

  private final String name;
  private final KubernetesControlPlane controlPlane;
  private final LocalKubelet kubelet;
  private final KubeconfigClusterConnector connector;
  private final ClusterClient client;
  private final String kubeconfig;
  private final Set<String> baseline = new HashSet<>();

  RealTestCluster(String name) {
    this.name = name;
    this.controlPlane = KubernetesControlPlane.builder().build();
    try {
      controlPlane.start();
      ObjectNode admin = controlPlane.kubeconfig();
      this.kubeconfig = KrakeJson.write(admin);
      this.kubelet = LocalKubelet.forControlPlane(controlPlane, name + "-node").build();
    } catch (RuntimeException e) {
      controlPlane.close();
      throw e;
    }
    this.connector = KubeconfigClusterConnector.builder().build();
    this.client =
        connector.connect(
            Cluster.of(
                Metadata.of("e2e", name),
                ClusterSpec.ofKubeconfig(KrakeJson.read(kubeconfig, ObjectNode.class))));
    createNamespace("secondary");
    for (ObjectNode o : all()) {
      baseline.add(o.at("/metadata/uid").asText());
    }
  }

  /** One of the module's two shared clusters, started on first use. */
  static TestCluster shared(String name) {
    return SharedControlPlanes.current().cluster(name);
  }

  /** The control plane, for measurements and its logs. */
  KubernetesControlPlane controlPlane() {
    return controlPlane;
  }

  @Override
  public ClusterSource source() {
    return ClusterSource.REAL;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kubeconfig() {
    return kubeconfig;
  }

  @Override
  public Optional<ObjectNode> get(String apiVersion, String kind, String namespace, String name) {
    return client.get(reference(apiVersion, kind, namespace, name));
  }

  @Override
  public List<ObjectNode> list(String apiVersion, String kind) {
    return client.list(apiVersion, kind, Optional.empty());
  }

  @Override
  public List<ObjectNode> objects() {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode o : all()) {
      if (!baseline.contains(o.at("/metadata/uid").asText())
          && !o.at("/metadata/name").asText().equals("kube-root-ca.crt")) {
        out.add(o);
      }
    }
    return out;
  }

  private List<ObjectNode> all() {
    List<ObjectNode> out = new ArrayList<>();
    for (List<String> kind : KINDS) {
      out.addAll(client.list(kind.get(0), kind.get(1), Optional.empty()));
    }
    return out;
  }

  @Override
  public ObjectNode put(ObjectNode object) {
    // an object read back carries managedFields, which a server-side apply must not send
    ObjectNode copy = object.deepCopy();
    if (copy.get("metadata") instanceof ObjectNode metadata) {
      metadata.remove("managedFields");
    }
    return client.apply(copy);
  }

  @Override
  public boolean delete(String apiVersion, String kind, String namespace, String name) {
    return client.delete(reference(apiVersion, kind, namespace, name));
  }

  @Override
  public void createNamespace(String namespace) {
    ObjectNode ns = reference("v1", "Namespace", null, namespace);
    if (client.get(ns).isEmpty()) {
      client.apply(ns);
    }
  }

  @Override
  public LocalKubelet kubelet() {
    return kubelet;
  }

  /**
   * Deletes what the test left (a failed test may leave an application's objects), and waits until
   * they are gone, pods included, so that the next test starts on the same cluster.
   */
  @Override
  public void close() {
    for (ObjectNode o : objects()) {
      try {
        client.delete(o, Duration.ZERO);
      } catch (KubernetesException e) {
        // already going
      }
    }
    Awaitility.await()
        .atMost(FakeClusters.TIMEOUT)
        .ignoreExceptions()
        .until(() -> objects().isEmpty());
  }

  /** Stops the kubelet and the control plane: at the end of the module's test run. */
  void stop() {
    connector.close();
    kubelet.close();
    controlPlane.close();
  }

  private static ObjectNode reference(
      String apiVersion, String kind, String namespace, String name) {
    ObjectNode ref = JsonNodeFactory.instance.objectNode();
    ref.put("apiVersion", apiVersion).put("kind", kind);
    ObjectNode metadata = ref.putObject("metadata").put("name", name);
    if (namespace != null && !kind.equals("Namespace") && !kind.equals("PersistentVolume")) {
      metadata.put("namespace", namespace);
    }
    return ref;
  }

  @Override
  public String toString() {
    return "real cluster " + name + " at " + controlPlane.server();
  }
}
