package cloud.krake.testing.kubernetes;

import cloud.krake.testing.kubernetes.ApiResource.GroupKind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The kinds the fake serves, by group version and by plural or kind, in registration order: the
 * built-in ones and those CustomResourceDefinitions define (as the API server's discovery and its
 * apiextensions controller).
 *
 * <p>Not thread-safe: guarded by the {@link ObjectStore}'s lock.
 */
final class KindRegistry {

  private final Map<String, Map<String, ApiResource>> byPlural = new LinkedHashMap<>();
  private final Map<String, Map<String, ApiResource>> byKind = new HashMap<>();

  void register(ApiResource type) {
    byPlural
        .computeIfAbsent(type.apiVersion(), v -> new LinkedHashMap<>())
        .put(type.plural(), type);
    byKind.computeIfAbsent(type.apiVersion(), v -> new HashMap<>()).put(type.kind(), type);
  }

  /** The type served at {@code /apis/group/version/plural}, if any. */
  Optional<ApiResource> byPlural(String apiVersion, String plural) {
    return Optional.ofNullable(byPlural.getOrDefault(apiVersion, Map.of()).get(plural));
  }

  Optional<ApiResource> byKind(String apiVersion, String kind) {
    return Optional.ofNullable(byKind.getOrDefault(apiVersion, Map.of()).get(kind));
  }

  /** The served types of a group version, in registration order; empty if it is not served. */
  List<ApiResource> types(String apiVersion) {
    return List.copyOf(byPlural.getOrDefault(apiVersion, Map.of()).values());
  }

  /** Served group versions ({@code v1}, {@code apps/v1}, ...) in registration order. */
  List<String> apiVersions() {
    List<String> versions = new ArrayList<>();
    for (Map.Entry<String, Map<String, ApiResource>> entry : byPlural.entrySet()) {
      if (!entry.getValue().isEmpty()) {
        versions.add(entry.getKey());
      }
    }
    return versions;
  }

  /** Stops serving a kind in every version. */
  void unregister(GroupKind groupKind) {
    for (Map<String, ApiResource> types : byPlural.values()) {
      types.values().removeIf(type -> type.groupKind().equals(groupKind));
    }
    for (Map<String, ApiResource> types : byKind.values()) {
      types.values().removeIf(type -> type.groupKind().equals(groupKind));
    }
  }

  /**
   * Serves the kind a CRD defines in its served versions (and no longer in the others).
   *
   * @return the kind it defines
   */
  GroupKind serveCrd(ObjectNode crd) {
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText();
    String kind = spec.path("names").path("kind").asText();
    String plural = spec.path("names").path("plural").asText();
    boolean namespaced = !spec.path("scope").asText("Namespaced").equals("Cluster");
    GroupKind groupKind = new GroupKind(group, kind);
    Set<String> served = new LinkedHashSet<>();
    for (JsonNode version : spec.path("versions")) {
      if (version.path("served").asBoolean(true)) {
        String name = version.path("name").asText();
        served.add(group + "/" + name);
        boolean status = version.path("subresources").has("status");
        ApiResource type = new ApiResource(group, name, kind, plural, namespaced, status);
        byPlural.computeIfAbsent(type.apiVersion(), v -> new LinkedHashMap<>()).put(plural, type);
        byKind.computeIfAbsent(type.apiVersion(), v -> new HashMap<>()).put(kind, type);
      }
    }
    for (Map.Entry<String, Map<String, ApiResource>> entry : byPlural.entrySet()) {
      if (!served.contains(entry.getKey())) {
        entry.getValue().values().removeIf(type -> type.groupKind().equals(groupKind));
      }
    }
    for (Map.Entry<String, Map<String, ApiResource>> entry : byKind.entrySet()) {
      if (!served.contains(entry.getKey())) {
        entry.getValue().values().removeIf(type -> type.groupKind().equals(groupKind));
      }
    }
    return groupKind;
  }

  /**
   * Checks a CustomResourceDefinition as the API server's validation does (group, plural and kind
   * present, the name {@code plural.group}, at least one version); does nothing for other kinds.
   *
   * @throws ApiError 422 naming the field
   */
  static void validateCrd(ApiResource type, ObjectNode crd) {
    if (!type.groupKind().equals(ObjectStore.CRD)) {
      return;
    }
    JsonNode spec = crd.path("spec");
    String group = spec.path("group").asText("");
    String plural = spec.path("names").path("plural").asText("");
    String kind = spec.path("names").path("kind").asText("");
    String name = crd.path("metadata").path("name").asText();
    if (group.isEmpty() || plural.isEmpty() || kind.isEmpty()) {
      throw ApiError.invalid(
          type, name, "spec.group, spec.names.plural and spec.names.kind are required");
    }
    if (!name.equals(plural + "." + group)) {
      throw ApiError.invalid(
          type,
          name,
          "metadata.name: Invalid value: \""
              + name
              + "\": must be spec.names.plural+\".\"+spec.group");
    }
    if (!spec.path("versions").isArray() || spec.path("versions").isEmpty()) {
      throw ApiError.invalid(
          type,
          name,
          "spec.versions: Invalid value: must have exactly one version marked as storage version");
    }
  }
}
