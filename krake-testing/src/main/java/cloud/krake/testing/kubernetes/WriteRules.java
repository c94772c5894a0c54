package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;

/**
 * What the API server checks and fills in on a write of an object, apart from the store's state:
 * the body's kind, namespace and name (also from {@code generateName}), the fields the server sets
 * on a new object, whether the namespace takes new content, a replacement's name and namespace, the
 * metadata the server owns, the {@code generation} bump, a status write, and the preconditions of a
 * delete. Stateless.
 */
final class WriteRules {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

  /** The metadata fields only the server writes: kept from the stored object on a replacement. */
  private static final List<String> SERVER_METADATA =
      List.of(
          "name",
          "namespace",
          "uid",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "generation",
          "resourceVersion");

  private WriteRules() {}

  /**
   * The body as an object.
   *
   * @throws ApiError 400 if it is not a JSON object (also {@code null}: a change that produced
   *     nothing)
   */
  static ObjectNode asObject(JsonNode body) {
    if (!(body instanceof ObjectNode object)) {
      // also null: a change that produced nothing
      throw ApiError.badRequest("the request body must be a JSON object");
    }
    return object;
  }

  /** Fills in a missing apiVersion and kind; rejects others (400). */
  static void checkKind(ApiResource type, ObjectNode object) {
    String kind = object.path("kind").asText("");
    String apiVersion = object.path("apiVersion").asText("");
    if ((!kind.isEmpty() && !kind.equals(type.kind()))
        || (!apiVersion.isEmpty() && !apiVersion.equals(type.apiVersion()))) {
      throw ApiError.badRequest(
          "the API version in the data ("
              + apiVersion
              + ") and kind ("
              + kind
              + ") do not match the request ("
              + type.apiVersion()
              + ", "
              + type.kind()
              + ")");
    }
    object.put("apiVersion", type.apiVersion());
    object.put("kind", type.kind());
  }

  /**
   * The namespace a new object goes to: the path's, else the body's, else {@code default}; {@code
   * ""} for a cluster-scoped kind.
   *
   * @throws ApiError 400 if the body names another namespace than the path
   */
  static String namespaceOf(ApiResource type, String pathNamespace, ObjectNode metadata) {
    if (!type.namespaced()) {
      return "";
    }
    String bodyNamespace = metadata.path("namespace").asText("");
    if (pathNamespace == null || pathNamespace.isEmpty()) {
      return bodyNamespace.isEmpty() ? "default" : bodyNamespace;
    }
    if (!bodyNamespace.isEmpty() && !bodyNamespace.equals(pathNamespace)) {
      throw ApiError.badRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    return pathNamespace;
  }

  /**
   * The name of a new object: {@code metadata.name}, else {@code metadata.generateName} with five
   * random characters.
   *
   * @throws ApiError 422 if it has neither
   */
  static String nameOf(ApiResource type, ObjectNode metadata) {
    String name = metadata.path("name").asText("");
    if (name.isEmpty()) {
      String prefix = metadata.path("generateName").asText("");
      if (prefix.isEmpty()) {
        throw ApiError.invalid(
            type, "", "metadata.name: Required value: name or generateName is required");
      }
      name = prefix + randomSuffix();
    }
    return name;
  }

  /**
   * Sets what the server writes on a new object: name, namespace (none for a cluster-scoped kind),
   * a new {@code uid}, {@code creationTimestamp}, {@code generation} 1, no deletion marks, and an
   * empty {@code status} for a kind with a status subresource.
   */
  static void setServerFields(
      ApiResource type, ObjectNode object, String namespace, String name, String now) {
    ObjectNode metadata = Json.child(object, "metadata");
    metadata.put("name", name);
    if (type.namespaced()) {
      metadata.put("namespace", namespace);
    } else {
      metadata.remove("namespace");
    }
    metadata.put("uid", UUID.randomUUID().toString());
    metadata.put("creationTimestamp", now);
    metadata.put("generation", 1);
    metadata.remove("deletionTimestamp");
    metadata.remove("deletionGracePeriodSeconds");
    if (type.statusSubresource()) {
      // as a typed Go object: status is written, empty until a controller fills it
      object.putObject("status");
    }
  }

  /**
   * Checks that a replacement names the object of the URL.
   *
   * @throws ApiError 400 for another name, or another namespace of a namespaced kind
   */
  static void checkSameObject(
      ApiResource type, String namespace, String name, ObjectNode candidateMetadata) {
    String candidateName = candidateMetadata.path("name").asText(name);
    if (!candidateName.equals(name)) {
      throw ApiError.badRequest(
          "the name of the object ("
              + candidateName
              + ") does not match the name on the URL ("
              + name
              + ")");
    }
    if (type.namespaced()) {
      String candidateNs = candidateMetadata.path("namespace").asText(namespace);
      if (!candidateNs.equals(namespace)) {
        throw ApiError.badRequest(
            "the namespace of the provided object does not match the namespace sent on the"
                + " request");
      }
    }
  }

  /**
   * Makes a replacement of the main resource keep what the server owns: the server's metadata
   * fields, the status of a kind with a status subresource; and bumps {@code generation} when
   * anything but metadata and status changed.
   */
  static void keepServerFields(ApiResource type, ObjectNode old, ObjectNode next) {
    ObjectNode metadata = Json.child(next, "metadata");
    JsonNode oldMetadata = old.get("metadata");
    for (String field : SERVER_METADATA) {
      if (oldMetadata.has(field)) {
        metadata.set(field, oldMetadata.get(field));
      } else {
        metadata.remove(field);
      }
    }
    if (type.statusSubresource()) {
      next.set("status", old.path("status").isObject() ? old.get("status") : next.objectNode());
    }
    if (!withoutMetadataAndStatus(old).equals(withoutMetadataAndStatus(next))) {
      metadata.put("generation", oldMetadata.path("generation").asLong(1) + 1);
    }
  }

  /**
   * Checks a delete's preconditions.
   *
   * @param preconditions {@code uid} and {@code resourceVersion} the object must have, or {@code
   *     null}
   * @throws ApiError 409 if one fails
   */
  static void checkPreconditions(
      ApiResource type, String name, ObjectNode old, JsonNode preconditions) {
    if (preconditions == null) {
      return;
    }
    JsonNode oldMetadata = old.path("metadata");
    for (String field : List.of("uid", "resourceVersion")) {
      JsonNode want = preconditions.get(field);
      if (want != null
          && !want.isNull()
          && !want.asText().equals(oldMetadata.path(field).asText())) {
        throw new ApiError(
            409,
            "Conflict",
            "Precondition failed: "
                + field
                + " in precondition: "
                + want.asText()
                + ", "
                + field
                + " in object meta: "
                + oldMetadata.path(field).asText(),
            name,
            type.group(),
            type.plural());
      }
    }
  }

  /**
   * Checks that a new object may go to a namespace, as the NamespaceLifecycle admission plugin.
   *
   * @param existing the Namespace as stored, or {@code null}
   * @throws ApiError 404 if the namespace does not exist, 403 if it is being terminated
   */
  static void checkNamespaceTakesContent(String namespace, ObjectNode existing) {
    if (existing == null) {
      throw ApiError.namespaceNotFound(namespace);
    }
    if (existing.path("metadata").has("deletionTimestamp")) {
      throw new ApiError(
          403,
          "Forbidden",
          "unable to create new content in namespace "
              + namespace
              + " because it is being terminated",
          namespace,
          "",
          "namespaces");
    }
  }

  /** A write of the status subresource: the stored object with the candidate's status only. */
  static ObjectNode withStatusOf(ObjectNode old, ObjectNode candidate) {
    ObjectNode next = old.deepCopy();
    if (candidate.get("status") instanceof ObjectNode status) {
      next.set("status", status);
    } else {
      next.putObject("status");
    }
    return next;
  }

  private static ObjectNode withoutMetadataAndStatus(ObjectNode object) {
    ObjectNode copy = object.deepCopy();
    copy.remove("metadata");
    copy.remove("status");
    return copy;
  }

  private static String randomSuffix() {
    StringBuilder suffix = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      suffix.append(NAME_CHARS.charAt(RANDOM.nextInt(NAME_CHARS.length())));
    }
    return suffix.toString();
  }
}
