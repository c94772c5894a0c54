package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodConfigTest {
  private final Map<String, ObjectNode> objects =
      Map.of(
          "Secret/db",
          yaml("{kind: Secret, metadata: {name: db}, data: {password: aHVudGVyMg==}}"),
          "ConfigMap/app",
          yaml("{kind: ConfigMap, metadata: {name: app}, data: {mode: fast, conf.ini: 'a=1'}}"));
  private final PodConfig.Lookup lookup =
      new PodConfig.Lookup() {
        @Override
        public Optional<ObjectNode> secret(String namespace, String name) {
          return Optional.ofNullable(objects.get("Secret/" + name));
        }

        @Override
        public Optional<ObjectNode> configMap(String namespace, String name) {
          return Optional.ofNullable(objects.get("ConfigMap/" + name));
        }
      };
  private final ObjectNode pod =
      yaml("{kind: Pod, metadata: {name: p, namespace: ns, labels: {tier: web}}}");

  @Test
  void resolvesValuesReferencesAndFieldsInOrderWithExpansion() throws Exception {
    ObjectNode container =
        yaml(
            """
            env:
            - {name: PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}
            - {name: MODE, valueFrom: {configMapKeyRef: {name: app, key: mode}}}
            - {name: WHO, valueFrom: {fieldRef: {fieldPath: metadata.name}}}
            - {name: TIER, valueFrom: {fieldRef: {fieldPath: "metadata.labels['tier']"}}}
            - {name: GREETING, value: "$(WHO) in $(MISSING) costs $$(MODE) $(MODE)"}
            envFrom:
            - {configMapRef: {name: app}, prefix: APP_}
            """);

    Map<String, String> env = PodConfig.environment(pod, container, lookup, Map.of("PATH", "/bin"));

    assertThat(env)
        .containsEntry("PATH", "/bin")
        .containsEntry("PASSWORD", "hunter2")
        .containsEntry("MODE", "fast")
        .containsEntry("WHO", "p")
        .containsEntry("TIER", "web")
        .containsEntry("APP_mode", "fast")
        .containsEntry("GREETING", "p in $(MISSING) costs $(MODE) fast");
  }

  @Test
  void failsLikeTheKubeletOnAMissingSecretOrKeyButNotWhenOptional() throws Exception {
    ObjectNode missingSecret =
        yaml("env: [{name: X, valueFrom: {secretKeyRef: {name: nope, key: k}}}]");
    ObjectNode missingKey =
        yaml("env: [{name: X, valueFrom: {configMapKeyRef: {name: app, key: nope}}}]");
    ObjectNode optional =
        yaml("env: [{name: X, valueFrom: {secretKeyRef: {name: nope, key: k, optional: true}}}]");

    assertThatThrownBy(() -> PodConfig.environment(pod, missingSecret, lookup, Map.of()))
        .hasMessage("secret \"nope\" not found");
    assertThatThrownBy(() -> PodConfig.environment(pod, missingKey, lookup, Map.of()))
        .hasMessage("couldn't find key nope in ConfigMap ns/app");
    assertThat(PodConfig.environment(pod, optional, lookup, Map.of())).doesNotContainKey("X");
  }

  @Test
  void materialisesSecretItemsWithTheirModes(@TempDir Path directory) throws Exception {
    ObjectNode volume =
        yaml(
            "{name: s, secret: {secretName: db, defaultMode: 0400, items: [{key: password, path:"
                + " creds/pw}]}}");

    PodConfig.materialise("ns", volume, directory.resolve("s"), lookup);

    Path file = directory.resolve("s/creds/pw");
    assertThat(Files.readString(file)).isEqualTo("hunter2");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("r--------");
  }

  @Test
  void materialisesEveryConfigMapKeyAndRefusesAMissingConfigMap(@TempDir Path directory)
      throws Exception {
    PodConfig.materialise("ns", yaml("{name: c, configMap: {name: app}}"), directory, lookup);

    assertThat(Files.readString(directory.resolve("conf.ini"))).isEqualTo("a=1");
    assertThatThrownBy(
            () ->
                PodConfig.materialise(
                    "ns", yaml("{name: c, configMap: {name: gone}}"), directory, lookup))
        .hasMessage("configmap \"gone\" not found");
  }

  @Test
  void materialisesAProjectedVolumeOfASecretAndAConfigMapInOneDirectory(@TempDir Path directory)
      throws Exception {
    ObjectNode volume =
        yaml(
            "{name: p, projected: {defaultMode: 0440, sources: ["
                + "{secret: {name: db, items: [{key: password, path: db/pw}]}},"
                + "{configMap: {name: app, items: [{key: conf.ini, path: app/conf.ini}]}},"
                + "{secret: {name: gone, optional: true}}]}}");

    PodConfig.materialise("ns", volume, directory.resolve("p"), lookup);

    assertThat(Files.readString(directory.resolve("p/db/pw"))).isEqualTo("hunter2");
    assertThat(Files.readString(directory.resolve("p/app/conf.ini"))).isEqualTo("a=1");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(directory.resolve("p/db/pw"))))
        .isEqualTo("r--r-----");
    assertThatThrownBy(
            () ->
                PodConfig.materialise(
                    "ns",
                    yaml("{name: p, projected: {sources: [{secret: {name: gone}}]}}"),
                    directory.resolve("q"),
                    lookup))
        .hasMessage("secret \"gone\" not found");
  }

  @Test
  void materialisesTheServiceAccountVolumeTheApiServerAdds(@TempDir Path directory)
      throws Exception {
    ObjectNode pod =
        yaml("{metadata: {name: web-1, namespace: ns}, spec: {serviceAccountName: builder}}");
    ObjectNode volume =
        yaml(
            "{name: kube-api-access-x, projected: {defaultMode: 0420, sources: ["
                + "{serviceAccountToken: {expirationSeconds: 3607, path: token}},"
                + "{configMap: {name: app, items: [{key: conf.ini, path: ca.crt}]}},"
                + "{downwardAPI: {items: [{path: namespace, fieldRef: {apiVersion: v1,"
                + " fieldPath: metadata.namespace}}]}}]}}");
    List<String> asked = new java.util.ArrayList<>();
    PodConfig.Lookup issuing =
        new PodConfig.Lookup() {
          @Override
          public Optional<ObjectNode> secret(String namespace, String name) {
            return lookup.secret(namespace, name);
          }

          @Override
          public Optional<ObjectNode> configMap(String namespace, String name) {
            return lookup.configMap(namespace, name);
          }

          @Override
          public Optional<String> serviceAccountToken(
              ObjectNode of, String audience, long expirationSeconds) {
            asked.add(
                of.at("/metadata/name").asText()
                    + " "
                    + of.at("/spec/serviceAccountName").asText()
                    + " "
                    + expirationSeconds);
            return Optional.of("issued-token");
          }
        };

    PodConfig.materialise(pod, volume, directory.resolve("sa"), issuing);
    PodConfig.materialise(pod, volume, directory.resolve("fake"), lookup);

    assertThat(Files.readString(directory.resolve("sa/token"))).isEqualTo("issued-token");
    assertThat(Files.readString(directory.resolve("sa/ca.crt"))).isEqualTo("a=1");
    assertThat(Files.readString(directory.resolve("sa/namespace"))).isEqualTo("ns");
    assertThat(asked).containsExactly("web-1 builder 3607");
    assertThat(directory.resolve("fake/token")).doesNotExist();
    assertThat(Files.readString(directory.resolve("fake/namespace"))).isEqualTo("ns");
  }

  private static ObjectNode yaml(String text) {
    try {
      return (ObjectNode) Json.YAML.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
