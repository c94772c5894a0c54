package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An API error answered as a Kubernetes {@code Status} object ({@code kind: Status}, {@code status:
 * Failure}, {@code reason}, {@code message}, {@code details}, {@code code}), as the API server
 * writes every error.
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String reason;
  private final String name;
  private final String group;
  private final String resource;

  ApiError(int code, String reason, String message, String name, String group, String resource) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
    this.name = name;
    this.group = group;
    this.resource = resource;
  }

  ApiError(int code, String message) {
    this(code, reasonFor(code), message, "", "", "");
  }

  int code() {
    return code;
  }

  static ApiError notFound(ResourceType type, String name) {
    return new ApiError(
        404,
        "NotFound",
        type.qualifiedPlural() + " \"" + name + "\" not found",
        name,
        type.group(),
        type.plural());
  }

  static ApiError namespaceNotFound(String namespace) {
    return new ApiError(
        404, "NotFound", "namespaces \"" + namespace + "\" not found", namespace, "", "namespaces");
  }

  static ApiError alreadyExists(ResourceType type, String name) {
    return new ApiError(
        409,
        "AlreadyExists",
        type.qualifiedPlural() + " \"" + name + "\" already exists",
        name,
        type.group(),
        type.plural());
  }

  static ApiError conflict(ResourceType type, String name) {
    return new ApiError(
        409,
        "Conflict",
        "Operation cannot be fulfilled on "
            + type.qualifiedPlural()
            + " \""
            + name
            + "\": the object has been modified; please apply your changes to the latest version"
            + " and try again",
        name,
        type.group(),
        type.plural());
  }

  static ApiError invalid(ResourceType type, String name, String message) {
    return new ApiError(
        422,
        "Invalid",
        type.kind() + " \"" + name + "\" is invalid: " + message,
        name,
        type.group(),
        type.kind());
  }

  static ApiError badRequest(String message) {
    return new ApiError(400, message);
  }

  /** The {@code Status} body. */
  ObjectNode toStatus() {
    ObjectNode details = JsonNodeFactory.instance.objectNode();
    if (!name.isEmpty()) {
      details.put("name", name);
    }
    if (!group.isEmpty()) {
      details.put("group", group);
    }
    if (!resource.isEmpty()) {
      details.put("kind", resource);
    }
    if (code == 410) {
      // Real watch expiry carries no details
      return status(code, reason, getMessage(), null);
    }
    return status(code, reason, getMessage(), details);
  }

  static ObjectNode status(int code, String reason, String message, ObjectNode details) {
    ObjectNode status = JsonNodeFactory.instance.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    if (details != null) {
      status.set("details", details);
    }
    status.put("code", code);
    return status;
  }

  /** The {@code reason} the API server gives for a status code (apimachinery's StatusReason). */
  static String reasonFor(int code) {
    return switch (code) {
      case 400 -> "BadRequest";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "NotFound";
      case 405 -> "MethodNotAllowed";
      case 406 -> "NotAcceptable";
      case 409 -> "Conflict";
      case 410 -> "Expired";
      case 413 -> "RequestEntityTooLarge";
      case 415 -> "UnsupportedMediaType";
      case 422 -> "Invalid";
      case 429 -> "TooManyRequests";
      case 503 -> "ServiceUnavailable";
      case 504 -> "Timeout";
      default -> code >= 500 ? "InternalError" : "Unknown";
    };
  }
}
