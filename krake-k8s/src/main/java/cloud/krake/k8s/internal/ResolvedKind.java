package cloud.krake.k8s.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * A kind as the cluster serves it: its group, version, plural resource name and scope, found by
 * discovery or in a custom resource definition.
 *
 * @param group the API group; empty for the core group
 * @param version the version, e.g. {@code v1}
 * @param kind the kind, e.g. {@code Deployment}
 * @param plural the resource name in URLs, e.g. {@code deployments}
 * @param namespaced whether objects of the kind live in namespaces
 */
record ResolvedKind(String group, String version, String kind, String plural, boolean namespaced) {

  ResolvedKind {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(plural, "plural");
  }

  /** Returns the {@code apiVersion} of the kind's objects. */
  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  /**
   * Returns the path of the collection: {@code /api/v1/namespaces/ns/pods}, or all namespaces; the
   * namespace escaped as one path segment, as the official client escapes its path parameters.
   */
  String collectionPath(Optional<String> namespace) {
    String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    return namespaced && namespace.isPresent()
        ? base + "/namespaces/" + segment(namespace.get()) + "/" + plural
        : base + "/" + plural;
  }

  /**
   * Escapes a name as one URL path segment, as the official client's {@code ApiClient.escapeString}
   * does; a Kubernetes name (lower-case letters, digits, '-', '.') is returned as it is.
   */
  static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
