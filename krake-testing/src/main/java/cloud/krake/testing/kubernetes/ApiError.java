package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

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
  private final List<Cause> causes;

  /**
   * One field error of an {@code Invalid} answer, a {@code details.causes} entry.
   *
   * @param reason the cause type, for example {@code FieldValueInvalid}
   * @param field the field path, for example {@code spec.containers[0].volumeMounts[1].mountPath}
   * @param detail the error without the field, for example {@code Invalid value: "/x": must be
   *     unique}
   */
  record Cause(String reason, String field, String detail) {
    /** As the API server writes a field error: {@code <field>: <detail>}. */
    @Override
    public String toString() {
      return field + ": " + detail;
    }
  }

  ApiError(int code, String reason, String message, String name, String group, String resource) {
    this(code, reason, message, name, group, resource, List.of());
  }

  private ApiError(
      int code,
      String reason,
      String message,
      String name,
      String group,
      String resource,
      List<Cause> causes) {
    super(message, null, false, false);
    this.code = code;
    this.reason = reason;
    this.name = name;
    this.group = group;
    this.resource = resource;
    this.causes = List.copyOf(causes);
  }

  ApiError(int code, String message) {
    this(code, reasonFor(code), message, "", "", "");
  }

  int code() {
    return code;
  }

  static ApiError notFound(ApiResource type, String name) {
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

  static ApiError alreadyExists(ApiResource type, String name) {
    return new ApiError(
        409,
        "AlreadyExists",
        type.qualifiedPlural() + " \"" + name + "\" already exists",
        name,
        type.group(),
        type.plural());
  }

  static ApiError conflict(ApiResource type, String name) {
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

  static ApiError invalid(ApiResource type, String name, String message) {
    return new ApiError(
        422,
        "Invalid",
        qualifiedKind(type) + " \"" + name + "\" is invalid: " + message,
        name,
        type.group(),
        type.kind());
  }

  /**
   * An {@code Invalid} answer listing field errors as the API server does: one error as {@code
   * <field>: <detail>}, several in brackets separated by {@code ", "}, each also a {@code
   * details.causes} entry.
   */
  static ApiError invalid(ApiResource type, String name, List<Cause> causes) {
    String errors =
        causes.size() == 1
            ? causes.get(0).toString()
            : "[" + String.join(", ", causes.stream().map(Cause::toString).toList()) + "]";
    return new ApiError(
        422,
        "Invalid",
        qualifiedKind(type) + " \"" + name + "\" is invalid: " + errors,
        name,
        type.group(),
        type.kind(),
        causes);
  }

  /** The kind as the API server names it in messages: {@code Deployment.apps}, {@code Pod}. */
  private static String qualifiedKind(ApiResource type) {
    return type.group().isEmpty() ? type.kind() : type.kind() + "." + type.group();
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
    if (!causes.isEmpty()) {
      ArrayNode list = details.putArray("causes");
      for (Cause cause : causes) {
        list.addObject()
            .put("reason", cause.reason())
            .put("message", cause.detail())
            .put("field", cause.field());
      }
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
