package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The fake's own Jackson mappers: plain Kubernetes JSON, no naming strategy. */
final class Json {
  static final ObjectMapper JSON = JsonMapper.builder().build();
  static final ObjectMapper YAML = YAMLMapper.builder().build();

  private Json() {}

  /**
   * The object member {@code field} of {@code parent}, created (replacing a non-object) if absent.
   */
  static ObjectNode child(ObjectNode parent, String field) {
    return parent.get(field) instanceof ObjectNode child ? child : parent.putObject(field);
  }

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a request body as JSON.
   *
   * @throws ApiError 400 if it is not JSON
   */
  static JsonNode read(byte[] body) {
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw ApiError.badRequest("the request body is empty");
      }
      return node;
    } catch (IOException e) {
      throw ApiError.badRequest("the request body is not valid JSON");
    }
  }

  /**
   * Reads a server-side apply body ({@code application/apply-patch+yaml}): with the JSON parser
   * when its first non-blank byte is <code>{</code> (JSON is YAML 1.2, and kube-apiserver reads
   * such a body as JSON too: faster, and JSON's tab whitespace and {@code \/} escape are not
   * refused as a YAML 1.1 scanner refuses them), falling back to YAML when it is not JSON (a YAML
   * flow mapping); otherwise as YAML.
   *
   * @throws ApiError 400 if it is neither
   */
  static JsonNode readApply(byte[] body) {
    int i = 0;
    while (i < body.length
        && (body[i] == ' ' || body[i] == '\t' || body[i] == '\n' || body[i] == '\r')) {
      i++;
    }
    if (i < body.length && body[i] == '{') {
      try {
        JsonNode node = JSON.readTree(body);
        if (node != null && !node.isMissingNode()) {
          return node;
        }
      } catch (IOException e) {
        // not JSON: a YAML flow mapping, read below
      }
    }
    return readYaml(body);
  }

  /**
   * Reads a request body as YAML (JSON is YAML).
   *
   * @throws ApiError 400 if it is neither
   */
  static JsonNode readYaml(byte[] body) {
    try {
      JsonNode node = YAML.readTree(body);
      if (node == null || node.isMissingNode() || node.isNull()) {
        throw ApiError.badRequest("the request body is empty");
      }
      return node;
    } catch (IOException e) {
      throw ApiError.badRequest("the request body is neither YAML nor JSON");
    }
  }
}
