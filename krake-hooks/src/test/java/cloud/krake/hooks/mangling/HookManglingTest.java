package cloud.krake.hooks.mangling;

import static cloud.krake.hooks.mangling.Mangling.application;
import static cloud.krake.hooks.mangling.Mangling.config;
import static cloud.krake.hooks.mangling.Mangling.configBuilder;
import static cloud.krake.hooks.mangling.Mangling.decode;
import static cloud.krake.hooks.mangling.Mangling.encode;
import static cloud.krake.hooks.mangling.Mangling.json;
import static cloud.krake.hooks.mangling.Mangling.resource;
import static cloud.krake.hooks.mangling.Mangling.sample;
import static cloud.krake.hooks.mangling.Mangling.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.Krake;
import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.dispatcher.HookContext;
import cloud.krake.dispatcher.HookException;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.mangling.Mangling.FakeIssuer;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.model.Application;
import cloud.krake.model.HookCredentials;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HookManglingTest {

  private static final String DEPLOYMENT_TWO_CONTAINERS =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
            - name: app
              image: nginx
            - name: sidecar
              image: busybox
      """;

  private final FakeIssuer issuer = new FakeIssuer();
  private final SecureRandom random = new SecureRandom();

  private HookMangling complete(boolean tls) {
    return HookMangling.complete(config(tls), issuer, random);
  }

  private HookMangling shutdown(boolean tls) {
    return HookMangling.shutdown(config(tls), issuer, random);
  }

  private static List<ObjectNode> applied(Application app) {
    return app.status().lastAppliedManifest();
  }

  private static List<ObjectNode> schema(Application app) {
    return app.status().mangledObserverSchema();
  }

  @Test
  void withoutTlsACompleteHookDeploymentYieldsTheDeploymentAndOneTokenSecret() {
    List<ObjectNode> manifest = List.of(sample("echo.yaml").get(0));

    Application mangled = complete(false).mangle(application(manifest, "complete")).application();

    assertThat(applied(mangled))
        .extracting(r -> r.path("kind").asText() + " " + r.at("/metadata/name").asText())
        .containsExactly("Deployment echo-demo", "Secret echo-demo-krake-complete-secret-token");
    assertThat(schema(mangled)).hasSize(2);
    ObjectNode container =
        (ObjectNode) applied(mangled).get(0).at("/spec/template/spec/containers/0");
    assertThat(container.has("volumeMounts")).isFalse();
    assertThat(applied(mangled).get(0).at("/spec/template/spec").has("volumes")).isFalse();
    assertThat(container.get("env"))
        .containsExactly(
            json(
                "{\"name\": \"KRAKE_COMPLETE_TOKEN\", \"valueFrom\": {\"secretKeyRef\":"
                    + " {\"name\": \"echo-demo-krake-complete-secret-token\","
                    + " \"key\": \"krake_complete_token\"}}}"),
            json(
                "{\"name\": \"KRAKE_COMPLETE_URL\", \"valueFrom\": {\"secretKeyRef\":"
                    + " {\"name\": \"echo-demo-krake-complete-secret-token\","
                    + " \"key\": \"krake_complete_url\"}}}"));
    assertThat(issuer.issued).isEmpty();
    assertThat(mangled.status().complete().cert()).isEmpty();
  }

  @Test
  void withTlsEveryContainerGetsTheCertificateVolumeAndTwoEnvironmentVariables() {
    List<ObjectNode> manifest = yaml(DEPLOYMENT_TWO_CONTAINERS);

    Application mangled = complete(true).mangle(application(manifest, "complete")).application();

    assertThat(applied(mangled))
        .extracting(r -> r.path("kind").asText() + " " + r.at("/metadata/name").asText())
        .containsExactly(
            "Deployment web",
            "Secret echo-demo-krake-complete-secret-certs",
            "Secret echo-demo-krake-complete-secret-token");
    JsonNode podSpec = applied(mangled).get(0).at("/spec/template/spec");
    assertThat(podSpec.get("volumes"))
        .containsExactly(
            json(
                "{\"name\": \"echo-demo-krake-complete-volume\","
                    + " \"secret\": {\"secretName\": \"echo-demo-krake-complete-secret-certs\"}}"));
    for (JsonNode container : podSpec.get("containers")) {
      assertThat(container.get("volumeMounts"))
          .containsExactly(
              json(
                  "{\"name\": \"echo-demo-krake-complete-volume\","
                      + " \"mountPath\": \"/etc/krake_complete_certs\"}"));
      assertThat(container.get("env"))
          .extracting(e -> e.get("name").asText())
          .containsExactly("KRAKE_COMPLETE_TOKEN", "KRAKE_COMPLETE_URL");
    }
    JsonNode podSchema = schema(mangled).get(0).at("/spec/template/spec");
    for (int i = 0; i < 2; i++) {
      JsonNode containerSchema = podSchema.at("/containers/" + i);
      assertThat(containerSchema.at("/env/2"))
          .isEqualTo(
              json(
                  "{\"observer_schema_list_min_length\": 2,"
                      + " \"observer_schema_list_max_length\": 2}"));
      assertThat(containerSchema.at("/env/0"))
          .isEqualTo(
              json(
                  "{\"name\": null, \"valueFrom\": {\"secretKeyRef\":"
                      + " {\"name\": null, \"key\": null}}}"));
      assertThat(containerSchema.at("/volumeMounts/1/observer_schema_list_max_length").asInt())
          .isEqualTo(1);
    }
    assertThat(podSchema.at("/volumes/1/observer_schema_list_min_length").asInt()).isEqualTo(1);
    assertThat(podSchema.at("/containers/2/observer_schema_list_max_length").asInt()).isEqualTo(2);
  }

  @Test
  void withTlsTheStatusCarriesTokenCertificateAndKeyAndTheCertsSecretHoldsThem() {
    Application mangled =
        complete(true)
            .mangle(application(yaml(DEPLOYMENT_TWO_CONTAINERS), "complete"))
            .application();

    assertThat(issuer.issued)
        .containsExactly(
            new HookIdentity("testing", "echo-demo", "complete", "system:complete-hook"));
    String cert = mangled.status().complete().cert().orElseThrow();
    String key = mangled.status().complete().key().orElseThrow();
    assertThat(cert).contains("FAKE-CERT-krake:testing/echo-demo/complete");
    assertThat(key).contains("FAKE-KEY-1-complete");
    JsonNode data =
        resource(applied(mangled), "Secret", "echo-demo-krake-complete-secret-certs").get("data");
    assertThat(decode(data.get("cert.pem"))).isEqualTo(cert);
    assertThat(decode(data.get("key.pem"))).isEqualTo(key);
    assertThat(decode(data.get("ca-bundle.pem")))
        .isEqualTo(Mangling.ROOT_PEM + "\n" + Mangling.INTERMEDIATE_PEM)
        .isEqualTo(config(true).caBundlePem("complete"));
    assertThat(
            resource(applied(mangled), "Secret", "echo-demo-krake-complete-secret-certs")
                .get("type")
                .asText())
        .isEqualTo("Opaque");
  }

  @Test
  void tokensAre43UrlSafeCharactersKeptInTheStatusAndTheTokenSecret() {
    Application mangled =
        complete(false).mangle(application(sample("echo.yaml"), "complete")).application();

    String token = mangled.status().complete().token().orElseThrow();
    assertThat(token).hasSize(43).matches("[A-Za-z0-9_-]{43}");
    JsonNode data =
        resource(applied(mangled), "Secret", "echo-demo-krake-complete-secret-token").get("data");
    assertThat(data.properties())
        .extracting(e -> e.getKey())
        .containsExactly("krake_complete_token", "krake_complete_url");
    assertThat(decode(data.get("krake_complete_token"))).isEqualTo(token);
    assertThat(decode(data.get("krake_complete_url")))
        .isEqualTo(
            "http://krake.example.com:8080/kubernetes/namespaces/testing/applications/echo-demo/complete");
    assertThat(mangled.status().shutdown().token()).isEmpty();
  }

  @Test
  void twoApplicationsGetDifferentTokens() {
    String first =
        complete(false)
            .mangle(application(sample("echo.yaml"), "complete"))
            .application()
            .status()
            .complete()
            .token()
            .orElseThrow();
    String second =
        complete(false)
            .mangle(application(sample("echo.yaml"), "complete"))
            .application()
            .status()
            .complete()
            .token()
            .orElseThrow();

    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void reusesTheTokenCertificateAndKeyOfTheStatus() {
    Application app = application(sample("echo.yaml"), "complete");
    app =
        app.withStatus(
            app.status()
                .withCredentials(
                    HookCredentials.COMPLETE,
                    new HookCredentials(
                        Optional.of("stored-token"),
                        Optional.of("stored-cert"),
                        Optional.of("stored-key"))));

    Application mangled = complete(true).mangle(app).application();

    assertThat(issuer.issued).isEmpty();
    assertThat(mangled.status().complete().token()).contains("stored-token");
    JsonNode certs =
        resource(applied(mangled), "Secret", "echo-demo-krake-complete-secret-certs").get("data");
    assertThat(decode(certs.get("cert.pem"))).isEqualTo("stored-cert");
    assertThat(decode(certs.get("key.pem"))).isEqualTo("stored-key");
    JsonNode token =
        resource(applied(mangled), "Secret", "echo-demo-krake-complete-secret-token").get("data");
    assertThat(decode(token.get("krake_complete_token"))).isEqualTo("stored-token");
  }

  @Test
  void issuesANewCertificateWhenOnlyTheKeyIsStored() {
    Application app = application(sample("echo.yaml"), "complete");
    app =
        app.withStatus(
            app.status()
                .withCredentials(
                    HookCredentials.COMPLETE,
                    new HookCredentials(
                        Optional.empty(), Optional.empty(), Optional.of("orphan-key"))));

    Application mangled = complete(true).mangle(app).application();

    assertThat(issuer.issued).hasSize(1);
    assertThat(mangled.status().complete().key().orElseThrow()).contains("FAKE-KEY-1-complete");
  }

  @Test
  void aHookNotInSpecHooksAddsNothingEvenWhenConfigured() {
    Application app = application(sample("echo.yaml"), "shutdown");

    ManglingResult result = complete(true).mangle(app);

    assertThat(result.application()).isSameAs(app);
    assertThat(result.warnings()).isEmpty();
    assertThat(issuer.issued).isEmpty();
    HookContext context =
        HookContext.of(DispatcherHookPoint.APPLICATION_MANGLING, app, Optional.empty());
    assertThat(complete(true).handle(context)).isSameAs(context);
  }

  @ParameterizedTest
  @CsvSource({
    "false, https://new.external.endpoint, http://new.external.endpoint",
    "true, http://new.external.endpoint:9443/x?y=z, https://new.external.endpoint:9443",
  })
  void anExternalEndpointReplacesTheHostAndItsSchemeFollowsTls(
      boolean tls, String external, String base) {
    HooksConfig config =
        configBuilder(tls)
            .complete(
                Mangling.config(tls)
                    .complete()
                    .withExternalEndpoint(Optional.of(URI.create(external))))
            .build();

    Application mangled =
        HookMangling.complete(config, issuer, random)
            .mangle(application(sample("echo.yaml"), "complete"))
            .application();

    JsonNode data =
        resource(applied(mangled), "Secret", "echo-demo-krake-complete-secret-token").get("data");
    assertThat(decode(data.get("krake_complete_url")))
        .isEqualTo(base + "/kubernetes/namespaces/testing/applications/echo-demo/complete");
  }

  @Test
  void theShutdownHookUsesItsOwnNamesAndMountPath() {
    Application mangled =
        shutdown(true)
            .mangle(application(sample("shutdown-statefulset.yaml"), "shutdown"))
            .application();

    JsonNode container = applied(mangled).get(0).at("/spec/template/spec/containers/0");
    assertThat(container.get("env"))
        .extracting(e -> e.get("name").asText())
        .containsExactly("HOME", "KRAKE_SHUTDOWN_TOKEN", "KRAKE_SHUTDOWN_URL");
    assertThat(container.at("/env/1/valueFrom/secretKeyRef"))
        .isEqualTo(
            json(
                "{\"name\": \"echo-demo-krake-shutdown-secret-token\","
                    + " \"key\": \"krake_shutdown_token\"}"));
    assertThat(container.at("/volumeMounts/1"))
        .isEqualTo(
            json(
                "{\"name\": \"echo-demo-krake-shutdown-volume\","
                    + " \"mountPath\": \"/etc/krake_shutdown_certs\"}"));
    assertThat(mangled.status().shutdown().token()).isPresent();
    assertThat(mangled.status().shutdown().cert()).isPresent();
    assertThat(mangled.status().complete().token()).isEmpty();
    assertThat(issuer.issued)
        .containsExactly(
            new HookIdentity("testing", "echo-demo", "shutdown", "system:shutdown-hook"));
    JsonNode data =
        resource(applied(mangled), "Secret", "echo-demo-krake-shutdown-secret-token").get("data");
    assertThat(decode(data.get("krake_shutdown_url")))
        .isEqualTo(
            "https://krake.example.com:8080/kubernetes/namespaces/testing/applications/echo-demo/shutdown");
  }

  @Test
  void configuredEnvironmentVariableNamesAndMountPathAreUsed() {
    HooksConfig config =
        configBuilder(true)
            .complete(
                Mangling.config(true)
                    .complete()
                    .withEnv("DONE_TOKEN", "DONE_URL")
                    .withCertDest("/var/run/done"))
            .build();

    Application mangled =
        HookMangling.complete(config, issuer, random)
            .mangle(application(sample("echo.yaml"), "complete"))
            .application();

    JsonNode container = applied(mangled).get(0).at("/spec/template/spec/containers/0");
    assertThat(container.at("/env/0/name").asText()).isEqualTo("DONE_TOKEN");
    assertThat(container.at("/env/0/valueFrom/secretKeyRef/key").asText()).isEqualTo("done_token");
    assertThat(container.at("/env/1/valueFrom/secretKeyRef/key").asText()).isEqualTo("done_url");
    assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/var/run/done");
    JsonNode data =
        resource(applied(mangled), "Secret", "echo-demo-krake-complete-secret-token").get("data");
    assertThat(data.has("done_token")).isTrue();
    assertThat(data.has("done_url")).isTrue();
  }

  /** Krake's documents and its config generator: both hooks' certificates in /etc/krake_cert. */
  private static HooksConfig sharedCertDest(String completeDest, String shutdownDest) {
    HooksConfig base = config(true);
    return configBuilder(true)
        .complete(base.complete().withCertDest(completeDest))
        .shutdown(base.shutdown().withHook(base.shutdown().hook().withCertDest(shutdownDest)))
        .build();
  }

  @ParameterizedTest
  @CsvSource({"/etc/krake_cert, /etc/krake_cert", "/etc/krake_cert/, /etc/krake_cert"})
  void bothHooksSharingACertDestGetOneProjectedVolumeWithAFolderPerHook(
      String completeDest, String shutdownDest) {
    HooksConfig config = sharedCertDest(completeDest, shutdownDest);
    Application app = application(yaml(DEPLOYMENT_TWO_CONTAINERS), "complete", "shutdown");

    Application mangled =
        HookMangling.shutdown(config, issuer, random)
            .mangle(HookMangling.complete(config, issuer, random).mangle(app).application())
            .application();

    JsonNode podSpec = applied(mangled).get(0).at("/spec/template/spec");
    assertThat(podSpec.get("volumes"))
        .containsExactly(
            json(
                """
                {"name": "echo-demo-krake-certs-volume", "projected": {"sources": [
                  {"secret": {"name": "echo-demo-krake-complete-secret-certs", "items": [
                    {"key": "ca-bundle.pem", "path": "complete/ca-bundle.pem"},
                    {"key": "cert.pem", "path": "complete/cert.pem"},
                    {"key": "key.pem", "path": "complete/key.pem"}]}},
                  {"secret": {"name": "echo-demo-krake-shutdown-secret-certs", "items": [
                    {"key": "ca-bundle.pem", "path": "shutdown/ca-bundle.pem"},
                    {"key": "cert.pem", "path": "shutdown/cert.pem"},
                    {"key": "key.pem", "path": "shutdown/key.pem"}]}}]}}
                """));
    for (JsonNode container : podSpec.get("containers")) {
      assertThat(container.get("volumeMounts"))
          .containsExactly(
              json(
                  "{\"name\": \"echo-demo-krake-certs-volume\","
                      + " \"mountPath\": \"/etc/krake_cert\"}"));
      assertThat(container.get("env"))
          .extracting(e -> e.get("name").asText())
          .containsExactly(
              "KRAKE_COMPLETE_TOKEN",
              "KRAKE_COMPLETE_URL",
              "KRAKE_SHUTDOWN_TOKEN",
              "KRAKE_SHUTDOWN_URL");
    }
    JsonNode containerSchema = schema(mangled).get(0).at("/spec/template/spec/containers/0");
    assertThat(containerSchema.at("/volumeMounts/1/observer_schema_list_max_length").asInt())
        .isEqualTo(1);
    assertThat(
            schema(mangled)
                .get(0)
                .at("/spec/template/spec/volumes/1/observer_schema_list_max_length")
                .asInt())
        .isEqualTo(1);
    assertThat(
            resource(applied(mangled), "Secret", "echo-demo-krake-shutdown-secret-certs")
                .at("/data")
                .has("cert.pem"))
        .isTrue();
  }

  @Test
  void aSharedCertDestKeepsKrakesLayoutForAnApplicationWithOneHook() {
    HooksConfig config = sharedCertDest("/etc/krake_cert", "/etc/krake_cert");

    Application mangled =
        HookMangling.shutdown(config, issuer, random)
            .mangle(
                HookMangling.complete(config, issuer, random)
                    .mangle(application(sample("echo.yaml"), "complete"))
                    .application())
            .application();

    JsonNode podSpec = applied(mangled).get(0).at("/spec/template/spec");
    assertThat(podSpec.get("volumes"))
        .containsExactly(
            json(
                "{\"name\": \"echo-demo-krake-complete-volume\","
                    + " \"secret\": {\"secretName\": \"echo-demo-krake-complete-secret-certs\"}}"));
    assertThat(podSpec.at("/containers/0/volumeMounts"))
        .containsExactly(
            json(
                "{\"name\": \"echo-demo-krake-complete-volume\","
                    + " \"mountPath\": \"/etc/krake_cert\"}"));
  }

  @Test
  void sharedCertDestManglingIsIdempotent() {
    HooksConfig config = sharedCertDest("/etc/krake_cert", "/etc/krake_cert");
    HookMangling complete = HookMangling.complete(config, issuer, random);
    HookMangling shutdown = HookMangling.shutdown(config, issuer, random);
    Application once =
        shutdown
            .mangle(
                complete
                    .mangle(application(yaml(DEPLOYMENT_TWO_CONTAINERS), "complete", "shutdown"))
                    .application())
            .application();

    ManglingResult complete2 = complete.mangle(once);
    ManglingResult twice = shutdown.mangle(complete2.application());

    assertThat(twice.application()).isEqualTo(once);
    assertThat(complete2.warnings()).isEmpty();
    assertThat(twice.warnings()).isEmpty();
  }

  private static List<String> envNames(Application mangled) {
    List<String> names = new java.util.ArrayList<>();
    applied(mangled)
        .get(0)
        .at("/spec/template/spec/containers/0/env")
        .forEach(e -> names.add(e.path("name").asText()));
    return names;
  }

  @Test
  void krakesOlderTokenVariableIsInjectedOnlyWithTheOption() {
    HooksConfig legacy = configBuilder(false).legacyTokenVariable(true).build();
    Application app = application(sample("echo.yaml"), "complete");

    Application with = HookMangling.complete(legacy, issuer, random).mangle(app).application();
    Application without = complete(false).mangle(app).application();

    assertThat(envNames(with))
        .containsExactly("KRAKE_COMPLETE_TOKEN", "KRAKE_COMPLETE_URL", "KRAKE_TOKEN");
    assertThat(applied(with).get(0).at("/spec/template/spec/containers/0/env/2"))
        .isEqualTo(
            json(
                "{\"name\": \"KRAKE_TOKEN\", \"valueFrom\": {\"secretKeyRef\":"
                    + " {\"name\": \"echo-demo-krake-complete-secret-token\","
                    + " \"key\": \"krake_complete_token\"}}}"));
    assertThat(envNames(without)).containsExactly("KRAKE_COMPLETE_TOKEN", "KRAKE_COMPLETE_URL");
  }

  @Test
  void withBothHooksKrakesOlderTokenVariableCarriesTheCompleteToken() {
    HooksConfig legacy = configBuilder(false).legacyTokenVariable(true).build();
    HookMangling complete = HookMangling.complete(legacy, issuer, random);
    HookMangling shutdown = HookMangling.shutdown(legacy, issuer, random);

    ManglingResult first =
        complete.mangle(application(sample("echo.yaml"), "complete", "shutdown"));
    ManglingResult both = shutdown.mangle(first.application());
    ManglingResult shutdownOnly = shutdown.mangle(application(sample("echo.yaml"), "shutdown"));

    assertThat(envNames(both.application()))
        .containsExactly(
            "KRAKE_COMPLETE_TOKEN",
            "KRAKE_COMPLETE_URL",
            "KRAKE_TOKEN",
            "KRAKE_SHUTDOWN_TOKEN",
            "KRAKE_SHUTDOWN_URL");
    assertThat(
            applied(both.application())
                .get(0)
                .at("/spec/template/spec/containers/0/env/2/valueFrom/secretKeyRef/name")
                .asText())
        .isEqualTo("echo-demo-krake-complete-secret-token");
    assertThat(both.warnings()).isEmpty();
    assertThat(
            applied(shutdownOnly.application())
                .get(0)
                .at("/spec/template/spec/containers/0/env/2/valueFrom/secretKeyRef")
                .toString())
        .contains("echo-demo-krake-shutdown-secret-token", "krake_shutdown_token");
  }

  @Test
  void aStatefulSetOfTheExtensionsGroupIsNoWorkload() {
    // Kubernetes never served StatefulSet in extensions (only Deployment, DaemonSet, ReplicaSet)
    ObjectNode resource =
        json(
            "{\"apiVersion\": \"extensions/v1beta1\", \"kind\": \"StatefulSet\","
                + " \"metadata\": {\"name\": \"w\"}, \"spec\": {\"template\": {\"spec\":"
                + " {\"containers\": [{\"name\": \"main\", \"image\": \"busybox\"}]}}}}");

    Application mangled =
        complete(false).mangle(application(List.of(resource), "complete")).application();

    assertThat(applied(mangled).get(0)).isEqualTo(resource);
  }

  @ParameterizedTest
  @CsvSource({
    "v1, Pod, /spec",
    "v1, ReplicationController, /spec/template/spec",
    "apps/v1, Deployment, /spec/template/spec",
    "extensions/v1beta1, Deployment, /spec/template/spec",
    "apps/v1, StatefulSet, /spec/template/spec",
    "apps/v1, DaemonSet, /spec/template/spec",
    "apps/v1, ReplicaSet, /spec/template/spec",
    "batch/v1, Job, /spec/template/spec",
    "batch/v1, CronJob, /spec/jobTemplate/spec/template/spec",
  })
  void everyPodTemplateKindGetsTheInjection(String apiVersion, String kind, String podSpecPath) {
    ObjectNode resource =
        json(
            "{\"apiVersion\": \""
                + apiVersion
                + "\", \"kind\": \""
                + kind
                + "\", \"metadata\": {\"name\": \"w\"}}");
    ObjectNode podSpec = resource;
    for (String key : podSpecPath.substring(1).split("/")) {
      podSpec = podSpec.putObject(key);
    }
    podSpec.putArray("containers").addObject().put("name", "main").put("image", "busybox");
    podSpec.putArray("initContainers").addObject().put("name", "init").put("image", "busybox");

    Application mangled =
        complete(true).mangle(application(List.of(resource), "complete")).application();

    JsonNode injected = applied(mangled).get(0).at(podSpecPath);
    assertThat(injected.at("/containers/0/env")).hasSize(2);
    assertThat(injected.at("/containers/0/volumeMounts")).hasSize(1);
    assertThat(injected.at("/volumes/0/name").asText())
        .isEqualTo("echo-demo-krake-complete-volume");
    assertThat(injected.at("/initContainers/0").has("env")).isFalse();
    assertThat(
            schema(mangled)
                .get(0)
                .at(podSpecPath + "/containers/0/env/2/observer_schema_list_max_length")
                .asInt())
        .isEqualTo(2);
  }

  @Test
  void otherKindsAndLookalikeCustomResourcesAreLeftAlone() {
    List<ObjectNode> manifest =
        List.of(
            sample("echo.yaml").get(1),
            sample("complete-job.yaml").get(1),
            json(
                "{\"apiVersion\": \"batch.volcano.sh/v1alpha1\", \"kind\": \"Job\","
                    + " \"metadata\": {\"name\": \"vc\"}, \"spec\": {\"tasks\": []}}"));

    Application mangled = complete(false).mangle(application(manifest, "complete")).application();

    assertThat(applied(mangled).subList(0, 3)).isEqualTo(manifest);
    assertThat(schema(mangled).subList(0, 3)).isEqualTo(Mangling.defaultSchemas(manifest));
  }

  @Test
  void aUserDefinedEnvironmentVariableOfTheSameNameIsKeptAndReported() {
    List<ObjectNode> manifest =
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
              - name: main
                env:
                - name: KRAKE_COMPLETE_TOKEN
                  value: my-own-secret-value
            """);

    ManglingResult result = complete(false).mangle(application(manifest, "complete"));

    JsonNode env = applied(result.application()).get(0).at("/spec/containers/0/env");
    assertThat(env).hasSize(2);
    assertThat(env.get(0)).isEqualTo(manifest.get(0).at("/spec/containers/0/env/0"));
    assertThat(env.get(1).get("name").asText()).isEqualTo("KRAKE_COMPLETE_URL");
    assertThat(result.warnings())
        .containsExactly(
            new ManglingWarning(
                "testing/echo-demo",
                "complete",
                "Pod p",
                "spec.containers[0].env",
                "KRAKE_COMPLETE_TOKEN"));
    assertThat(result.warnings().get(0).message())
        .contains("testing/echo-demo", "Pod p", "KRAKE_COMPLETE_TOKEN")
        .doesNotContain("my-own-secret-value");
    JsonNode envSchema = schema(result.application()).get(0).at("/spec/containers/0/env");
    assertThat(envSchema).hasSize(3);
    assertThat(envSchema.get(2))
        .isEqualTo(
            json(
                "{\"observer_schema_list_min_length\": 2,"
                    + " \"observer_schema_list_max_length\": 2}"));
    // and again: the same warning, nothing added
    ManglingResult again = complete(false).mangle(result.application());
    assertThat(again.application()).isEqualTo(result.application());
    assertThat(again.warnings()).isEqualTo(result.warnings());
  }

  @Test
  void aUserDefinedVolumeOfTheSameNameIsKeptAndReported() {
    List<ObjectNode> manifest =
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: prod}
            spec:
              volumes:
              - name: echo-demo-krake-complete-volume
                emptyDir: {}
              containers:
              - name: main
            """);

    ManglingResult result = complete(true).mangle(application(manifest, "complete"));

    assertThat(applied(result.application()).get(0).at("/spec/volumes"))
        .isEqualTo(manifest.get(0).at("/spec/volumes"));
    assertThat(result.warnings())
        .extracting(ManglingWarning::field, ManglingWarning::resource)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("spec.volumes", "Pod p in prod"));
  }

  @Test
  void secretsGoToEveryNamespaceUsedAndNamespaceLessResourcesGetNamespaceLessSecrets() {
    List<ObjectNode> manifest =
        List.of(
            sample("echo-namespaced.yaml").get(0),
            sample("echo.yaml").get(1),
            sample("echo-namespaced.yaml").get(1));

    Application mangled = complete(true).mangle(application(manifest, "complete")).application();

    List<ObjectNode> secrets = applied(mangled).subList(3, applied(mangled).size());
    assertThat(secrets)
        .extracting(
            s -> s.at("/metadata/name").asText() + "@" + s.at("/metadata/namespace").asText("-"))
        .containsExactly(
            "echo-demo-krake-complete-secret-certs@secondary",
            "echo-demo-krake-complete-secret-certs@-",
            "echo-demo-krake-complete-secret-token@secondary",
            "echo-demo-krake-complete-secret-token@-");
    assertThat(secrets.get(1).get("metadata").has("namespace")).isFalse();
    List<ObjectNode> secretSchemas = schema(mangled).subList(3, schema(mangled).size());
    assertThat(secretSchemas)
        .extracting(s -> s.at("/metadata/namespace").asText("-"))
        .containsExactly("secondary", "-", "secondary", "-");
    assertThat(secretSchemas.get(2).get("data"))
        .isEqualTo(json("{\"krake_complete_token\": null, \"krake_complete_url\": null}"));
  }

  @Test
  void aSchemaWithoutPodSpecGetsTheMissingPathsCreated() {
    List<ObjectNode> manifest = sample("echo.yaml");
    ObjectNode userSchema =
        json(
            "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\","
                + " \"metadata\": {\"name\": \"echo-demo\"}, \"spec\": {\"replicas\": null}}");
    List<ObjectNode> schemas = Mangling.completeSchemas(manifest, List.of(userSchema));

    Application mangled =
        complete(true).mangle(application(manifest, schemas, "complete")).application();

    assertThat(schema(mangled).get(0).at("/spec/template/spec"))
        .isEqualTo(
            json(
                """
                {"volumes": [{"name": null, "secret": {"secretName": null}},
                             {"observer_schema_list_min_length": 1,
                              "observer_schema_list_max_length": 1}],
                 "containers": [
                   {"volumeMounts": [{"name": null, "mountPath": null},
                                     {"observer_schema_list_min_length": 1,
                                      "observer_schema_list_max_length": 1}],
                    "env": [{"name": null, "valueFrom": {"secretKeyRef": {"name": null, "key": null}}},
                            {"name": null, "valueFrom": {"secretKeyRef": {"name": null, "key": null}}},
                            {"observer_schema_list_min_length": 2,
                             "observer_schema_list_max_length": 2}]},
                   {"observer_schema_list_min_length": 0, "observer_schema_list_max_length": 0}]}
                """));
    assertThat(complete(true).mangle(mangled).application()).isEqualTo(mangled);
  }

  @Test
  void aUserListWithMaximumZeroStaysUnlimitedAndShortSchemasArePadded() {
    List<ObjectNode> manifest =
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
              - name: main
                env:
                - {name: A, value: a}
                - {name: B, value: b}
            """);
    ObjectNode userSchema =
        json(
            """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
             "spec": {"containers": [
               {"env": [{"observer_schema_list_min_length": 1,
                         "observer_schema_list_max_length": 0}]},
               {"observer_schema_list_min_length": 1, "observer_schema_list_max_length": 1}]}}
            """);

    Application mangled =
        complete(false)
            .mangle(application(manifest, List.of(userSchema), "complete"))
            .application();

    JsonNode env = schema(mangled).get(0).at("/spec/containers/0/env");
    assertThat(env)
        .containsExactly(
            json("{}"),
            json("{}"),
            json(
                "{\"name\": null, \"valueFrom\": {\"secretKeyRef\": {\"name\": null, \"key\": null}}}"),
            json(
                "{\"name\": null, \"valueFrom\": {\"secretKeyRef\": {\"name\": null, \"key\": null}}}"),
            json(
                "{\"observer_schema_list_min_length\": 3, \"observer_schema_list_max_length\": 0}"));
    assertThat(complete(false).mangle(mangled).application()).isEqualTo(mangled);
  }

  @Test
  void aPodSpecThatIsNotAnObjectIsRejectedNamingResourceAndPath() {
    ObjectNode deployment =
        json(
            "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"metadata\": {\"name\": \"d\"},"
                + " \"spec\": {\"template\": {\"spec\": [1, 2]}}}");

    assertThatThrownBy(() -> complete(false).mangle(application(List.of(deployment), "complete")))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("Deployment d")
        .hasMessageContaining("spec.template.spec");
  }

  @Test
  void anEnvThatIsNeitherListNorObjectIsRejectedNamingResourceAndPath() {
    List<ObjectNode> manifest =
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            spec:
              containers:
              - name: main
                env: "A=b"
            """);

    assertThatThrownBy(() -> complete(false).mangle(application(manifest, "complete")))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("Pod p")
        .hasMessageContaining("spec.containers[0].env");
  }

  @Test
  void aSchemaListWithoutControlIsRejectedNamingTheSchema() {
    List<ObjectNode> manifest = sample("echo.yaml");
    ObjectNode userSchema =
        json(
            "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\","
                + " \"metadata\": {\"name\": \"echo-demo\"},"
                + " \"spec\": {\"template\": {\"spec\": {\"containers\": [{\"env\": [null]},"
                + " {\"observer_schema_list_min_length\": 1,"
                + " \"observer_schema_list_max_length\": 1}]}}}}");

    assertThatThrownBy(
            () -> complete(false).mangle(application(manifest, List.of(userSchema), "complete")))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("mangled_observer_schema[0] (Deployment echo-demo)")
        .hasMessageContaining("spec.template.spec.containers[0].env");
  }

  @Test
  void throughTheDispatcherAFailureNamesTheHandler() {
    ObjectNode pod =
        json("{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}");
    Krake krake =
        HookMangling.register(Krake.builder().store(MemoryStore.create()), config(false), issuer)
            .build();

    assertThat(krake.dispatcher().handlers(DispatcherHookPoint.APPLICATION_MANGLING))
        .containsExactly("complete", "shutdown");
    HookContext context =
        HookContext.of(
            DispatcherHookPoint.APPLICATION_MANGLING,
            application(List.of(pod), "shutdown"),
            Optional.empty());
    assertThatThrownBy(() -> krake.dispatcher().dispatch(context))
        .isInstanceOfSatisfying(
            HookException.class, e -> assertThat(e.hook()).isEqualTo("shutdown"))
        .hasMessageContaining("Pod p");
  }

  @Test
  void theHandlerRefusesAnotherPoint() {
    HookContext context =
        HookContext.of(
            DispatcherHookPoint.APPLICATION_PRE_RECONCILE,
            application(sample("echo.yaml"), "complete"),
            Optional.empty());

    assertThatThrownBy(() -> complete(false).handle(context))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theOutputIsDeterministic() {
    Application app = application(sample("echo-namespaced.yaml"), "complete", "shutdown");
    app =
        app.withStatus(
            app.status()
                .withCredentials(
                    HookCredentials.COMPLETE,
                    new HookCredentials(
                        Optional.of("c-token"), Optional.of("c-cert"), Optional.of("c-key")))
                .withCredentials(
                    HookCredentials.SHUTDOWN,
                    new HookCredentials(
                        Optional.of("s-token"), Optional.of("s-cert"), Optional.of("s-key"))));

    String first =
        KrakeJson.write(
            shutdown(true).mangle(complete(true).mangle(app).application()).application());
    String second =
        KrakeJson.write(
            shutdown(true).mangle(complete(true).mangle(app).application()).application());

    assertThat(first).isEqualTo(second);
  }

  @Test
  void theMangledApplicationsToStringShowsNoTokenNorKey() {
    Application mangled =
        shutdown(true)
            .mangle(
                complete(true)
                    .mangle(application(sample("echo.yaml"), "complete", "shutdown"))
                    .application())
            .application();

    String text = mangled.toString();
    for (String secret :
        List.of(
            mangled.status().complete().token().orElseThrow(),
            mangled.status().shutdown().token().orElseThrow(),
            mangled.status().complete().key().orElseThrow(),
            mangled.status().shutdown().key().orElseThrow())) {
      assertThat(text).doesNotContain(secret).doesNotContain(encode(secret));
    }
    assertThat(text).doesNotContain("FAKE-KEY");
  }

  @Test
  void hookConfigDefaultsGiveKrakesSecretKeys() {
    assertThat(HookConfig.completeDefaults().tokenSecretKey()).isEqualTo("krake_complete_token");
    assertThat(HookConfig.shutdownDefaults().urlSecretKey()).isEqualTo("krake_shutdown_url");
  }
}
