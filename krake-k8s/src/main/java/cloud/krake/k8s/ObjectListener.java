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
   * The connection was lost or the API answered an error; the watch keeps retrying with back-off
   * and resumes from the last resource version it delivered.
   *
   * @param error what happened
   */
  default void onError(KubernetesException error) {}
}
