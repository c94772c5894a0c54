package cloud.krake.k8s;

import cloud.krake.model.ReasonCode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
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
   * Deletes a resource (background propagation) with a grace period, as {@code kubectl delete
   * --grace-period}: for a Pod, the kubelet sends SIGTERM and SIGKILL after {@code gracePeriod}
   * instead of the Pod's {@code terminationGracePeriodSeconds}. The default implementation ignores
   * the grace period and calls {@link #delete(ObjectNode)}.
   *
   * @param resource the resource, or any object with its {@code apiVersion}, {@code kind} and
   *     {@code metadata}
   * @param gracePeriod the grace period, whole seconds (a fraction is dropped), not negative
   * @return whether it existed
   * @throws KubernetesException when the kind is unsupported or the API fails
   */
  default boolean delete(ObjectNode resource, Duration gracePeriod) {
    return delete(resource);
  }

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
   * Lists the objects of one kind that match a label selector, by the list call's {@code
   * labelSelector} query, so the API server does the matching.
   *
   * <p>The default serves only the empty selector (by {@link #list(String, String, Optional)}) and
   * throws for any other; {@code ApiServerClusterClient} implements it.
   *
   * @param apiVersion e.g. {@code v1}
   * @param kind e.g. {@code Pod}
   * @param namespace the namespace; empty for all namespaces or a cluster-scoped kind
   * @param labelSelector a Kubernetes label selector ({@code app=echo,tier!=cache}); empty for
   *     every object
   * @return the matching objects
   * @throws KubernetesException when the kind is unsupported, the selector is rejected by the API
   *     (HTTP 400), or the API fails
   */
  default List<ObjectNode> list(
      String apiVersion, String kind, Optional<String> namespace, String labelSelector) {
    if (labelSelector.isEmpty()) {
      return list(apiVersion, kind, namespace);
    }
    throw unsupported("list with a label selector");
  }

  /**
   * Reads a container's log, as {@code GET .../pods/{pod}/log} ({@code kubectl logs}): the current
   * run's stdout and stderr as the kubelet keeps them.
   *
   * <p>The default throws; {@code ApiServerClusterClient} implements it.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param container the container; empty for the pod's only container (the API rejects an empty
   *     container for a pod with several)
   * @return the log, possibly empty
   * @throws KubernetesException with status 404 when the pod does not exist, 400 when the container
   *     is missing or ambiguous, or when the API fails
   */
  default String logs(String namespace, String pod, Optional<String> container) {
    throw unsupported("logs");
  }

  /**
   * Runs a command in a container of a running pod, as {@code kubectl exec} (the {@code pods/exec}
   * WebSocket channel protocol), without stdin or a TTY, and waits for it to finish.
   *
   * <p>The pod is read first, so a missing pod or container fails with a message naming it. At the
   * timeout the stream is closed (the command may still run in the container: the exec protocol
   * cannot kill it) and the call fails. The default throws; {@code ApiServerClusterClient}
   * implements it.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param container the container; empty for the pod's first container
   * @param command argv, without an implicit shell; not empty
   * @param timeout how long the command may run; positive
   * @return the exit code and what the command wrote
   * @throws KubernetesException with status 404 when the pod does not exist, 400 when the container
   *     does not exist or the pod is not running, status 0 when the command did not finish within
   *     the timeout or the stream broke, or when the API fails
   * @throws InterruptedException when the calling thread is interrupted while waiting; the stream
   *     is closed first
   */
  default KubernetesExecResult exec(
      String namespace,
      String pod,
      Optional<String> container,
      List<String> command,
      Duration timeout)
      throws InterruptedException {
    throw unsupported("exec");
  }

  /**
   * Runs a command in a container of a running pod as {@link #exec(String, String, Optional, List,
   * Duration)} does, with binary streams: {@code stdin} (when present) is sent to the command's
   * standard input, then the input is closed, and the command's standard output is written to
   * {@code stdout} as it comes, without a size limit (as {@code kubectl exec -i … < in > out}). The
   * volume migration streams {@code tar} archives this way.
   *
   * <p>Closing the standard input is signalled only by the {@code v5.channel.k8s.io} protocol; a
   * command that must see the end of its input should stop by itself at the end of its data, as
   * {@code tar xf -} does at the end of the archive. The default throws; {@code
   * ApiServerClusterClient} implements it.
   *
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param container the container; empty for the pod's first container
   * @param command argv, without an implicit shell; not empty
   * @param stdin what to send to the command's standard input; empty for none. Read on another
   *     thread, not closed
   * @param stdout where the command's standard output goes; not closed
   * @param timeout how long the command may run; positive
   * @return the exit code and the command's standard error (at most {@link
   *     KubernetesExecResult#MAX_OUTPUT_BYTES} bytes); its {@code stdout} is empty
   * @throws KubernetesException as {@link #exec(String, String, Optional, List, Duration)}, and
   *     with status 0 when {@code stdin} or {@code stdout} fails
   * @throws InterruptedException when the calling thread is interrupted while waiting
   */
  default KubernetesExecResult exec(
      String namespace,
      String pod,
      Optional<String> container,
      List<String> command,
      Optional<InputStream> stdin,
      OutputStream stdout,
      Duration timeout)
      throws InterruptedException {
    throw unsupported("exec with streams");
  }

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

  private KubernetesException unsupported(String what) {
    return new KubernetesException(
        ReasonCode.KUBERNETES_ERROR,
        0,
        what + " is not supported by " + getClass().getSimpleName(),
        null);
  }
}
