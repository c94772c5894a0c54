package cloud.krake.k8s.internal;

import cloud.krake.k8s.KubernetesException;
import cloud.krake.model.ReasonCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.util.KubeConfig;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A kubeconfig checked the way Krake checks a cluster's kubeconfig (exactly one context, one user
 * and one cluster), and beyond Krake's checks made safe for an embedded library: no external
 * credential plugin ({@code exec}, {@code auth-provider}) runs and no file is read ({@code
 * certificate-authority}, {@code client-certificate}, {@code client-key}, {@code tokenFile}); only
 * embedded {@code *-data}, {@code token} and {@code username}/{@code password} credentials.
 *
 * <p>{@link #toString()} names the server only; the credentials stay inside.
 */
public final class Kubeconfig {

  private static final String FIELD = "spec.kubeconfig";
  private static final List<String> FORBIDDEN_USER_FIELDS =
      List.of(
          "exec", "auth-provider", "client-certificate", "client-key", "tokenFile", "token-file");

  private final ObjectNode document;
  private final String contextName;
  private final URI server;
  private final Optional<String> namespace;

  private Kubeconfig(ObjectNode document, String contextName, URI server, Optional<String> ns) {
    this.document = document;
    this.contextName = contextName;
    this.server = server;
    this.namespace = ns;
  }

  /**
   * Checks a kubeconfig.
   *
   * @param cluster the cluster's {@code namespace/name}, for messages
   * @param kubeconfig the kubeconfig as a JSON tree; not kept
   * @return the checked kubeconfig
   * @throws KubernetesException with {@link ReasonCode#INVALID_RESOURCE} naming the offending field
   *     below {@code spec.kubeconfig}
   */
  public static Kubeconfig parse(String cluster, ObjectNode kubeconfig) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    JsonNode context = single(cluster, kubeconfig, "contexts");
    JsonNode user = single(cluster, kubeconfig, "users");
    JsonNode clusterEntry = single(cluster, kubeconfig, "clusters");

    String contextName = context.path("name").asText("");
    if (contextName.isEmpty()) {
      throw invalid(cluster, FIELD + ".contexts[0].name", "is required");
    }
    JsonNode contextBody = context.path("context");
    if (!contextBody.path("user").asText("").equals(user.path("name").asText(""))) {
      throw invalid(cluster, FIELD + ".contexts[0].context.user", "must name the user");
    }
    if (!contextBody.path("cluster").asText("").equals(clusterEntry.path("name").asText(""))) {
      throw invalid(cluster, FIELD + ".contexts[0].context.cluster", "must name the cluster");
    }

    JsonNode userBody = user.path("user");
    for (String field : FORBIDDEN_USER_FIELDS) {
      if (userBody.has(field)) {
        throw invalid(
            cluster,
            FIELD + ".users[0].user." + field,
            field.equals("exec") || field.equals("auth-provider")
                ? "external credential plugins are not supported; embed a token or client"
                    + " certificate"
                : "file references are not supported; embed the data (*-data, token)");
      }
    }

    JsonNode clusterBody = clusterEntry.path("cluster");
    if (clusterBody.has("certificate-authority")) {
      throw invalid(
          cluster,
          FIELD + ".clusters[0].cluster.certificate-authority",
          "file references are not supported; use certificate-authority-data");
    }
    String serverText = clusterBody.path("server").asText("");
    String serverField = FIELD + ".clusters[0].cluster.server";
    if (serverText.isEmpty()) {
      throw invalid(cluster, serverField, "is required");
    }
    URI server;
    try {
      server = new URI(serverText);
    } catch (URISyntaxException e) {
      throw invalid(cluster, serverField, "is not a URL");
    }
    if (!"http".equals(server.getScheme()) && !"https".equals(server.getScheme())
        || server.getHost() == null) {
      throw invalid(cluster, serverField, "must be an http or https URL with a host");
    }
    String ns = contextBody.path("namespace").asText("");
    return new Kubeconfig(
        kubeconfig.deepCopy(),
        contextName,
        server,
        ns.isEmpty() ? Optional.empty() : Optional.of(ns));
  }

  private static JsonNode single(String cluster, ObjectNode kubeconfig, String list) {
    JsonNode entries = kubeconfig.get(list);
    int count = entries == null || !entries.isArray() ? 0 : entries.size();
    if (count != 1) {
      throw invalid(
          cluster,
          FIELD + "." + list,
          "must hold exactly one entry, as Krake requires (found " + count + ")");
    }
    return entries.get(0);
  }

  static KubernetesException invalid(String cluster, String field, String problem) {
    return new KubernetesException(
        ReasonCode.INVALID_RESOURCE,
        0,
        "cluster " + cluster + ": invalid kubeconfig: " + field + " " + problem,
        null);
  }

  /** Returns the API server's URL. */
  public URI server() {
    return server;
  }

  /** Returns the context's namespace, if it names one. */
  public Optional<String> namespace() {
    return namespace;
  }

  /**
   * Returns the official client's view of this kubeconfig, with its only context selected.
   *
   * @throws KubernetesException with {@link ReasonCode#INVALID_RESOURCE} if the client cannot read
   *     it
   */
  KubeConfig toKubeConfig(String cluster) {
    KubeConfig config;
    try {
      // JSON is YAML: the client's SnakeYAML loader reads the tree's JSON text.
      config = KubeConfig.loadKubeConfig(new StringReader(document.toString()));
    } catch (RuntimeException e) {
      throw invalid(cluster, FIELD, "cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    if (!config.setContext(contextName)) {
      throw invalid(cluster, FIELD + ".contexts[0]", "cannot be selected");
    }
    return config;
  }

  @Override
  public String toString() {
    return "Kubeconfig[server=" + server + ", context=" + contextName + "]";
  }
}
