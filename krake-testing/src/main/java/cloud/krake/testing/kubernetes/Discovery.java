package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The fake's discovery documents, as the API server serves them under {@code /version}, {@code
 * /api}, {@code /apis}, {@code /apis/<group>} and a group version's resource list: built from the
 * kinds the {@link ObjectStore} serves, in registration order (a group's first version is its
 * preferred one).
 *
 * <p>Thread-safe: reads the store's registry through its lock.
 */
final class Discovery {
  private static final List<String> OBJECT_VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  private final ObjectStore store;
  private final Supplier<String> serverAddress;

  Discovery(ObjectStore store, Supplier<String> serverAddress) {
    this.store = store;
    this.serverAddress = serverAddress;
  }

  /** The {@code /version} document: a Kubernetes 1.30 server. */
  static ObjectNode version() {
    ObjectNode version = JsonNodeFactory.instance.objectNode();
    version.put("major", "1");
    version.put("minor", "30");
    version.put("gitVersion", "v1.30.0-krake-fake");
    version.put("gitCommit", "0000000000000000000000000000000000000000");
    version.put("gitTreeState", "clean");
    version.put("buildDate", "2024-01-01T00:00:00Z");
    version.put("goVersion", "go1.22.0");
    version.put("compiler", "gc");
    version.put("platform", "linux/amd64");
    return version;
  }

  /** The {@code /api} document: the core group's versions and the server's address. */
  ObjectNode apiVersions() {
    ObjectNode versions = JsonNodeFactory.instance.objectNode();
    versions.put("kind", "APIVersions");
    ArrayNode list = versions.putArray("versions");
    for (String apiVersion : store.apiVersions()) {
      if (!apiVersion.contains("/")) {
        list.add(apiVersion);
      }
    }
    ObjectNode address = versions.putArray("serverAddressByClientCIDRs").addObject();
    address.put("clientCIDR", "0.0.0.0/0");
    address.put("serverAddress", serverAddress.get());
    return versions;
  }

  /** Groups and their versions, in registration order (the first version is preferred). */
  private Map<String, List<String>> groups() {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (String apiVersion : store.apiVersions()) {
      int slash = apiVersion.indexOf('/');
      if (slash > 0) {
        groups
            .computeIfAbsent(apiVersion.substring(0, slash), g -> new ArrayList<>())
            .add(apiVersion.substring(slash + 1));
      }
    }
    return groups;
  }

  /** The {@code /apis} document: every served group. */
  ObjectNode groupList() {
    ObjectNode list = JsonNodeFactory.instance.objectNode();
    list.put("kind", "APIGroupList");
    list.put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    for (Map.Entry<String, List<String>> group : groups().entrySet()) {
      groups.add(group(group.getKey(), group.getValue()));
    }
    return list;
  }

  /** The {@code /apis/<group>} document, if the group is served. */
  Optional<ObjectNode> group(String name) {
    List<String> versions = groups().get(name);
    if (versions == null) {
      return Optional.empty();
    }
    ObjectNode group = group(name, versions);
    group.put("kind", "APIGroup");
    group.put("apiVersion", "v1");
    return Optional.of(group);
  }

  private static ObjectNode group(String name, List<String> versions) {
    ObjectNode group = JsonNodeFactory.instance.objectNode();
    group.put("name", name);
    ArrayNode list = group.putArray("versions");
    for (String version : versions) {
      ObjectNode entry = list.addObject();
      entry.put("groupVersion", name + "/" + version);
      entry.put("version", version);
    }
    ObjectNode preferred = group.putObject("preferredVersion");
    preferred.put("groupVersion", name + "/" + versions.get(0));
    preferred.put("version", versions.get(0));
    return group;
  }

  /** The {@code APIResourceList} of a group version: each kind and its status subresource. */
  static ObjectNode resourceList(String apiVersion, List<ApiResource> types) {
    ObjectNode list = JsonNodeFactory.instance.objectNode();
    list.put("kind", "APIResourceList");
    list.put("apiVersion", "v1");
    list.put("groupVersion", apiVersion);
    ArrayNode resources = list.putArray("resources");
    for (ApiResource type : types) {
      ObjectNode resource = resources.addObject();
      resource.put("name", type.plural());
      resource.put("singularName", type.singular());
      resource.put("namespaced", type.namespaced());
      resource.put("kind", type.kind());
      ArrayNode verbs = resource.putArray("verbs");
      OBJECT_VERBS.forEach(verbs::add);
      if (type.statusSubresource()) {
        ObjectNode status = resources.addObject();
        status.put("name", type.plural() + "/status");
        status.put("singularName", "");
        status.put("namespaced", type.namespaced());
        status.put("kind", type.kind());
        status.putArray("verbs").add("get").add("patch").add("update");
      }
    }
    return list;
  }
}
