package cloud.krake.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Masks secrets for {@code toString()}: tokens, private keys, credentials, Secret data. */
final class Redaction {

  static final String REDACTED = "<redacted>";

  /** Fields of a kubeconfig {@code users[*].user} entry that are public and shown as they are. */
  private static final Set<String> PUBLIC_USER_FIELDS =
      Set.of("client-certificate", "client-certificate-data", "username");

  private Redaction() {}

  static String secret(Optional<String> value) {
    return value.isPresent() ? "Optional[" + REDACTED + "]" : "Optional.empty";
  }

  /** Returns copies of the resources with the values of every Secret's data masked. */
  static List<ObjectNode> manifests(List<ObjectNode> resources) {
    List<ObjectNode> masked = new ArrayList<>(resources.size());
    for (ObjectNode resource : resources) {
      masked.add(manifest(resource));
    }
    return masked;
  }

  private static ObjectNode manifest(ObjectNode resource) {
    if (!"Secret".equals(resource.path("kind").asText())) {
      return resource;
    }
    ObjectNode copy = resource.deepCopy();
    for (String field : List.of("data", "stringData")) {
      if (copy.get(field) instanceof ObjectNode data) {
        maskValues(data);
      }
    }
    return copy;
  }

  /** Returns a copy of a kubeconfig with every credential of {@code users[*].user} masked. */
  static ObjectNode kubeconfig(ObjectNode kubeconfig) {
    ObjectNode copy = kubeconfig.deepCopy();
    for (JsonNode user : copy.path("users")) {
      if (user.get("user") instanceof ObjectNode credentials) {
        List<String> secret = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : credentials.properties()) {
          if (!PUBLIC_USER_FIELDS.contains(field.getKey())) {
            secret.add(field.getKey());
          }
        }
        for (String name : secret) {
          credentials.put(name, REDACTED);
        }
      }
    }
    return copy;
  }

  private static void maskValues(ObjectNode data) {
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : data.properties()) {
      names.add(field.getKey());
    }
    for (String name : names) {
      data.put(name, REDACTED);
    }
  }
}
