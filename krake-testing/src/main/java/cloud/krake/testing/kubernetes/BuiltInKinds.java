package cloud.krake.testing.kubernetes;

import java.util.List;

/**
 * The kinds every {@link FakeKubernetesApiServer} serves from its start, in discovery order: the
 * core group's, and those of apps, batch, networking, RBAC, policy, coordination and apiextensions
 * (for CustomResourceDefinitions) in their {@code v1}.
 */
final class BuiltInKinds {

  private static final String RBAC = "rbac.authorization.k8s.io";

  /** The kinds, in registration order. */
  static final List<ApiResource> ALL =
      List.of(
          core("Namespace", "namespaces", false, true),
          core("Node", "nodes", false, true),
          core("Pod", "pods", true, true),
          core("Service", "services", true, true),
          core("Secret", "secrets", true, false),
          core("ConfigMap", "configmaps", true, false),
          core("PersistentVolumeClaim", "persistentvolumeclaims", true, true),
          core("PersistentVolume", "persistentvolumes", false, true),
          core("ServiceAccount", "serviceaccounts", true, false),
          core("Endpoints", "endpoints", true, false),
          core("Event", "events", true, false),
          core("ReplicationController", "replicationcontrollers", true, true),
          new ApiResource("apps", "v1", "Deployment", "deployments", true, true),
          new ApiResource("apps", "v1", "StatefulSet", "statefulsets", true, true),
          new ApiResource("apps", "v1", "DaemonSet", "daemonsets", true, true),
          new ApiResource("apps", "v1", "ReplicaSet", "replicasets", true, true),
          new ApiResource("batch", "v1", "Job", "jobs", true, true),
          new ApiResource("batch", "v1", "CronJob", "cronjobs", true, true),
          new ApiResource("networking.k8s.io", "v1", "Ingress", "ingresses", true, true),
          new ApiResource(
              "networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, false),
          new ApiResource(RBAC, "v1", "Role", "roles", true, false),
          new ApiResource(RBAC, "v1", "RoleBinding", "rolebindings", true, false),
          new ApiResource(RBAC, "v1", "ClusterRole", "clusterroles", false, false),
          new ApiResource(RBAC, "v1", "ClusterRoleBinding", "clusterrolebindings", false, false),
          new ApiResource(
              "policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, true),
          new ApiResource("coordination.k8s.io", "v1", "Lease", "leases", true, false),
          new ApiResource(
              "apiextensions.k8s.io",
              "v1",
              "CustomResourceDefinition",
              "customresourcedefinitions",
              false,
              true));

  private BuiltInKinds() {}

  private static ApiResource core(String kind, String plural, boolean namespaced, boolean status) {
    return new ApiResource("", "v1", kind, plural, namespaced, status);
  }
}
