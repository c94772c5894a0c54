package cloud.krake.k8s.internal;

import cloud.krake.k8s.KubernetesException;
import cloud.krake.model.ReasonCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.Discovery;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.models.V1APIResource;
import io.kubernetes.client.openapi.models.V1APIResourceList;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds how one cluster serves a kind, as Krake's {@code kclient.py} decides: kinds of the built-in
 * groups (the core group, dot-less groups such as {@code apps}, groups ending in {@code .k8s.io})
 * by discovery of the manifest's exact group/version; any other kind only through a custom resource
 * definition named in the cluster's {@code spec.custom_resources}, read from the cluster.
 *
 * <p>Discovery answers and definitions are cached per cluster (this object); a kind missing from a
 * cached answer triggers one fresh discovery, and applying a definition drops what was cached for
 * its group. Thread-safe.
 */
final class KindResolver {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CRD_GROUP = "apiextensions.k8s.io";

  private final String cluster;
  private final ApiClient api;
  private final List<String> customResources;
  private final DynamicKubernetesApi definitions;
  private final Map<String, List<V1APIResource>> discovered = new ConcurrentHashMap<>();
  private final Map<String, JsonNode> crds = new ConcurrentHashMap<>();

  KindResolver(String cluster, ApiClient api, List<String> customResources) {
    this.cluster = cluster;
    this.api = api;
    this.customResources = List.copyOf(customResources);
    this.definitions = new DynamicKubernetesApi(CRD_GROUP, "v1", "customresourcedefinitions", api);
  }

  /** Returns whether a group is one of Kubernetes' own (no custom resource definition needed). */
  static boolean builtIn(String group) {
    return group.isEmpty() || !group.contains(".") || group.endsWith(".k8s.io");
  }

  /**
   * Resolves a kind.
   *
   * @throws KubernetesException {@link ReasonCode#UNSUPPORTED_RESOURCE} when the cluster does not
   *     serve it or no listed definition defines it, {@link ReasonCode#INVALID_CUSTOM_RESOURCE}
   *     when a listed definition does not exist, {@link ReasonCode#KUBERNETES_ERROR} when discovery
   *     fails
   */
  ResolvedKind resolve(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = apiVersion.substring(slash + 1);
    if (version.isEmpty() || version.contains("/")) {
      throw unsupported(apiVersion, kind, "apiVersion is not group/version");
    }
    return builtIn(group) ? discover(group, version, kind) : custom(group, version, kind);
  }

  private ResolvedKind discover(String group, String version, String kind) {
    String path = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
    List<V1APIResource> cached = discovered.get(path);
    Optional<ResolvedKind> found =
        cached == null ? Optional.empty() : find(cached, group, version, kind);
    if (found.isPresent()) {
      return found.get();
    }
    List<V1APIResource> fresh = fetch(path, group, version, kind);
    discovered.put(path, fresh);
    return find(fresh, group, version, kind)
        .orElseThrow(
            () -> unsupported(group, version, kind, "the cluster does not serve this kind"));
  }

  private List<V1APIResource> fetch(String path, String group, String version, String kind) {
    try {
      V1APIResourceList list = new Discovery(api).resourceDiscovery(path);
      return list.getResources() == null ? List.of() : List.copyOf(list.getResources());
    } catch (ApiException e) {
      if (e.getCode() == 404) {
        throw unsupported(group, version, kind, "the cluster does not serve this apiVersion");
      }
      throw Failures.of("cluster " + cluster + ": discovery of " + path, e, false);
    } catch (RuntimeException e) {
      throw Failures.of("cluster " + cluster + ": discovery of " + path, e, false);
    }
  }

  private static Optional<ResolvedKind> find(
      List<V1APIResource> resources, String group, String version, String kind) {
    return resources.stream()
        .filter(r -> kind.equals(r.getKind()) && r.getName() != null && !r.getName().contains("/"))
        .findFirst()
        .map(
            r ->
                new ResolvedKind(
                    group, version, kind, r.getName(), Boolean.TRUE.equals(r.getNamespaced())));
  }

  private ResolvedKind custom(String group, String version, String kind) {
    List<String> candidates =
        customResources.stream().filter(name -> name.endsWith("." + group)).toList();
    if (candidates.isEmpty()) {
      throw unsupported(
          group,
          version,
          kind,
          "no custom resource definition of group " + group + " is listed in custom_resources");
    }
    String missing = "";
    for (String name : candidates) {
      Optional<JsonNode> crd = definition(name);
      if (crd.isEmpty()) {
        missing = name;
        continue;
      }
      JsonNode spec = crd.get().path("spec");
      if (group.equals(spec.path("group").asText())
          && kind.equals(spec.path("names").path("kind").asText())) {
        boolean served = false;
        for (JsonNode v : spec.path("versions")) {
          served |= version.equals(v.path("name").asText()) && v.path("served").asBoolean(true);
        }
        if (!served) {
          throw unsupported(group, version, kind, "definition " + name + " does not serve it");
        }
        return new ResolvedKind(
            group,
            version,
            kind,
            spec.path("names").path("plural").asText(),
            "Namespaced".equals(spec.path("scope").asText()));
      }
    }
    if (!missing.isEmpty()) {
      throw new KubernetesException(
          ReasonCode.INVALID_CUSTOM_RESOURCE,
          404,
          "cluster "
              + cluster
              + ": custom resource definition "
              + missing
              + " listed in custom_resources does not exist on the cluster",
          null);
    }
    throw unsupported(
        group, version, kind, "no definition listed in custom_resources defines this kind");
  }

  private Optional<JsonNode> definition(String name) {
    JsonNode cached = crds.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    String context = "cluster " + cluster + ": read CustomResourceDefinition " + name;
    KubernetesApiResponse<DynamicKubernetesObject> response;
    try {
      response = definitions.get(name);
    } catch (RuntimeException e) {
      KubernetesException failure = Failures.of(context, e, false);
      if (failure.isNotFound()) {
        return Optional.empty();
      }
      throw failure;
    }
    if (!response.isSuccess()) {
      if (response.getHttpStatusCode() == 404) {
        return Optional.empty();
      }
      throw new KubernetesException(
          ReasonCode.INVALID_CUSTOM_RESOURCE,
          response.getHttpStatusCode(),
          Failures.of(context, response, false).getMessage(),
          null);
    }
    JsonNode crd;
    try {
      crd = JSON.readTree(response.getObject().getRaw().toString());
    } catch (IOException e) {
      throw new KubernetesException(
          ReasonCode.INVALID_CUSTOM_RESOURCE, 0, context + ": unreadable answer", e);
    }
    crds.put(name, crd);
    return Optional.of(crd);
  }

  /** Forgets what was cached about the group of an applied custom resource definition. */
  void definitionApplied(ObjectNode crd) {
    crds.remove(crd.path("metadata").path("name").asText());
    String group = crd.path("spec").path("group").asText();
    for (JsonNode v : crd.path("spec").path("versions")) {
      discovered.remove("/apis/" + group + "/" + v.path("name").asText());
    }
  }

  /** Returns whether a resource is a custom resource definition. */
  static boolean isDefinition(ResolvedKind kind) {
    return CRD_GROUP.equals(kind.group()) && "CustomResourceDefinition".equals(kind.kind());
  }

  private KubernetesException unsupported(String apiVersion, String kind, String why) {
    return new KubernetesException(
        ReasonCode.UNSUPPORTED_RESOURCE,
        0,
        "cluster " + cluster + ": " + kind + " (" + apiVersion + ") is not supported: " + why,
        null);
  }

  private KubernetesException unsupported(String group, String version, String kind, String why) {
    return unsupported(group.isEmpty() ? version : group + "/" + version, kind, why);
  }
}
