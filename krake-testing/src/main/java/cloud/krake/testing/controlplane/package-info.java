/**
 * Real Kubernetes control planes for tests: {@link
 * cloud.krake.testing.controlplane.KubernetesControlPlane} runs etcd, {@code kube-apiserver},
 * {@code kube-controller-manager} and {@code kube-scheduler} (built from Kubernetes' Go modules by
 * {@code scripts/build-control-plane.sh}) with a PKI of its own, and {@link
 * cloud.krake.testing.controlplane.KubernetesControlPlaneExtension} wraps it for JUnit 5.
 *
 * <p>Nothing in this package accepts or returns {@code null}.
 */
package cloud.krake.testing.controlplane;
