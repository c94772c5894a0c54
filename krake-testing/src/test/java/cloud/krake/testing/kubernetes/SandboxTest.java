package cloud.krake.testing.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SandboxTest {
  private static final Path BWRAP = Path.of("/usr/bin/bwrap");
  private static final Path TMP = Path.of("/var/tmp/c1");

  @Test
  void bindsVolumesOverAReadOnlyRootWithPrivateTmpAndPidNamespace() {
    List<String> command =
        Sandbox.command(
            BWRAP,
            TMP,
            List.of(new Sandbox.Mount(Path.of("/w/v"), "/tmp/data", false)),
            "/",
            List.of("sh", "-c", "true"));

    assertThat(String.join(" ", command))
        .startsWith("/usr/bin/bwrap --die-with-parent --unshare-pid --as-pid-1 --ro-bind / / ")
        .contains("--dev /dev --proc /proc --bind /var/tmp/c1 /tmp --bind /w/v /tmp/data")
        .endsWith("--chdir / -- sh -c true");
    assertThat(command).doesNotContain("--tmpfs", "--remount-ro");
  }

  @Test
  void shadowsTheNearestExistingDirectoryOfAMissingMountPoint() {
    List<String> command =
        Sandbox.command(
            BWRAP,
            TMP,
            List.of(new Sandbox.Mount(Path.of("/w/certs"), "/etc/krake-test-missing/certs", true)),
            "/",
            List.of("true"));

    String line = String.join(" ", command);
    assertThat(line)
        .contains("--tmpfs /etc ")
        .contains("--ro-bind-try /etc/passwd /etc/passwd")
        .contains("--ro-bind /w/certs /etc/krake-test-missing/certs")
        .contains("--remount-ro /etc");
    assertThat(line.indexOf("--tmpfs /etc")).isLessThan(line.indexOf("--ro-bind /w/certs"));
    assertThat(line.indexOf("--ro-bind /w/certs")).isLessThan(line.indexOf("--remount-ro /etc"));
  }

  @Test
  void mountsAPathThroughAHostSymlinkWhereTheSymlinkLeads() throws Exception {
    // Debian: /var/run -> /run; the API server mounts service account tokens under /var/run
    Assumptions.assumeTrue(Files.isSymbolicLink(Path.of("/var/run")), "/var/run is a symlink");
    String real = Path.of("/var/run").toRealPath().toString();
    List<String> command =
        Sandbox.command(
            BWRAP,
            TMP,
            List.of(
                new Sandbox.Mount(
                    Path.of("/w/sa"), "/var/run/secrets/kubernetes.io/serviceaccount", true)),
            "/",
            List.of("true"));

    String line = String.join(" ", command);
    assertThat(line)
        .doesNotContain("--tmpfs /var/run")
        .contains("--tmpfs " + real + " ")
        .contains("--ro-bind /w/sa " + real + "/secrets/kubernetes.io/serviceaccount");
  }

  @Test
  void createsAMissingWorkingDirectory() {
    List<String> command = Sandbox.command(BWRAP, TMP, List.of(), "/tmp/work", List.of("pwd"));

    assertThat(String.join(" ", command)).contains("--dir /tmp/work --chdir /tmp/work -- pwd");
  }
}
