package cloud.krake.testing.controlplane;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Objects;

/**
 * What a kubelet needs to be a node of a {@link KubernetesControlPlane}, as kubeadm's {@code
 * kubelet.conf} and kubelet PKI give it: the API server to talk to and the CA to trust, a client
 * certificate for {@code system:node:<nodeName>} in group {@code system:nodes} (so the API server's
 * Node authorizer and {@code NodeRestriction} admission treat it as that node), a serving
 * certificate for the kubelet's HTTPS API, and how to recognise the API server when it calls that
 * API ({@code logs}, {@code exec}): its client certificate ({@code --kubelet-client-certificate})
 * is signed by {@link #apiServerClientCaPem()} with common name {@link
 * #apiServerClientCommonName()}. The API server checks the serving certificate against the cluster
 * CA ({@code --kubelet-certificate-authority}). {@link #toString()} never shows a key.
 *
 * @param nodeName the node's name ({@code metadata.name} of its Node)
 * @param server the API server's URL, {@code https://127.0.0.1:<port>}
 * @param caCertificatePem the cluster CA, which signed the API server's serving certificate
 * @param client the node's client certificate ({@code CN=system:node:<nodeName>, O=system:nodes})
 * @param serving the kubelet's serving certificate (SANs {@code 127.0.0.1}, {@code localhost} and
 *     the node name)
 * @param apiServerClientCaPem the CA that signed the API server's kubelet-client certificate
 * @param apiServerClientCommonName the common name of that certificate
 * @param kubeconfig a kubeconfig for the node's client certificate with embedded credentials (a
 *     copy on each call)
 */
public record NodeCredentials(
    String nodeName,
    URI server,
    String caCertificatePem,
    CertificateAndKey client,
    CertificateAndKey serving,
    String apiServerClientCaPem,
    String apiServerClientCommonName,
    ObjectNode kubeconfig) {

  /** Checks the components and copies the kubeconfig. */
  public NodeCredentials {
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(caCertificatePem, "caCertificatePem");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(serving, "serving");
    Objects.requireNonNull(apiServerClientCaPem, "apiServerClientCaPem");
    Objects.requireNonNull(apiServerClientCommonName, "apiServerClientCommonName");
    kubeconfig = Objects.requireNonNull(kubeconfig, "kubeconfig").deepCopy();
  }

  @Override
  public ObjectNode kubeconfig() {
    return kubeconfig.deepCopy();
  }

  @Override
  public String toString() {
    return "NodeCredentials[nodeName="
        + nodeName
        + ", server="
        + server
        + ", client="
        + client
        + ", serving="
        + serving
        + ", kubeconfig=<redacted>]";
  }
}
