package cloud.krake.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Receives what an {@link ObjectWatch} sees. Calls for one watch come from one thread at a time, in
 * the order of the objects' resource versions; they must not block for long.
 */
public interface ObjectListener {

  /**
   * One change after the last (re)list.
   *
   * @param event the change
   */
  void onEvent(ObjectEvent event);

  /**
   * The complete current set of watched objects, after the first list and after every re-list (a
   * watch whose resource version was compacted, 410 Gone). Objects missing from the set are gone.
   *
   * @param objects every watched object, owned by the receiver
   */
  default void onResync(List<ObjectNode> objects) {}

  /**
   * {@link #onResync(List)} with the list's own resource version (the collection's {@code
   * metadata.resourceVersion}, the version the watch resumes from), which also covers objects
   * deleted before the list and so missing from it. The library's watches call this one; the
   * default calls {@link #onResync(List)}.
   *
   * @param objects every watched object, owned by the receiver
   * @param resourceVersion the list's resource version, as the API server sent it (opaque; empty if
   *     it sent none)
   */
  default void onResync(List<ObjectNode> objects, String resourceVersion) {
    onResync(objects);
  }

  /**
   * The connection was lost or the API answered an error; the watch keeps retrying with back-off
   * and resumes from the last resource version it delivered.
   *
   * @param error what happened
   */
  default void onError(KubernetesException error) {}
}
