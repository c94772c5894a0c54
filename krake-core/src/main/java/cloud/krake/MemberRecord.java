package cloud.krake;

import cloud.krake.model.FieldError;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The value of a member key {@code /krake/members/{id}}: the member's id, its shard count and the
 * fingerprints of the configuration every member of the group must share ({@link
 * Krake.Builder#groupFingerprint}). JSON, {@code {"instance_id":"a","shard_count":64,
 * "fingerprints":{"hooks":"..."}}}; a record written before fingerprints existed has no {@code
 * fingerprints} and is compared by its shard count only. Immutable.
 *
 * @param instanceId the member's id, as written (empty if the record had none)
 * @param shardCount the member's shard count; {@code -1} if the record had none or is not JSON
 * @param fingerprints field to fingerprint, sorted; empty for a record written without them
 */
record MemberRecord(
    String instanceId, int shardCount, Optional<SortedMap<String, String>> fingerprints) {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String NONE = "none";

  /** Copies the fingerprints. */
  MemberRecord {
    Objects.requireNonNull(instanceId, "instanceId");
    fingerprints = fingerprints.map(f -> Collections.unmodifiableSortedMap(new TreeMap<>(f)));
  }

  /** Returns this member's own record, always with its (possibly empty) fingerprints. */
  static MemberRecord of(String instanceId, int shardCount, Map<String, String> fingerprints) {
    return new MemberRecord(instanceId, shardCount, Optional.of(new TreeMap<>(fingerprints)));
  }

  /**
   * Reads a member key's value. A value that is not JSON, or lacks a field, gives a record with
   * shard count {@code -1} (a member of another group's shape) rather than an exception.
   */
  static MemberRecord parse(byte[] value) {
    JsonNode node;
    try {
      node = JSON.readTree(value);
    } catch (IOException e) {
      return new MemberRecord("", -1, Optional.empty());
    }
    if (node == null || !node.isObject()) {
      return new MemberRecord("", -1, Optional.empty());
    }
    JsonNode count = node.path("shard_count");
    Optional<SortedMap<String, String>> fingerprints = Optional.empty();
    JsonNode f = node.path("fingerprints");
    if (f.isObject()) {
      SortedMap<String, String> map = new TreeMap<>();
      for (Map.Entry<String, JsonNode> e : f.properties()) {
        map.put(e.getKey(), e.getValue().asText());
      }
      fingerprints = Optional.of(map);
    }
    return new MemberRecord(
        node.path("instance_id").asText(""), count.isInt() ? count.intValue() : -1, fingerprints);
  }

  /** Returns the JSON written to the member key, UTF-8. */
  byte[] bytes() {
    ObjectNode node = JSON.createObjectNode();
    node.put("instance_id", instanceId);
    node.put("shard_count", shardCount);
    fingerprints.ifPresent(
        f -> {
          ObjectNode fields = node.putObject("fingerprints");
          f.forEach(fields::put);
        });
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings and an int is always written", e);
    }
  }

  /**
   * Whether this record's fingerprints and another's agree: equal, or either has none (written
   * before they existed). The same judgement as {@link #fingerprintMismatch}, without the message.
   */
  boolean agrees(MemberRecord other) {
    return fingerprints.isEmpty()
        || other.fingerprints.isEmpty()
        || fingerprints.get().equals(other.fingerprints.get());
  }

  /**
   * Returns the first fingerprint this record (this instance's own) and another member's differ in,
   * as an error naming the field and both values; empty if they agree or if the other record has no
   * fingerprints (written before they existed). A field only one side has is a difference, its
   * absent value shown as {@code none}.
   *
   * @param other the other member's record
   * @param otherId the other member's id, for the message
   */
  Optional<FieldError> fingerprintMismatch(MemberRecord other, String otherId) {
    if (agrees(other)) {
      return Optional.empty();
    }
    Map<String, String> mine = fingerprints.get();
    Map<String, String> theirs = other.fingerprints.get();
    TreeSet<String> fields = new TreeSet<>(mine.keySet());
    fields.addAll(theirs.keySet());
    for (String field : fields) {
      String a = mine.get(field);
      String b = theirs.get(field);
      if (!Objects.equals(a, b)) {
        return Optional.of(
            new FieldError(
                field,
                "is "
                    + quoted(a)
                    + " but member "
                    + otherId
                    + " of the group uses "
                    + quoted(b)
                    + "; every instance sharing a store must use the same "
                    + field
                    + " configuration"));
      }
    }
    return Optional.empty();
  }

  private static String quoted(String value) {
    return value == null ? NONE : "'" + value + "'";
  }
}
