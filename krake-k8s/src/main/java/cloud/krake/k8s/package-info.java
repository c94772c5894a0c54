/**
 * The Kubernetes backend: clusters reached through kubeconfigs with the official Kubernetes Java
 * client, hidden behind {@link cloud.krake.k8s.ClusterClient}, and Krake's application and cluster
 * controllers on top of it.
 */
package cloud.krake.k8s;
