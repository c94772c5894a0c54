package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a {@link LocalKubelet}'s Pods read from the cluster: Secrets and ConfigMaps from the
 * server's store, service account tokens from the node agent of a real API server (none for a fake
 * cluster). Thread-safe as the store.
 */
final class KubeletPodLookup implements PodConfig.Lookup {

  private final ObjectStore store;
  private final ApiResource secretType;
  private final ApiResource configMapType;

  /** The kubelet's node agent, read at each call: null for a fake cluster and while building. */
  private final Supplier<NodeAgent> agent;

  KubeletPodLookup(
      ObjectStore store,
      ApiResource secretType,
      ApiResource configMapType,
      Supplier<NodeAgent> agent) {
    this.store = store;
    this.secretType = secretType;
    this.configMapType = configMapType;
    this.agent = agent;
  }

  @Override
  public Optional<ObjectNode> secret(String namespace, String name) {
    return store.find(secretType, namespace, name);
  }

  @Override
  public Optional<ObjectNode> configMap(String namespace, String name) {
    return store.find(configMapType, namespace, name);
  }

  @Override
  public Optional<String> serviceAccountToken(
      ObjectNode pod, String audience, long expirationSeconds) {
    NodeAgent current = agent.get();
    if (current == null) {
      return Optional.empty();
    }
    JsonNode metadata = pod.path("metadata");
    return current.serviceAccountToken(
        metadata.path("namespace").asText(),
        metadata.path("name").asText(),
        pod.path("spec").path("serviceAccountName").asText("default"),
        audience,
        expirationSeconds);
  }
}
