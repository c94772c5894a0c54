package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * One change in the fake's event log. {@code object} (and {@code previous}, the object before a
 * MODIFIED change, or {@code null}) are stored snapshots and never changed.
 */
final class Event {
  final long resourceVersion;
  final String type;
  final ApiResource.GroupKind groupKind;
  final String namespace;
  final ObjectNode object;
  final ObjectNode previous;

  // Racy but idempotent cache of line(type, object)
  private volatile byte[] line;

  Event(
      long resourceVersion,
      String type,
      ApiResource.GroupKind groupKind,
      String namespace,
      ObjectNode object,
      ObjectNode previous) {
    this.resourceVersion = resourceVersion;
    this.type = type;
    this.groupKind = groupKind;
    this.namespace = namespace;
    this.object = object;
    this.previous = previous;
  }

  /** The event of a change to {@code object}, at the resourceVersion it was stored with. */
  static Event of(String type, ObjectNode object, ObjectNode previous) {
    JsonNode metadata = object.path("metadata");
    String apiVersion = object.path("apiVersion").asText();
    int slash = apiVersion.indexOf('/');
    return new Event(
        metadata.path("resourceVersion").asLong(),
        type,
        new ApiResource.GroupKind(
            slash < 0 ? "" : apiVersion.substring(0, slash), object.path("kind").asText()),
        metadata.path("namespace").asText(""),
        object,
        previous);
  }

  byte[] line() {
    byte[] cached = line;
    if (cached == null) {
      cached = line(type, object);
      line = cached;
    }
    return cached;
  }

  /** One watch event as a line of newline-delimited JSON. */
  static byte[] line(String type, ObjectNode object) {
    byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.UTF_8);
    byte[] body = Json.bytes(object);
    byte[] line = new byte[head.length + body.length + 2];
    System.arraycopy(head, 0, line, 0, head.length);
    System.arraycopy(body, 0, line, head.length, body.length);
    line[line.length - 2] = '}';
    line[line.length - 1] = '\n';
    return line;
  }
}
