package cloud.krake.k8s;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns a kubeconfig as users have it (a file such as {@code ~/.kube/config}, or its text) into the
 * self-contained {@code spec.kubeconfig} of a Krake {@code Cluster}: the chosen context (the {@code
 * current-context}, or one named), its user and its cluster, as Krake requires (exactly one of
 * each), with {@code current-context} set.
 *
 * <pre>{@code
 * ObjectNode kubeconfig = KubeconfigFile.load(Path.of(System.getProperty("user.home"), ".kube/config"));
 * krake.clusters().create(
 *     Cluster.of(Metadata.of("default", "prod"), ClusterSpec.ofKubeconfig(kubeconfig)));
 * }</pre>
 *
 * <p>File references are resolved now, as kubectl resolves them (a relative path against the
 * kubeconfig file's directory): {@code certificate-authority}, {@code client-certificate} and
 * {@code client-key} are read and embedded as {@code certificate-authority-data}, {@code
 * client-certificate-data} and {@code client-key-data} (when both a file and its {@code -data} are
 * given, the data wins, as in kubectl); a user's {@code tokenFile} is kept as a reference, made
 * absolute and checked readable, since such tokens rotate (the connector re-reads it when it
 * changes); an {@code exec} credential plugin's relative command path (one with a {@code /}) is
 * made absolute. The kubeconfig's text (from {@link #parse}) has no directory: a relative path in
 * it is refused. Whether the connector may read the token file or run the plugin is its own
 * decision ({@link KubeconfigClusterConnector.Builder#allowExecCommands}, {@link
 * KubeconfigClusterConnector.Builder#allowTokenFiles}), checked when the cluster is created.
 *
 * <p>Errors are {@link InvalidResourceException}s naming the field in the kubeconfig as given (for
 * example {@code users[0].user.client-key: file /x/y is not readable}); they never quote key
 * material or tokens. Stateless and thread-safe.
 */
public final class KubeconfigFile {

  private static final long MAX_FILE_SIZE = 1024 * 1024;

  private static final ObjectMapper YAML =
      YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private KubeconfigFile() {}

  /**
   * Loads a kubeconfig file with its {@code current-context}.
   *
   * @param file the kubeconfig file
   * @return the cluster's {@code spec.kubeconfig}, a new tree
   * @throws UncheckedIOException if the file cannot be read
   * @throws InvalidResourceException naming the field, if the kubeconfig is not usable
   */
  public static ObjectNode load(Path file) {
    return load(file, Optional.empty());
  }

  /**
   * Loads a kubeconfig file with a named context.
   *
   * @param file the kubeconfig file
   * @param context the name of an entry of its {@code contexts}
   * @return the cluster's {@code spec.kubeconfig}, a new tree
   * @throws UncheckedIOException if the file cannot be read
   * @throws InvalidResourceException naming the field, if the kubeconfig is not usable
   */
  public static ObjectNode load(Path file, String context) {
    return load(file, Optional.of(Objects.requireNonNull(context, "context")));
  }

  /**
   * Reads a kubeconfig's text (YAML or JSON) with its {@code current-context}; file references must
   * be absolute paths.
   *
   * @param kubeconfig the text
   * @return the cluster's {@code spec.kubeconfig}, a new tree
   * @throws InvalidResourceException naming the field, if the kubeconfig is not usable
   */
  public static ObjectNode parse(String kubeconfig) {
    return resolve(read(kubeconfig), Optional.empty(), Optional.empty());
  }

  /**
   * Reads a kubeconfig's text (YAML or JSON) with a named context; file references must be absolute
   * paths.
   *
   * @param kubeconfig the text
   * @param context the name of an entry of its {@code contexts}
   * @return the cluster's {@code spec.kubeconfig}, a new tree
   * @throws InvalidResourceException naming the field, if the kubeconfig is not usable
   */
  public static ObjectNode parse(String kubeconfig, String context) {
    return resolve(
        read(kubeconfig),
        Optional.of(Objects.requireNonNull(context, "context")),
        Optional.empty());
  }

  private static ObjectNode load(Path file, Optional<String> context) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the kubeconfig " + file, e);
    }
    Path directory = file.toAbsolutePath().normalize().getParent();
    return resolve(read(text), context, Optional.ofNullable(directory));
  }

  private static ObjectNode read(String text) {
    Objects.requireNonNull(text, "kubeconfig");
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      // The location only: the text may hold credentials.
      throw InvalidResourceException.of(
          "",
          "is not a YAML kubeconfig"
              + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
    if (tree == null || !tree.isObject()) {
      throw InvalidResourceException.of("", "is not a YAML mapping");
    }
    return (ObjectNode) tree;
  }

  private static ObjectNode resolve(
      ObjectNode config, Optional<String> requested, Optional<Path> directory) {
    String contextName;
    if (requested.isPresent()) {
      contextName = requested.get();
    } else {
      contextName = config.path("current-context").asText("");
      if (contextName.isEmpty()) {
        throw InvalidResourceException.of("current-context", "is not set: name the context to use");
      }
    }
    int contextIndex =
        find(
            config,
            "contexts",
            contextName,
            requested.isPresent() ? "contexts" : "current-context");
    ObjectNode context = config.get("contexts").get(contextIndex).deepCopy();
    String contextField = "contexts[" + contextIndex + "].context";
    String userName = context.path("context").path("user").asText("");
    String clusterName = context.path("context").path("cluster").asText("");
    int userIndex = find(config, "users", userName, contextField + ".user");
    int clusterIndex = find(config, "clusters", clusterName, contextField + ".cluster");
    ObjectNode user = config.get("users").get(userIndex).deepCopy();
    ObjectNode cluster = config.get("clusters").get(clusterIndex).deepCopy();

    String userField = "users[" + userIndex + "].user";
    if (user.get("user") instanceof ObjectNode body) {
      embed(body, "client-certificate", userField, directory);
      embed(body, "client-key", userField, directory);
      if (body.has("tokenFile")) {
        Path token = path(body.path("tokenFile"), userField + ".tokenFile", directory);
        if (!Files.isRegularFile(token) || !Files.isReadable(token)) {
          throw InvalidResourceException.of(
              userField + ".tokenFile", "file " + token + " is not readable");
        }
        body.put("tokenFile", token.toString());
      }
      if (body.get("exec") instanceof ObjectNode exec) {
        String command = exec.path("command").asText("");
        if ((command.contains("/") || command.contains("\\")) && !Path.of(command).isAbsolute()) {
          exec.put(
              "command",
              path(exec.get("command"), userField + ".exec.command", directory).toString());
        }
      }
    }
    String clusterField = "clusters[" + clusterIndex + "].cluster";
    if (cluster.get("cluster") instanceof ObjectNode body) {
      embed(body, "certificate-authority", clusterField, directory);
    }

    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.put("apiVersion", "v1");
    out.put("kind", "Config");
    out.put("current-context", contextName);
    out.putArray("clusters").add(cluster);
    out.putArray("users").add(user);
    out.putArray("contexts").add(context);
    return out;
  }

  /** The index of the entry of a list with a name, or an error naming {@code field}. */
  private static int find(ObjectNode config, String list, String name, String field) {
    JsonNode entries = config.get(list);
    if (entries instanceof ArrayNode array) {
      for (int i = 0; i < array.size(); i++) {
        if (name.equals(array.get(i).path("name").asText(null))) {
          return i;
        }
      }
    }
    throw InvalidResourceException.of(
        field, name.isEmpty() ? "is not set" : "names no entry of " + list + ": " + name);
  }

  /** Replaces a file reference by its {@code -data}, unless the data is given already. */
  private static void embed(ObjectNode body, String field, String parent, Optional<Path> dir) {
    if (!body.has(field)) {
      return;
    }
    String name = parent + "." + field;
    if (!body.has(field + "-data")) {
      Path file = path(body.get(field), name, dir);
      byte[] content;
      try {
        if (Files.size(file) > MAX_FILE_SIZE) {
          throw InvalidResourceException.of(
              name, "file " + file + " is larger than " + MAX_FILE_SIZE + " bytes");
        }
        content = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new InvalidResourceException(
            List.of(
                new FieldError(
                    name,
                    "file " + file + " is not readable (" + e.getClass().getSimpleName() + ")")));
      }
      body.put(field + "-data", Base64.getEncoder().encodeToString(content));
    }
    body.remove(field);
  }

  private static Path path(JsonNode value, String field, Optional<Path> directory) {
    String text = value == null ? "" : value.asText("");
    if (text.isEmpty()) {
      throw InvalidResourceException.of(field, "is empty");
    }
    Path path;
    try {
      path = Path.of(text);
    } catch (InvalidPathException e) {
      throw InvalidResourceException.of(field, "is not a path");
    }
    if (path.isAbsolute()) {
      return path.normalize();
    }
    if (directory.isEmpty()) {
      throw InvalidResourceException.of(
          field,
          "the relative path "
              + text
              + " needs the kubeconfig's directory: load the file with KubeconfigFile.load(Path)");
    }
    return directory.get().resolve(path).normalize();
  }
}
