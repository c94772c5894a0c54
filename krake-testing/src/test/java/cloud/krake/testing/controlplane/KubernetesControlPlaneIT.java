package cloud.krake.testing.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import cloud.krake.testing.controlplane.KubernetesControlPlane.ControlPlaneComponent;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.AuthenticationV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.VersionApi;
import io.kubernetes.client.openapi.models.AuthenticationV1TokenRequest;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SelfSubjectReview;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1TokenRequestSpec;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.credentials.AccessTokenAuthentication;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KubernetesControlPlane} runs Kubernetes' own API server, controller manager and scheduler:
 * the official client deploys through them, tokens are issued, and two run at once.
 */
class KubernetesControlPlaneIT {
  private static final Logger log = LoggerFactory.getLogger(KubernetesControlPlaneIT.class);
  private static final Duration CONTROLLERS = Duration.ofSeconds(60);

  private static ApiClient client(String kubeconfigJson) throws IOException {
    return ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(new StringReader(kubeconfigJson)))
        .build();
  }

  // tag::control-plane-extension[]
  @RegisterExtension
  static final KubernetesControlPlaneExtension cluster =
      KubernetesControlPlaneExtension.builder().build();

  private static ApiClient admin() throws IOException {
    return client(Files.readString(cluster.kubeconfigFile()));
  }

  // end::control-plane-extension[]

  private static String get(ApiClient client, String path) throws IOException {
    Request request = new Request.Builder().url(client.getBasePath() + path).build();
    try (Response response = client.getHttpClient().newCall(request).execute()) {
      assertThat(response.code()).as("GET %s", path).isEqualTo(200);
      return response.body().string();
    }
  }

  @Test
  void apiServerIsReadyAndReportsTheRelease() throws Exception {
    ApiClient client = admin();

    assertThat(get(client, "/readyz")).isEqualTo("ok");
    assertThat(new VersionApi(client).getCode().execute().getGitVersion())
        .isEqualTo(KubernetesControlPlane.KUBERNETES_RELEASE);
  }

  @Test
  void kubectlUsesTheKubeconfigFile() throws Exception {
    Process kubectl =
        new ProcessBuilder(
                "kubectl",
                "--kubeconfig",
                cluster.kubeconfigFile().toString(),
                "get",
                "namespace",
                "kube-system",
                "-o",
                "name")
            .redirectErrorStream(true)
            .start();
    String output = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(kubectl.waitFor()).as(output).isZero();
    assertThat(output).isEqualTo("namespace/kube-system\n");
  }

  @Test
  void usersOfOtherClientCertificatesAreAuthorizedByRbac() throws Exception {
    KubernetesControlPlane controlPlane = cluster.controlPlane();
    CoreV1Api jane = new CoreV1Api(client(controlPlane.kubeconfig("jane", List.of()).toString()));
    CoreV1Api root =
        new CoreV1Api(
            client(controlPlane.kubeconfig("root", List.of("system:masters")).toString()));

    assertThatThrownBy(() -> jane.listNamespace().execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThat(root.listNamespace().execute().getItems()).isNotEmpty();
  }

  @Test
  void controllerManagerTurnsADeploymentIntoPodsTheSchedulerCannotPlaceWithoutANode()
      throws Exception {
    ApiClient client = admin();
    Map<String, String> labels = Map.of("app", "pending-web");
    V1Deployment deployment =
        new V1Deployment()
            .metadata(new V1ObjectMeta().name("pending-web"))
            .spec(
                new V1DeploymentSpec()
                    .replicas(2)
                    .selector(new V1LabelSelector().matchLabels(labels))
                    .template(
                        new V1PodTemplateSpec()
                            .metadata(new V1ObjectMeta().labels(labels))
                            .spec(
                                new V1PodSpec()
                                    .containers(
                                        List.of(
                                            new V1Container().name("web").image("nginx:1.27"))))));

    new AppsV1Api(client).createNamespacedDeployment("default", deployment).execute();

    await()
        .atMost(CONTROLLERS)
        .untilAsserted(
            () ->
                assertThat(
                        new AppsV1Api(client)
                            .listNamespacedReplicaSet("default")
                            .labelSelector("app=pending-web")
                            .execute()
                            .getItems())
                    .singleElement()
                    .satisfies(rs -> assertThat(rs.getSpec().getReplicas()).isEqualTo(2)));
    await()
        .atMost(CONTROLLERS)
        .untilAsserted(
            () -> {
              List<V1Pod> pods =
                  new CoreV1Api(client)
                      .listNamespacedPod("default")
                      .labelSelector("app=pending-web")
                      .execute()
                      .getItems();
              assertThat(pods).hasSize(2);
              for (V1Pod pod : pods) {
                assertThat(pod.getSpec().getNodeName()).isNull();
                assertThat(pod.getStatus().getPhase()).isEqualTo("Pending");
                // The scheduler tried and found no node: PodScheduled=False, Unschedulable.
                V1PodCondition scheduled =
                    pod.getStatus().getConditions().stream()
                        .filter(c -> c.getType().equals("PodScheduled"))
                        .findFirst()
                        .orElseThrow();
                assertThat(scheduled.getStatus()).isEqualTo("False");
                assertThat(scheduled.getReason()).isEqualTo("Unschedulable");
              }
            });
  }

  @Test
  void serviceAccountsGetTokensTheApiServerAccepts() throws Exception {
    ApiClient client = admin();
    CoreV1Api core = new CoreV1Api(client);
    core.createNamespacedServiceAccount(
            "default", new V1ServiceAccount().metadata(new V1ObjectMeta().name("robot")))
        .execute();

    // A bound token from the TokenRequest API, signed with the fixture's service-account key.
    String bound =
        core.createNamespacedServiceAccountToken(
                "robot",
                "default",
                new AuthenticationV1TokenRequest()
                    .spec(new V1TokenRequestSpec().expirationSeconds(600L)))
            .execute()
            .getStatus()
            .getToken();
    assertThat(whoAmI(bound)).isEqualTo("system:serviceaccount:default:robot");

    // A long-lived token the controller manager's token controller writes into a Secret.
    core.createNamespacedSecret(
            "default",
            new V1Secret()
                .metadata(
                    new V1ObjectMeta()
                        .name("robot-token")
                        .annotations(Map.of("kubernetes.io/service-account.name", "robot")))
                .type("kubernetes.io/service-account-token"))
        .execute();
    byte[] token =
        await()
            .atMost(CONTROLLERS)
            .until(
                () ->
                    Optional.ofNullable(
                            core.readNamespacedSecret("robot-token", "default").execute().getData())
                        .map(data -> data.get("token"))
                        .orElse(null),
                t -> t != null);
    assertThat(whoAmI(new String(token, StandardCharsets.US_ASCII)))
        .isEqualTo("system:serviceaccount:default:robot");

    // The root CA published for pods (kube-root-ca.crt) is the fixture's cluster CA.
    await()
        .atMost(CONTROLLERS)
        .untilAsserted(
            () ->
                assertThat(
                        core.readNamespacedConfigMap("kube-root-ca.crt", "default")
                            .execute()
                            .getData())
                    .containsEntry("ca.crt", cluster.controlPlane().caCertificatePem()));
  }

  private static String whoAmI(String token) throws Exception {
    KubernetesControlPlane controlPlane = cluster.controlPlane();
    ApiClient client =
        ClientBuilder.standard(false)
            .setBasePath(controlPlane.server().toString())
            .setCertificateAuthority(
                controlPlane.caCertificatePem().getBytes(StandardCharsets.US_ASCII))
            .setAuthentication(new AccessTokenAuthentication(token))
            .build();
    return new AuthenticationV1Api(client)
        .createSelfSubjectReview(new V1SelfSubjectReview())
        .execute()
        .getStatus()
        .getUserInfo()
        .getUsername();
  }

  @Test
  void nodeCredentialsLetAKubeletRegisterItsOwnNodeOnly() throws Exception {
    NodeCredentials credentials = cluster.controlPlane().nodeCredentials("node-a");
    ApiClient node = client(credentials.kubeconfig().toString());
    CoreV1Api core = new CoreV1Api(node);

    core.createNode(new V1Node().metadata(new V1ObjectMeta().name("node-a"))).execute();

    // The Node authorizer and NodeRestriction: node-a may not create node-b.
    assertThatThrownBy(
            () ->
                core.createNode(new V1Node().metadata(new V1ObjectMeta().name("node-b"))).execute())
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    assertThat(credentials.toString()).doesNotContain("PRIVATE KEY");
    assertThat(credentials.client().certificate().getSubjectX500Principal().getName())
        .contains("CN=system:node:node-a", "O=system:nodes");
    new CoreV1Api(admin()).deleteNode("node-a").execute();
  }

  @Test
  void restartsWithTheSameData() throws Exception {
    try (KubernetesControlPlane controlPlane = KubernetesControlPlane.builder().build()) {
      controlPlane.start();
      new CoreV1Api(client(controlPlane.kubeconfig().toString()))
          .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("kept")))
          .execute();

      controlPlane.stop();
      assertThat(controlPlane.running()).isFalse();
      assertThat(controlPlane.pid(ControlPlaneComponent.KUBE_APISERVER)).isEmpty();
      controlPlane.start();

      assertThat(controlPlane.running()).isTrue();
      assertThat(
              new CoreV1Api(client(controlPlane.kubeconfig().toString()))
                  .readNamespace("kept")
                  .execute()
                  .getMetadata()
                  .getName())
          .isEqualTo("kept");
    }
  }

  @Test
  void twoControlPlanesRunAtOnceAndCloseRemovesEverything() throws Exception {
    KubernetesControlPlane first = cluster.controlPlane();
    Path directory;
    Path etcdData;
    List<Long> pids;
    try (KubernetesControlPlane second =
        KubernetesControlPlane.builder().apiServerAddresses("192.0.2.10").build()) {
      second.start();
      X509Certificate serving;
      try (InputStream pem =
          Files.newInputStream(second.directory().resolve("pki/apiserver.crt"))) {
        serving =
            (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(pem);
      }
      assertThat(serving.getSubjectAlternativeNames())
          .contains(List.of(7, "127.0.0.1"), List.of(7, "10.0.0.1"), List.of(7, "192.0.2.10"))
          .contains(List.of(2, "kubernetes.default.svc"));
      directory = second.directory();
      etcdData = second.etcd().dataDir();
      pids =
          List.of(ControlPlaneComponent.values()).stream()
              .map(c -> second.pid(c).orElseThrow())
              .toList();
      assertThat(second.server()).isNotEqualTo(first.server());
      assertThat(second.caCertificatePem()).isNotEqualTo(first.caCertificatePem());

      new CoreV1Api(client(second.kubeconfig().toString()))
          .createNamespace(new V1Namespace().metadata(new V1ObjectMeta().name("only-second")))
          .execute();
      assertThat(
              new CoreV1Api(admin())
                  .listNamespace().execute().getItems().stream()
                      .map(ns -> ns.getMetadata().getName()))
          .doesNotContain("only-second");
      log.info("memory of two control planes: {}", rss(first, second));
    }
    assertThat(directory).doesNotExist();
    assertThat(etcdData).doesNotExist();
    assertThat(pids)
        .allSatisfy(
            pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
  }

  /** The resident memory of each component, as /proc reports it (for the report, not asserted). */
  private static String rss(KubernetesControlPlane... controlPlanes) throws IOException {
    StringBuilder out = new StringBuilder();
    long total = 0;
    for (KubernetesControlPlane controlPlane : controlPlanes) {
      for (ControlPlaneComponent component : ControlPlaneComponent.values()) {
        long kb = rssKb(controlPlane.pid(component).orElseThrow());
        total += kb;
        out.append(component.binaryName()).append('=').append(kb / 1024).append(" MiB, ");
      }
      long etcd =
          ProcessHandle.current()
              .descendants()
              .filter(
                  p ->
                      p.info()
                          .arguments()
                          .map(a -> List.of(a).contains(controlPlane.etcd().dataDir().toString()))
                          .orElse(false))
              .mapToLong(p -> rssKb(p.pid()))
              .sum();
      total += etcd;
      out.append("etcd=").append(etcd / 1024).append(" MiB; ");
    }
    return out.append("total ").append(total / 1024).append(" MiB").toString();
  }

  private static long rssKb(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
          .filter(l -> l.startsWith("VmRSS:"))
          .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
          .sum();
    } catch (IOException e) {
      return 0;
    }
  }
}
