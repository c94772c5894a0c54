package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class KrakeJsonTest {

  private static List<FieldError> errorsOf(ThrowingCallable call) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(thrown).isInstanceOf(InvalidResourceException.class);
    return ((InvalidResourceException) thrown).errors();
  }

  @Test
  void readsKrakeApplicationWithAllFields() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);

    assertThat(app.metadata().name()).isEqualTo("echo-demo");
    assertThat(app.metadata().namespace()).contains("testing");
    assertThat(app.metadata().created()).contains(Instant.parse("2024-03-01T10:15:30.123456Z"));
    assertThat(app.metadata().deleted()).isEmpty();
    assertThat(app.spec().manifest()).hasSize(2);
    assertThat(app.spec().constraints().orElseThrow().migration()).isFalse();
    assertThat(app.spec().constraints().orElseThrow().cluster().labels())
        .containsExactly(
            LabelConstraint.parse("location is DE"), LabelConstraint.parse("zone in (a, b)"));
    assertThat(app.spec().backoffDelay()).isZero();
    assertThat(app.spec().shutdownGraceTime()).contains(45);
    assertThat(app.status().state()).isEqualTo(ApplicationState.RUNNING);
    assertThat(app.status().reason())
        .contains(Reason.of(ReasonCode.NO_SUITABLE_RESOURCE, "no cluster"));
    assertThat(app.status().containerHealth()).isEqualTo(new ContainerHealth(2, 1, 0, 1));
    assertThat(app.status().scheduledTo())
        .contains(ResourceRef.of("kubernetes", "testing", "Cluster", "c1"));
    assertThat(app.status().shutdownGracePeriod()).contains(Instant.parse("2024-03-01T08:20:00Z"));
    assertThat(app.status().migrationTimeout()).isEqualTo(1709288130L);
    assertThat(app.validate()).isEmpty();
  }

  @Test
  void readsAbsentShutdownAttemptsAsZeroAndWritesThemInKrakesFieldStyle() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);
    assertThat(app.status().shutdownAttempts()).isZero();

    Application inProgress = app.withStatus(app.status().withShutdownAttempts(2));
    String json = KrakeJson.write(inProgress);

    assertThat(json).contains("\"shutdown_attempts\":2");
    assertThat(KrakeJson.read(json, Application.class).status().shutdownAttempts()).isEqualTo(2);
  }

  @Test
  void rejectsNegativeShutdownAttemptsNamingTheField() {
    String json =
        KrakeJson.write(KrakeJson.read(Fixtures.APPLICATION, Application.class))
            .replace("\"shutdown_attempts\":0", "\"shutdown_attempts\":-1");

    assertThatThrownBy(() -> KrakeJson.read(json, Application.class))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("shutdown_attempts");
  }

  @Test
  void roundTripsApplicationThroughJson() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);

    Application back = KrakeJson.read(KrakeJson.writeBytes(app), Application.class);

    assertThat(back).isEqualTo(app);
    assertThat(KrakeJson.read(KrakeJson.writeYaml(app), Application.class)).isEqualTo(app);
  }

  @Test
  void roundTripsClusterAndMetricsThroughJson() {
    Cluster cluster = KrakeJson.read(Fixtures.CLUSTER, Cluster.class);
    List<Resource<?>> metrics =
        KrakeJson.readAllResources(Fixtures.manifest("prometheus-metrics.yaml"));

    assertThat(KrakeJson.read(KrakeJson.write(cluster), Cluster.class)).isEqualTo(cluster);
    for (Resource<?> metric : metrics) {
      assertThat(KrakeJson.read(KrakeJson.write(metric), metric.getClass())).isEqualTo(metric);
    }
  }

  @Test
  void writesSnakeCaseNamesEnumNamesAndIsoTimestamps() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);

    String json = KrakeJson.write(app);

    assertThat(json)
        .contains("\"scheduled_to\":{")
        .contains("\"backoff_limit\":5")
        .contains("\"observer_schema\":[]")
        .contains("\"inherit_labels\":false")
        .contains("\"state\":\"RUNNING\"")
        .contains("\"code\":\"NO_SUITABLE_RESOURCE\"")
        .contains("\"created\":\"2024-03-01T10:15:30.123456Z\"")
        .doesNotContain("scheduledTo", "backoffLimit", "revision");
  }

  @Test
  void appliesKrakeDefaultsToAbsentFields() {
    Application app =
        KrakeJson.read(
            """
            metadata: {name: minimal}
            spec:
              manifest: [{apiVersion: v1, kind: ConfigMap, metadata: {name: cm}}]
              constraints: {cluster: {}}
            """,
            Application.class);

    assertThat(app.api()).isEqualTo("kubernetes");
    assertThat(app.kind()).isEqualTo("Application");
    assertThat(app.spec().backoff()).isEqualTo(1);
    assertThat(app.spec().backoffDelay()).isEqualTo(1);
    assertThat(app.spec().backoffLimit()).isEqualTo(-1);
    assertThat(app.spec().storageMigration()).isEqualTo("none");
    assertThat(app.spec().constraints()).contains(Constraints.NONE);
    assertThat(app.spec().tosca().isEmpty()).isTrue();
    assertThat(app.status()).isEqualTo(ApplicationStatus.initial());
    assertThat(app.status().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(app.status().containerHealth()).isEqualTo(ContainerHealth.NONE);
    assertThat(app.metadata().namespace()).isEmpty();
    assertThat(app.validate()).isEmpty();
  }

  @Test
  void readsNullsAsEmpty() {
    Application app =
        KrakeJson.read(
            """
            {"metadata": {"name": "n", "labels": null, "namespace": null},
             "spec": {"manifest": [{"apiVersion": "v1", "kind": "ConfigMap",
                                    "metadata": {"name": "cm"}}],
                      "hooks": null, "csar": null, "tosca": null, "backoff": null,
                      "constraints": {"cluster": {"labels": null, "metrics": null}}},
             "status": {"state": null, "reason": null, "services": null}}
            """,
            Application.class);

    assertThat(app.metadata().labels()).isEmpty();
    assertThat(app.spec().hooks()).isEmpty();
    assertThat(app.spec().csar()).isEmpty();
    assertThat(app.spec().backoff()).isEqualTo(1);
    assertThat(app.status().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(app.status().services()).isEmpty();
  }

  @Test
  void toleratesUnknownFields() {
    Application app =
        KrakeJson.read(
            """
            {"api": "kubernetes", "kind": "Application", "future_field": {"x": 1},
             "metadata": {"name": "n", "something": true},
             "spec": {"manifest": [], "tosca": "https://example.com/t.yaml", "extra": [1],
                      "constraints": {"cluster": {"labels": [], "unknown": 1}}},
             "status": {"new_status_field": "x"}}
            """,
            Application.class);

    assertThat(app.metadata().name()).isEqualTo("n");
    assertThat(app.spec().tosca().asText()).isEqualTo("https://example.com/t.yaml");
  }

  @Test
  void readsReasonCodeByNumberToo() {
    Reason reason = KrakeJson.read("{\"code\": 50, \"message\": \"m\"}", Reason.class);

    assertThat(reason.code()).isEqualTo(ReasonCode.NO_SUITABLE_RESOURCE);
    assertThat(ReasonCode.fromCode(73)).isEqualTo(ReasonCode.DELETE_FAILED);
    assertThat(ReasonCode.UNKNOWN_METRICS_PROVIDER.code()).isEqualTo(94);
  }

  @Test
  void rejectsDocumentOfAnotherKind() {
    List<FieldError> errors = errorsOf(() -> KrakeJson.read(Fixtures.CLUSTER, Application.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("kind");
    assertThat(errors.get(0).message()).contains("Application", "Cluster");
  }

  @Test
  void rejectsWrongApiAndKindTogether() {
    List<FieldError> errors =
        errorsOf(
            () ->
                KrakeJson.read(
                    "{\"api\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {}}",
                    Application.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("api", "kind");
  }

  @Test
  void rejectsUnknownKindWhenDispatching() {
    List<FieldError> errors =
        errorsOf(() -> KrakeJson.readResource("{\"kind\": \"Deployment\", \"metadata\": {}}"));

    assertThat(errors).extracting(FieldError::field).containsExactly("kind");
  }

  @Test
  void namesDocumentWithPositionForMalformedJson() {
    List<FieldError> errors =
        errorsOf(() -> KrakeJson.read("{\"metadata\": {\"name\": \"x\",,}}", Application.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("document");
    assertThat(errors.get(0).message()).contains("line 1, column");
  }

  @Test
  void namesDocumentWithPositionForMalformedYaml() {
    List<FieldError> errors =
        errorsOf(
            () -> KrakeJson.read("metadata:\n  name: x\n spec: [unclosed\n", Application.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("document");
    assertThat(errors.get(0).message()).containsPattern("line \\d+, column \\d+");
  }

  @Test
  void doesNotEchoTokensInSyntaxErrors() {
    List<FieldError> errors =
        errorsOf(() -> KrakeJson.read("[s3cr3t-token-value }", Application.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("document");
    assertThat(errors.toString()).doesNotContain("s3cr3t-token-value");
  }

  @Test
  void rejectsEmptyDocument() {
    assertThat(errorsOf(() -> KrakeJson.read("  \n", Application.class)))
        .extracting(FieldError::field)
        .containsExactly("document");
  }

  @Test
  void namesFieldPathOfInvalidLabelConstraint() {
    List<FieldError> errors =
        errorsOf(
            () ->
                KrakeJson.read(
                    """
                    metadata: {name: a}
                    spec:
                      manifest: []
                      constraints:
                        cluster:
                          labels: ["location is DE", "location is"]
                    """,
                    Application.class));

    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly("spec.constraints.cluster.labels[1]");
    assertThat(errors.get(0).message()).startsWith("Invalid label constraint");
  }

  @Test
  void namesFieldPathOfInvalidMetricConstraintInCluster() {
    String yaml =
        Fixtures.CLUSTER.replace(
            "custom_resources: [crontabs.stable.example.com]",
            "constraints: {cloud: {metrics: [\"load > 1\", \"load ~ 2\"]}}");

    List<FieldError> errors = errorsOf(() -> KrakeJson.read(yaml, Cluster.class));

    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly("spec.constraints.cloud.metrics[1]");
  }

  @Test
  void namesFieldPathOfTypeMismatches() {
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\"}, \"spec\": {\"backoff\": \"often\"}}",
                        Application.class)))
        .containsExactly(new FieldError("spec.backoff", "must be an integer"));
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\"}, \"spec\": {\"backoff\": 1.5}}",
                        Application.class)))
        .extracting(FieldError::field)
        .containsExactly("spec.backoff");
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\"}, \"spec\": {}, "
                            + "\"status\": {\"state\": \"SLEEPING\"}}",
                        Application.class)))
        .extracting(FieldError::field)
        .containsExactly("status.state");
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\", \"created\": \"yesterday\"},"
                            + " \"spec\": {}}",
                        Application.class)))
        .extracting(FieldError::field)
        .containsExactly("metadata.created");
  }

  @Test
  void doesNotEchoValuesInMismatchMessages() {
    List<FieldError> errors =
        errorsOf(
            () ->
                KrakeJson.read(
                    "{\"metadata\": {\"name\": \"a\"}, \"spec\": {}, "
                        + "\"status\": {\"migration_timeout\": \"s3cr3t-value\"}}",
                    Application.class));

    assertThat(errors).extracting(FieldError::field).containsExactly("status.migration_timeout");
    assertThat(errors.toString()).doesNotContain("s3cr3t-value");
  }

  @Test
  void rejectsNullElementsAsFieldErrors() {
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\", \"labels\": {\"x\": null}},"
                            + " \"spec\": {}}",
                        Application.class)))
        .extracting(FieldError::field)
        .containsExactly("metadata.labels.x");
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\"},"
                            + " \"spec\": {\"hooks\": [\"complete\", null]}}",
                        Application.class)))
        .extracting(FieldError::field)
        .containsExactly("spec.hooks[1]");
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\"},"
                            + " \"spec\": {\"constraints\": {\"cluster\": {\"labels\": [null]}}}}",
                        Application.class)))
        .extracting(FieldError::field)
        .containsExactly("spec.constraints.cluster.labels[0]");
  }

  @Test
  void namesMissingFieldsOfReferences() {
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\"}, \"spec\": {},"
                            + " \"status\": {\"scheduled_to\": {\"api\": \"kubernetes\","
                            + " \"kind\": \"Cluster\"}}}",
                        Application.class)))
        .extracting(FieldError::field)
        .containsExactly("status.scheduled_to.name");
    assertThat(
            errorsOf(
                () ->
                    KrakeJson.read(
                        "{\"metadata\": {\"name\": \"a\"}, \"spec\": {\"constraints\": {}}}",
                        Application.class)))
        .extracting(FieldError::field)
        .containsExactly("spec.constraints.cluster");
  }

  @Test
  void readsMultiDocumentYamlSkippingEmptyDocuments() {
    String yaml =
        """
        # leading comment
        ---
        name: a
        metric: m1
        ---
        ---
        name: b
        metric: m2
        ---
        """;

    assertThat(KrakeJson.readAll(yaml, MetricProviderRef.class))
        .containsExactly(new MetricProviderRef("a", "m1"), new MetricProviderRef("b", "m2"));
  }

  @Test
  void reportsErrorsOfEveryDocumentWithItsIndex() {
    String yaml =
        """
        kind: GlobalMetric
        metadata: {name: ok}
        spec: {min: 0, max: 1, provider: {name: p, metric: m}}
        ---
        kind: Deployment
        ---
        kind: GlobalMetric
        metadata: {name: bad}
        spec: {min: zero}
        """;

    assertThat(errorsOf(() -> KrakeJson.readAllResources(yaml)))
        .extracting(FieldError::field)
        .containsExactly("[1].kind", "[2].spec.min");
  }

  @Test
  void rejectsSeveralDocumentsWhereOneIsExpected() {
    assertThat(errorsOf(() -> KrakeJson.read("name: a\n---\nname: b\n", MetricProviderRef.class)))
        .extracting(FieldError::field)
        .containsExactly("document");
  }

  @Test
  void loadsStaticMetricsSample() {
    List<Resource<?>> resources =
        KrakeJson.readAllResources(Fixtures.manifest("static-metrics.yaml"));

    assertThat(resources).hasSize(3);
    GlobalMetricsProvider provider = (GlobalMetricsProvider) resources.get(0);
    assertThat(provider.metadata().name()).isEqualTo("static_provider");
    assertThat(provider.spec().type()).isEqualTo("static");
    assertThat(provider.spec().staticSpec().orElseThrow().metrics())
        .isEqualTo(Map.of("electricity_cost_1", 0.9, "green_energy_ratio_1", 0.1));
    GlobalMetric metric = (GlobalMetric) resources.get(1);
    assertThat(metric.spec().provider())
        .isEqualTo(new MetricProviderRef("static_provider", "electricity_cost_1"));
    assertThat(metric.spec().max()).isEqualTo(1.0);
    assertThat(resources).allSatisfy(r -> assertThat(r.validate()).isEmpty());
    assertThat(KrakeJson.write(provider)).contains("\"type\":\"static\",\"static\":{\"metrics\":{");
  }

  @Test
  void loadsPrometheusMetricsSample() {
    List<Resource<?>> resources =
        KrakeJson.readAllResources(Fixtures.manifest("prometheus-metrics.yaml"));

    assertThat(resources).hasSize(7);
    assertThat(resources.subList(0, 6)).allMatch(r -> r instanceof GlobalMetric);
    assertThat(((GlobalMetric) resources.get(5)).spec().allowedValues())
        .containsExactly(0, 1, 4, 5);
    GlobalMetricsProvider provider = (GlobalMetricsProvider) resources.get(6);
    assertThat(provider.spec().prometheus()).contains(new PrometheusSpec("http://127.0.0.1:9090"));
    assertThat(resources).allSatisfy(r -> assertThat(r.validate()).isEmpty());
    assertThat(KrakeJson.readAll(Fixtures.manifest("prometheus-metrics.yaml"), ObjectNode.class))
        .hasSize(7);
  }

  @Test
  void mapperIsACopy() {
    ObjectMapper copy = KrakeJson.mapper();
    copy.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    assertThat(KrakeJson.read("{\"name\": \"a\", \"x\": 1}", MetricProviderRef.class).name())
        .isEqualTo("a");
    assertThat(KrakeJson.mapper()).isNotSameAs(copy);
  }

  @Test
  void convertsTreesBothWays() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);

    ObjectNode tree = KrakeJson.toObjectNode(app);

    assertThat(tree.path("status").path("scheduled_to").path("name").asText()).isEqualTo("c1");
    assertThat(KrakeJson.convert(tree, Application.class)).isEqualTo(app);
    assertThat(
            KrakeJson.read(
                KrakeJson.write(app).getBytes(StandardCharsets.UTF_8), Application.class))
        .isEqualTo(app);
  }

  @Test
  void keepsRecordsImmutableThroughReturnedTrees() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);

    assertThatThrownBy(() -> app.spec().manifest().get(0).put("kind", "Changed"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> app.status().lastAppliedManifest().get(0).removeAll())
        .isInstanceOf(UnsupportedOperationException.class);
    app.spec().manifest().get(0).deepCopy().put("kind", "Changed");

    assertThat(app.spec().manifest().get(0).path("kind").asText()).isEqualTo("Deployment");
    assertThat(app.status().lastAppliedManifest()).hasSize(1);
    assertThat(app.status().withRetries(Optional.empty()).retries()).isEmpty();
  }
}
