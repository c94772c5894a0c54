/**
 * The implementation of the Kubernetes backend on the official Kubernetes Java client. Nothing here
 * is API: the types may change without notice; use {@link cloud.krake.k8s.ClusterClient} and {@link
 * cloud.krake.k8s.KubeconfigClusterConnector}.
 *
 * <p>Nothing null crosses a method boundary unless documented; {@code Optional} for maybe-absent
 * values.
 */
package cloud.krake.k8s.internal;
