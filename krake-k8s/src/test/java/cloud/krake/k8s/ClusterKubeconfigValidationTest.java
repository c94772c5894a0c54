package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import cloud.krake.Krake;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.FieldError;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.Metadata;
import cloud.krake.store.memory.MemoryStore;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unusable kubeconfig is refused by {@code krake.clusters().create} (and by an update changing
 * it), naming the field, with nothing written; not found later by the cluster controller.
 */
class ClusterKubeconfigValidationTest {

  private static final String TOKEN = "s3cr3t-t0ken-value";

  @TempDir Path dir;

  private final MemoryStore store = MemoryStore.create();
  private final Krake krake =
      Krake.builder()
          .store(store)
          .extension(
              KubernetesBackend.builder()
                  .connector(
                      KubeconfigClusterConnector.builder()
                          .allowExecCommands("/usr/local/bin/allowed-plugin")
                          .build())
                  .build())
          .build();

  @AfterEach
  void close() {
    krake.close();
    store.close();
  }

  private static ObjectNode kubeconfig() {
    return KubeconfigClusterConnectorTest.kubeconfig("https://127.0.0.1:6443");
  }

  private static ObjectNode user(ObjectNode kubeconfig) {
    return (ObjectNode) kubeconfig.get("users").get(0).get("user");
  }

  private static Cluster cluster(ObjectNode kubeconfig) {
    return Cluster.of(Metadata.of("testing", "c1"), ClusterSpec.ofKubeconfig(kubeconfig));
  }

  /** Creates the cluster with a changed kubeconfig; returns the refused field. */
  private String refusedField(Consumer<ObjectNode> change) {
    ObjectNode kubeconfig = kubeconfig();
    change.accept(kubeconfig);
    InvalidResourceException e =
        catchThrowableOfType(
            InvalidResourceException.class, () -> krake.clusters().create(cluster(kubeconfig)));
    assertThat(e).as("refused at create").isNotNull();
    assertThat(e.getMessage()).doesNotContain(TOKEN);
    assertThat(krake.clusters().get("testing", "c1")).as("nothing written").isEmpty();
    return e.errors().stream().map(FieldError::field).findFirst().orElseThrow();
  }

  @Test
  void refusesAKubeconfigWithoutAUserAtCreateWritingNothing() {
    assertThat(refusedField(k -> k.remove("users"))).isEqualTo("spec.kubeconfig.users");
  }

  @Test
  void refusesUnknownContextReferences() {
    assertThat(refusedField(k -> k.put("current-context", "other")))
        .isEqualTo("spec.kubeconfig.current-context");
    assertThat(
            refusedField(
                k -> ((ObjectNode) k.get("contexts").get(0).get("context")).put("user", "x")))
        .isEqualTo("spec.kubeconfig.contexts[0].context.user");
    assertThat(
            refusedField(
                k -> ((ArrayNode) k.get("contexts")).add(k.get("contexts").get(0).deepCopy())))
        .isEqualTo("spec.kubeconfig.contexts");
  }

  @Test
  void refusesAnExecPluginThatIsNotAllowed() {
    assertThat(
            refusedField(
                k ->
                    user(k)
                        .putObject("exec")
                        .put("apiVersion", "client.authentication.k8s.io/v1")
                        .put("command", "aws")))
        .isEqualTo("spec.kubeconfig.users[0].user.exec.command");
  }

  @Test
  void refusesTokenFilesOutsideAllowedDirectoriesAndUnreadableFileReferences() {
    assertThat(refusedField(k -> user(k).put("tokenFile", dir.resolve("token").toString())))
        .isEqualTo("spec.kubeconfig.users[0].user.tokenFile");
    assertThat(refusedField(k -> user(k).put("client-key", "/etc/ssl/private/key.pem")))
        .isEqualTo("spec.kubeconfig.users[0].user.client-key");
  }

  @Test
  void refusesMalformedCertificateData() {
    assertThat(
            refusedField(
                k ->
                    ((ObjectNode) k.get("clusters").get(0).get("cluster"))
                        .put("certificate-authority-data", "%%% not base64")))
        .isEqualTo("spec.kubeconfig.clusters[0].cluster.certificate-authority-data");
    // base64, but no certificate: found by loading it as the client would
    assertThat(
            refusedField(
                k ->
                    ((ObjectNode) k.get("clusters").get(0).get("cluster"))
                        .put("certificate-authority-data", "bm90IGEgY2VydGlmaWNhdGU=")))
        .isEqualTo("spec.kubeconfig");
  }

  @Test
  void acceptsAnAllowedPluginAndRefusesAnUpdateThatBreaksTheKubeconfig() {
    ObjectNode kubeconfig = kubeconfig();
    user(kubeconfig).remove("token");
    user(kubeconfig)
        .putObject("exec")
        .put("apiVersion", "client.authentication.k8s.io/v1")
        .put("command", "/usr/local/bin/allowed-plugin");
    Cluster created = krake.clusters().create(cluster(kubeconfig));

    ObjectNode broken = kubeconfig.deepCopy();
    broken.remove("clusters");
    InvalidResourceException e =
        catchThrowableOfType(
            InvalidResourceException.class,
            () -> krake.clusters().update(created.withSpec(ClusterSpec.ofKubeconfig(broken))));

    assertThat(e.errors())
        .extracting(FieldError::field)
        .containsExactly("spec.kubeconfig.clusters");
    assertThat(krake.clusters().require("testing", "c1").spec().kubeconfig()).isEqualTo(kubeconfig);
  }

  @Test
  void aKubeconfigFileWithAnAllowedPluginIsCreatedAsAClusterWithoutRunningIt() throws IOException {
    Path file = dir.resolve("config");
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Config
        current-context: prod
        clusters:
        - {name: eks, cluster: {server: "https://10.1.2.3"}}
        users:
        - name: sso
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: aws
              args: [eks, get-token, --cluster-name, prod]
        contexts:
        - {name: prod, context: {cluster: eks, user: sso}}
        """);
    try (MemoryStore store = MemoryStore.create()) {
      // tag::load[]
      // its current-context's cluster, user and context; or KubeconfigFile.load(file, "prod")
      ObjectNode kubeconfig = KubeconfigFile.load(file);
      KubeconfigClusterConnector connector =
          KubeconfigClusterConnector.builder()
              .allowExecCommands("aws") // exec plugins are off by default
              .execCredentialTimeout(Duration.ofSeconds(30))
              .build();
      try (Krake krake =
          Krake.builder()
              .store(store)
              .extension(KubernetesBackend.builder().connector(connector).build())
              .build()) {
        // checked now: an unusable kubeconfig throws InvalidResourceException, nothing is stored
        krake
            .clusters()
            .create(
                Cluster.of(Metadata.of("default", "prod"), ClusterSpec.ofKubeconfig(kubeconfig)));
        // end::load[]
        assertThat(krake.clusters().require("default", "prod").spec().kubeconfig())
            .isEqualTo(kubeconfig);
      }
    }
  }
}
