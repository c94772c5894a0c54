package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The kubeconfig document of {@link FakeKubernetesApiServer#kubeconfig()}: one cluster, user (token
 * authentication) and context, all with the server's name, {@code current-context} set, and the
 * context namespace if one was configured. Every value is written as a quoted YAML (JSON) string.
 * Stateless.
 */
final class KubeconfigDocument {

  private KubeconfigDocument() {}

  /** The document; it contains the token. */
  static String of(String name, String url, String token, Optional<String> contextNamespace) {
    StringBuilder yaml = new StringBuilder();
    String quotedName = quote(name);
    yaml.append("apiVersion: v1\nkind: Config\n");
    yaml.append("clusters:\n- name: ").append(quotedName).append('\n');
    yaml.append("  cluster:\n    server: ").append(quote(url)).append('\n');
    yaml.append("users:\n- name: ").append(quotedName).append('\n');
    yaml.append("  user:\n    token: ").append(quote(token)).append('\n');
    yaml.append("contexts:\n- name: ").append(quotedName).append('\n');
    yaml.append("  context:\n    cluster: ").append(quotedName).append('\n');
    yaml.append("    user: ").append(quotedName).append('\n');
    contextNamespace.ifPresent(
        namespace -> yaml.append("    namespace: ").append(quote(namespace)).append('\n'));
    yaml.append("current-context: ").append(quotedName).append('\n');
    yaml.append("preferences: {}\n");
    return yaml.toString();
  }

  private static String quote(String value) {
    try {
      return Json.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
