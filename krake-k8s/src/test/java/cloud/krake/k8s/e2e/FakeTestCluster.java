package cloud.krake.k8s.e2e;

import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/** A {@link TestCluster} on the fake API server; its kubelet is started on first use. */
final class FakeTestCluster implements TestCluster {

  private final FakeKubernetesApiServer fake;

  /** Guarded by this. */
  private LocalKubelet kubelet;

  FakeTestCluster(String name) {
    this.fake = FakeKubernetesApiServer.builder().name(name).build();
  }

  /** The fake, for the suites that inject faults. */
  FakeKubernetesApiServer fake() {
    return fake;
  }

  @Override
  public ClusterSource source() {
    return ClusterSource.FAKE;
  }

  @Override
  public String name() {
    return fake.name();
  }

  @Override
  public String kubeconfig() {
    return fake.kubeconfig();
  }

  @Override
  public Optional<ObjectNode> get(String apiVersion, String kind, String namespace, String name) {
    return fake.get(apiVersion, kind, namespace, name);
  }

  @Override
  public List<ObjectNode> list(String apiVersion, String kind) {
    return fake.list(apiVersion, kind);
  }

  @Override
  public List<ObjectNode> objects() {
    return fake.objects();
  }

  @Override
  public ObjectNode put(ObjectNode object) {
    return fake.put(object);
  }

  @Override
  public boolean delete(String apiVersion, String kind, String namespace, String name) {
    return fake.delete(apiVersion, kind, namespace, name);
  }

  @Override
  public void createNamespace(String name) {
    fake.createNamespace(name);
  }

  @Override
  public synchronized LocalKubelet kubelet() {
    if (kubelet == null) {
      kubelet = LocalKubelet.builder(fake).build();
    }
    return kubelet;
  }

  @Override
  public synchronized void close() {
    if (kubelet != null) {
      kubelet.close();
    }
    fake.close();
  }

  @Override
  public String toString() {
    return "fake cluster " + fake.name();
  }
}
