package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The API server's graceful deletion of a Pod while a kubelet runs it: a delete marks the Pod with
 * a {@code deletionTimestamp} (now plus the grace period) and {@code deletionGracePeriodSeconds}
 * (the request's, else the Pod's {@code terminationGracePeriodSeconds}, else {@value
 * #DEFAULT_TERMINATION_GRACE_SECONDS}); the kubelet removes it once its containers have stopped. A
 * grace period of 0, or a finished Pod, is deleted at once. Stateless.
 */
final class GracefulPodDeletion {

  /** A Pod's {@code terminationGracePeriodSeconds} when its spec has none, as Kubernetes'. */
  static final long DEFAULT_TERMINATION_GRACE_SECONDS = 30;

  private GracefulPodDeletion() {}

  /**
   * What a delete makes of a stored Pod: marks it for graceful deletion, or shortens the grace
   * period of a marked one.
   *
   * @param old the Pod as stored
   * @param gracePeriodSeconds the request's DeleteOptions, or {@code null}
   * @param now the current time
   * @return the marked copy (without a new resourceVersion); {@code old} itself when nothing
   *     changes (a second delete may only shorten the grace period); or {@code null} when it is to
   *     be deleted at once (grace 0, or a finished Pod)
   */
  static ObjectNode mark(ObjectNode old, Long gracePeriodSeconds, Instant now) {
    JsonNode oldMetadata = old.path("metadata");
    long grace =
        gracePeriodSeconds != null
            ? Math.max(0, gracePeriodSeconds)
            : old.path("spec")
                .path("terminationGracePeriodSeconds")
                .asLong(DEFAULT_TERMINATION_GRACE_SECONDS);
    String phase = old.path("status").path("phase").asText("");
    if (grace == 0 || phase.equals("Succeeded") || phase.equals("Failed")) {
      if (oldMetadata.has("deletionTimestamp") && !oldMetadata.path("finalizers").isEmpty()) {
        // already marked: the finalizers decide; the kubelet sees the grace period drop to 0
        grace = 0;
      } else {
        return null;
      }
    }
    if (oldMetadata.has("deletionTimestamp")
        && oldMetadata.path("deletionGracePeriodSeconds").asLong(0) <= grace) {
      return old; // a second delete may only shorten the grace period
    }
    ObjectNode next = old.deepCopy();
    ObjectNode metadata = Json.child(next, "metadata");
    metadata.put(
        "deletionTimestamp", now.plusSeconds(grace).truncatedTo(ChronoUnit.SECONDS).toString());
    metadata.put("deletionGracePeriodSeconds", grace);
    return next;
  }
}
