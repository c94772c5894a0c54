package cloud.krake.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The paths the client builds itself (the apply PATCH, watches): a namespace or name is one path
 * segment, escaped as the official client escapes its path parameters, so that a manifest's odd
 * namespace cannot address another resource.
 */
class ResolvedKindTest {

  private static final ResolvedKind CONFIG_MAPS =
      new ResolvedKind("", "v1", "ConfigMap", "configmaps", true);
  private static final ResolvedKind DEPLOYMENTS =
      new ResolvedKind("apps", "v1", "Deployment", "deployments", true);

  @Test
  void kubernetesNamesStayAsTheyAre() {
    assertThat(CONFIG_MAPS.collectionPath(Optional.of("team-a.b")))
        .isEqualTo("/api/v1/namespaces/team-a.b/configmaps");
    assertThat(DEPLOYMENTS.collectionPath(Optional.empty())).isEqualTo("/apis/apps/v1/deployments");
    assertThat(ResolvedKind.segment("echo-0.x")).isEqualTo("echo-0.x");
  }

  @Test
  void aNamespaceOrNameThatIsNoKubernetesNameStaysOneSegment() {
    assertThat(CONFIG_MAPS.collectionPath(Optional.of("../secrets/x?y#z")))
        .isEqualTo("/api/v1/namespaces/..%2Fsecrets%2Fx%3Fy%23z/configmaps");
    assertThat(ResolvedKind.segment("a b/c")).isEqualTo("a%20b%2Fc");
  }
}
