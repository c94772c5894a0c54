package cloud.krake.testing.kubernetes;

import java.util.Locale;
import java.util.Objects;

/**
 * One served resource of the fake API server: a kind in one group and version, with its plural
 * name, scope and whether it has a {@code status} subresource.
 *
 * @param group the API group, {@code ""} for the core group
 * @param version the version, for example {@code v1}
 * @param kind the kind, for example {@code Deployment}
 * @param plural the plural resource name used in paths, for example {@code deployments}
 * @param namespaced whether objects live in a namespace
 * @param statusSubresource whether {@code .../status} is served and main writes ignore {@code
 *     status}
 */
record ApiResource(
    String group,
    String version,
    String kind,
    String plural,
    boolean namespaced,
    boolean statusSubresource) {

  ApiResource {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(plural, "plural");
  }

  /** {@code v1} for the core group, {@code group/version} otherwise. */
  String apiVersion() {
    return group.isEmpty() ? version : group + "/" + version;
  }

  GroupKind groupKind() {
    return new GroupKind(group, kind);
  }

  String singular() {
    return kind.toLowerCase(Locale.ROOT);
  }

  /** The resource as {@code deployments.apps}, or {@code pods} for the core group. */
  String qualifiedPlural() {
    return group.isEmpty() ? plural : plural + "." + group;
  }

  /** Objects of all versions of one kind share storage, keyed by group and kind. */
  record GroupKind(String group, String kind) {}
}
