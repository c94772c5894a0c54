package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.Metadata;
import cloud.krake.model.ReasonCode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connector without a server: kubeconfig checks, the client cache, unreachable servers. */
class KubeconfigClusterConnectorTest {

  private static final String TOKEN = "s3cr3t-t0ken-value";

  private final KubeconfigClusterConnector connector =
      KubeconfigClusterConnector.builder()
          .requestTimeout(Duration.ofSeconds(5))
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @AfterEach
  void close() {
    connector.close();
  }

  static ObjectNode kubeconfig(String server) {
    return Manifests.yaml(
        """
        apiVersion: v1
        kind: Config
        current-context: ctx
        clusters:
        - name: c
          cluster:
            server: %s
        users:
        - name: u
          user:
            token: %s
        contexts:
        - name: ctx
          context:
            cluster: c
            user: u
            namespace: team-a
        """
            .formatted(server, TOKEN));
  }

  static Cluster cluster(String name, ObjectNode kubeconfig) {
    return Cluster.of(Metadata.of("testing", name), ClusterSpec.ofKubeconfig(kubeconfig));
  }

  private KubernetesException rejected(Consumer<ObjectNode> change) {
    ObjectNode kubeconfig = kubeconfig("https://127.0.0.1:6443");
    change.accept(kubeconfig);
    KubernetesException e =
        catchThrowableOfType(
            KubernetesException.class, () -> connector.connect(cluster("bad", kubeconfig)));
    assertThat(e).as("rejected").isNotNull();
    assertThat(e.reason()).isEqualTo(ReasonCode.INVALID_RESOURCE);
    assertThat(e.getMessage()).doesNotContain(TOKEN).contains("testing/bad");
    return e;
  }

  private static ObjectNode user(ObjectNode kubeconfig) {
    return (ObjectNode) kubeconfig.get("users").get(0).get("user");
  }

  @Test
  void connectsWithAValidKubeconfigWithoutSendingARequest() {
    ClusterClient client = connector.connect(cluster("ok", kubeconfig("https://10.9.8.7:6443")));

    assertThat(client.host()).isEqualTo("10.9.8.7");
    assertThat(client.defaultNamespace()).isEqualTo("team-a");
    assertThat(client.toString()).doesNotContain(TOKEN);
  }

  @Test
  void usesTheDefaultNamespaceWhenTheContextNamesNone() {
    ObjectNode kubeconfig = kubeconfig("http://127.0.0.1:1");
    ((ObjectNode) kubeconfig.get("contexts").get(0).get("context")).remove("namespace");

    assertThat(connector.connect(cluster("ok", kubeconfig)).defaultNamespace())
        .isEqualTo("default");
  }

  @Test
  void rejectsKubeconfigsWithoutExactlyOneContextUserAndCluster() {
    assertThat(
            rejected(k -> ((ArrayNode) k.get("contexts")).add(k.get("contexts").get(0).deepCopy()))
                .getMessage())
        .contains("spec.kubeconfig.contexts");
    assertThat(rejected(k -> k.remove("users")).getMessage()).contains("spec.kubeconfig.users");
    assertThat(rejected(k -> ((ArrayNode) k.get("clusters")).removeAll()).getMessage())
        .contains("spec.kubeconfig.clusters");
  }

  @Test
  void rejectsContextsNamingAnotherUserOrCluster() {
    assertThat(
            rejected(
                    k ->
                        ((ObjectNode) k.get("contexts").get(0).get("context")).put("user", "other"))
                .getMessage())
        .contains("spec.kubeconfig.contexts[0].context.user");
  }

  @Test
  void rejectsExternalCredentialPlugins() {
    assertThat(rejected(k -> user(k).putObject("exec").put("command", "aws")).getMessage())
        .contains("spec.kubeconfig.users[0].user.exec");
    assertThat(rejected(k -> user(k).putObject("auth-provider").put("name", "gcp")).getMessage())
        .contains("spec.kubeconfig.users[0].user.auth-provider");
  }

  @Test
  void rejectsFileReferencesInsteadOfEmbeddedData() {
    for (String field : List.of("client-certificate", "client-key", "tokenFile")) {
      assertThat(rejected(k -> user(k).put(field, "/etc/passwd")).getMessage())
          .contains("spec.kubeconfig.users[0].user." + field);
    }
    assertThat(
            rejected(
                    k ->
                        ((ObjectNode) k.get("clusters").get(0).get("cluster"))
                            .put("certificate-authority", "/etc/ca.pem"))
                .getMessage())
        .contains("spec.kubeconfig.clusters[0].cluster.certificate-authority");
  }

  @Test
  void rejectsServersThatAreNotHttpOrHttpsUrls() {
    assertThat(
            rejected(
                    k ->
                        ((ObjectNode) k.get("clusters").get(0).get("cluster"))
                            .put("server", "ftp://example.com"))
                .getMessage())
        .contains("spec.kubeconfig.clusters[0].cluster.server");
    assertThat(
            rejected(k -> ((ObjectNode) k.get("clusters").get(0).get("cluster")).remove("server"))
                .getMessage())
        .contains("spec.kubeconfig.clusters[0].cluster.server");
  }

  @Test
  void rejectsCertificateDataTheClientCannotLoadWithoutQuotingIt() {
    KubernetesException e =
        rejected(
            k -> {
              user(k).remove("token");
              user(k).put("client-certificate-data", "bm90IGEgY2VydA==");
              user(k).put("client-key-data", "bm90IGEga2V5");
            });

    assertThat(e.getMessage()).doesNotContain("bm90IGEga2V5");
  }

  @Test
  void sharesOneClientPerClusterUntilItsKubeconfigChanges() {
    ClusterClient first = connector.connect(cluster("shared", kubeconfig("http://127.0.0.1:1")));
    ClusterClient again = connector.connect(cluster("shared", kubeconfig("http://127.0.0.1:1")));
    ClusterClient changed = connector.connect(cluster("shared", kubeconfig("http://127.0.0.1:2")));

    assertThat(again).isSameAs(first);
    assertThat(changed).isNotSameAs(first);
    assertThatThrownBy(() -> first.list("v1", "Node", java.util.Optional.empty()))
        .isInstanceOfSatisfying(
            KubernetesException.class,
            e -> assertThat(e.reason()).isEqualTo(ReasonCode.KUBERNETES_ERROR));
  }

  @Test
  void aStoredClusterKeepsItsClientAcrossRevisionsAndChangesItOnlyWithItsKubeconfig() {
    Cluster stored = cluster("stored", kubeconfig("http://127.0.0.1:1"));
    ClusterClient first = connector.connect(atRevision(stored, 10));
    ClusterClient sameRevision = connector.connect(atRevision(stored, 10));
    ClusterClient statusWritten = connector.connect(atRevision(stored, 11));
    ClusterClient sameAgain = connector.connect(atRevision(stored, 11));
    ClusterClient moved =
        connector.connect(atRevision(cluster("stored", kubeconfig("http://127.0.0.1:2")), 12));

    assertThat(sameRevision).isSameAs(first);
    assertThat(statusWritten).as("a new revision, the same kubeconfig").isSameAs(first);
    assertThat(sameAgain).isSameAs(first);
    assertThat(moved).as("a new revision with another kubeconfig").isNotSameAs(first);
  }

  private static Cluster atRevision(Cluster cluster, long revision) {
    return cluster.withMetadata(cluster.metadata().withRevision(revision));
  }

  @Test
  void makesANewClientWhenTheCustomResourcesChange() {
    Cluster cluster = cluster("crd", kubeconfig("http://127.0.0.1:1"));
    ClusterClient first = connector.connect(cluster);

    ClusterClient second =
        connector.connect(
            cluster.withSpec(cluster.spec().withCustomResources(List.of("a.example.com"))));

    assertThat(second).isNotSameAs(first);
  }

  @Test
  void disconnectClosesTheClientAndTheNextConnectMakesANewOne() {
    Cluster cluster = cluster("gone", kubeconfig("http://127.0.0.1:1"));
    ClusterClient first = connector.connect(cluster);

    connector.disconnect(cluster);

    assertThat(connector.connect(cluster)).isNotSameAs(first);
  }

  @Test
  void reportsAnUnreachableServerAsKubernetesErrorWithoutStatusOrCredentials() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ClusterClient client =
        connector.connect(cluster("down", kubeconfig("http://127.0.0.1:" + port)));

    KubernetesException e =
        catchThrowableOfType(
            KubernetesException.class, () -> client.apply(Manifests.configMap("x", "y")));

    assertThat(e.reason()).isEqualTo(ReasonCode.KUBERNETES_ERROR);
    assertThat(e.status()).isEmpty();
    assertThat(e.getMessage()).contains("testing/down").doesNotContain(TOKEN);
  }

  @Test
  void refusesToConnectAfterClose() {
    connector.close();

    assertThatThrownBy(() -> connector.connect(cluster("late", kubeconfig("http://127.0.0.1:1"))))
        .isInstanceOf(IllegalStateException.class);
  }
}
