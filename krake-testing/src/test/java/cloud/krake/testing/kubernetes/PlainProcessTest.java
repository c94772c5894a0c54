package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlainProcessTest {
  private static final Path TMP = Path.of("/var/tmp/kubelet/c/tmp");

  @Test
  void bindsVolumesInPrivateMountAndPidNamespacesAsRoot() {
    PlainProcess.Tools tools =
        new PlainProcess.Tools(
            Optional.of(Path.of("/usr/bin/unshare")),
            Optional.of(Path.of("/usr/bin/setpriv")),
            true);

    List<String> command =
        PlainProcess.command(
            tools,
            TMP,
            List.of(new Sandbox.Mount(Path.of("/var/v/it's"), "/etc/conf", true)),
            "/",
            List.of("echo", "hi"));

    assertThat(String.join(" ", command.subList(0, 13)))
        .isEqualTo(
            "/usr/bin/setpriv --pdeathsig KILL -- /usr/bin/unshare --mount --propagation private"
                + " --pid --fork --kill-child --mount-proc --");
    assertThat(command.get(15))
        .contains("mount --bind '/var/v/it'\\''s' '/etc/conf'\n")
        .contains("mount -o remount,bind,ro '/etc/conf'\n")
        .contains("mount --bind '/var/tmp/kubelet/c/tmp' /tmp\n")
        .endsWith("exec \"$@\"\n");
    assertThat(command.subList(command.size() - 2, command.size())).containsExactly("echo", "hi");
  }

  @Test
  void refusesAVolumeItCannotMountWithoutNamespaces() {
    PlainProcess.Tools tools = new PlainProcess.Tools(Optional.empty(), Optional.empty(), false);
    List<Sandbox.Mount> mounts = List.of(new Sandbox.Mount(Path.of("/var/v"), "/etc/conf", true));

    assertThatThrownBy(() -> PlainProcess.command(tools, TMP, mounts, "/", List.of("true")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "the volume mount at /etc/conf needs bubblewrap or root with unshare (a private mount"
                + " namespace)");
  }

  @Test
  void runsTheCommandItselfWithoutNamespaces() {
    PlainProcess.Tools tools = new PlainProcess.Tools(Optional.empty(), Optional.empty(), false);

    List<String> command = PlainProcess.command(tools, TMP, List.of(), "/", List.of("true"));

    assertThat(command.subList(0, 2)).containsExactly("/bin/sh", "-c");
    assertThat(command.get(2)).doesNotContain("mount").contains("cd '/'");
    assertThat(command.subList(3, 5)).containsExactly("krake-container", "true");
  }

  @Test
  void findsTheOutermostMountPathsMissingOnTheHost() {
    List<Sandbox.Mount> mounts =
        List.of(
            new Sandbox.Mount(Path.of("/v/a"), "/nonexistent-krake/a/b", true),
            new Sandbox.Mount(Path.of("/v/b"), "/tmp/x", false),
            new Sandbox.Mount(Path.of("/v/c"), "/etc", true));

    assertThat(PlainProcess.missingOnHost(mounts, "/nonexistent-krake/work"))
        .containsExactly(Path.of("/nonexistent-krake"));
  }
}
