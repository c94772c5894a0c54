package cloud.krake.model;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The one-pass decoding into read-only trees ({@link ReadOnlyJson#module()}) against Jackson's own
 * tree followed by {@link ReadOnlyJson#freeze}, and the memoised store form against the tree walk.
 */
class ReadOnlyJsonTreesTest {

  /** A mapper as Jackson's own: mutable trees, no store form. */
  private static final ObjectMapper PLAIN = KrakeJson.mapper();

  private static final ObjectMapper ONE_PASS =
      KrakeJson.mapper().registerModule(ReadOnlyJson.module());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "[]",
        "{\"a\":{},\"b\":[],\"c\":[{}],\"d\":[[]]}",
        "[[],[[]],[[[1]]],{},[{}],[null]]",
        "{\"n\":null,\"l\":[null,null],\"o\":{\"x\":null}}",
        "{\"i\":1,\"neg\":-7,\"l\":12345678901,\"big\":123456789012345678901234567890}",
        "{\"d\":0.1,\"e\":1.5e300,\"z\":-0.0,\"p\":3.14159265358979323846264338327950288,"
            + "\"exp\":1E-7,\"huge\":1e400}",
        "{\"t\":true,\"f\":false}",
        "{\"u\":\"\\u00e9\\ud83d\\ude00 é 😀\",\"esc\":\"\\n\\t\\\"\\\\\\/\\u0001\",\"\":\"\"}",
        "{\"a\":1,\"b\":2,\"a\":3}",
        "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,"
            + "\"k9\":9,\"k10\":10,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,"
            + "\"k16\":16,\"k17\":17,\"k3\":\"again\",\"k17\":\"last\",\"k18\":18}",
        "{\"same\":\"web\",\"other\":[\"web\",\"web\"],\"nested\":{\"name\":\"web\"}}"
      })
  void decodesAsJacksonsTreeFrozenWouldWithTheSameNodeTypesAndKeyOrder(String json)
      throws IOException {
    JsonNode expected = ReadOnlyJson.freeze(PLAIN.readTree(json));

    JsonNode actual = ONE_PASS.readValue(json, JsonNode.class);

    assertSameTree(actual, expected, "");
    assertThat(actual).isEqualTo(expected);
    assertThat(PLAIN.writeValueAsString(actual)).isEqualTo(PLAIN.writeValueAsString(expected));
  }

  @Test
  void deepNestingDecodes() throws IOException {
    String json = "[".repeat(900) + "{\"x\":1}" + "]".repeat(900);

    JsonNode actual = ONE_PASS.readValue(json, JsonNode.class);

    assertSameTree(actual, ReadOnlyJson.freeze(PLAIN.readTree(json)), "");
  }

  @Test
  void equalStringsInOneDocumentAreOneNode() throws IOException {
    JsonNode tree =
        ONE_PASS.readValue("{\"a\":\"web\",\"b\":[\"web\"],\"c\":{\"d\":\"web\"}}", JsonNode.class);

    assertThat(tree.get("b").get(0)).isSameAs(tree.get("a"));
    assertThat(tree.get("c").get("d")).isSameAs(tree.get("a"));
  }

  @Test
  void theRecordsHoldTheOnePassTreesAndReadTheSameFromBytesAndText() {
    String json = Fixtures.APPLICATION;

    Application fromBytes = KrakeJson.read(json.getBytes(UTF_8), Application.class);
    Application fromText = KrakeJson.read(json, Application.class);

    assertThat(fromBytes).isEqualTo(fromText);
    assertThat(ReadOnlyJson.hasStoreFormMemo(fromBytes.spec().manifest().get(0))).isFalse();
    assertThat(ReadOnlyJson.isFrozen(fromBytes.spec().manifest().get(0))).isTrue();
    assertThat(ReadOnlyJson.isFrozen(fromText.spec().manifest().get(0))).isTrue();
  }

  @Test
  void aTreeAsTheWholeTypeIsStillAnOrdinaryMutableTree() {
    ObjectNode tree = KrakeJson.read("{\"a\":{\"b\":1}}".getBytes(UTF_8), ObjectNode.class);

    ((ObjectNode) tree.get("a")).put("c", 2);

    assertThat(ReadOnlyJson.isFrozen(tree)).isFalse();
    assertThat(tree.toString()).isEqualTo("{\"a\":{\"b\":1,\"c\":2}}");
  }

  @Test
  void aNonObjectWhereAnObjectIsExpectedNamesTheField() {
    String cluster =
        "{\"api\":\"kubernetes\",\"kind\":\"Cluster\",\"metadata\":{\"name\":\"c\"},"
            + "\"spec\":{\"kubeconfig\":[1]}}";

    assertThatThrownBy(() -> KrakeJson.read(cluster.getBytes(UTF_8), Cluster.class))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("spec.kubeconfig"));
  }

  @Test
  void aNullTreePropertyReadsAsTheEmptyObject() {
    String cluster =
        "{\"api\":\"kubernetes\",\"kind\":\"Cluster\",\"metadata\":{\"name\":\"c\"},"
            + "\"spec\":{\"kubeconfig\":null}}";

    Cluster read = KrakeJson.read(cluster.getBytes(UTF_8), Cluster.class);

    assertThat(read.spec().kubeconfig()).isEmpty();
  }

  @Test
  void aNullManifestEntryIsAnErrorNamingIt() {
    String app =
        Fixtures.APPLICATION.replaceFirst("\"manifest\"\\s*:\\s*\\[", "\"manifest\": [null,");

    assertThatThrownBy(() -> KrakeJson.read(app.getBytes(UTF_8), Application.class))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .anyMatch(f -> f.endsWith("manifest[0]")));
  }

  @Test
  void theStoreFormIsMemoisedAndWrittenAgainByteForByte() throws IOException {
    Application app = KrakeJson.read(Fixtures.APPLICATION.getBytes(UTF_8), Application.class);
    byte[] walked = PLAIN.writeValueAsBytes(app);

    byte[] first = KrakeJson.writeBytes(app);
    assertThat(ReadOnlyJson.hasStoreFormMemo(app.spec().manifest().get(0))).isFalse();
    byte[] second = KrakeJson.writeBytes(app);
    assertThat(ReadOnlyJson.hasStoreFormMemo(app.spec().manifest().get(0))).isTrue();
    byte[] third = KrakeJson.writeBytes(app);

    assertThat(new String(first, UTF_8)).isEqualTo(new String(walked, UTF_8));
    assertThat(new String(second, UTF_8)).isEqualTo(new String(walked, UTF_8));
    assertThat(third).isEqualTo(walked);
  }

  @Test
  void otherOutputsThanTheStoreFormWalkTheTreeEvenWithAMemo() throws IOException {
    Application app = KrakeJson.read(Fixtures.APPLICATION.getBytes(UTF_8), Application.class);
    KrakeJson.writeBytes(app);
    KrakeJson.writeBytes(app);
    assertThat(ReadOnlyJson.hasStoreFormMemo(app.spec().manifest().get(0))).isTrue();

    String pretty =
        KrakeJson.mapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(app);
    String prettyFromBytes =
        new String(
            KrakeJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(app), UTF_8);

    assertThat(pretty).contains("\n  \"spec\" : {");
    assertThat(prettyFromBytes).isEqualTo(pretty);
    assertThat(KrakeJson.write(app)).isEqualTo(new String(PLAIN.writeValueAsBytes(app), UTF_8));
    assertThat(KrakeJson.writeYaml(app)).contains("manifest:");
  }

  @Test
  void everyTestManifestAsAStoredApplicationWritesTheSameBytesAsTheTreeWalk() throws IOException {
    Application template = KrakeJson.read(Fixtures.APPLICATION, Application.class);
    List<Path> files;
    try (Stream<Path> list = Files.list(Fixtures.manifests())) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      List<ObjectNode> resources = KrakeJson.readAll(Files.readString(file), ObjectNode.class);
      Application app =
          template
              .withSpec(template.spec().withManifest(resources))
              .withStatus(
                  template
                      .status()
                      .withLastAppliedManifest(resources)
                      .withLastObservedManifest(resources));
      // as a stored one: decoded from the bytes the store holds
      Application stored = KrakeJson.read(PLAIN.writeValueAsBytes(app), Application.class);
      byte[] walked = PLAIN.writeValueAsBytes(stored);

      for (int i = 0; i < 3; i++) {
        assertThat(KrakeJson.writeBytes(stored)).as(file + " #" + i).isEqualTo(walked);
        assertThat(KrakeJson.writeBytes(app)).as(file + " #" + i).isEqualTo(walked);
      }
      assertThat(ReadOnlyJson.hasStoreFormMemo(stored.status().lastAppliedManifest().get(0)))
          .isTrue();
    }
  }

  /** Same classes at every level (frozen containers, same value node types), same key order. */
  private static void assertSameTree(JsonNode actual, JsonNode expected, String path) {
    assertThat(actual.getClass()).as(path).isEqualTo(expected.getClass());
    assertThat(ReadOnlyJson.isFrozen(actual)).as(path).isTrue();
    if (expected.isObject()) {
      List<String> actualNames = new ArrayList<>();
      actual.properties().forEach(e -> actualNames.add(e.getKey()));
      List<String> expectedNames = new ArrayList<>();
      expected.properties().forEach(e -> expectedNames.add(e.getKey()));
      assertThat(actualNames).as(path).isEqualTo(expectedNames);
      for (Map.Entry<String, JsonNode> e : expected.properties()) {
        assertSameTree(actual.get(e.getKey()), e.getValue(), path + "." + e.getKey());
      }
    } else if (expected.isArray()) {
      assertThat(actual.size()).as(path).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        assertSameTree(actual.get(i), expected.get(i), path + "[" + i + "]");
      }
    } else {
      assertThat(actual).as(path).isEqualTo(expected);
    }
  }
}
