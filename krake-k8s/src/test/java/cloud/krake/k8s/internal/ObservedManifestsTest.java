package cloud.krake.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.KrakeJson;
import cloud.krake.model.ObserverSchemas;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Projection, filling and delta through observer schemas, as Krake's controller computes them. */
class ObservedManifestsTest {

  private static ObjectNode json(String yaml) {
    return KrakeJson.read(yaml, ObjectNode.class);
  }

  private static final ObjectNode DEPLOYMENT =
      json(
          """
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: echo}
          spec:
            replicas: 2
            template:
              spec:
                containers:
                - {name: echo, image: "echo:1"}
          """);

  private static final ObjectNode SCHEMA = ObserverSchemas.defaultSchema(DEPLOYMENT);

  private static ObjectNode server(int replicas, String image) {
    return json(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: echo, namespace: default, uid: u-1, resourceVersion: "7"}
        spec:
          replicas: %d
          template:
            spec:
              containers:
              - {name: echo, image: "%s", imagePullPolicy: IfNotPresent}
        status: {readyReplicas: 2}
        """
            .formatted(replicas, image));
  }

  @Test
  void projectionKeepsTheObservedFieldsAndRecordsListLengths() {
    ObjectNode projected = ObservedManifests.project(SCHEMA, server(2, "echo:1"));

    assertThat(projected.path("metadata").has("uid")).isFalse();
    assertThat(projected.path("status").isMissingNode()).isTrue();
    assertThat(projected.at("/spec/template/spec/containers/0/imagePullPolicy").isMissingNode())
        .isTrue();
    assertThat(
            projected
                .at("/spec/template/spec/containers/1/" + ObserverSchemas.LIST_CURRENT_LENGTH)
                .asInt())
        .isEqualTo(1);
  }

  @Test
  void anUnchangedResourceHasNoDelta() {
    ObjectNode observed = ObservedManifests.project(SCHEMA, server(2, "echo:1"));

    assertThat(
            ObservedManifests.delta(List.of(DEPLOYMENT), List.of(observed), List.of(SCHEMA))
                .isEmpty())
        .isTrue();
  }

  @Test
  void driftOfAnObservedFieldIsAModification() {
    ObjectNode observed = ObservedManifests.project(SCHEMA, server(5, "echo:1"));

    ObservedManifests.Delta delta =
        ObservedManifests.delta(List.of(DEPLOYMENT), List.of(observed), List.of(SCHEMA));

    assertThat(delta.modified()).containsExactly(DEPLOYMENT);
    assertThat(delta.created()).isEmpty();
  }

  @Test
  void aMissingResourceIsCreatedAndAnUndesiredOneDeleted() {
    ObjectNode service =
        json("{apiVersion: v1, kind: Service, metadata: {name: old}, spec: {type: NodePort}}");

    ObservedManifests.Delta delta =
        ObservedManifests.delta(List.of(DEPLOYMENT), List.of(service), List.of(SCHEMA));

    assertThat(delta.created()).containsExactly(DEPLOYMENT);
    assertThat(delta.deleted()).containsExactly(service);
  }

  @Test
  void aListLongerThanItsMaximumIsAModificationUnlessTheMaximumIsZero() {
    ObjectNode twoContainers = server(2, "echo:1");
    twoContainers
        .withArray("/spec/template/spec/containers")
        .addObject()
        .put("name", "sidecar")
        .put("image", "side:1");
    ObjectNode observed = ObservedManifests.project(SCHEMA, twoContainers);

    assertThat(
            ObservedManifests.delta(List.of(DEPLOYMENT), List.of(observed), List.of(SCHEMA))
                .modified())
        .containsExactly(DEPLOYMENT);

    ObjectNode unlimited = SCHEMA.deepCopy();
    ObjectNode control = (ObjectNode) unlimited.at("/spec/template/spec/containers").get(1);
    control.put(ObserverSchemas.LIST_MAX_LENGTH, 0);
    ObjectNode observedUnlimited = ObservedManifests.project(unlimited, twoContainers);

    assertThat(
            ObservedManifests.delta(
                    List.of(DEPLOYMENT), List.of(observedUnlimited), List.of(unlimited))
                .isEmpty())
        .isTrue();
  }

  @Test
  void aFieldMissingOnTheServerIsAModification() {
    ObjectNode stripped = server(2, "echo:1");
    ((ObjectNode) stripped.get("spec")).remove("replicas");
    ObjectNode observed = ObservedManifests.project(SCHEMA, stripped);

    assertThat(
            ObservedManifests.delta(List.of(DEPLOYMENT), List.of(observed), List.of(SCHEMA))
                .modified())
        .containsExactly(DEPLOYMENT);
  }

  private static final ObjectNode LOAD_BALANCER =
      json(
          """
          apiVersion: v1
          kind: Service
          metadata: {name: web}
          spec: {type: LoadBalancer, ports: [{port: 80}]}
          """);

  private static ObjectNode loadBalancerOnServer(String ip) {
    return json(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default, uid: u-2}
        spec: {type: LoadBalancer, clusterIP: 10.0.0.9, ports: [{port: 80, nodePort: 30080}]}
        status: {loadBalancer: {ingress: [{ip: "%s", ipMode: VIP}]}}
        """
            .formatted(ip));
  }

  @Test
  void krakesSnakeCaseLoadBalancerSchemaObservesTheCamelCaseIngress() {
    ObjectNode schema = ObserverSchemas.defaultSchema(LOAD_BALANCER);

    ObjectNode observed = ObservedManifests.project(schema, loadBalancerOnServer("203.0.113.7"));

    assertThat(schema.at("/status/load_balancer").has("ingress")).isTrue();
    assertThat(observed.at("/status/load_balancer/ingress/0/ip").asText()).isEqualTo("203.0.113.7");
    assertThat(observed.at("/status").size()).isEqualTo(1);
  }

  @Test
  void snakeCaseSchemaKeysMatchTheApiServersNamesAsKrakeMatchesItsClientsNames() {
    ObjectNode schema =
        json(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {cluster_ip: null, ports: [{node_port: null}, {observer_schema_list_min_length: 1,
              observer_schema_list_max_length: 1}]}
            """);

    ObjectNode observed = ObservedManifests.project(schema, loadBalancerOnServer("203.0.113.7"));

    assertThat(observed.at("/spec/cluster_ip").asText()).isEqualTo("10.0.0.9");
    assertThat(observed.at("/spec/ports/0/node_port").asInt()).isEqualTo(30080);
  }

  @Test
  void theFilledIngressKeepsTheApiServersNameAndCausesNoModification() {
    ObjectNode schema = ObserverSchemas.defaultSchema(LOAD_BALANCER);
    ObjectNode response = loadBalancerOnServer("203.0.113.7");

    ObjectNode applied = ObservedManifests.fill(schema, LOAD_BALANCER, response);
    ObjectNode observed = ObservedManifests.project(schema, response);

    assertThat(applied.at("/status/loadBalancer/ingress/0/ip").asText()).isEqualTo("203.0.113.7");
    assertThat(applied.at("/status").has("load_balancer")).isFalse();
    assertThat(
            ObservedManifests.delta(List.of(applied), List.of(observed), List.of(schema)).isEmpty())
        .isTrue();
  }

  @Test
  void aChangedLoadBalancerAddressIsObservedButNotAModification() {
    ObjectNode schema = ObserverSchemas.defaultSchema(LOAD_BALANCER);
    ObjectNode applied =
        ObservedManifests.fill(schema, LOAD_BALANCER, loadBalancerOnServer("203.0.113.7"));

    ObjectNode observed = ObservedManifests.project(schema, loadBalancerOnServer("198.51.100.2"));

    assertThat(
            ObservedManifests.delta(List.of(applied), List.of(observed), List.of(schema)).isEmpty())
        .as("applying cannot change a status")
        .isTrue();
  }

  @Test
  void fillTakesObservedFieldsTheManifestLacksWithoutOverwriting() {
    ObjectNode service =
        json(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: echo}
            spec: {type: NodePort, ports: [{port: 8080}]}
            """);
    ObjectNode schema =
        json(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: echo}
            spec:
              type: null
              clusterIP: null
              ports:
              - {port: null, nodePort: null}
              - {observer_schema_list_min_length: 1, observer_schema_list_max_length: 1}
            """);
    ObjectNode response =
        json(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: echo, namespace: default}
            spec: {type: ClusterIP, clusterIP: 10.0.0.7, ports: [{port: 8080, nodePort: 31000}]}
            """);

    ObjectNode filled = ObservedManifests.fill(schema, service, response);

    assertThat(filled.at("/spec/clusterIP").asText()).isEqualTo("10.0.0.7");
    assertThat(filled.at("/spec/ports/0/nodePort").asInt()).isEqualTo(31000);
    assertThat(filled.at("/spec/type").asText()).isEqualTo("NodePort");
    assertThat(service.at("/spec/clusterIP").isMissingNode()).isTrue();
  }
}
