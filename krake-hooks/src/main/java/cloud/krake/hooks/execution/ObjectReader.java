package cloud.krake.hooks.execution;

import cloud.krake.dispatcher.HookException;
import cloud.krake.model.Cluster;
import cloud.krake.model.ResourceRef;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Reads Kubernetes objects of a cluster as JSON trees, for {@link WaitFunction Wait}; the
 * Kubernetes module implements it on its clients, tests use an in-memory map.
 *
 * <p>Thread-safe; each call is one read (no cache is required), bounded by the implementation's
 * timeouts. A read that fails (the API server unreachable) throws {@link HookException}; Wait
 * treats that as "not yet" and polls again until its timeout.
 */
public interface ObjectReader {

  /** No reader: every call fails, naming what is missing. The engine's default. */
  ObjectReader NONE =
      new ObjectReader() {
        @Override
        public Optional<ObjectNode> read(
            ResourceRef cluster, String apiVersion, String kind, String namespace, String name) {
          throw new HookException(
              "Wait", "no ObjectReader is configured (the Kubernetes module provides one)", null);
        }

        @Override
        public List<ObjectNode> list(
            ResourceRef cluster,
            String apiVersion,
            String kind,
            String namespace,
            String selector) {
          throw new HookException(
              "Wait", "no ObjectReader is configured (the Kubernetes module provides one)", null);
        }
      };

  /**
   * Reads one object.
   *
   * @param cluster the cluster, in the Krake namespace of the application the hook runs for ({@link
   *     Cluster#ref(String, String)})
   * @param apiVersion for example {@code apps/v1}
   * @param kind for example {@code Deployment}
   * @param namespace the namespace; empty for cluster-scoped kinds
   * @param name the object's name
   * @return the object, or empty if it does not exist
   * @throws HookException if the read fails
   */
  Optional<ObjectNode> read(
      ResourceRef cluster, String apiVersion, String kind, String namespace, String name);

  /**
   * Lists the objects of a kind matching a label selector.
   *
   * @param cluster the cluster, in the Krake namespace of the application the hook runs for ({@link
   *     Cluster#ref(String, String)})
   * @param apiVersion for example {@code v1}
   * @param kind for example {@code Pod}
   * @param namespace the namespace; empty for cluster-scoped kinds or every namespace
   * @param selector a Kubernetes label selector, for example {@code app=echo,tier!=cache}
   * @return the matching objects; empty if none
   * @throws HookException if the read fails
   */
  List<ObjectNode> list(
      ResourceRef cluster, String apiVersion, String kind, String namespace, String selector);
}
