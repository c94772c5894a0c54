package cloud.krake.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.model.Application;
import cloud.krake.model.Cloud;
import cloud.krake.model.Cluster;
import cloud.krake.model.GlobalCloud;
import cloud.krake.model.HookCredentials;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.MetricRef;
import cloud.krake.model.Resource;
import cloud.krake.model.ResourceRef;
import cloud.krake.scheduler.CloudInheritance;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Taking over a running Krake: the documents a Krake instance keeps in etcd (written by {@code
 * krake/generate.py} from Krake's field lists, in the shape of Krake's {@code serialize()}: every
 * field, enums by name, {@code +00:00} timestamps) are placed at Krake's keys and read through the
 * typed layers unchanged; written back, every field keeps its name and value.
 */
class KrakeTakeoverTest {

  private static final String NS = "system:admin";

  /**
   * The fields this library writes beyond Krake's model: Krake's API drops unknown fields when it
   * reads (marshmallow's EXCLUDE), so they do not disturb a Krake reading the same store.
   */
  private static final Set<String> LIBRARY_FIELDS = Set.of(".status.shutdown_attempts");

  private final MemoryStore store = MemoryStore.create();
  private final Krake krake = Krake.builder().store(store).build();
  private final List<JsonNode> documents = new ArrayList<>();

  @BeforeEach
  void placeKrakesDocuments() throws IOException {
    try (InputStream in =
        KrakeTakeoverTest.class.getResourceAsStream(
            "/cloud/krake/store/krake/krake-documents.json")) {
      for (String line : new String(in.readAllBytes(), UTF_8).split("\n")) {
        JsonNode document = KrakeJson.mapper().readTree(line);
        documents.add(document);
        store.create(keyOf(document), line.getBytes(UTF_8));
      }
    }
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Krake's etcd key of a document (krake/data/*.py's @persistent templates). */
  private static String keyOf(JsonNode document) {
    String name = document.path("metadata").path("name").asText();
    String namespace = document.path("metadata").path("namespace").asText();
    return switch (document.path("kind").asText()) {
      case "Application" -> "/kubernetes/applications/" + namespace + "/" + name;
      case "Cluster" -> "/kubernetes/clusters/" + namespace + "/" + name;
      case "Cloud" -> "/infrastructure/clouds/" + namespace + "/" + name;
      case "GlobalCloud" -> "/infrastructure/globalclouds/" + name;
      default -> throw new AssertionError(document.path("kind").asText());
    };
  }

  @Test
  void readsEveryKrakeDocumentThroughTheTypedLayers() {
    Application app = krake.applications().require(NS, "echo");
    Cluster cluster = krake.clusters().require(NS, "my-cluster");
    Cloud cloud = krake.clouds().require(NS, "os-cloud-1");
    GlobalCloud global = krake.globalClouds().require("", "os-global");

    HookCredentials complete = app.status().credentials(HookCredentials.COMPLETE);
    assertThat(complete.token()).contains("krake-complete-token");
    assertThat(complete.cert().orElseThrow()).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(complete.key().orElseThrow()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(app.status().credentials(HookCredentials.SHUTDOWN).token())
        .contains("krake-shutdown-token");
    assertThat(app.spec().hooks()).containsExactly("complete", "shutdown");

    ResourceRef cloudRef = ResourceRef.of(Cloud.API, NS, Cloud.KIND, "os-cloud-1");
    assertThat(cluster.status().scheduledTo()).contains(cloudRef);
    assertThat(cluster.status().runningOn()).contains(cloudRef);
    assertThat(cluster.metadata().owners()).containsExactly(cloudRef);
    assertThat(cluster.metadata().inheritLabels()).isTrue();
    assertThat(cluster.spec().inheritMetrics()).isTrue();

    assertThat(cloud.spec().metrics())
        .containsExactly(
            MetricRef.global("electricity_cost_1", 1.0),
            MetricRef.global("green_energy_ratio_1", 10.0));
    assertThat(cloud.spec().openstack().orElseThrow().toString())
        .doesNotContain("openstack-secret");
    assertThat(global.metadata().namespace()).isEmpty();
    for (Resource<?> resource : List.of(app, cluster, cloud, global)) {
      assertThat(resource.validate()).as(resource.metadata().name()).isEmpty();
    }
  }

  @Test
  void writesEveryFieldBackUnderKrakesNameWithItsValue() {
    for (JsonNode original : documents) {
      Resource<?> read = KrakeJson.readResource(original.toString());
      JsonNode written = KrakeJson.mapper().valueToTree(read);

      List<String> differences = new ArrayList<>();
      compare("", original, written, differences);
      assertThat(differences).as(original.path("kind").asText()).isEmpty();
    }
  }

  @Test
  void theTakenOverClusterInheritsFromItsCloud() {
    Cluster effective =
        new CloudInheritance(krake).effective(krake.clusters().require(NS, "my-cluster"));

    assertThat(effective.metadata().labels()).isEqualTo(Map.of("location", "DE"));
    assertThat(effective.spec().metrics())
        .containsExactly(
            MetricRef.global("electricity_cost_1", 1.0),
            MetricRef.global("green_energy_ratio_1", 10.0));
  }

  /**
   * Collects the paths where {@code written} differs from Krake's {@code original}: a missing or an
   * extra member, another value. Timestamps compare as instants ({@code +00:00} and {@code Z} are
   * the same time), numbers by value ({@code 1} and {@code 1.0}).
   */
  private static void compare(String path, JsonNode original, JsonNode written, List<String> out) {
    if (original.isObject() && written.isObject()) {
      for (Map.Entry<String, JsonNode> field : original.properties()) {
        JsonNode other = written.get(field.getKey());
        if (other == null) {
          out.add(path + "." + field.getKey() + " missing");
        } else {
          compare(path + "." + field.getKey(), field.getValue(), other, out);
        }
      }
      for (Map.Entry<String, JsonNode> property : written.properties()) {
        String name = property.getKey();
        if (!original.has(name) && !LIBRARY_FIELDS.contains(path + "." + name)) {
          out.add(path + "." + name + " added");
        }
      }
    } else if (original.isArray() && written.isArray() && original.size() == written.size()) {
      for (int i = 0; i < original.size(); i++) {
        compare(path + "[" + i + "]", original.get(i), written.get(i), out);
      }
    } else if (original.isNumber() && written.isNumber()) {
      if (original.decimalValue().compareTo(written.decimalValue()) != 0) {
        out.add(path + ": " + original + " became " + written);
      }
    } else if (original.isTextual() && written.isTextual()) {
      Optional<OffsetDateTime> a = time(original.asText());
      Optional<OffsetDateTime> b = time(written.asText());
      boolean same =
          a.isPresent() && b.isPresent()
              ? a.get().toInstant().equals(b.get().toInstant())
              : original.asText().equals(written.asText());
      if (!same) {
        out.add(path + ": " + original + " became " + written);
      }
    } else if (!original.equals(written)) {
      out.add(path + ": " + original + " became " + written);
    }
  }

  private static Optional<OffsetDateTime> time(String text) {
    try {
      return Optional.of(OffsetDateTime.parse(text));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
