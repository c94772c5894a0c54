package cloud.krake.hooks.mangling;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.dispatcher.HookContext;
import cloud.krake.dispatcher.HookDispatcher;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.mangling.Mangling.FakeIssuer;
import cloud.krake.model.Application;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.ObserverSchemas;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mangling over every workload manifest of the project's test manifests, with the default schema
 * and with each observer schema that fits the manifest, for each hook combination, TLS on and off.
 * {@link HookManglingSamplesConformanceTest} runs the same over Krake's sample files.
 */
class HookManglingSamplesTest {

  static Stream<Arguments> cases() throws IOException {
    return casesIn(
        Mangling.manifests(),
        6,
        List.of(
            "echo-observer-schema-custom.yaml",
            "echo-observer-schema-standard.yaml",
            "shutdown-statefulset-observer-schema.yaml",
            "pvc-pod-observer-schema.yaml"));
  }

  /**
   * The cases of every manifest in {@code dir} (at least {@code minManifests}; metrics documents
   * left out) with every schema that fits it; {@code schemas} must each have found their manifest.
   */
  static Stream<Arguments> casesIn(Path dir, int minManifests, List<String> schemas)
      throws IOException {
    List<String> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files =
          listing
              .map(p -> p.getFileName().toString())
              .filter(f -> f.endsWith(".yaml") && !f.contains("metrics"))
              .sorted()
              .toList();
    }
    List<String> schemaFiles = files.stream().filter(f -> f.contains("observer")).toList();
    List<String> manifests = files.stream().filter(f -> !schemaFiles.contains(f)).toList();
    assertThat(manifests).hasSizeGreaterThanOrEqualTo(minManifests);

    List<Arguments> cases = new ArrayList<>();
    for (String manifestFile : manifests) {
      List<ObjectNode> manifest = Mangling.read(dir.resolve(manifestFile));
      List<String> schemaVariants = new ArrayList<>();
      schemaVariants.add("default");
      for (String schemaFile : schemaFiles) {
        List<ObjectNode> schema = Mangling.read(dir.resolve(schemaFile));
        boolean fits =
            schema.stream().allMatch(s -> ObserverSchemas.indexOf(manifest, s).isPresent());
        if (fits) {
          schemaVariants.add(schemaFile);
        }
      }
      for (String schemaVariant : schemaVariants) {
        for (List<String> hooks :
            List.of(List.of("complete"), List.of("shutdown"), List.of("complete", "shutdown"))) {
          for (boolean tls : List.of(false, true)) {
            cases.add(Arguments.of(dir, manifestFile, schemaVariant, hooks, tls));
          }
        }
      }
    }
    // the custom schemas must have found their manifests
    assertThat(cases.stream().map(a -> (String) a.get()[2]).distinct()).containsAll(schemas);
    return cases.stream();
  }

  @ParameterizedTest(name = "{1} with {2} schema, hooks {3}, tls {4}")
  @MethodSource("cases")
  void manglingItsOwnOutputAgainChangesNothing(
      Path dir, String manifestFile, String schemaFile, List<String> hooks, boolean tls) {
    assertManglingIsIdempotent(dir, manifestFile, schemaFile, hooks, tls);
  }

  /** Mangles a manifest of {@code dir} once, then again: the second time changes nothing. */
  static void assertManglingIsIdempotent(
      Path dir, String manifestFile, String schemaFile, List<String> hooks, boolean tls) {
    List<ObjectNode> manifest = Mangling.read(dir.resolve(manifestFile));
    List<ObjectNode> user =
        schemaFile.equals("default") ? List.of() : Mangling.read(dir.resolve(schemaFile));
    Application app =
        Mangling.application(
            manifest, Mangling.completeSchemas(manifest, user), hooks.toArray(String[]::new));
    HooksConfig config = Mangling.config(tls);
    FakeIssuer issuer = new FakeIssuer();
    SecureRandom random = new SecureRandom();
    HookDispatcher dispatcher =
        HookDispatcher.builder()
            .register(
                DispatcherHookPoint.APPLICATION_MANGLING,
                "complete",
                HookMangling.complete(config, issuer, random))
            .register(
                DispatcherHookPoint.APPLICATION_MANGLING,
                "shutdown",
                HookMangling.shutdown(config, issuer, random))
            .build();

    Application once = mangle(dispatcher, app);
    Application twice = mangle(dispatcher, once);

    assertThat(KrakeJson.write(twice)).isEqualTo(KrakeJson.write(once));
    assertThat(twice).isEqualTo(once);
    assertThat(issuer.issued).hasSize(tls ? hooks.size() : 0);
    // after a store round trip, and after the controller regenerated the status from the spec
    Application stored = KrakeJson.read(KrakeJson.write(once), Application.class);
    assertThat(mangle(dispatcher, stored)).isEqualTo(stored);
    Application regenerated =
        stored.withStatus(
            stored
                .status()
                .withLastAppliedManifest(manifest)
                .withMangledObserverSchema(Mangling.completeSchemas(manifest, user)));
    assertThat(mangle(dispatcher, regenerated)).isEqualTo(stored);
    assertThat(issuer.issued).hasSize(tls ? hooks.size() : 0);

    List<ObjectNode> applied = once.status().lastAppliedManifest();
    int workloads = 0;
    for (ObjectNode resource : applied) {
      if (List.of("Deployment", "StatefulSet", "Job", "Pod")
          .contains(resource.path("kind").asText())) {
        workloads++;
        JsonNode podSpec =
            resource.path("kind").asText().equals("Pod")
                ? resource.get("spec")
                : resource.at("/spec/template/spec");
        for (JsonNode container : podSpec.get("containers")) {
          for (String hook : hooks) {
            String env = "KRAKE_" + hook.toUpperCase(java.util.Locale.ROOT) + "_TOKEN";
            assertThat(container.get("env")).anyMatch(e -> e.get("name").asText().equals(env));
          }
        }
      }
    }
    assertThat(workloads).isPositive();
    int secretsPerHook = tls ? 2 : 1;
    assertThat(applied)
        .hasSize(manifest.size() + hooks.size() * secretsPerHook * namespaces(manifest));
    assertThat(once.status().mangledObserverSchema()).hasSameSizeAs(applied);
    for (ObjectNode resource : applied) {
      assertThat(ObserverSchemas.indexOf(once.status().mangledObserverSchema(), resource))
          .as("schema of %s", resource.at("/metadata/name"))
          .isPresent();
    }
    // observer list controls stay consistent: a non-zero maximum covers the observed elements
    for (ObjectNode schema : once.status().mangledObserverSchema()) {
      assertControlsConsistent(schema);
    }
  }

  private static Application mangle(HookDispatcher dispatcher, Application app) {
    HookContext result =
        dispatcher.dispatch(
            HookContext.of(DispatcherHookPoint.APPLICATION_MANGLING, app, Optional.empty()));
    return result.requireApplication();
  }

  private static int namespaces(List<ObjectNode> manifest) {
    return (int)
        manifest.stream().map(r -> r.at("/metadata/namespace").asText("")).distinct().count();
  }

  private static void assertControlsConsistent(JsonNode node) {
    if (node.isArray()) {
      JsonNode control = node.get(node.size() - 1);
      assertThat(ObserverSchemas.isListControl(control)).as("%s", node).isTrue();
      long min = control.get(ObserverSchemas.LIST_MIN_LENGTH).asLong();
      long max = control.get(ObserverSchemas.LIST_MAX_LENGTH).asLong();
      if (max != 0) {
        assertThat(max).as("%s", node).isGreaterThanOrEqualTo(Math.max(min, node.size() - 1));
      }
      for (int i = 0; i < node.size() - 1; i++) {
        assertControlsConsistent(node.get(i));
      }
    } else if (node.isObject()) {
      node.forEach(HookManglingSamplesTest::assertControlsConsistent);
    }
  }
}
