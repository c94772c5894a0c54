package cloud.krake.k8s.e2e;

import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes cluster an end-to-end suite runs against, whatever its {@link ClusterSource}: what
 * the suites read and change directly on the cluster (not through the library under test). Objects
 * are JSON trees as the API server returns them. Thread-safe.
 */
public interface TestCluster extends AutoCloseable {

  /** Where the cluster comes from. */
  ClusterSource source();

  /** The cluster's name, as registered with Krake ({@code a} or {@code b}). */
  String name();

  /** A kubeconfig (YAML or JSON) with embedded credentials of a cluster administrator. */
  String kubeconfig();

  /** Reads an object; {@code namespace} is ignored for cluster-scoped kinds. */
  Optional<ObjectNode> get(String apiVersion, String kind, String namespace, String name);

  /** Lists the objects of a kind in every namespace. */
  List<ObjectNode> list(String apiVersion, String kind);

  /**
   * The objects the tests left: every object except the cluster's own (those it had when it was
   * started or borrowed, and what its control plane makes by itself: events, leases, service
   * accounts, endpoints, the {@code kube-root-ca.crt} ConfigMaps).
   */
  List<ObjectNode> objects();

  /** Replaces an object (as another client changing it behind the library's back). */
  ObjectNode put(ObjectNode object);

  /** Deletes an object; false if it did not exist. */
  boolean delete(String apiVersion, String kind, String namespace, String name);

  /** Makes sure a namespace exists. */
  void createNamespace(String name);

  /**
   * The local kubelet running the cluster's pods: started now for a fake (and closed with it), the
   * shared node of a real control plane.
   */
  LocalKubelet kubelet();

  /**
   * Closes a fake (and its kubelet); for a shared real cluster, deletes what the test left in the
   * namespaces it may use, so that the next test starts from the same state.
   */
  @Override
  void close();
}
