package cloud.krake.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.testing.EtcdExtension;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import cloud.krake.testing.kubernetes.LocalKubelet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, run as a user runs it: every scenario reaches its expected end on the
 * embedded defaults, on an etcd store, and on clusters given by kubeconfig files. Pods run as local
 * processes (bwrap, python3).
 */
class QuickstartIT {

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.builder().build();

  @TempDir Path dir;

  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  @Test
  void everyScenarioReachesItsExpectedEndOnTheEmbeddedDefaults() {
    Result result = run();

    assertThat(result.code).as(result.output).isZero();
    assertEveryScenarioReachedItsEnd(result.output);
    assertThat(result.output)
        .contains("store: in memory")
        .contains("with a local kubelet")
        .contains("migrated de -> fr");
  }

  @Test
  void keepsTheStateInEtcdAndLeavesNothingBehind() {
    Result result = run("--etcd", etcd.endpoint().toString());

    assertThat(result.code).as(result.output).isZero();
    assertEveryScenarioReachedItsEnd(result.output);
    assertThat(result.output)
        .contains("store: etcd at " + etcd.endpoint())
        .contains("clusters and metrics removed from etcd");
    try (EtcdStore store = EtcdStore.builder().endpoint(etcd.endpoint()).build()) {
      assertThat(store.listAll("/")).isEmpty();
    }
  }

  @Test
  void runsOnTheClustersOfTwoKubeconfigFiles() throws IOException {
    Path a = kubeconfigOfAClusterWithAKubelet("west");
    Path b = kubeconfigOfAClusterWithAKubelet("east");

    Result result = run("--kubeconfig", a.toString(), "--kubeconfig", b.toString());

    assertThat(result.code).as(result.output).isZero();
    assertEveryScenarioReachedItsEnd(result.output);
    assertThat(result.output)
        .contains("kubeconfig " + a + ", location=DE")
        .contains("kubeconfig " + b + ", location=FR")
        .contains("migrated de -> fr");
  }

  @Test
  void skipsTheMigrationWithOneKubeconfigFileAndSaysSo() throws IOException {
    Path a = kubeconfigOfAClusterWithAKubelet("only");

    Result result = run("--kubeconfig=" + a);

    assertThat(result.code).as(result.output).isZero();
    assertThat(result.output)
        .contains("only one cluster given: the migration is skipped")
        .contains("migration skipped: one cluster")
        .doesNotContain("migrated de -> fr")
        .contains("All scenarios reached their expected end");
  }

  private static void assertEveryScenarioReachedItsEnd(String output) {
    assertThat(output)
        .contains("All scenarios reached their expected end")
        .doesNotContain("FAILED")
        .doesNotContain("-----BEGIN")
        // the pods' own side, read from their logs (only lines a pod prints well before it ends:
        // the last lines of a pod deleted right after them may be gone before the next poll)
        .contains("[client]              GET http://127.0.0.1:")
        .contains("-> 200 echo from echo-")
        .contains(": report built: 7 rows")
        .contains(": shutdown requested (attempt 1)")
        .contains("never acknowledging")
        .contains("gave up again; its resources are kept on de")
        .containsPattern("nightly-report +READY_FOR_ACTION +state READY_FOR_ACTION on de");
    for (String app : List.of("echo", "nightly-report", "ledger", "legacy-db", "scratch-cache")) {
      assertThat(output)
          .containsPattern("\\| " + app + " +\\| demo +\\| [A-Z_]+ \\(removed\\) +\\| (de|fr) ")
          .containsPattern("\\| " + app + " +\\| [^|]+\\| [^|]+\\| yes +\\|");
    }
  }

  private Path kubeconfigOfAClusterWithAKubelet(String name) throws IOException {
    FakeKubernetesApiServer cluster = FakeKubernetesApiServer.builder().name(name).build();
    started.add(cluster);
    started.add(LocalKubelet.builder(cluster).build());
    return Files.writeString(dir.resolve(name + ".yaml"), cluster.kubeconfig());
  }

  private record Result(int code, String output) {}

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, UTF_8);
    int code = Quickstart.run(args, print, print);
    return new Result(code, out.toString(UTF_8));
  }
}
