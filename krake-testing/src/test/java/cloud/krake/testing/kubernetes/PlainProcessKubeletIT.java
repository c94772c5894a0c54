package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every test of {@link LocalKubeletIT} again with Pods run as plain processes ({@link
 * LocalKubelet.PodIsolation#PLAIN_PROCESS}, as root: private mount and PID namespaces), and the
 * fall-back to plain processes where bubblewrap is missing.
 */
class PlainProcessKubeletIT extends LocalKubeletIT {
  private static final Path NO_BWRAP = Path.of("/nonexistent/bwrap");

  @Override
  LocalKubelet.Builder kubeletBuilder() {
    return LocalKubelet.builder(cluster).podIsolation(LocalKubelet.PodIsolation.PLAIN_PROCESS);
  }

  @Test
  void runsPodsWhereBubblewrapIsMissing() {
    kubelet = LocalKubelet.builder(cluster).bwrap(NO_BWRAP).build();
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: plain, namespace: default}
            spec:
              restartPolicy: Never
              containers:
              - name: main
                command: [sh, -c, 'echo "PID $$$$"']
            """));

    awaitPod("plain", pod -> phase(pod).equals("Succeeded"));

    assertThat(kubelet.logs("default", "plain", "main")).contains("PID 1");
  }

  @Test
  void saysInOneLineThatItFellBackToPlainProcesses() {
    kubelet = LocalKubelet.builder(cluster).bwrap(NO_BWRAP).build();

    assertThat(kubelet.podIsolation()).isEqualTo(LocalKubelet.PodIsolation.PLAIN_PROCESS);
    assertThat(kubelet.isolation())
        .doesNotContain("\n")
        .startsWith(
            "Pods run as plain processes in private mount and PID namespaces (no bubblewrap at "
                + NO_BWRAP
                + ")")
        .contains("each in its own network namespace");
  }

  @Test
  void usesBubblewrapByDefaultWhereItIsInstalled() {
    kubelet = LocalKubelet.builder(cluster).build();

    assertThat(kubelet.podIsolation()).isEqualTo(LocalKubelet.PodIsolation.BUBBLEWRAP);
    assertThat(kubelet.isolation()).startsWith("Pods run in bubblewrap sandboxes (/usr/bin/bwrap)");
  }

  @Test
  void refusesToBuildWhenBubblewrapIsAskedForAndMissing() {
    LocalKubelet.Builder builder =
        LocalKubelet.builder(cluster)
            .bwrap(NO_BWRAP)
            .podIsolation(LocalKubelet.PodIsolation.BUBBLEWRAP);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("bubblewrap is not installed at " + NO_BWRAP + " (Debian package bubblewrap)");
  }

  @Test
  void createsAMountPathMissingOnTheHostAndRemovesItOnClose() {
    Path root = Path.of("/opt/krake-plain-" + UUID.randomUUID());
    kubelet = kubeletBuilder().build();
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: default}
            data: {message.txt: "mounted"}
            """));
    cluster.put(
        yaml(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: mounts, namespace: default}
            spec:
              restartPolicy: Never
              volumes:
              - {name: settings, configMap: {name: settings}}
              containers:
              - name: main
                command: [sh, -c, 'cat %1$s/conf/message.txt; echo x > %1$s/conf/y || echo read-only']
                volumeMounts:
                - {name: settings, mountPath: %1$s/conf}
            """
                .formatted(root)));

    awaitPod("mounts", pod -> phase(pod).equals("Succeeded"));
    assertThat(kubelet.logs("default", "mounts", "main")).contains("mounted").contains("read-only");
    assertThat(root.resolve("conf/message.txt")).as("visible to the Pod only").doesNotExist();

    kubelet.close();

    assertThat(root).doesNotExist();
  }
}
