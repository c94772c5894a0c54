package cloud.krake.k8s.internal;

import cloud.krake.k8s.KubernetesException;
import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.ReasonCode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A kubeconfig checked the way Krake checks a cluster's kubeconfig (exactly one context, one user
 * and one cluster), and beyond Krake's checks made safe for an embedded library: credentials are
 * embedded ({@code *-data}, {@code token}, {@code username}/{@code password}); the only things it
 * may make the host do are the ones its connector's {@link CredentialPolicy} allows: run an {@code
 * exec} credential plugin whose command is allowed, read a {@code tokenFile} under an allowed
 * directory. Other file references ({@code certificate-authority}, {@code client-certificate},
 * {@code client-key}) and {@code auth-provider} are refused: {@code KubeconfigFile} embeds the
 * files when a kubeconfig is loaded.
 *
 * <p>{@link #toString()} names the server only; the credentials stay inside.
 */
public final class Kubeconfig {

  private static final String FIELD = "spec.kubeconfig";
  private static final Set<String> EXEC_API_VERSIONS =
      Set.of("client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1");

  private final ObjectNode document;
  private final String contextName;
  private final URI server;
  private final Optional<String> namespace;
  private final Optional<ExecConfig> exec;
  private final Optional<Path> tokenFile;

  private Kubeconfig(
      ObjectNode document,
      String contextName,
      URI server,
      Optional<String> ns,
      Optional<ExecConfig> exec,
      Optional<Path> tokenFile) {
    this.document = document;
    this.contextName = contextName;
    this.server = server;
    this.namespace = ns;
    this.exec = exec;
    this.tokenFile = tokenFile;
  }

  /**
   * Checks a kubeconfig.
   *
   * @param cluster the cluster's {@code namespace/name}, for messages
   * @param kubeconfig the kubeconfig as a JSON tree; not kept
   * @param policy what the kubeconfig may make the host do
   * @return the checked kubeconfig
   * @throws KubernetesException with {@link ReasonCode#INVALID_RESOURCE} naming the offending field
   *     below {@code spec.kubeconfig}
   */
  public static Kubeconfig parse(String cluster, ObjectNode kubeconfig, CredentialPolicy policy) {
    Objects.requireNonNull(cluster, "cluster");
    try {
      return read(kubeconfig, policy);
    } catch (InvalidResourceException e) {
      FieldError error = e.errors().get(0);
      throw invalid(cluster, error.field(), error.message());
    }
  }

  /**
   * The problems {@link #parse} would report, as field errors for a create-time check.
   *
   * @param kubeconfig the kubeconfig as a JSON tree
   * @param policy what the kubeconfig may make the host do
   * @return the first problem, naming its field below {@code spec.kubeconfig}; empty if none
   */
  public static List<FieldError> errors(ObjectNode kubeconfig, CredentialPolicy policy) {
    try {
      read(kubeconfig, policy);
      return List.of();
    } catch (InvalidResourceException e) {
      return e.errors();
    }
  }

  private static Kubeconfig read(ObjectNode kubeconfig, CredentialPolicy policy) {
    Objects.requireNonNull(kubeconfig, "kubeconfig");
    Objects.requireNonNull(policy, "policy");
    JsonNode context = single(kubeconfig, "contexts");
    JsonNode user = single(kubeconfig, "users");
    JsonNode clusterEntry = single(kubeconfig, "clusters");

    String contextName = context.path("name").asText("");
    if (contextName.isEmpty()) {
      throw bad(".contexts[0].name", "is required");
    }
    String current = kubeconfig.path("current-context").asText("");
    if (!current.isEmpty() && !current.equals(contextName)) {
      throw bad(".current-context", "names no context: " + current);
    }
    JsonNode contextBody = context.path("context");
    if (!contextBody.path("user").asText("").equals(user.path("name").asText(""))) {
      throw bad(".contexts[0].context.user", "must name the user");
    }
    if (!contextBody.path("cluster").asText("").equals(clusterEntry.path("name").asText(""))) {
      throw bad(".contexts[0].context.cluster", "must name the cluster");
    }

    JsonNode userBody = user.path("user");
    String userField = ".users[0].user.";
    if (userBody.has("auth-provider")) {
      throw bad(
          userField + "auth-provider",
          "auth-provider plugins are not supported; use an exec credential plugin or embed a"
              + " token or client certificate");
    }
    for (String field : List.of("client-certificate", "client-key")) {
      if (userBody.has(field)) {
        throw bad(userField + field, fileReference(field + "-data"));
      }
    }
    if (userBody.has("token-file")) {
      throw bad(userField + "token-file", "is not a kubeconfig field; the field is tokenFile");
    }
    for (String field : List.of("client-certificate-data", "client-key-data")) {
      base64(userBody, field, userField + field);
    }
    Optional<ExecConfig> exec =
        userBody.has("exec")
            ? Optional.of(exec(userBody.get("exec"), userField + "exec", policy))
            : Optional.empty();
    Optional<Path> tokenFile =
        userBody.has("tokenFile")
            ? Optional.of(tokenFile(userBody.get("tokenFile"), userField + "tokenFile", policy))
            : Optional.empty();

    JsonNode clusterBody = clusterEntry.path("cluster");
    if (clusterBody.has("certificate-authority")) {
      throw bad(
          ".clusters[0].cluster.certificate-authority",
          fileReference("certificate-authority-data"));
    }
    base64(
        clusterBody,
        "certificate-authority-data",
        ".clusters[0].cluster.certificate-authority-data");
    String serverText = clusterBody.path("server").asText("");
    String serverField = ".clusters[0].cluster.server";
    if (serverText.isEmpty()) {
      throw bad(serverField, "is required");
    }
    URI server;
    try {
      server = new URI(serverText);
    } catch (URISyntaxException e) {
      throw bad(serverField, "is not a URL");
    }
    if (!"http".equals(server.getScheme()) && !"https".equals(server.getScheme())
        || server.getHost() == null) {
      throw bad(serverField, "must be an http or https URL with a host");
    }
    String ns = contextBody.path("namespace").asText("");
    ObjectNode document = kubeconfig.deepCopy();
    // The official client would run the plugin (without a timeout) and read the token file once:
    // both are handled by BearerTokenAuthentication instead.
    if (document.get("users").get(0).get("user") instanceof ObjectNode strippedUser) {
      strippedUser.remove("exec");
      strippedUser.remove("tokenFile");
    }
    return new Kubeconfig(
        document,
        contextName,
        server,
        ns.isEmpty() ? Optional.empty() : Optional.of(ns),
        exec,
        tokenFile);
  }

  private static String fileReference(String dataField) {
    return "file references are not supported in a stored cluster; embed the data ("
        + dataField
        + ") or load the kubeconfig with KubeconfigFile.load, which does";
  }

  private static void base64(JsonNode body, String field, String name) {
    JsonNode value = body.get(field);
    if (value == null) {
      return;
    }
    if (!value.isTextual()) {
      throw bad(name, "must be a base64 string");
    }
    try {
      Base64.getMimeDecoder().decode(value.asText());
    } catch (IllegalArgumentException e) {
      // Never quote the value: it may be key material.
      throw bad(name, "is not valid base64");
    }
  }

  private static ExecConfig exec(JsonNode exec, String field, CredentialPolicy policy) {
    if (!exec.isObject()) {
      throw bad(field, "must be a mapping");
    }
    String command = exec.path("command").asText("");
    if (command.isEmpty()) {
      throw bad(field + ".command", "is required");
    }
    if ((command.contains("/") || command.contains("\\")) && !Path.of(command).isAbsolute()) {
      throw bad(
          field + ".command",
          "a relative command path needs the kubeconfig's directory: make it absolute, or load"
              + " the kubeconfig with KubeconfigFile.load, which does");
    }
    if (!policy.execCommands().contains(command)) {
      throw bad(
          field + ".command",
          "the exec credential plugin "
              + command
              + " is not allowed on this host (KubeconfigClusterConnector.Builder"
              + ".allowExecCommands)");
    }
    String apiVersion = exec.path("apiVersion").asText("");
    if (!EXEC_API_VERSIONS.contains(apiVersion)) {
      throw bad(
          field + ".apiVersion", "must be one of " + EXEC_API_VERSIONS.stream().sorted().toList());
    }
    if ("Always".equals(exec.path("interactiveMode").asText(""))) {
      throw bad(
          field + ".interactiveMode",
          "Always needs a terminal, which an embedded library has not; use IfAvailable or Never");
    }
    List<String> args = new ArrayList<>();
    JsonNode argsNode = exec.path("args");
    if (!argsNode.isMissingNode() && !argsNode.isNull()) {
      if (!argsNode.isArray()) {
        throw bad(field + ".args", "must be a list of strings");
      }
      for (int i = 0; i < argsNode.size(); i++) {
        if (!argsNode.get(i).isTextual()) {
          throw bad(field + ".args[" + i + "]", "must be a string");
        }
        args.add(argsNode.get(i).asText());
      }
    }
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode envNode = exec.path("env");
    if (!envNode.isMissingNode() && !envNode.isNull()) {
      if (!envNode.isArray()) {
        throw bad(field + ".env", "must be a list of {name, value}");
      }
      for (int i = 0; i < envNode.size(); i++) {
        JsonNode entry = envNode.get(i);
        String name = entry.path("name").asText("");
        if (name.isEmpty() || !entry.path("value").isTextual()) {
          throw bad(field + ".env[" + i + "]", "must have a name and a string value");
        }
        env.put(name, entry.get("value").asText());
      }
    }
    return new ExecConfig(apiVersion, command, args, env);
  }

  private static Path tokenFile(JsonNode value, String field, CredentialPolicy policy) {
    Path path;
    try {
      path = Path.of(value.asText(""));
    } catch (InvalidPathException e) {
      throw bad(field, "is not a path");
    }
    if (!path.isAbsolute()) {
      throw bad(
          field,
          "a relative path needs the kubeconfig's directory: make it absolute, or load the"
              + " kubeconfig with KubeconfigFile.load, which does");
    }
    if (!policy.allowsTokenFile(path)) {
      throw bad(
          field,
          "the token file "
              + path
              + " is not under a directory allowed on this host"
              + " (KubeconfigClusterConnector.Builder.allowTokenFiles)");
    }
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw bad(field, "file " + path + " is not readable");
    }
    return path.normalize();
  }

  private static JsonNode single(ObjectNode kubeconfig, String list) {
    JsonNode entries = kubeconfig.get(list);
    int count = entries == null || !entries.isArray() ? 0 : entries.size();
    if (count != 1) {
      throw bad("." + list, "must hold exactly one entry, as Krake requires (found " + count + ")");
    }
    return entries.get(0);
  }

  private static InvalidResourceException bad(String suffix, String problem) {
    return InvalidResourceException.of(FIELD + suffix, problem);
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

  /** Returns the user's {@code exec} credential plugin, if it names one (already allowed). */
  public Optional<ExecConfig> exec() {
    return exec;
  }

  /** Returns the user's {@code tokenFile}, absolute, if it names one (already allowed). */
  public Optional<Path> tokenFile() {
    return tokenFile;
  }

  /**
   * Returns the official client's view of this kubeconfig, with its only context selected and
   * without its {@code exec} and {@code tokenFile} (which {@link BearerTokenAuthentication}
   * serves).
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

  /**
   * Makes the official client for this (checked) kubeconfig: TLS material loaded, the bearer token
   * of an {@code exec} plugin or a {@code tokenFile} served per request ({@link
   * BearerTokenAuthentication}). No request is sent and no plugin runs.
   *
   * @param cluster the cluster's {@code namespace/name}, for messages
   * @param credentials the connector's credential settings
   * @return the client
   * @throws KubernetesException with {@link ReasonCode#INVALID_RESOURCE} when the client cannot use
   *     the kubeconfig's certificates or keys
   */
  public ApiClient toApiClient(String cluster, CredentialPolicy credentials) {
    try {
      ClientBuilder builder = ClientBuilder.kubeconfig(toKubeConfig(cluster));
      if (exec().isPresent()) {
        builder.setAuthentication(
            new BearerTokenAuthentication(
                new ExecCredentialSource(cluster, exec().get(), credentials, Clock.systemUTC())));
      } else if (tokenFile().isPresent()) {
        builder.setAuthentication(
            new BearerTokenAuthentication(
                new TokenFileSource(tokenFile().get(), Clock.systemUTC())));
      }
      return builder.build();
    } catch (IOException | RuntimeException e) {
      if (e instanceof KubernetesException k) {
        throw k;
      }
      // The cause may quote key material: it is left out on purpose.
      throw invalid(
          cluster,
          "spec.kubeconfig",
          "credentials or certificate authority cannot be loaded ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }
}
