package cloud.krake.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One change of a Kubernetes object seen by an {@link ObjectWatch}, as the watch API reports it.
 *
 * @param type what happened
 * @param object the object after the change (for {@link Type#DELETED}: its last state); owned by
 *     the receiver, not shared
 */
public record ObjectEvent(Type type, ObjectNode object) {

  /** The watch API's event types (bookmarks are handled inside the watch and never delivered). */
  public enum Type {
    /** The object appeared. */
    ADDED,
    /** The object changed. */
    MODIFIED,
    /** The object is gone. */
    DELETED
  }

  /** Checks the components. */
  public ObjectEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(object, "object");
  }
}
