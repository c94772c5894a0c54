package cloud.krake.store.etcd;

import cloud.krake.KrakeException;
import cloud.krake.runtime.DependencyAvailability;
import cloud.krake.store.KeyValue;
import cloud.krake.store.StoreUnavailableException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * The unary calls of etcd's v3 JSON gateway: encoding (base64 keys and values, int64 as strings),
 * one POST, and translation of failures into the store's exceptions. Thread-safe.
 */
final class Gateway {
  static final MediaType JSON = MediaType.get("application/json");
  static final String RANGE = "v3/kv/range";
  static final String PUT = "v3/kv/put";
  static final String TXN = "v3/kv/txn";
  static final String COMPACTION = "v3/kv/compaction";
  static final String WATCH = "v3/watch";

  /** gRPC status codes etcd puts into its error bodies. */
  static final int CODE_DEADLINE_EXCEEDED = 4;

  static final int CODE_OUT_OF_RANGE = 11;
  static final int CODE_UNAVAILABLE = 14;

  private static final Base64.Encoder ENCODER = Base64.getEncoder();
  private static final Base64.Decoder DECODER = Base64.getDecoder();
  private static final byte[] EMPTY = new byte[0];

  final ObjectMapper mapper;
  final OkHttpClient client;
  final String endpoint;
  final DependencyAvailability availability;
  private final HttpUrl base;

  Gateway(
      URI endpoint, OkHttpClient client, ObjectMapper mapper, DependencyAvailability availability) {
    this.availability = availability;
    this.endpoint = endpoint.toString();
    HttpUrl url = HttpUrl.get(endpoint.toString());
    String path = url.encodedPath();
    this.base = url.newBuilder().encodedPath(path.endsWith("/") ? path : path + "/").build();
    this.client = client;
    this.mapper = mapper;
  }

  HttpUrl url(String path) {
    return base.resolve(path);
  }

  /**
   * POSTs a JSON body and returns the parsed answer.
   *
   * @param operation what is being done, for messages ("get /a/b")
   * @throws StoreUnavailableException on I/O failures, timeouts, a non-JSON answer, or etcd
   *     reporting itself unavailable
   * @throws EtcdErrorException on any other gRPC error etcd reports
   */
  JsonNode post(HttpUrl url, byte[] body, String operation) {
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
      KrakeException failure = error(status, json, operation);
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
  KrakeException error(int status, JsonNode json, String operation) {
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
