package cloud.krake.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The project's test manifests, Krake's samples (conformance only) and small manifests. */
final class Manifests {

  private static final YAMLMapper YAML = new YAMLMapper();

  private Manifests() {}

  /** The directory of the project's own test manifests on the test classpath. */
  static Path samples() {
    return Path.of(URI.create(Manifests.class.getResource("/manifests/echo.yaml").toString()))
        .getParent();
  }

  /**
   * Krake's sample directory, given by the {@code krake-samples} Maven profile as the system
   * property {@code krake.samples.dir}; only the {@code *SamplesConformance*} classes read it.
   */
  static Path krakeSamples() {
    String dir = System.getProperty("krake.samples.dir");
    if (dir == null || dir.isBlank()) {
      throw new IllegalStateException(
          "krake.samples.dir is not set: the conformance tests run in the krake-samples profile");
    }
    return Path.of(dir);
  }

  /**
   * Returns every Kubernetes manifest of {@code dir}: the files whose documents have {@code
   * apiVersion} and {@code kind}, without the observer schemas.
   */
  static List<Path> kubernetesManifests(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith(".yaml"))
          .filter(p -> !p.getFileName().toString().contains("observer"))
          .filter(p -> read(p).stream().allMatch(d -> d.has("apiVersion") && d.has("kind")))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads every document of a YAML file. */
  static List<ObjectNode> read(Path file) {
    try (MappingIterator<JsonNode> docs =
        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
      List<ObjectNode> result = new ArrayList<>();
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc instanceof ObjectNode object) {
          result.add(object);
        }
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a test manifest by file name. */
  static List<ObjectNode> sample(String name) {
    return read(samples().resolve(name));
  }

  /** Parses one YAML document. */
  static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) YAML.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode configMap(String name, String value) {
    return yaml(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "
            + name
            + "\n  labels:\n    test: krake\ndata:\n  key: \""
            + value
            + "\"\n");
  }

  static ObjectNode crontabDefinition() {
    return yaml(
        """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: crontabs.stable.example.com
        spec:
          group: stable.example.com
          scope: Namespaced
          names:
            plural: crontabs
            singular: crontab
            kind: CronTab
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                x-kubernetes-preserve-unknown-fields: true
        """);
  }

  static ObjectNode crontab(String name) {
    return yaml(
        "apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata:\n  name: "
            + name
            + "\nspec:\n  cronSpec: \"* * * * */5\"\n  image: my-cron-image\n");
  }

  static String name(ObjectNode object) {
    return object.path("metadata").path("name").asText();
  }

  static String namespace(ObjectNode object) {
    return object.path("metadata").path("namespace").asText();
  }
}
