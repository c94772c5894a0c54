package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ObserverSchemasTest {

  private static List<ObjectNode> manifest(String file) {
    return KrakeJson.readAll(Fixtures.manifest(file), ObjectNode.class);
  }

  private static ObjectNode json(String json) {
    return KrakeJson.read(json, ObjectNode.class);
  }

  @Test
  void defaultSchemaOfTheEchoManifestEqualsTheStandardSchema() {
    List<ObjectNode> resources = manifest("echo.yaml");
    List<ObjectNode> standard = manifest("echo-observer-schema-standard.yaml");

    for (int i = 0; i < resources.size(); i++) {
      ObjectNode expected = standard.get(i).deepCopy();
      // The standard schema observes metadata.namespace, as Krake's schema of a namespaced copy
      ((ObjectNode) expected.get("metadata")).remove("namespace");
      assertThat(ObserverSchemas.defaultSchema(resources.get(i))).isEqualTo(expected);
    }
  }

  @Test
  void defaultSchemasOfEveryTestManifestPassTheObserverSchemaValidation() {
    for (String file :
        List.of(
            "echo.yaml",
            "echo-update.yaml",
            "complete-job.yaml",
            "shutdown-statefulset.yaml",
            "pvc-pod.yaml")) {
      List<ObjectNode> resources = manifest(file);
      List<ObjectNode> schemas = new ArrayList<>();
      resources.forEach(r -> schemas.add(ObserverSchemas.defaultSchema(r)));

      assertThat(Manifests.validateObserverSchema("observer_schema", schemas, resources))
          .as(file)
          .isEmpty();
    }
  }

  @Test
  void keepsTheNamespaceOfANamespacedResource() {
    ObjectNode deployment = manifest("echo-namespaced.yaml").get(0);

    ObjectNode schema = ObserverSchemas.defaultSchema(deployment);

    assertThat(schema.at("/metadata/namespace").asText()).isEqualTo("secondary");
    assertThat(schema.at("/metadata/name").asText()).isEqualTo("echo-demo");
  }

  @Test
  void nullsScalarsAndEndsEveryListWithItsActualLength() {
    ObjectNode resource =
        json(
            """
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "p", "labels": {"a": "b"}},
             "spec": {"containers": [{"name": "c", "args": ["x", 1, true], "env": []}],
                      "matrix": [[1, 2], []], "replicas": 3, "nothing": null}}
            """);

    ObjectNode schema = ObserverSchemas.defaultSchema(resource);

    assertThat(schema)
        .isEqualTo(
            json(
                """
                {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "p", "labels": {"a": null}},
                 "spec": {
                   "containers": [
                     {"name": null,
                      "args": [null, null, null,
                        {"observer_schema_list_min_length": 3,
                         "observer_schema_list_max_length": 3}],
                      "env": [{"observer_schema_list_min_length": 0,
                               "observer_schema_list_max_length": 0}]},
                     {"observer_schema_list_min_length": 1, "observer_schema_list_max_length": 1}],
                   "matrix": [
                     [null, null,
                      {"observer_schema_list_min_length": 2, "observer_schema_list_max_length": 2}],
                     [{"observer_schema_list_min_length": 0, "observer_schema_list_max_length": 0}],
                     {"observer_schema_list_min_length": 2, "observer_schema_list_max_length": 2}],
                   "replicas": null, "nothing": null}}
                """));
  }

  @Test
  void keepsTheKeyOrderOfTheResource() {
    ObjectNode resource =
        json(
            "{\"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\"}, \"data\": {\"z\": \"1\","
                + " \"a\": \"2\"}, \"apiVersion\": \"v1\"}");

    ObjectNode schema = ObserverSchemas.defaultSchema(resource);

    assertThat(KrakeJson.write(schema))
        .isEqualTo(
            "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":{\"z\":null,"
                + "\"a\":null},\"apiVersion\":\"v1\"}");
  }

  @Test
  void observesTheIngressOfALoadBalancerService() {
    ObjectNode service =
        json(
            """
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb"},
             "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]},
             "status": {"something": "else"}}
            """);

    ObjectNode schema = ObserverSchemas.defaultSchema(service);

    assertThat(schema.get("status")).isEqualTo(json("{\"load_balancer\": {\"ingress\": null}}"));
    assertThat(schema.at("/spec/type").isNull()).isTrue();
  }

  @Test
  void doesNotObserveTheIngressOfANodePortService() {
    ObjectNode service = manifest("echo.yaml").get(1);

    assertThat(ObserverSchemas.defaultSchema(service).has("status")).isFalse();
  }

  @Test
  void leavesTheResourceUnchanged() {
    ObjectNode deployment = manifest("complete-job.yaml").get(0);
    ObjectNode before = deployment.deepCopy();

    ObserverSchemas.defaultSchema(deployment);

    assertThat(deployment).isEqualTo(before);
  }

  @Test
  void rejectsAResourceWithoutName() {
    ObjectNode resource = json("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {}}");

    assertThatThrownBy(() -> ObserverSchemas.defaultSchema(resource))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("metadata.name");
  }

  @Test
  void findsTheSchemaOfTheSameNamespaceBeforeANamespaceLessOne() {
    ObjectNode inSecondary =
        json(
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\",\"namespace\":\"secondary\"}}");
    ObjectNode withoutNamespace =
        json("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}");
    List<JsonNode> schemas =
        List.of(
            ObserverSchemas.defaultSchema(withoutNamespace),
            ObserverSchemas.defaultSchema(inSecondary));

    assertThat(ObserverSchemas.indexOf(schemas, inSecondary)).hasValue(1);
    assertThat(ObserverSchemas.indexOf(schemas, withoutNamespace)).hasValue(0);
    assertThat(ObserverSchemas.find(schemas, inSecondary)).containsSame(schemas.get(1));
  }

  @Test
  void aUserSchemaWithoutNamespaceMatchesTheResourceInAnyNamespace() {
    List<ObjectNode> schemas = manifest("echo-observer-schema-custom.yaml");
    ObjectNode namespaced = manifest("echo-namespaced.yaml").get(1);

    assertThat(ObserverSchemas.indexOf(schemas, namespaced)).hasValue(1);
    assertThat(ObserverSchemas.matches(schemas.get(1), namespaced)).isTrue();
    assertThat(ObserverSchemas.sameIdentity(schemas.get(1), namespaced)).isFalse();
  }

  @Test
  void findsNothingForAnotherKindApiVersionOrName() {
    List<ObjectNode> schemas = manifest("echo-observer-schema-standard.yaml");

    assertThat(
            ObserverSchemas.indexOf(
                schemas,
                json(
                    "{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":\"echo-demo\"}}")))
        .isEmpty();
    assertThat(
            ObserverSchemas.indexOf(
                schemas,
                json(
                    "{\"apiVersion\":\"apps/v1beta1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"echo-demo\"}}")))
        .isEmpty();
    assertThat(
            ObserverSchemas.find(
                schemas,
                json(
                    "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"other\"}}")))
        .isEmpty();
  }

  @Test
  void theEffectiveSchemaKeepsUserSchemasAndAddsDefaultsForTheOtherResources() {
    List<ObjectNode> resources = manifest("echo.yaml");
    List<ObjectNode> custom = manifest("echo-observer-schema-custom.yaml");

    assertThat(ObserverSchemas.effectiveSchema(resources, custom)).isEqualTo(custom);
    assertThat(ObserverSchemas.effectiveSchema(resources, custom.subList(1, 2)))
        .containsExactly(custom.get(1), ObserverSchemas.defaultSchema(resources.get(0)));
    assertThat(ObserverSchemas.effectiveSchema(resources, List.of()))
        .containsExactly(
            ObserverSchemas.defaultSchema(resources.get(0)),
            ObserverSchemas.defaultSchema(resources.get(1)));
  }

  @Test
  void theEffectiveSchemaHasOneDefaultPerNamespaceOfASameNamedResource() {
    ObjectNode inSecondary =
        json(
            "{\"apiVersion\":\"v1\",\"kind\":\"Secret\","
                + "\"metadata\":{\"name\":\"s\",\"namespace\":\"secondary\"}}");
    ObjectNode withoutNamespace =
        json("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}");

    assertThat(ObserverSchemas.effectiveSchema(List.of(withoutNamespace, inSecondary), List.of()))
        .hasSize(2);
  }

  @Test
  void recognisesListControlDictionaries() {
    assertThat(ObserverSchemas.isListControl(ObserverSchemas.listControl(1, 0))).isTrue();
    assertThat(ObserverSchemas.isListControl(json("{\"observer_schema_list_min_length\": 1}")))
        .isFalse();
    assertThatThrownBy(() -> ObserverSchemas.listControl(-1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
