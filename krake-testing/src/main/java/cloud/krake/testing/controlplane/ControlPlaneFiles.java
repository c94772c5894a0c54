package cloud.krake.testing.controlplane;

import cloud.krake.testing.controlplane.KubernetesControlPlane.ControlPlaneComponent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files a {@link KubernetesControlPlane}'s components read — the PKI (cluster CA, serving and
 * client certificates, the service-account signing key) and their kubeconfigs — and the flags that
 * point each component at them. Keys and kubeconfigs are written with mode 600. Not thread-safe;
 * written once, before the first start.
 */
final class ControlPlaneFiles {

  private static final ObjectMapper json = new ObjectMapper();

  private final Path directory;
  private final Path pkiDirectory;
  private final TestPki pki;
  private final CertificateAndKey kubeletClient;
  private final Map<ControlPlaneComponent, Integer> ports;
  private final List<String> apiServerAddresses;
  private final URI server;

  /**
   * @param directory the control plane's temporary directory (kubeconfigs, components' cert dirs)
   * @param pkiDirectory where the certificates and keys go
   * @param pki the cluster CA
   * @param kubeletClient the API server's client certificate for kubelet calls
   * @param ports the components' loopback ports
   * @param apiServerAddresses extra IP addresses of the API server's serving certificate
   * @param server the API server's URL
   */
  ControlPlaneFiles(
      Path directory,
      Path pkiDirectory,
      TestPki pki,
      CertificateAndKey kubeletClient,
      Map<ControlPlaneComponent, Integer> ports,
      List<String> apiServerAddresses,
      URI server) {
    this.directory = directory;
    this.pkiDirectory = pkiDirectory;
    this.pki = pki;
    this.kubeletClient = kubeletClient;
    this.ports = ports;
    this.apiServerAddresses = apiServerAddresses;
    this.server = server;
  }

  /** Writes the PKI and the components' kubeconfigs. */
  void write() throws IOException {
    Files.writeString(pkiDirectory.resolve("ca.crt"), pki.ca().certificatePem());
    writeSecret(pkiDirectory.resolve("ca.key"), pki.ca().privateKeyPem());
    List<String> loopback = List.of("127.0.0.1");
    writePair(
        "apiserver",
        pki.server(
            "kube-apiserver",
            List.of(
                "localhost",
                "kubernetes",
                "kubernetes.default",
                "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local"),
            Stream.concat(
                    Stream.of("127.0.0.1", KubernetesControlPlane.KUBERNETES_SERVICE_IP),
                    apiServerAddresses.stream())
                .toList()));
    writePair("apiserver-kubelet-client", kubeletClient);
    writePair(
        "controller-manager",
        pki.server("kube-controller-manager", List.of("localhost"), loopback));
    writePair("scheduler", pki.server("kube-scheduler", List.of("localhost"), loopback));
    KeyPair serviceAccount = TestPki.keyPair();
    Files.writeString(
        pkiDirectory.resolve("sa.pub"), TestPki.publicKeyPem(serviceAccount.getPublic()));
    writeSecret(pkiDirectory.resolve("sa.key"), TestPki.pkcs8Pem(serviceAccount));
    writeKubeconfig(
        "controller-manager.kubeconfig",
        "system:kube-controller-manager",
        pki.client("system:kube-controller-manager", List.of()));
    writeKubeconfig(
        "scheduler.kubeconfig",
        "system:kube-scheduler",
        pki.client("system:kube-scheduler", List.of()));
  }

  private void writePair(String name, CertificateAndKey pair) throws IOException {
    Files.writeString(pkiDirectory.resolve(name + ".crt"), pair.certificatePem());
    writeSecret(pkiDirectory.resolve(name + ".key"), pair.privateKeyPem());
  }

  private void writeKubeconfig(String file, String user, CertificateAndKey credentials)
      throws IOException {
    writeSecret(
        directory.resolve(file),
        json.writerWithDefaultPrettyPrinter().writeValueAsString(kubeconfig(user, credentials)));
  }

  /** A kubeconfig for {@code user} with the CA and the credentials embedded ({@code *-data}). */
  ObjectNode kubeconfig(String user, CertificateAndKey credentials) {
    Base64.Encoder base64 = Base64.getEncoder();
    String cluster = "krake-test-" + ports.get(ControlPlaneComponent.KUBE_APISERVER);
    ObjectNode config = json.createObjectNode().put("apiVersion", "v1").put("kind", "Config");
    ObjectNode clusterEntry = config.putArray("clusters").addObject().put("name", cluster);
    clusterEntry
        .putObject("cluster")
        .put("server", server.toString())
        .put(
            "certificate-authority-data",
            base64.encodeToString(pki.ca().certificatePem().getBytes(StandardCharsets.US_ASCII)));
    ObjectNode userEntry = config.putArray("users").addObject().put("name", user);
    userEntry
        .putObject("user")
        .put(
            "client-certificate-data",
            base64.encodeToString(credentials.certificatePem().getBytes(StandardCharsets.US_ASCII)))
        .put(
            "client-key-data",
            base64.encodeToString(
                credentials.privateKeySec1Pem().getBytes(StandardCharsets.US_ASCII)));
    String context = user + "@" + cluster;
    ArrayNode contexts = config.putArray("contexts");
    contexts
        .addObject()
        .put("name", context)
        .putObject("context")
        .put("cluster", cluster)
        .put("user", user);
    config.put("current-context", context);
    config.putObject("preferences");
    return config;
  }

  /** Writes a file readable by its owner only (mode 600). */
  static void writeSecret(Path file, String content) throws IOException {
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content);
  }

  /**
   * The flags of a component: its port, certificates and kubeconfig in these files, and kubeadm's
   * choices (see {@link KubernetesControlPlane}).
   */
  List<String> arguments(ControlPlaneComponent component, String etcdEndpoint) {
    String pkiDir = pkiDirectory.toString() + "/";
    String port = Integer.toString(ports.get(component));
    return switch (component) {
      case KUBE_APISERVER ->
          List.of(
              "--etcd-servers=" + etcdEndpoint,
              "--bind-address=127.0.0.1",
              "--advertise-address=127.0.0.1",
              // The Endpoints of the kubernetes service may not hold a loopback address.
              "--endpoint-reconciler-type=none",
              "--secure-port=" + port,
              "--cert-dir=" + directory.resolve("kube-apiserver"),
              "--tls-cert-file=" + pkiDir + "apiserver.crt",
              "--tls-private-key-file=" + pkiDir + "apiserver.key",
              "--client-ca-file=" + pkiDir + "ca.crt",
              "--authorization-mode=Node,RBAC",
              "--enable-admission-plugins=NodeRestriction",
              "--allow-privileged=true",
              "--service-cluster-ip-range=" + KubernetesControlPlane.SERVICE_CLUSTER_IP_RANGE,
              "--service-account-issuer=" + KubernetesControlPlane.SERVICE_ACCOUNT_ISSUER,
              "--service-account-key-file=" + pkiDir + "sa.pub",
              "--service-account-signing-key-file=" + pkiDir + "sa.key",
              "--kubelet-client-certificate=" + pkiDir + "apiserver-kubelet-client.crt",
              "--kubelet-client-key=" + pkiDir + "apiserver-kubelet-client.key",
              "--kubelet-certificate-authority=" + pkiDir + "ca.crt",
              "--kubelet-preferred-address-types=InternalIP,Hostname,ExternalIP");
      case KUBE_CONTROLLER_MANAGER ->
          List.of(
              "--kubeconfig=" + directory.resolve("controller-manager.kubeconfig"),
              "--authentication-kubeconfig=" + directory.resolve("controller-manager.kubeconfig"),
              "--authorization-kubeconfig=" + directory.resolve("controller-manager.kubeconfig"),
              "--bind-address=127.0.0.1",
              "--secure-port=" + port,
              "--cert-dir=" + directory.resolve("kube-controller-manager"),
              "--tls-cert-file=" + pkiDir + "controller-manager.crt",
              "--tls-private-key-file=" + pkiDir + "controller-manager.key",
              "--client-ca-file=" + pkiDir + "ca.crt",
              "--leader-elect=false",
              "--controllers=*",
              "--use-service-account-credentials=true",
              "--service-account-private-key-file=" + pkiDir + "sa.key",
              "--root-ca-file=" + pkiDir + "ca.crt",
              "--cluster-signing-cert-file=" + pkiDir + "ca.crt",
              "--cluster-signing-key-file=" + pkiDir + "ca.key",
              "--allocate-node-cidrs=false",
              "--service-cluster-ip-range=" + KubernetesControlPlane.SERVICE_CLUSTER_IP_RANGE,
              "--cluster-name=krake-test-" + ports.get(ControlPlaneComponent.KUBE_APISERVER));
      case KUBE_SCHEDULER ->
          List.of(
              "--kubeconfig=" + directory.resolve("scheduler.kubeconfig"),
              "--authentication-kubeconfig=" + directory.resolve("scheduler.kubeconfig"),
              "--authorization-kubeconfig=" + directory.resolve("scheduler.kubeconfig"),
              "--bind-address=127.0.0.1",
              "--secure-port=" + port,
              "--cert-dir=" + directory.resolve("kube-scheduler"),
              "--tls-cert-file=" + pkiDir + "scheduler.crt",
              "--tls-private-key-file=" + pkiDir + "scheduler.key",
              "--client-ca-file=" + pkiDir + "ca.crt",
              "--leader-elect=false");
    };
  }
}
