package cloud.krake.store.etcd;

import static cloud.krake.store.etcd.Gateway.base64;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The JSON bodies {@link EtcdStore} posts to etcd's gRPC gateway ({@code /v3/kv/range}, {@code
 * /v3/kv/txn}, {@code /v3/kv/compaction}, {@code /v3/watch}), keys and values base64-encoded as the
 * gateway expects, and the reading of a compare-and-set transaction's failure branch. Pure
 * functions: no I/O, no state.
 */
final class EtcdRequests {

  /** The key {@code ""} as the gateway writes it: one NUL byte, base64. */
  static final String NUL_KEY = "AA==";

  private EtcdRequests() {}

  /** A range request for one key. */
  static String get(String key) {
    return "{\"key\":\"" + base64(key) + "\"}";
  }

  /**
   * A range request over a prefix from {@code start} (the prefix itself when empty), at most {@code
   * limit} keys, pinned to {@code revision} when positive.
   */
  static String list(String prefix, String start, long limit, long revision) {
    String key = start.isEmpty() ? NUL_KEY : base64(start);
    StringBuilder body =
        new StringBuilder(128)
            .append("{\"key\":\"")
            .append(key)
            .append("\",\"range_end\":\"")
            .append(Gateway.prefixEnd(prefix))
            .append("\",\"limit\":\"")
            .append(limit)
            .append('"');
    if (revision > 0) {
      body.append(",\"revision\":\"").append(revision).append('"');
    }
    return body.append('}').toString();
  }

  /** A transaction that puts the key only if it does not exist, else reads it. */
  static String create(String key, byte[] value) {
    String k = base64(key);
    return "{\"compare\":[{\"key\":\""
        + k
        + "\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}],"
        + "\"success\":[{\"request_put\":{\"key\":\""
        + k
        + "\",\"value\":\""
        + base64(value)
        + "\"}}],\"failure\":[{\"request_range\":{\"key\":\""
        + k
        + "\"}}]}";
  }

  /**
   * A transaction that puts the key (returning the previous pair) only if its mod revision is
   * {@code expectedRevision}, else reads it.
   */
  static String update(String key, byte[] value, long expectedRevision) {
    String k = base64(key);
    return compareMod(k, expectedRevision)
        + "\"success\":[{\"request_put\":{\"key\":\""
        + k
        + "\",\"value\":\""
        + base64(value)
        + "\",\"prev_kv\":true}}],\"failure\":[{\"request_range\":{\"key\":\""
        + k
        + "\"}}]}";
  }

  /** A transaction that deletes the key only if its mod revision is {@code expectedRevision}. */
  static String delete(String key, long expectedRevision) {
    String k = base64(key);
    return compareMod(k, expectedRevision)
        + "\"success\":[{\"request_delete_range\":{\"key\":\""
        + k
        + "\"}}],\"failure\":[{\"request_range\":{\"key\":\""
        + k
        + "\"}}]}";
  }

  /** A count-only range request, whose answer's header has the store revision. */
  static String revision() {
    return "{\"key\":\"" + NUL_KEY + "\",\"count_only\":true}";
  }

  /** A physical compaction up to {@code revision}. */
  static String compact(long revision) {
    return "{\"revision\":\"" + revision + "\",\"physical\":true}";
  }

  /**
   * A watch create request over a prefix from {@code startRevision}, with progress notifications.
   */
  static String watch(String prefix, long startRevision) {
    String key = prefix.isEmpty() ? NUL_KEY : base64(prefix);
    return "{\"create_request\":{\"key\":\""
        + key
        + "\",\"range_end\":\""
        + Gateway.prefixEnd(prefix)
        + "\",\"start_revision\":\""
        + startRevision
        + "\",\"prev_kv\":true,\"progress_notify\":true}}";
  }

  /** The failure branch of a CAS transaction read the key: its mod revision, 0 if absent. */
  static long actualRevision(JsonNode answer) {
    return answer
        .path("responses")
        .path(0)
        .path("response_range")
        .path("kvs")
        .path(0)
        .path("mod_revision")
        .asLong(0);
  }

  /**
   * Checks the revision a compare-and-set expects.
   *
   * @throws IllegalArgumentException if not positive
   */
  static void requirePositive(long expectedRevision) {
    if (expectedRevision <= 0) {
      throw new IllegalArgumentException(
          "expectedRevision must be positive (use create for new keys): " + expectedRevision);
    }
  }

  // ---- leases and guarded writes ----------------------------------------------------------------

  /** A lease grant ({@code LeaseGrantRequest}) of {@code ttlSeconds}. */
  static String grantLease(long ttlSeconds) {
    return "{\"TTL\":\"" + ttlSeconds + "\"}";
  }

  /** A request naming one lease ({@code ID}): keep-alive, revoke, time-to-live. */
  static String lease(long leaseId) {
    return "{\"ID\":\"" + leaseId + "\"}";
  }

  /** {@link #create} with the key attached to a lease. */
  static String create(String key, byte[] value, long leaseId) {
    String k = base64(key);
    return "{\"compare\":["
        + compareAbsent(k)
        + "],"
        + "\"success\":[{\"request_put\":{\"key\":\""
        + k
        + "\",\"value\":\""
        + base64(value)
        + "\",\"lease\":\""
        + leaseId
        + "\"}}],\"failure\":[{\"request_range\":{\"key\":\""
        + k
        + "\"}}]}";
  }

  /**
   * {@link #create} guarded by another key's mod revision: the failure branch reads the target,
   * then the guard's key.
   */
  static String create(String key, byte[] value, String guardKey, long guardRevision) {
    String k = base64(key);
    return guarded(
        compareAbsent(k),
        "{\"request_put\":{\"key\":\"" + k + "\",\"value\":\"" + base64(value) + "\"}}",
        k,
        guardKey,
        guardRevision);
  }

  /** {@link #update} guarded by another key's mod revision. */
  static String update(
      String key, byte[] value, long expectedRevision, String guardKey, long guardRevision) {
    String k = base64(key);
    return guarded(
        compareModRevision(k, expectedRevision),
        "{\"request_put\":{\"key\":\""
            + k
            + "\",\"value\":\""
            + base64(value)
            + "\",\"prev_kv\":true}}",
        k,
        guardKey,
        guardRevision);
  }

  /** {@link #delete} guarded by another key's mod revision. */
  static String delete(String key, long expectedRevision, String guardKey, long guardRevision) {
    String k = base64(key);
    return guarded(
        compareModRevision(k, expectedRevision),
        "{\"request_delete_range\":{\"key\":\"" + k + "\"}}",
        k,
        guardKey,
        guardRevision);
  }

  /**
   * The guard's key's mod revision as read by the failure branch of a guarded transaction (its
   * second response), 0 if absent.
   */
  static long guardRevision(JsonNode answer) {
    return answer
        .path("responses")
        .path(1)
        .path("response_range")
        .path("kvs")
        .path(0)
        .path("mod_revision")
        .asLong(0);
  }

  private static String guarded(
      String targetCompare, String success, String target, String guardKey, long guardRevision) {
    String g = base64(guardKey);
    return "{\"compare\":["
        + compareModRevision(g, guardRevision)
        + ","
        + targetCompare
        + "],\"success\":["
        + success
        + "],\"failure\":[{\"request_range\":{\"key\":\""
        + target
        + "\"}},{\"request_range\":{\"key\":\""
        + g
        + "\"}}]}";
  }

  private static String compareAbsent(String key) {
    return "{\"key\":\""
        + key
        + "\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}";
  }

  private static String compareModRevision(String key, long revision) {
    return "{\"key\":\""
        + key
        + "\",\"target\":\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\""
        + revision
        + "\"}";
  }

  private static String compareMod(String key, long expectedRevision) {
    return "{\"compare\":[{\"key\":\""
        + key
        + "\",\"target\":\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\""
        + expectedRevision
        + "\"}],";
  }
}
