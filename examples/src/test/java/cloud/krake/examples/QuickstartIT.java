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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main job, run as a user runs it: every scenario reaches its expected end on the
 * embedded defaults, on an etcd store, on clusters given by kubeconfig files, on two real control
 * planes, and, as the built jar, on a machine without bubblewrap. Pods run as local processes
 * (python3; bwrap where installed).
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

  /**
   * The README's command on a machine without bubblewrap: the built jar in its own JVM, whose
   * kubelets are given a {@code bwrap} that does not exist (that run only: the property is the
   * child JVM's), run the pods as plain processes and say so in one line each.
   */
  @Test
  void theBuiltJarRunsEveryScenarioWithoutBubblewrap() throws Exception {
    Path jar = Path.of("target", "krake-examples.jar").toAbsolutePath();
    assertThat(jar).as("built by the package phase").exists();
    Path log = dir.resolve("quickstart.log");
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + DemoCluster.BWRAP_PROPERTY + "=/nonexistent/bwrap",
                "-jar",
                jar.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = process.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      process.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);

    assertThat(ended).as(output).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertEveryScenarioReachedItsEnd(output);
    assertThat(output)
        .containsPattern(
            "WARN cloud.krake.testing.kubernetes.LocalKubelet - Local kubelet for de: Pods run as"
                + " plain processes in private mount and PID namespaces \\(no bubblewrap at"
                + " /nonexistent/bwrap\\), each in its own network namespace")
        .contains("with a local kubelet: Pods run as plain processes")
        .doesNotContain("bubblewrap sandboxes");
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

  /**
   * {@code --control-plane real}: the scenarios on two real control planes (Kubernetes' own API
   * server, controller manager and scheduler) whose node is the local kubelet.
   */
  @Test
  void runsEveryScenarioOnTwoRealControlPlanes() {
    Result result = run("--control-plane", "real");

    assertThat(result.code).as(result.output).isZero();
    assertEveryScenarioReachedItsEnd(result.output);
    assertThat(result.output)
        .containsPattern("two real control planes with their kubelet nodes started in [0-9.]+ s")
        .containsPattern("real control plane https://127\\.0\\.0\\.1:\\d+ \\(Kubernetes v1\\.")
        .contains("location=DE")
        .contains("migrated de -> fr");
  }

  private static void assertEveryScenarioReachedItsEnd(String output) {
    assertThat(output)
        .containsPattern(
            "misprint +\\[event\\] +Warning LifecycleHTTPNon2xx: GET http://[0-9.]+:\\d+/warm-up"
                + " answered 404")
        .containsPattern("\\| misprint +\\| [^|]+\\| [^|]+\\| yes +\\|");
    assertThat(output)
        .contains("All scenarios reached their expected end")
        .doesNotContain("FAILED:") // a scenario's failure; hook runs may fail as planned
        .doesNotContain("-----BEGIN")
        // the pods' own side, read from their logs (only lines a pod prints well before it ends:
        // the last lines of a pod deleted right after them may be gone before the next poll)
        .contains("[client]              GET http://127.0.0.1:")
        .contains("-> 200 echo from echo-")
        .contains(": report built: 7 rows")
        .contains(": shutdown requested (attempt 1)")
        .contains("never acknowledging")
        .contains("gave up again; its resources are kept on de")
        .containsPattern("nightly-report +READY_FOR_ACTION +state READY_FOR_ACTION on de")
        // container lifecycle hooks: the content postStart wrote is served once RUNNING, preStop
        // drains the server (its own log says so), the http_get 404 is a visible warning
        .containsPattern("fortune +\\[PostStartHook\\] +exec SUCCEEDED .*wrote the fortune")
        .containsPattern("fortune +\\[client\\] +GET http://127\\.0\\.0\\.1:\\d+/ -> 200 \\S")
        .containsPattern("fortune +\\[pod\\] +de/fortune-[^:]+: preStop: draining")
        .containsPattern("fortune +\\[PreStopHook\\] +exec SUCCEEDED .*drained in")
        .contains("preStop drained the server in")
        // execution hooks: the preHook's artifact reached onSuccess, K10's Wait and KubeTask ran,
        // the failing action's onFailure ran once
        .containsPattern("the preHook's artifact snapshot.id=snap-\\d+ reached onSuccess")
        .contains("Wait held: both pods of StatefulSet/inventory ready")
        .contains("label migrate removed by kubectl patch")
        .containsPattern("vetoed +\\[exec hook\\] +deploy PRE_HOOK FAILED \\(attempt 2, inline\\)")
        .containsPattern(
            "vetoed +\\[exec hook\\] +deploy ON_FAILURE SUCCEEDED \\(attempt 1, inline\\)")
        .contains("nothing applied; onFailure ran once (attempt 1)");
    for (String app : List.of("echo", "nightly-report", "ledger", "legacy-db", "scratch-cache")) {
      assertThat(output)
          .containsPattern("\\| " + app + " +\\| demo +\\| [A-Z_]+ \\(removed\\) +\\| (de|fr) ")
          .containsPattern("\\| " + app + " +\\| [^|]+\\| [^|]+\\| yes +\\|");
    }
    for (String app : List.of("fortune", "inventory", "vetoed")) {
      assertThat(output).containsPattern("\\| " + app + " +\\| [^|]+\\| [^|]+\\| yes +\\|");
    }
  }

  private Path kubeconfigOfAClusterWithAKubelet(String name) throws IOException {
    FakeKubernetesApiServer cluster = FakeKubernetesApiServer.builder().name(name).build();
    started.add(cluster);
    started.add(LocalKubelet.builder(cluster).build());
    cluster.allowAnonymous(true); // kubectl in the KubeTask sends no token over plain HTTP
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
