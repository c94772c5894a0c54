package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading kubeconfigs as users have them: context choice and file references resolved at load. */
class KubeconfigFileTest {

  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n";
  private static final String TOKEN = "t0ken-that-must-not-leak";

  @TempDir Path dir;

  private static final String TWO_CONTEXTS =
      """
      apiVersion: v1
      kind: Config
      current-context: dev
      clusters:
      - name: dev-cluster
        cluster:
          server: https://10.0.0.1:6443
          certificate-authority: pki/ca.crt
      - name: prod-cluster
        cluster:
          server: https://10.0.0.2:6443
          certificate-authority-data: Y2EtZGF0YQ==
      users:
      - name: dev-user
        user:
          client-certificate: pki/client.crt
          client-key: pki/client.key
      - name: prod-user
        user:
          tokenFile: tokens/prod
      - name: sso-user
        user:
          exec:
            apiVersion: client.authentication.k8s.io/v1
            command: ./bin/plugin
            args: [get-token]
      contexts:
      - name: dev
        context: {cluster: dev-cluster, user: dev-user, namespace: team-a}
      - name: prod
        context: {cluster: prod-cluster, user: prod-user}
      - name: sso
        context: {cluster: prod-cluster, user: sso-user}
      """;

  private Path kubeconfig(String text) throws IOException {
    Files.createDirectories(dir.resolve("pki"));
    Files.writeString(dir.resolve("pki/ca.crt"), "ca-bytes");
    Files.writeString(dir.resolve("pki/client.crt"), "client-cert-bytes");
    Files.writeString(dir.resolve("pki/client.key"), KEY);
    Files.createDirectories(dir.resolve("tokens"));
    Files.writeString(dir.resolve("tokens/prod"), TOKEN);
    Path file = dir.resolve("config");
    Files.writeString(file, text);
    return file;
  }

  private static String decoded(JsonNode node) {
    return new String(Base64.getDecoder().decode(node.asText()), StandardCharsets.UTF_8);
  }

  @Test
  void loadsTheCurrentContextAndEmbedsFilesRelativeToTheKubeconfigsDirectory() throws IOException {
    ObjectNode loaded = KubeconfigFile.load(kubeconfig(TWO_CONTEXTS));

    assertThat(loaded.get("current-context").asText()).isEqualTo("dev");
    assertThat(loaded.get("contexts")).hasSize(1);
    assertThat(loaded.get("users")).hasSize(1);
    assertThat(loaded.get("clusters")).hasSize(1);
    JsonNode cluster = loaded.get("clusters").get(0).get("cluster");
    assertThat(cluster.has("certificate-authority")).isFalse();
    assertThat(decoded(cluster.get("certificate-authority-data"))).isEqualTo("ca-bytes");
    JsonNode user = loaded.get("users").get(0).get("user");
    assertThat(user.has("client-certificate")).isFalse();
    assertThat(user.has("client-key")).isFalse();
    assertThat(decoded(user.get("client-certificate-data"))).isEqualTo("client-cert-bytes");
    assertThat(decoded(user.get("client-key-data"))).isEqualTo(KEY);
    assertThat(loaded.get("contexts").get(0).get("context").get("namespace").asText())
        .isEqualTo("team-a");
  }

  @Test
  void loadsANamedContextKeepingTheTokenFileAsAnAbsoluteReference() throws IOException {
    ObjectNode loaded = KubeconfigFile.load(kubeconfig(TWO_CONTEXTS), "prod");

    assertThat(loaded.get("current-context").asText()).isEqualTo("prod");
    assertThat(loaded.get("users").get(0).get("user").get("tokenFile").asText())
        .isEqualTo(dir.resolve("tokens/prod").toAbsolutePath().normalize().toString());
    assertThat(loaded.toString()).doesNotContain(TOKEN);
    assertThat(loaded.get("clusters").get(0).get("name").asText()).isEqualTo("prod-cluster");
  }

  @Test
  void makesARelativeExecCommandPathAbsolute() throws IOException {
    ObjectNode loaded = KubeconfigFile.load(kubeconfig(TWO_CONTEXTS), "sso");

    JsonNode exec = loaded.get("users").get(0).get("user").get("exec");
    assertThat(exec.get("command").asText())
        .isEqualTo(dir.resolve("bin/plugin").toAbsolutePath().normalize().toString());
    assertThat(exec.get("args").get(0).asText()).isEqualTo("get-token");
  }

  @Test
  void refusesAnUnreadableFileNamingTheFieldWithoutQuotingKeyMaterial() throws IOException {
    Path file = kubeconfig(TWO_CONTEXTS);
    Files.delete(dir.resolve("pki/client.key"));

    InvalidResourceException e =
        catchThrowableOfType(InvalidResourceException.class, () -> KubeconfigFile.load(file));

    assertThat(e.errors())
        .extracting(FieldError::field)
        .containsExactly("users[0].user.client-key");
    assertThat(e.getMessage())
        .contains(dir.resolve("pki/client.key").toString())
        .contains("is not readable")
        .doesNotContain("c2VjcmV0");
  }

  @Test
  void refusesAMissingTokenFileNamingTheField() throws IOException {
    Path file = kubeconfig(TWO_CONTEXTS);
    Files.delete(dir.resolve("tokens/prod"));

    assertThatThrownBy(() -> KubeconfigFile.load(file, "prod"))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("users[1].user.tokenFile"));
  }

  @Test
  void refusesAKubeconfigWithoutCurrentContextUnlessOneIsNamed() throws IOException {
    Path file = kubeconfig(TWO_CONTEXTS.replace("current-context: dev\n", ""));

    assertThatThrownBy(() -> KubeconfigFile.load(file))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field)
                    .containsExactly("current-context"));
    assertThat(KubeconfigFile.load(file, "dev").get("current-context").asText()).isEqualTo("dev");
  }

  @Test
  void refusesUnknownContextUserAndClusterReferences() throws IOException {
    Path file = kubeconfig(TWO_CONTEXTS.replace("user: prod-user", "user: nobody"));

    assertThatThrownBy(() -> KubeconfigFile.load(file, "prod"))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors())
                    .extracting(FieldError::field, FieldError::message)
                    .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                            "contexts[1].context.user", "names no entry of users: nobody")));
    assertThatThrownBy(() -> KubeconfigFile.load(file, "staging"))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("contexts")
        .hasMessageContaining("staging");
  }

  @Test
  void parsesTextButRefusesRelativeFileReferencesThere() throws IOException {
    kubeconfig(TWO_CONTEXTS);
    assertThatThrownBy(() -> KubeconfigFile.parse(TWO_CONTEXTS))
        .isInstanceOfSatisfying(
            InvalidResourceException.class,
            e ->
                assertThat(e.errors().get(0).field()).isEqualTo("users[0].user.client-certificate"))
        .hasMessageContaining("KubeconfigFile.load(Path)");

    String absolute = TWO_CONTEXTS.replace("pki/", dir.resolve("pki") + "/");
    ObjectNode parsed = KubeconfigFile.parse(absolute);
    assertThat(decoded(parsed.get("users").get(0).get("user").get("client-key-data")))
        .isEqualTo(KEY);
  }

  @Test
  void refusesMalformedYamlWithoutQuotingIt() {
    assertThatThrownBy(() -> KubeconfigFile.parse("users: [" + TOKEN))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("is not a YAML kubeconfig")
        .hasMessageNotContaining(TOKEN);
    assertThatThrownBy(() -> KubeconfigFile.parse("current-context: a\ncurrent-context: b\n"))
        .isInstanceOf(InvalidResourceException.class);
    assertThatThrownBy(() -> KubeconfigFile.parse("- a list"))
        .isInstanceOf(InvalidResourceException.class)
        .hasMessageContaining("is not a YAML mapping");
  }

  @Test
  void reportsAMissingKubeconfigFileAsAnIoError() {
    assertThatThrownBy(() -> KubeconfigFile.load(dir.resolve("absent")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("absent");
  }
}
