package cloud.krake.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * What the kubelet resolves before it starts a container: the environment ({@code env} with {@code
 * value}, {@code secretKeyRef}, {@code configMapKeyRef}, {@code fieldRef}, and {@code envFrom};
 * {@code $(VAR)} references expanded as the kubelet does) and the files of {@code secret}, {@code
 * configMap}, {@code projected} (its {@code secret} and {@code configMap} sources) and {@code
 * emptyDir} volumes ({@code items}, {@code defaultMode} and per-item {@code mode}, {@code
 * optional}).
 *
 * <p>Error messages are the kubelet's ({@code secret "x" not found}, {@code couldn't find key k in
 * Secret ns/x}); they name objects and keys, never values.
 */
final class PodConfig {

  /** A missing Secret, ConfigMap or key: the container waits with {@code reason}. */
  static final class ConfigError extends Exception {
    private static final long serialVersionUID = 1L;

    ConfigError(String message) {
      super(message, null, false, false);
    }
  }

  /** Reads a Secret or ConfigMap: (namespace, name) to the stored object, if any. */
  interface Lookup {
    Optional<ObjectNode> secret(String namespace, String name);

    Optional<ObjectNode> configMap(String namespace, String name);

    /**
     * A token of the Pod's service account for a {@code serviceAccountToken} projection, bound to
     * the Pod; empty where the cluster issues none (a fake cluster: the file is left out).
     */
    default Optional<String> serviceAccountToken(
        ObjectNode pod, String audience, long expirationSeconds) {
      return Optional.empty();
    }
  }

  private PodConfig() {}

  /**
   * The container's environment: {@code base} (PATH, HOSTNAME, ...), then {@code envFrom}, then
   * {@code env} in order, later entries winning.
   *
   * @throws ConfigError for a missing non-optional Secret, ConfigMap or key
   */
  static Map<String, String> environment(
      ObjectNode pod, JsonNode container, Lookup lookup, Map<String, String> base)
      throws ConfigError {
    String namespace = pod.path("metadata").path("namespace").asText("default");
    Map<String, String> env = new LinkedHashMap<>(base);
    for (JsonNode source : container.path("envFrom")) {
      String prefix = source.path("prefix").asText("");
      if (source.has("configMapRef")) {
        JsonNode ref = source.get("configMapRef");
        Optional<Map<String, String>> data =
            lookup.configMap(namespace, ref.path("name").asText()).map(PodConfig::configMapData);
        if (data.isEmpty() && !ref.path("optional").asBoolean(false)) {
          throw new ConfigError("configmap \"" + ref.path("name").asText() + "\" not found");
        }
        data.ifPresent(d -> d.forEach((k, v) -> env.put(prefix + k, v)));
      } else if (source.has("secretRef")) {
        JsonNode ref = source.get("secretRef");
        Optional<Map<String, byte[]>> data =
            lookup.secret(namespace, ref.path("name").asText()).map(PodConfig::secretData);
        if (data.isEmpty() && !ref.path("optional").asBoolean(false)) {
          throw new ConfigError("secret \"" + ref.path("name").asText() + "\" not found");
        }
        data.ifPresent(
            d -> d.forEach((k, v) -> env.put(prefix + k, new String(v, StandardCharsets.UTF_8))));
      }
    }
    for (JsonNode variable : container.path("env")) {
      String name = variable.path("name").asText();
      if (variable.has("value") || !variable.has("valueFrom")) {
        env.put(name, expand(variable.path("value").asText(""), env));
        continue;
      }
      JsonNode from = variable.get("valueFrom");
      if (from.has("secretKeyRef")) {
        JsonNode ref = from.get("secretKeyRef");
        Optional<String> value =
            keyRef(
                ref,
                "Secret",
                namespace,
                (ns, n) -> lookup.secret(ns, n).map(PodConfig::secretData),
                bytes -> new String(bytes, StandardCharsets.UTF_8));
        value.ifPresent(v -> env.put(name, v));
      } else if (from.has("configMapKeyRef")) {
        JsonNode ref = from.get("configMapKeyRef");
        Optional<String> value =
            keyRef(
                ref,
                "ConfigMap",
                namespace,
                (ns, n) -> lookup.configMap(ns, n).map(PodConfig::configMapData),
                s -> s);
        value.ifPresent(v -> env.put(name, v));
      } else if (from.has("fieldRef")) {
        env.put(name, field(pod, from.get("fieldRef").path("fieldPath").asText()));
      } else {
        env.put(name, ""); // resourceFieldRef: no resources are accounted for
      }
    }
    return env;
  }

  private static <T> Optional<String> keyRef(
      JsonNode ref,
      String kind,
      String namespace,
      BiFunction<String, String, Optional<Map<String, T>>> read,
      java.util.function.Function<T, String> text)
      throws ConfigError {
    String name = ref.path("name").asText();
    String key = ref.path("key").asText();
    boolean optional = ref.path("optional").asBoolean(false);
    Optional<Map<String, T>> data = read.apply(namespace, name);
    if (data.isEmpty()) {
      if (optional) {
        return Optional.empty();
      }
      throw new ConfigError(
          kind.toLowerCase(java.util.Locale.ROOT) + " \"" + name + "\" not found");
    }
    T value = data.get().get(key);
    if (value == null) {
      if (optional) {
        return Optional.empty();
      }
      throw new ConfigError(
          "couldn't find key " + key + " in " + kind + " " + namespace + "/" + name);
    }
    return Optional.of(text.apply(value));
  }

  /** The value of a {@code fieldRef} path, as the downward API. */
  static String field(ObjectNode pod, String path) {
    JsonNode metadata = pod.path("metadata");
    switch (path) {
      case "metadata.name":
        return metadata.path("name").asText();
      case "metadata.namespace":
        return metadata.path("namespace").asText();
      case "metadata.uid":
        return metadata.path("uid").asText();
      case "spec.nodeName":
        return pod.path("spec").path("nodeName").asText(FakeKubernetesApiServer.DEFAULT_NODE);
      case "spec.serviceAccountName":
        return pod.path("spec").path("serviceAccountName").asText("default");
      case "status.podIP", "status.podIPs":
        return pod.path("status").path("podIP").asText(LocalKubelet.POD_IP);
      case "status.hostIP", "status.hostIPs":
        return LocalKubelet.POD_IP;
      default:
        for (String map : List.of("labels", "annotations")) {
          String prefix = "metadata." + map + "['";
          if (path.startsWith(prefix) && path.endsWith("']")) {
            String key = path.substring(prefix.length(), path.length() - 2);
            return metadata.path(map).path(key).asText("");
          }
        }
        return "";
    }
  }

  /**
   * Expands {@code $(VAR)} from {@code env} as the kubelet does: {@code $$} is a literal {@code $},
   * an undefined reference stays as written.
   */
  static String expand(String value, Map<String, String> env) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '$' || i + 1 >= value.length()) {
        out.append(c);
        continue;
      }
      char next = value.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i++;
      } else if (next == '(') {
        int close = value.indexOf(')', i + 2);
        if (close < 0) {
          out.append(c);
          continue;
        }
        String name = value.substring(i + 2, close);
        String resolved = env.get(name);
        if (resolved != null) {
          out.append(resolved);
        } else {
          out.append(value, i, close + 1);
        }
        i = close;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static Map<String, byte[]> secretData(ObjectNode secret) {
    Map<String, byte[]> data = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : secret.path("data").properties()) {
      try {
        data.put(entry.getKey(), Base64.getMimeDecoder().decode(entry.getValue().asText()));
      } catch (IllegalArgumentException e) {
        data.put(entry.getKey(), new byte[0]);
      }
    }
    // the fake does not fold stringData into data as the real API server does
    for (Map.Entry<String, JsonNode> entry : secret.path("stringData").properties()) {
      data.put(entry.getKey(), entry.getValue().asText().getBytes(StandardCharsets.UTF_8));
    }
    return data;
  }

  static Map<String, String> configMapData(ObjectNode configMap) {
    Map<String, String> data = new LinkedHashMap<>();
    configMap.path("data").properties().forEach(e -> data.put(e.getKey(), e.getValue().asText()));
    return data;
  }

  private static Map<String, byte[]> configMapFiles(ObjectNode configMap) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    configMapData(configMap).forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
    configMap
        .path("binaryData")
        .properties()
        .forEach(e -> files.put(e.getKey(), Base64.getMimeDecoder().decode(e.getValue().asText())));
    return files;
  }

  /**
   * Writes a volume's files into {@code directory} (created). {@code emptyDir} and unsupported
   * sources leave it empty.
   *
   * @throws ConfigError for a missing non-optional Secret, ConfigMap or item key
   */
  static void materialise(String namespace, JsonNode volume, Path directory, Lookup lookup)
      throws ConfigError, IOException {
    ObjectNode pod = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    pod.putObject("metadata").put("namespace", namespace);
    materialise(pod, volume, directory, lookup);
  }

  /**
   * The files of a volume of {@code pod}: as {@link #materialise(String, JsonNode, Path, Lookup)},
   * plus {@code downwardAPI} volumes and the {@code downwardAPI} and {@code serviceAccountToken}
   * sources of projected ones.
   */
  static void materialise(ObjectNode pod, JsonNode volume, Path directory, Lookup lookup)
      throws ConfigError, IOException {
    String namespace = pod.path("metadata").path("namespace").asText("default");
    Files.createDirectories(directory);
    if (volume.has("secret")) {
      JsonNode source = volume.get("secret");
      String name = source.path("secretName").asText();
      Optional<ObjectNode> secret = lookup.secret(namespace, name);
      if (secret.isEmpty()) {
        if (source.path("optional").asBoolean(false)) {
          return;
        }
        throw new ConfigError("secret \"" + name + "\" not found");
      }
      writeFiles(source, secretData(secret.get()), directory, "Secret " + namespace + "/" + name);
    } else if (volume.has("configMap")) {
      JsonNode source = volume.get("configMap");
      String name = source.path("name").asText();
      Optional<ObjectNode> configMap = lookup.configMap(namespace, name);
      if (configMap.isEmpty()) {
        if (source.path("optional").asBoolean(false)) {
          return;
        }
        throw new ConfigError("configmap \"" + name + "\" not found");
      }
      writeFiles(
          source,
          configMapFiles(configMap.get()),
          directory,
          "ConfigMap " + namespace + "/" + name);
    } else if (volume.has("projected")) {
      projected(pod, volume.get("projected"), directory, lookup);
    } else if (volume.has("downwardAPI")) {
      JsonNode source = volume.get("downwardAPI");
      downwardApi(pod, source, source.path("defaultMode").asInt(0644), directory);
    } else {
      setMode(directory, 0777); // emptyDir (and the stand-ins for other sources)
    }
  }

  /**
   * A projected volume: the files of its {@code secret} and {@code configMap} sources (each named
   * by {@code name}, with {@code items} and {@code optional}), its {@code downwardAPI} items
   * ({@code fieldRef}s) and its {@code serviceAccountToken} (where {@link
   * Lookup#serviceAccountToken} issues one) in one directory, with the volume's {@code
   * defaultMode}; {@code clusterTrustBundle} and {@code podCertificate} sources add nothing.
   */
  private static void projected(ObjectNode pod, JsonNode volume, Path directory, Lookup lookup)
      throws ConfigError, IOException {
    String namespace = pod.path("metadata").path("namespace").asText("default");
    int defaultMode = volume.path("defaultMode").asInt(0644);
    for (JsonNode source : volume.path("sources")) {
      if (source.has("secret")) {
        JsonNode secretSource = source.get("secret");
        String name = secretSource.path("name").asText();
        Optional<ObjectNode> secret = lookup.secret(namespace, name);
        if (secret.isEmpty()) {
          if (secretSource.path("optional").asBoolean(false)) {
            continue;
          }
          throw new ConfigError("secret \"" + name + "\" not found");
        }
        writeFiles(
            secretSource,
            defaultMode,
            secretData(secret.get()),
            directory,
            "Secret " + namespace + "/" + name);
      } else if (source.has("configMap")) {
        JsonNode configMapSource = source.get("configMap");
        String name = configMapSource.path("name").asText();
        Optional<ObjectNode> configMap = lookup.configMap(namespace, name);
        if (configMap.isEmpty()) {
          if (configMapSource.path("optional").asBoolean(false)) {
            continue;
          }
          throw new ConfigError("configmap \"" + name + "\" not found");
        }
        writeFiles(
            configMapSource,
            defaultMode,
            configMapFiles(configMap.get()),
            directory,
            "ConfigMap " + namespace + "/" + name);
      } else if (source.has("downwardAPI")) {
        downwardApi(pod, source.get("downwardAPI"), defaultMode, directory);
      } else if (source.has("serviceAccountToken")) {
        JsonNode token = source.get("serviceAccountToken");
        Optional<String> issued =
            lookup.serviceAccountToken(
                pod,
                token.path("audience").asText(""),
                token.path("expirationSeconds").asLong(3600));
        if (issued.isPresent()) {
          write(
              directory,
              token.path("path").asText("token"),
              issued.get().getBytes(StandardCharsets.UTF_8),
              defaultMode);
        }
      }
    }
  }

  /** The {@code fieldRef} items of a downward API volume or projection. */
  private static void downwardApi(ObjectNode pod, JsonNode source, int defaultMode, Path directory)
      throws IOException {
    for (JsonNode item : source.path("items")) {
      if (!item.has("fieldRef")) {
        continue; // resourceFieldRef: no resources are accounted
      }
      String value = field(pod, item.get("fieldRef").path("fieldPath").asText());
      write(
          directory,
          item.path("path").asText(),
          value.getBytes(StandardCharsets.UTF_8),
          item.path("mode").asInt(defaultMode));
    }
  }

  private static void writeFiles(
      JsonNode source, Map<String, byte[]> data, Path directory, String what)
      throws ConfigError, IOException {
    writeFiles(source, source.path("defaultMode").asInt(0644), data, directory, what);
  }

  private static void writeFiles(
      JsonNode source, int defaultMode, Map<String, byte[]> data, Path directory, String what)
      throws ConfigError, IOException {
    boolean optional = source.path("optional").asBoolean(false);
    if (source.path("items").isArray() && !source.path("items").isEmpty()) {
      for (JsonNode item : source.get("items")) {
        String key = item.path("key").asText();
        byte[] bytes = data.get(key);
        if (bytes == null) {
          if (optional) {
            continue;
          }
          throw new ConfigError("couldn't find key " + key + " in " + what);
        }
        write(
            directory, item.path("path").asText(key), bytes, item.path("mode").asInt(defaultMode));
      }
      return;
    }
    for (Map.Entry<String, byte[]> entry : data.entrySet()) {
      write(directory, entry.getKey(), entry.getValue(), defaultMode);
    }
  }

  private static void write(Path directory, String relative, byte[] bytes, int mode)
      throws IOException {
    Path file = directory.resolve(relative).normalize();
    if (!file.startsWith(directory)) {
      throw new IOException("volume item path leaves the volume: " + relative);
    }
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    setMode(file, mode);
  }

  private static void setMode(Path path, int mode) throws IOException {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        permissions.add(order[bit]);
      }
    }
    Files.setPosixFilePermissions(path, permissions);
  }
}
