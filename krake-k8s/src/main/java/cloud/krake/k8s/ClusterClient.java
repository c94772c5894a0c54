package cloud.krake.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * One Kubernetes cluster's API as the controllers use it: manifest resources in, the server's
 * objects out, as Jackson trees. The official client stays behind this interface.
 *
 * <p>A resource is addressed by its {@code apiVersion}, {@code kind}, {@code metadata.name} and
 * {@code metadata.namespace}; a namespaced resource without a namespace goes to {@link
 * #defaultNamespace()} (Krake: the kubeconfig context's namespace, else {@code default}). Plural
 * names come from discovery; a kind outside the built-in groups (the core group, dot-less groups
 * and groups ending in {@code .k8s.io}) is served only when a custom resource definition named in
 * the cluster's {@code spec.custom_resources} defines it, as in Krake.
 *
 * <p>Thread-safe. Every call has a timeout; failures are {@link KubernetesException}s carrying
 * Krake's reason code.
 */
public interface ClusterClient extends AutoCloseable {

  /**
   * Applies one manifest resource by server-side apply (field manager {@code krake}, forced), which
   * creates it when missing.
   *
   * @param resource the desired resource; not modified
   * @return the object as the server stored it
   * @throws KubernetesException when the resource is invalid, its kind unsupported, or the API
   *     fails
   */
  ObjectNode apply(ObjectNode resource);

  /**
   * Deletes a resource (background propagation).
   *
   * @param resource the resource, or any object with its {@code apiVersion}, {@code kind} and
   *     {@code metadata}
   * @return whether it existed; a 404 means it was already gone and is not an error
   * @throws KubernetesException when the kind is unsupported or the API fails
   */
  boolean delete(ObjectNode resource);

  /**
   * Reads a resource.
   *
   * @param resource the resource, or any object with its {@code apiVersion}, {@code kind} and
   *     {@code metadata}
   * @return the object, or empty after a 404
   * @throws KubernetesException when the kind is unsupported or the API fails
   */
  Optional<ObjectNode> get(ObjectNode resource);

  /**
   * Lists the objects of one kind.
   *
   * @param apiVersion e.g. {@code v1}, {@code apps/v1}
   * @param kind e.g. {@code Node}
   * @param namespace the namespace; empty for all namespaces or a cluster-scoped kind
   * @return the objects
   * @throws KubernetesException when the kind is unsupported or the API fails
   */
  List<ObjectNode> list(String apiVersion, String kind, Optional<String> namespace);

  /**
   * Starts a list-and-watch of one kind; the listener first receives {@link
   * ObjectListener#onResync} with the listed objects, then every change.
   *
   * @param apiVersion e.g. {@code apps/v1}
   * @param kind e.g. {@code Deployment}
   * @param namespace the namespace; empty for all namespaces or a cluster-scoped kind
   * @param listener the receiver, called on a library-owned thread
   * @return the running watch
   * @throws KubernetesException when the kind is unsupported (checked before starting)
   */
  ObjectWatch watch(
      String apiVersion, String kind, Optional<String> namespace, ObjectListener listener);

  /**
   * Returns the namespace a namespaced resource without {@code metadata.namespace} goes to: the
   * kubeconfig context's namespace, else {@code default}.
   */
  String defaultNamespace();

  /**
   * Returns the host of the API server's URL (Krake records NodePort services as {@code
   * <host>:<nodePort>}).
   */
  String host();

  /** Stops every watch of this client and releases its connections. Idempotent. */
  @Override
  void close();
}
