package cloud.krake.k8s;

import cloud.krake.dispatcher.HookException;
import cloud.krake.hooks.execution.ObjectReader;
import cloud.krake.hooks.execution.WaitFunction;
import cloud.krake.model.ResourceRef;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The {@link ObjectReader} of {@link WaitFunction Wait} on {@link ClusterClient}s: one {@link
 * ClusterClient#get} or {@link ClusterClient#list(String, String, Optional, String) list} per call,
 * label selectors matched by the API server (the list call's {@code labelSelector}), no cache.
 *
 * <p>An empty namespace means: for {@link #read}, the client's default namespace for a namespaced
 * kind (ignored for a cluster-scoped one); for {@link #list}, every namespace. A failed read is a
 * {@link HookException} naming {@code Wait} with the {@link KubernetesException} as cause; Wait
 * polls again. Thread-safe.
 */
public final class KubernetesObjectReader implements ObjectReader {

  private final Function<ResourceRef, ClusterClient> clients;

  private KubernetesObjectReader(Function<ResourceRef, ClusterClient> clients) {
    this.clients = clients;
  }

  /**
   * Creates a reader for one cluster: every read goes to this client, whatever cluster it names.
   *
   * @param client the cluster's client; not closed by the reader
   * @return the reader
   */
  public static KubernetesObjectReader of(ClusterClient client) {
    Objects.requireNonNull(client, "client");
    return new KubernetesObjectReader(cluster -> client);
  }

  /**
   * Creates a reader for several clusters.
   *
   * @param clients the client of a cluster by its reference (namespace and name); may throw {@link
   *     KubernetesException} or {@link HookException} for an unknown cluster
   * @return the reader
   */
  public static KubernetesObjectReader of(Function<ResourceRef, ClusterClient> clients) {
    return new KubernetesObjectReader(Objects.requireNonNull(clients, "clients"));
  }

  @Override
  public Optional<ObjectNode> read(
      ResourceRef cluster, String apiVersion, String kind, String namespace, String name) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    ObjectNode reference = JsonNodeFactory.instance.objectNode();
    reference.put("apiVersion", apiVersion).put("kind", kind);
    ObjectNode metadata = reference.putObject("metadata").put("name", name);
    if (!namespace.isEmpty()) {
      metadata.put("namespace", namespace);
    }
    try {
      return client(cluster).get(reference);
    } catch (KubernetesException e) {
      throw new HookException(WaitFunction.NAME, e.getMessage(), e);
    }
  }

  @Override
  public List<ObjectNode> list(
      ResourceRef cluster, String apiVersion, String kind, String namespace, String selector) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(selector, "selector");
    try {
      return client(cluster)
          .list(
              apiVersion,
              kind,
              namespace.isEmpty() ? Optional.empty() : Optional.of(namespace),
              selector);
    } catch (KubernetesException e) {
      throw new HookException(WaitFunction.NAME, e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "KubernetesObjectReader";
  }

  private ClusterClient client(ResourceRef cluster) {
    ClusterClient client = clients.apply(cluster);
    if (client == null) {
      throw new HookException(
          WaitFunction.NAME, "no client for cluster " + KubernetesPodRunner.display(cluster), null);
    }
    return client;
  }
}
