package cloud.krake.k8s.e2e;

/**
 * Where an end-to-end suite's clusters come from: the fake API server of krake-testing, or a real
 * Kubernetes control plane ({@code KubernetesControlPlane}: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler) whose node is the local kubelet. Suites parameterised
 * over it ({@code @ParameterizedClass @EnumSource(ClusterSource.class)}) run once on each.
 */
public enum ClusterSource {
  /** {@code FakeKubernetesApiServer}: fast, and with fault injection. */
  FAKE,
  /** A real control plane of Kubernetes' own release, shared by the module's suites. */
  REAL;

  /**
   * Starts (or, for {@link #REAL}, borrows one of the two shared control planes) a cluster.
   *
   * @param name the cluster's name: {@code a} or {@code b}
   */
  TestCluster cluster(String name) {
    return switch (this) {
      case FAKE -> new FakeTestCluster(name);
      case REAL -> RealTestCluster.shared(name);
    };
  }
}
