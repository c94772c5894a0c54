package cloud.krake.store.etcd;

import cloud.krake.KrakeException;
import cloud.krake.runtime.DependencyAvailability;
import cloud.krake.store.KeyValue;
import cloud.krake.store.StoreUnavailableException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The unary calls of etcd's v3 JSON gateway: encoding (base64 keys and values, int64 as strings),
 * one POST, and translation of failures into the store's exceptions. Thread-safe.
 *
 * <p>Members: the calls go to one member of the cluster, the current one, until it fails (an I/O
 * error or etcd answering "unavailable"); then the next member in the configured order becomes the
 * current one. A call whose connection was refused (nothing was sent) and a read are retried at
 * once on the next member, each member tried once; any other failed write throws {@link
 * StoreUnavailableException} (it may have been applied), and the next call goes to the next member.
 */
final class Gateway {
  private static final Logger log = LoggerFactory.getLogger(EtcdStore.class);

  static final MediaType JSON = MediaType.get("application/json");
  static final String RANGE = "v3/kv/range";
  static final String PUT = "v3/kv/put";
  static final String TXN = "v3/kv/txn";
  static final String COMPACTION = "v3/kv/compaction";
  static final String WATCH = "v3/watch";
  static final String LEASE_GRANT = "v3/lease/grant";
  static final String LEASE_KEEPALIVE = "v3/lease/keepalive";
  static final String LEASE_REVOKE = "v3/lease/revoke";
  static final String LEASE_TIME_TO_LIVE = "v3/lease/timetolive";

  /** gRPC status codes etcd puts into its error bodies. */
  static final int CODE_DEADLINE_EXCEEDED = 4;

  static final int CODE_NOT_FOUND = 5;
  static final int CODE_OUT_OF_RANGE = 11;
  static final int CODE_UNAVAILABLE = 14;

  private static final Base64.Encoder ENCODER = Base64.getEncoder();
  private static final Base64.Decoder DECODER = Base64.getDecoder();
  private static final byte[] EMPTY = new byte[0];

  final ObjectMapper mapper;
  final OkHttpClient client;

  /** The configured endpoints, comma-separated: the store's name in messages. */
  final String endpoint;

  final DependencyAvailability availability;
  private final List<HttpUrl> bases;
  private final List<String> members;
  private final AtomicInteger current = new AtomicInteger();

  Gateway(
      List<URI> endpoints,
      OkHttpClient client,
      ObjectMapper mapper,
      DependencyAvailability availability) {
    this.availability = availability;
    this.members = endpoints.stream().map(URI::toString).toList();
    this.endpoint = String.join(",", members);
    this.bases =
        endpoints.stream()
            .map(
                e -> {
                  HttpUrl url = HttpUrl.get(e.toString());
                  String path = url.encodedPath();
                  return url.newBuilder()
                      .encodedPath(path.endsWith("/") ? path : path + "/")
                      .build();
                })
            .toList();
    this.client = client;
    this.mapper = mapper;
  }

  /** Returns the index of the member calls go to now. */
  int currentMember() {
    return current.get();
  }

  /** Returns a member's URL of {@code path}. */
  HttpUrl url(int member, String path) {
    return bases.get(member).resolve(path);
  }

  /** Returns a member's endpoint, for messages. */
  String member(int member) {
    return members.get(member);
  }

  /** The error of a call made after the store was closed. */
  StoreUnavailableException closedException(String operation) {
    return new StoreUnavailableException(
        "etcd store for " + endpoint + " is closed (" + operation + ")", null);
  }

  /**
   * Moves on from {@code member} after it failed: the next member becomes the current one, unless
   * another call moved on already.
   */
  void failed(int member) {
    if (bases.size() > 1) {
      int next = (member + 1) % bases.size();
      if (current.compareAndSet(member, next)) {
        log.info(
            "etcd member {} failed; calls go to {} now", members.get(member), members.get(next));
      }
    }
  }

  /**
   * POSTs a JSON body to the current member, moving on to the next one on failure (retrying a read,
   * or a call whose connection was refused, on it at once) and returns the parsed answer.
   *
   * @param idempotent whether the call may be repeated safely after an ambiguous failure (a read)
   * @throws StoreUnavailableException as {@link #post(HttpUrl, String, byte[], String)}, once every
   *     member was tried, or at once for an ambiguous failure of a write
   * @throws EtcdErrorException on any other gRPC error etcd reports
   */
  JsonNode post(String path, byte[] body, String operation, boolean idempotent) {
    for (int attempt = 1; ; attempt++) {
      int member = current.get();
      try {
        return post(url(member, path), members.get(member), body, operation);
      } catch (StoreUnavailableException e) {
        failed(member);
        boolean unsent = e.getCause() instanceof ConnectException;
        if (attempt >= bases.size() || !(idempotent || unsent)) {
          throw e;
        }
        log.debug("retrying {} on the next etcd member: {}", operation, e.toString());
      }
    }
  }

  /**
   * POSTs a JSON body and returns the parsed answer.
   *
   * @param operation what is being done, for messages ("get /a/b")
   * @throws StoreUnavailableException on I/O failures, timeouts, a non-JSON answer, or etcd
   *     reporting itself unavailable
   * @throws EtcdErrorException on any other gRPC error etcd reports
   */
  JsonNode post(HttpUrl url, String endpoint, byte[] body, String operation) {
    Request request = new Request.Builder().url(url).post(RequestBody.create(body, JSON)).build();
    byte[] answer;
    int status;
    try (Response response = client.newCall(request).execute()) {
      status = response.code();
      answer = response.body().bytes();
    } catch (IOException e) {
      StoreUnavailableException failure =
          new StoreUnavailableException(
              "etcd at " + endpoint + ": " + operation + " failed: " + e, e);
      availability.unavailable(failure);
      throw failure;
    }
    JsonNode json;
    try {
      json = mapper.readTree(answer);
    } catch (IOException e) {
      throw new StoreUnavailableException(
          "etcd at "
              + endpoint
              + ": "
              + operation
              + " got a malformed answer (HTTP "
              + status
              + ", "
              + answer.length
              + " bytes, not JSON)",
          e);
    }
    if (json == null || !json.isObject()) {
      throw new StoreUnavailableException(
          "etcd at "
              + endpoint
              + ": "
              + operation
              + " got a non-object answer (HTTP "
              + status
              + ")",
          null);
    }
    if (status / 100 != 2 || json.has("error") && json.has("code")) {
      KrakeException failure = error(endpoint, status, json, operation);
      if (failure instanceof StoreUnavailableException) {
        availability.unavailable(failure);
      } else {
        availability.available();
      }
      throw failure;
    }
    availability.available();
    return json;
  }

  /** Translates an error body ({@code {"error":…,"code":…}}) into an exception. */
  static KrakeException error(String endpoint, int status, JsonNode json, String operation) {
    int code = json.path("code").asInt(-1);
    String message = json.path("message").asText(json.path("error").asText(""));
    if (code == -1) {
      return new StoreUnavailableException(
          "etcd at " + endpoint + ": " + operation + " got HTTP " + status, null);
    }
    if (code == CODE_UNAVAILABLE || code == CODE_DEADLINE_EXCEEDED) {
      return new StoreUnavailableException(
          "etcd at " + endpoint + ": " + operation + " failed: " + message + " (code " + code + ")",
          null);
    }
    return new EtcdErrorException(endpoint, operation, code, message);
  }

  // ---- encoding -------------------------------------------------------------------------------

  /**
   * Encodes a request body. Request bodies are written as text: every string they hold is base64 or
   * a decimal number (or a fixed enum name), so nothing needs escaping.
   */
  static byte[] utf8(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  static String base64(String key) {
    return ENCODER.encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  static String base64(byte[] value) {
    return ENCODER.encodeToString(value);
  }

  /**
   * Returns the base64 {@code range_end} that makes a range cover every key starting with {@code
   * prefix}: the prefix with its last byte below 0xff incremented and the rest dropped; {@code
   * "\0"} (every key to the end) for the empty prefix or a prefix of 0xff bytes only.
   */
  static String prefixEnd(String prefix) {
    byte[] bytes = prefix.getBytes(StandardCharsets.UTF_8);
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] != (byte) 0xff) {
        byte[] end = java.util.Arrays.copyOf(bytes, i + 1);
        end[i]++;
        return ENCODER.encodeToString(end);
      }
    }
    return "AA==";
  }

  static String decodeKey(JsonNode text) {
    return new String(DECODER.decode(text.asText("")), StandardCharsets.UTF_8);
  }

  static byte[] decodeValue(JsonNode text) {
    return text.isMissingNode() || text.isNull() ? EMPTY : DECODER.decode(text.asText(""));
  }

  /** Reads an {@code mvccpb.KeyValue} object; absent fields are their zero defaults. */
  static KeyValue keyValue(JsonNode kv) {
    return new KeyValue(
        decodeKey(kv.path("key")),
        decodeValue(kv.path("value")),
        kv.path("create_revision").asLong(0),
        kv.path("mod_revision").asLong(0),
        kv.path("version").asLong(0));
  }

  static long revision(JsonNode answer) {
    return answer.path("header").path("revision").asLong(0);
  }

  /** An error etcd reported with a gRPC status code other than "unavailable". */
  static final class EtcdErrorException extends KrakeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String etcdMessage;

    EtcdErrorException(String endpoint, String operation, int code, String etcdMessage) {
      super(
          "etcd at "
              + endpoint
              + ": "
              + operation
              + " failed: "
              + etcdMessage
              + " (code "
              + code
              + ")");
      this.code = code;
      this.etcdMessage = etcdMessage;
    }

    int code() {
      return code;
    }

    String etcdMessage() {
      return etcdMessage;
    }
  }
}
