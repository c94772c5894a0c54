package cloud.krake.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import cloud.krake.Krake;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.Reason;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code exec} credential plugins (shell scripts written by the test) against the fake API
 * server, which requires the plugin's token; and token files rotated between requests.
 */
class ExecCredentialPluginTest {

  private static final String TOKEN = "plugin-issued-token-1234";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final FakeKubernetesApiServer fake =
      FakeKubernetesApiServer.builder().token(TOKEN).build();
  private KubeconfigClusterConnector connector;
  private MemoryStore store;
  private Krake krake;

  @AfterEach
  void close() {
    if (krake != null) {
      krake.close();
      store.close();
    } else if (connector != null) {
      connector.close();
    }
    fake.close();
  }

  private Path script(String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }

  /** A plugin printing the token, counting its runs in {@code runs}, with an expiry. */
  private Path tokenPlugin(String token, String expiry) throws IOException {
    return script(
        "plugin.sh",
        """
        echo run >> "%s"
        cat <<EOF
        {"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
         "status": {"token": "%s", "expirationTimestamp": "%s"}}
        EOF
        """
            .formatted(dir.resolve("runs"), token, expiry));
  }

  private long runs() throws IOException {
    Path runs = dir.resolve("runs");
    return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
  }

  /** The fake's kubeconfig with its token replaced by the plugin. */
  private ObjectNode execKubeconfig(Path plugin) {
    ObjectNode kubeconfig = KrakeJson.read(fake.kubeconfig(), ObjectNode.class);
    ObjectNode user = (ObjectNode) kubeconfig.get("users").get(0).get("user");
    user.remove("token");
    ObjectNode exec = user.putObject("exec");
    exec.put("apiVersion", "client.authentication.k8s.io/v1");
    exec.put("command", plugin.toString());
    exec.putArray("args").add("get-token");
    return kubeconfig;
  }

  private static Cluster cluster(ObjectNode kubeconfig) {
    return Cluster.of(Metadata.of("testing", "sso"), ClusterSpec.ofKubeconfig(kubeconfig));
  }

  private void startKrake(KubeconfigClusterConnector.Builder connectorBuilder) {
    store = MemoryStore.create();
    krake =
        Krake.builder()
            .store(store)
            .extension(
                KubernetesBackend.builder()
                    .connector(connectorBuilder.build())
                    .clusterProbeInterval(Duration.ofMillis(200))
                    .build())
            .build();
    krake.start();
  }

  @Test
  void aPluginsTokenTakesTheClusterOnlineAndAnApplicationDeploys() throws IOException {
    Path plugin = tokenPlugin(TOKEN, "2999-01-01T00:00:00Z");
    startKrake(KubeconfigClusterConnector.builder().allowExecCommands(plugin.toString()));

    krake.clusters().create(cluster(execKubeconfig(plugin)));
    krake.awaitCluster("testing", "sso", c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
    krake
        .applications()
        .create(
            KrakeJson.read(
                """
                metadata: {name: echo, namespace: testing}
                spec:
                  manifest: [{apiVersion: v1, kind: ConfigMap, metadata: {name: echo}, data: {a: b}}]
                  constraints: {cluster: {}}
                """,
                Application.class));
    krake.awaitApplication(
        "testing", "echo", a -> a.status().state() == ApplicationState.RUNNING, TIMEOUT);

    assertThat(fake.list("v1", "ConfigMap"))
        .anySatisfy(c -> assertThat(c.at("/metadata/name").asText()).isEqualTo("echo"));
    assertThat(runs()).as("the token is cached until it expires").isEqualTo(1);
  }

  @Test
  void aFailingPluginsExitCodeAndStderrAreTheClustersStatusReason() throws IOException {
    Path plugin =
        script(
            "failing.sh",
            "echo 'error: the SSO session has expired; run aws sso login' >&2\nexit 3\n");
    startKrake(KubeconfigClusterConnector.builder().allowExecCommands(plugin.toString()));

    krake.clusters().create(cluster(execKubeconfig(plugin)));
    Cluster offline =
        krake.awaitCluster(
            "testing", "sso", c -> c.status().state() == ClusterState.OFFLINE, TIMEOUT);

    assertThat(offline.status().reason().map(Reason::message).orElse(""))
        .contains("the exec credential plugin " + plugin + " exited with 3")
        .contains("stderr: error: the SSO session has expired; run aws sso login");
  }

  @Test
  void aHangingPluginIsKilledAtTheTimeoutAndTheRequestFails() throws IOException {
    Path pid = dir.resolve("pid");
    Path plugin =
        script(
            "hanging.sh",
            "echo $$ > '%s'\necho 'waiting for a browser login' >&2\nsleep 600\n".formatted(pid));
    connector =
        KubeconfigClusterConnector.builder()
            .allowExecCommands(plugin.toString())
            .execCredentialTimeout(Duration.ofMillis(500))
            .build();
    ClusterClient client = connector.connect(cluster(execKubeconfig(plugin)));

    KubernetesException e =
        catchThrowableOfType(
            KubernetesException.class, () -> client.list("v1", "Node", Optional.empty()));

    assertThat(e.getMessage())
        .contains("did not finish within 500 ms and was killed")
        .contains("stderr: waiting for a browser login");
    long shell = Long.parseLong(Files.readString(pid).strip());
    Awaitility.await()
        .atMost(TIMEOUT)
        .until(() -> ProcessHandle.of(shell).map(p -> !p.isAlive()).orElse(true));
  }

  @Test
  void anExpiredTokenIsFetchedAgainBeforeTheNextRequest() throws IOException {
    Path plugin = tokenPlugin(TOKEN, "2000-01-01T00:00:00Z");
    connector = KubeconfigClusterConnector.builder().allowExecCommands(plugin.toString()).build();
    ClusterClient client = connector.connect(cluster(execKubeconfig(plugin)));

    client.list("v1", "Node", Optional.empty());
    long first = runs();
    client.list("v1", "Node", Optional.empty());

    assertThat(first).isPositive();
    assertThat(runs()).as("one run per request").isGreaterThan(first);
  }

  @Test
  void aTokenTheServerRefusesIsFetchedAgain() throws IOException {
    Path plugin = tokenPlugin("wrong-token", "2999-01-01T00:00:00Z");
    connector = KubeconfigClusterConnector.builder().allowExecCommands(plugin.toString()).build();
    ClusterClient client = connector.connect(cluster(execKubeconfig(plugin)));

    KubernetesException refused =
        catchThrowableOfType(
            KubernetesException.class, () -> client.list("v1", "Node", Optional.empty()));
    assertThat(refused.getMessage()).contains("401").doesNotContain("wrong-token");
    tokenPlugin(TOKEN, "2999-01-01T00:00:00Z");

    assertThat(client.list("v1", "Node", Optional.empty())).isNotEmpty();
    assertThat(runs()).isEqualTo(2);
  }

  @Test
  void aRotatedTokenFileIsUsedFromTheNextRequestOn() throws IOException {
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    Path token = tokens.resolve("token");
    Files.writeString(token, TOKEN + "\n");
    ObjectNode kubeconfig = KrakeJson.read(fake.kubeconfig(), ObjectNode.class);
    ObjectNode user = (ObjectNode) kubeconfig.get("users").get(0).get("user");
    user.remove("token");
    user.put("tokenFile", token.toString());
    connector = KubeconfigClusterConnector.builder().allowTokenFiles(tokens).build();
    ClusterClient client = connector.connect(cluster(kubeconfig));
    assertThat(client.list("v1", "Node", Optional.empty())).isNotEmpty();

    Files.writeString(token, "a-rotated-token-the-server-does-not-know\n");
    KubernetesException refused =
        catchThrowableOfType(
            KubernetesException.class, () -> client.list("v1", "Node", Optional.empty()));
    assertThat(refused.getMessage()).contains("401");

    Files.writeString(token, TOKEN);
    assertThat(client.list("v1", "Node", Optional.empty())).isNotEmpty();
    assertThat(List.of(connector.toString())).allSatisfy(s -> assertThat(s).doesNotContain(TOKEN));
  }
}
