package cloud.krake.testing.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link KubernetesControlPlane} checks before it starts anything. */
class KubernetesControlPlaneTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  @Test
  void missingBinaryIsNamedWithTheBuildScript(@TempDir Path bin) {
    assertThatThrownBy(() -> KubernetesControlPlane.builder().binaryDirectory(bin).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kube-apiserver not found at " + bin.resolve("kube-apiserver"))
        .hasMessageContaining("scripts/build-control-plane.sh");
  }

  @Test
  void missingSchedulerIsNamedWhenTheOthersAreThere(@TempDir Path bin) throws IOException {
    for (String name : List.of("kube-apiserver", "kube-controller-manager")) {
      Files.createFile(
          bin.resolve(name),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    assertThatThrownBy(() -> KubernetesControlPlane.builder().binaryDirectory(bin).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("kube-scheduler not found at " + bin.resolve("kube-scheduler"));
  }

  @Test
  void releaseIsTheOneTheGoModuleBuilds() throws IOException {
    assertThat(Files.readAllLines(ROOT.resolve("control-plane/go.mod")))
        .contains("require k8s.io/kubernetes " + KubernetesControlPlane.KUBERNETES_RELEASE);
    assertThat(ROOT.resolve(KubernetesControlPlane.BUILD_SCRIPT)).isExecutable();
  }

  @Test
  void binaryDirectoryIsThePropertyThenTheVariableThenTheBuildScriptsCache() {
    String release = KubernetesControlPlane.KUBERNETES_RELEASE;
    assertThat(KubernetesControlPlane.binaryDirectory("/p", "/v", "/c", "/home/u"))
        .isEqualTo(Path.of("/p"));
    assertThat(KubernetesControlPlane.binaryDirectory(null, "/v", "/c", "/home/u"))
        .isEqualTo(Path.of("/v"));
    assertThat(KubernetesControlPlane.binaryDirectory(null, "", "/c", "/home/u"))
        .isEqualTo(Path.of("/c", release, "bin"));
    assertThat(KubernetesControlPlane.binaryDirectory(null, null, null, "/home/u"))
        .isEqualTo(Path.of("/home/u/.cache/krake/control-plane", release, "bin"));
  }
}
