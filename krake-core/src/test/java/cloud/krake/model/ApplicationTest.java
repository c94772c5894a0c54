package cloud.krake.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ApplicationTest {

  private static List<ObjectNode> manifest(String yaml) {
    return KrakeJson.readAll(yaml, ObjectNode.class);
  }

  private static Application app(List<ObjectNode> manifest, List<ObjectNode> observerSchema) {
    return Application.of(
        Metadata.of("testing", "app"),
        ApplicationSpec.of(manifest, Constraints.NONE).withObserverSchema(observerSchema));
  }

  private static final String ECHO = Fixtures.manifest("echo.yaml");

  @Test
  void rejectsManifestResourceWithoutApiVersion() {
    Application app = app(manifest("kind: Service\nmetadata: {name: echo-demo}\n"), List.of());

    assertThat(app.validate())
        .containsExactly(
            new FieldError("spec.manifest[0] (Service echo-demo).apiVersion", "is required"));
  }

  @Test
  void reportsEveryMissingFieldOfEveryManifestResource() {
    List<ObjectNode> resources =
        manifest(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: fine}
            ---
            kind: Service
            metadata: {name: echo-demo}
            ---
            apiVersion: v1
            metadata: {labels: {a: b}}
            ---
            apiVersion: v1
            kind: ConfigMap
            """);

    List<FieldError> errors = app(resources, List.of()).validate();

    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "spec.manifest[1] (Service echo-demo).apiVersion",
            "spec.manifest[2].kind",
            "spec.manifest[2].metadata.name",
            "spec.manifest[3] (ConfigMap).metadata",
            "spec.manifest[3] (ConfigMap).metadata.name");
  }

  @Test
  void throwsAllManifestErrorsTogetherAsOneException() {
    Application app = app(manifest("kind: A\n---\nkind: B\n"), List.of());

    InvalidResourceException e = new InvalidResourceException(app.validate());

    assertThat(e.errors()).hasSize(6);
    assertThat(e.getMessage()).contains("spec.manifest[0] (A).apiVersion", "spec.manifest[1] (B)");
  }

  @Test
  void requiresManifestToscaOrCsar() {
    Application app = app(List.of(), List.of());

    assertThat(app.validate()).extracting(FieldError::field).containsExactly("spec.manifest");
  }

  @Test
  void acceptsToscaUrlOrCsarInsteadOfManifest() {
    Application tosca =
        KrakeJson.read(
            "metadata: {name: a}\nspec: {tosca: 'https://x/t.yml', constraints: {cluster: {}}}",
            Application.class);
    Application csar =
        KrakeJson.read(
            "metadata: {name: a}\nspec: {csar: 'https://x/a.zip', constraints: {cluster: {}}}",
            Application.class);
    Application badUrl =
        KrakeJson.read(
            "metadata: {name: a}\nspec: {csar: 'https://x/a.tar', tosca: 'https://x/t.json',"
                + " constraints: {cluster: {}}}",
            Application.class);

    assertThat(tosca.validate()).isEmpty();
    assertThat(csar.validate()).isEmpty();
    assertThat(badUrl.validate())
        .extracting(FieldError::field)
        .containsExactly("spec.tosca", "spec.csar");
  }

  @Test
  void requiresConstraints() {
    Application app =
        KrakeJson.read(
            "metadata: {name: a}\nspec: {manifest: [{apiVersion: v1, kind: ConfigMap,"
                + " metadata: {name: c}}]}",
            Application.class);

    assertThat(app.spec().constraints()).isEmpty();
    assertThat(app.validate()).containsExactly(new FieldError("spec.constraints", "is required"));
  }

  @Test
  void checksShutdownAndBackoffSettings() {
    ApplicationSpec spec =
        ApplicationSpec.of(manifest(ECHO), Constraints.NONE)
            .withShutdown(Optional.of(0), Optional.of("retry"), Optional.of(-1))
            .withBackoff(0, -1, -2);

    assertThat(spec.validate("spec"))
        .extracting(FieldError::field)
        .containsExactly(
            "spec.shutdown_grace_time",
            "spec.shutdown_retry_count",
            "spec.shutdown_failure_strategy",
            "spec.backoff",
            "spec.backoff_delay",
            "spec.backoff_limit");
    assertThat(
            ApplicationSpec.of(manifest(ECHO), Constraints.NONE)
                .withShutdown(Optional.of(30), Optional.of("give_up"), Optional.of(0))
                .validate("spec"))
        .isEmpty();
  }

  @Test
  void checksMetadataNameNamespaceAndLabels() {
    Application app =
        app(manifest(ECHO), List.of())
            .withMetadata(
                new Metadata(
                    "-bad",
                    Optional.of("a b"),
                    Map.of("ok", "-bad"),
                    false,
                    List.of(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    List.of(),
                    0));

    assertThat(app.validate())
        .extracting(FieldError::field)
        .containsExactly("metadata.name", "metadata.namespace", "metadata.labels.ok");
    assertThat(app.withMetadata(Metadata.global("")).validate())
        .containsExactly(new FieldError("metadata.name", "is required"));
  }

  @Test
  void acceptsTheStandardAndACustomObserverSchema() {
    for (String schema :
        List.of("echo-observer-schema-standard.yaml", "echo-observer-schema-custom.yaml")) {
      Application app = app(manifest(ECHO), manifest(Fixtures.manifest(schema)));

      assertThat(app.validate()).as(schema).isEmpty();
    }
  }

  @Test
  void reportsEveryObserverSchemaViolation() {
    List<ObjectNode> schema =
        manifest(
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo-demo, namespace: fixed}
            spec:
              replicas: 3
              template:
                spec:
                  containers:
                  - name: null
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: echo-demo}
            spec:
              ports:
              - port: null
              - port: null
              - {observer_schema_list_min_length: 2, observer_schema_list_max_length: 1}
              selector:
              - null
              - {observer_schema_list_min_length: 0}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: missing}
            ---
            kind: Secret
            """);

    List<FieldError> errors = app(manifest(ECHO), schema).validate();

    assertThat(errors)
        .extracting(FieldError::field)
        .containsExactly(
            "spec.observer_schema[0] (Deployment echo-demo).metadata.namespace",
            "spec.observer_schema[0] (Deployment echo-demo).spec.replicas",
            "spec.observer_schema[0] (Deployment echo-demo).spec.template.spec.containers[0]",
            "spec.observer_schema[1] (Service echo-demo).spec.ports[2]"
                + ".observer_schema_list_max_length",
            "spec.observer_schema[1] (Service echo-demo).spec.selector[1]",
            "spec.observer_schema[2] (Service missing)",
            "spec.observer_schema[3] (Secret).apiVersion",
            "spec.observer_schema[3] (Secret).metadata");
  }

  @Test
  void treatsMaxLengthZeroAsUnlimited() {
    List<ObjectNode> schema =
        manifest(
            """
            apiVersion: v1
            kind: Service
            metadata: {name: echo-demo}
            spec:
              ports:
              - port: null
              - port: null
              - {observer_schema_list_min_length: 1, observer_schema_list_max_length: 0}
            """);

    assertThat(app(manifest(ECHO), schema).validate()).isEmpty();
  }

  @Test
  void skipsObserverSchemaValidationWithoutManifest() {
    ApplicationSpec spec =
        KrakeJson.read(
            "tosca: https://x/t.yaml\nconstraints: {cluster: {}}\nobserver_schema: [{kind: X}]",
            ApplicationSpec.class);

    assertThat(spec.validate("spec")).isEmpty();
  }

  @Test
  void loadsEveryTestManifestWithItsObserverSchema() throws IOException {
    int checked =
        assertEveryManifestLoadsWithItsObserverSchema(
            Fixtures.manifests(),
            Map.of(
                "echo-observer-schema-standard.yaml", "echo.yaml",
                "echo-observer-schema-custom.yaml", "echo.yaml",
                "shutdown-statefulset-observer-schema.yaml", "shutdown-statefulset.yaml",
                "pvc-pod-observer-schema.yaml", "pvc-pod.yaml"));

    assertThat(checked).isEqualTo(10);
  }

  /**
   * Checks every YAML file of {@code dir} but the metrics documents: an observer schema (a key of
   * {@code schemas}) validates against its manifest, a manifest validates alone and round-trips
   * through JSON. Returns the number of files checked.
   */
  static int assertEveryManifestLoadsWithItsObserverSchema(Path dir, Map<String, String> schemas)
      throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.map(p -> p.getFileName().toString())
              .filter(f -> f.endsWith(".yaml") && !f.contains("metrics"))
              .sorted()
              .toList();
    }
    int checked = 0;
    for (String file : files) {
      String yaml = Files.readString(dir.resolve(file));
      if (schemas.containsKey(file)) {
        String manifest = Files.readString(dir.resolve(schemas.get(file)));
        Application app = app(manifest(manifest), manifest(yaml));
        assertThat(app.validate()).as(file).isEmpty();
        assertThat(app.spec().observerSchema()).as(file).isNotEmpty();
      } else {
        List<ObjectNode> resources = manifest(yaml);
        Application app = app(resources, List.of());
        assertThat(resources).as(file).isNotEmpty();
        assertThat(app.validate()).as(file).isEmpty();
        Application back = KrakeJson.read(KrakeJson.write(app), Application.class);
        assertThat(back).as(file).isEqualTo(app);
      }
      checked++;
    }
    return checked;
  }

  @Test
  void redactsTokensAndPrivateKeysInToString() {
    Application app = KrakeJson.read(Fixtures.APPLICATION, Application.class);

    String text = app.toString();

    assertThat(text)
        .doesNotContain(
            "tok-complete-4f9a",
            "tok-shutdown-8c1e",
            "KEY-COMPLETE-77",
            "KEY-SHUTDOWN-99",
            "U0VDUkVULVRPS0VOLUlOLVNFQ1JFVA==")
        .contains("completeToken=Optional[<redacted>]")
        .contains("shutdownKey=Optional[<redacted>]")
        .contains("completeCert=Optional[-----BEGIN CERTIFICATE-----")
        .contains("shutdownCert=Optional.empty")
        .contains("state=RUNNING");
    assertThat(app.status().toString()).doesNotContain("tok-complete-4f9a");
    assertThat(KrakeJson.write(app)).contains("tok-complete-4f9a");
  }

  @Test
  void copiesStatusFieldsWithWithers() {
    ResourceRef cluster = ResourceRef.of("kubernetes", "testing", "Cluster", "c1");

    ApplicationStatus status =
        ApplicationStatus.initial()
            .withState(ApplicationState.RUNNING)
            .withScheduledTo(Optional.of(cluster))
            .withRunningOn(Optional.of(cluster))
            .withReason(Optional.of(Reason.of(ReasonCode.CREATE_FAILED, "x")))
            .withCredentials(HookCredentials.COMPLETE, HookCredentials.NONE.withToken("t"))
            .withShutdownAttempts(3);

    assertThat(status.state()).isEqualTo(ApplicationState.RUNNING);
    assertThat(status.scheduledTo()).contains(cluster);
    assertThat(status.runningOn()).contains(cluster);
    assertThat(status.complete().token()).contains("t");
    assertThat(status.shutdownAttempts()).isEqualTo(3);
    assertThat(ApplicationStatus.initial().shutdownAttempts()).isZero();
    assertThat(ApplicationStatus.initial().state()).isEqualTo(ApplicationState.PENDING);
    assertThat(status.withReason(Optional.empty()).reason()).isEmpty();
  }

  @Test
  void rejectsWrongKindOnConstruction() {
    assertThatThrownBy(
            () ->
                new Application(
                    "kubernetes", "Cluster", null, app(List.of(), List.of()).spec(), null))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("kind");
  }
}
