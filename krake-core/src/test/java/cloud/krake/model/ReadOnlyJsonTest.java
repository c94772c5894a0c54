package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ReadOnlyJsonTest {

  private static final String DOC =
      "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},"
          + "\"spec\":{\"replicas\":2,\"ports\":[{\"port\":80},{\"port\":443}],\"tags\":[\"a\"]}}";

  @Test
  void accessorsReturnTheSameReadOnlyTreeOnEveryCall() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);

    assertThat(app.spec().manifest().get(0)).isSameAs(app.spec().manifest().get(0));
    assertThat(app.spec().observerSchema()).isSameAs(app.spec().observerSchema());
    assertThat(app.spec().lifecycle()).isSameAs(app.spec().lifecycle());
    assertThat(app.spec().executionHooks()).isSameAs(app.spec().executionHooks());
    assertThat(app.spec().tosca()).isSameAs(app.spec().tosca());
    assertThat(app.status().lastAppliedManifest().get(0))
        .isSameAs(app.status().lastAppliedManifest().get(0));
    assertThat(app.status().lastObservedManifest()).isSameAs(app.status().lastObservedManifest());
    assertThat(app.status().mangledObserverSchema()).isSameAs(app.status().mangledObserverSchema());
    assertThat(ReadOnlyJson.isFrozen(app.spec().manifest().get(0))).isTrue();
    assertThat(ReadOnlyJson.isFrozen(app.status().lastAppliedManifest().get(0))).isTrue();

    Cluster cluster = KrakeJson.read(Fixtures.CLUSTER, Cluster.class);
    assertThat(cluster.spec().kubeconfig()).isSameAs(cluster.spec().kubeconfig());
    assertThat(ReadOnlyJson.isFrozen(cluster.spec().kubeconfig())).isTrue();
    assertThat(cluster.status().lastAppliedTosca()).isSameAs(cluster.status().lastAppliedTosca());
    assertThat(cluster.status().nodes()).isSameAs(cluster.status().nodes());
  }

  @Test
  void everyMutatorAtEveryLevelThrows() {
    ObjectNode frozen = ReadOnlyJson.freeze(KrakeJson.read(DOC, ObjectNode.class));
    ObjectNode metadata = (ObjectNode) frozen.get("metadata");
    ArrayNode ports = (ArrayNode) frozen.get("spec").get("ports");

    List<Consumer<JsonNode>> mutators =
        List.of(
            n -> ((ObjectNode) n).put("x", 1),
            n -> ((ObjectNode) n).set("x", null),
            n -> ((ObjectNode) n).remove("kind"),
            n -> ((ObjectNode) n).removeAll(),
            n -> ((ObjectNode) n).putObject("x"),
            n -> ((ObjectNode) n).withObject("/x"),
            n -> ((ObjectNode) n).setAll(Map.of("x", n)),
            n -> ((ObjectNode) n).retain("kind"),
            n -> ((ObjectNode) n).properties().clear());
    for (Consumer<JsonNode> mutator : mutators) {
      assertThatThrownBy(() -> mutator.accept(frozen))
          .isInstanceOf(UnsupportedOperationException.class);
      assertThatThrownBy(() -> mutator.accept(metadata))
          .isInstanceOf(UnsupportedOperationException.class);
    }
    assertThatThrownBy(() -> ports.add(1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ports.remove(0)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ports.set(0, 1)).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> ((ObjectNode) ports.get(0)).put("port", 8080))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(frozen).isEqualTo(KrakeJson.read(DOC, ObjectNode.class));
  }

  @Test
  void aFrozenTreeEqualsAndWritesAsItsSourceAndDeepCopyGivesAMutableTree() {
    ObjectNode source = KrakeJson.read(DOC, ObjectNode.class);
    ObjectNode frozen = ReadOnlyJson.freeze(source);

    assertThat(frozen).isEqualTo(source);
    assertThat(source).isEqualTo(frozen);
    assertThat(frozen.hashCode()).isEqualTo(source.hashCode());
    assertThat(frozen.toString()).isEqualTo(source.toString());

    ObjectNode copy = frozen.deepCopy();
    copy.put("kind", "StatefulSet");
    ((ObjectNode) copy.get("metadata")).put("name", "db");
    ((ArrayNode) copy.get("spec").get("ports")).add(8080);
    assertThat(ReadOnlyJson.isFrozen(copy)).isFalse();
    assertThat(frozen.path("kind").asText()).isEqualTo("Deployment");
    assertThat(frozen.get("spec").get("ports")).hasSize(2);
  }

  @Test
  void aFrozenTreeWritesAsItsSourceUnderEveryOutputConfiguration() throws Exception {
    String doc =
        "{\"z\":1,\"a\":{\"n\":null,\"e\":[],\"s\":\"t\\n\\u0001\\u00e9\"},"
            + "\"m\":[{\"y\":true,\"b\":2.5,\"x\":{}},null,[]],\"big\":12345678901234}";
    ObjectNode source = KrakeJson.read(doc, ObjectNode.class);
    ObjectNode frozen = ReadOnlyJson.freeze(source);
    List<ObjectMapper> mappers =
        List.of(
            KrakeJson.mapper(),
            KrakeJson.mapper().enable(SerializationFeature.INDENT_OUTPUT),
            KrakeJson.mapper().configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true),
            KrakeJson.mapper().configure(JsonNodeFeature.WRITE_NULL_PROPERTIES, false),
            KrakeJson.mapper().disable(SerializationFeature.WRITE_EMPTY_JSON_ARRAYS));

    for (ObjectMapper mapper : mappers) {
      assertThat(mapper.writeValueAsString(frozen)).isEqualTo(mapper.writeValueAsString(source));
    }
    // the store form: twice, as the second write makes the memo, and a third from the memo
    for (int i = 0; i < 3; i++) {
      assertThat(KrakeJson.writeBytes(frozen)).isEqualTo(KrakeJson.writeBytes(source));
    }
    assertThat(
            KrakeJson.mapper()
                .configure(JsonNodeFeature.WRITE_PROPERTIES_SORTED, true)
                .writeValueAsString(frozen))
        .startsWith("{\"a\":{\"e\":[],\"n\":null");
    assertThat(
            KrakeJson.mapper()
                .configure(JsonNodeFeature.WRITE_NULL_PROPERTIES, false)
                .writeValueAsString(frozen))
        .doesNotContain("\"n\"");
  }

  @Test
  void freezingCopiesOnceAndSharesWhatIsFrozenAlready() {
    ObjectNode source = KrakeJson.read(DOC, ObjectNode.class);
    ObjectNode frozen = ReadOnlyJson.freeze(source);

    source.put("kind", "Changed");

    assertThat(frozen.path("kind").asText()).isEqualTo("Deployment");
    assertThat(ReadOnlyJson.freeze(frozen)).isSameAs(frozen);
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);
    Application copy = app.withSpec(app.spec().withBackoff(3, 2, 5));
    assertThat(copy.spec().manifest().get(0)).isSameAs(app.spec().manifest().get(0));
    assertThat(copy.status().lastAppliedManifest().get(0))
        .isSameAs(app.status().lastAppliedManifest().get(0));
  }

  @Test
  void equalTextValuesInOneTreeAreShared() {
    ObjectNode frozen = ReadOnlyJson.freeze(KrakeJson.read(DOC, ObjectNode.class));

    assertThat(frozen.get("metadata").get("labels").get("app"))
        .isSameAs(frozen.get("metadata").get("name"));
  }
}
