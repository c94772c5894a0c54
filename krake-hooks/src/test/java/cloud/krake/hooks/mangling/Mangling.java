package cloud.krake.hooks.mangling;

import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.PemSource;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.tls.CertificateIssuer;
import cloud.krake.hooks.tls.HookIdentity;
import cloud.krake.hooks.tls.IssuedCertificate;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.Constraints;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.ObserverSchemas;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Fixtures of the mangling tests: configurations, a fake issuer, applications, samples. */
final class Mangling {

  static final String ROOT_PEM =
      "-----BEGIN CERTIFICATE-----\nRk9SLVRFU1RTLU9OTFktUk9PVA==\n-----END CERTIFICATE-----";
  static final String INTERMEDIATE_PEM =
      "-----BEGIN CERTIFICATE-----\nRk9SLVRFU1RTLU9OTFktSU5URVJNRURJQVRF\n-----END CERTIFICATE-----\n";
  static final String INTERMEDIATE_KEY_PEM =
      "-----BEGIN PRIVATE KEY-----\nRk9SLVRFU1RTLU9OTFktSU5URVJNRURJQVRFLUtFWQ==\n"
          + "-----END PRIVATE KEY-----\n";

  private Mangling() {}

  static HooksConfig.Builder configBuilder(boolean tls) {
    PemSource cert = PemSource.of(INTERMEDIATE_PEM);
    PemSource key = PemSource.of(INTERMEDIATE_KEY_PEM);
    return HooksConfig.builder()
        .endpoint(URI.create("http://krake.example.com:8080/some/path"))
        .tls(tls)
        .complete(HookConfig.completeDefaults().withIntermediate(cert, key))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(HookConfig.shutdownDefaults().withIntermediate(cert, key)))
        .addCaBundle(PemSource.of(ROOT_PEM));
  }

  static HooksConfig config(boolean tls) {
    return configBuilder(tls).build();
  }

  /** Issues recognisable fake PEM texts and records whom it issued to. */
  static final class FakeIssuer implements CertificateIssuer {
    final List<HookIdentity> issued = new CopyOnWriteArrayList<>();

    @Override
    public IssuedCertificate issue(HookIdentity identity) {
      issued.add(identity);
      int n = issued.size();
      return new IssuedCertificate(
          "-----BEGIN CERTIFICATE-----\nFAKE-CERT-"
              + identity.sanUri()
              + "\n-----END CERTIFICATE-----\n",
          "-----BEGIN PRIVATE KEY-----\nFAKE-KEY-"
              + n
              + "-"
              + identity.hook()
              + "\n-----END PRIVATE KEY-----\n",
          "issuer's own bundle, not used");
    }
  }

  static Application application(List<ObjectNode> manifest, String... hooks) {
    return application(manifest, defaultSchemas(manifest), hooks);
  }

  /** An application as the controller hands it to the mangling: status regenerated from spec. */
  static Application application(
      List<ObjectNode> manifest, List<ObjectNode> schema, String... hooks) {
    ApplicationSpec spec = ApplicationSpec.of(manifest, Constraints.NONE).withHooks(List.of(hooks));
    Application app = Application.of(Metadata.of("testing", "echo-demo"), spec);
    return app.withStatus(
        app.status().withLastAppliedManifest(manifest).withMangledObserverSchema(schema));
  }

  /** The user's schemas, completed with default schemas, as Krake's controller does. */
  static List<ObjectNode> defaultSchemas(List<ObjectNode> manifest) {
    return completeSchemas(manifest, List.of());
  }

  static List<ObjectNode> completeSchemas(List<ObjectNode> manifest, List<ObjectNode> user) {
    return ObserverSchemas.effectiveSchema(manifest, user);
  }

  static ObjectNode json(String json) {
    return KrakeJson.read(json, ObjectNode.class);
  }

  static List<ObjectNode> yaml(String yaml) {
    return KrakeJson.readAll(yaml, ObjectNode.class);
  }

  /** The directory of the project's own test manifests on the test classpath. */
  static Path manifests() {
    try {
      return Path.of(Mangling.class.getResource("/manifests/echo.yaml").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One of the project's own test manifests by file name, e.g. {@code echo.yaml}. */
  static List<ObjectNode> sample(String file) {
    return read(manifests().resolve(file));
  }

  /**
   * Krake's sample directory, given by the {@code krake-samples} Maven profile as the system
   * property {@code krake.samples.dir}; only the {@code *SamplesConformanceTest} classes read it.
   */
  static Path krakeSamples() {
    String dir = System.getProperty("krake.samples.dir");
    if (dir == null || dir.isBlank()) {
      throw new IllegalStateException(
          "krake.samples.dir is not set: the conformance tests run in the krake-samples profile");
    }
    return Path.of(dir);
  }

  /** Reads every document of a YAML file. */
  static List<ObjectNode> read(Path file) {
    try {
      return yaml(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String decode(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }

  static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static ObjectNode resource(List<ObjectNode> resources, String kind, String name) {
    return resources.stream()
        .filter(r -> r.path("kind").asText().equals(kind))
        .filter(r -> r.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + resources));
  }
}
