package cloud.krake.k8s.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Krake's {@code register_service} hook ({@code krake/controller/kubernetes/hooks.py}): the address
 * a Service is reached at from outside the cluster, recorded in {@code status.services} under the
 * Service's name.
 */
public final class ServiceEndpoints {

  private static final String PENDING = "<pending>";

  private ServiceEndpoints() {}

  /**
   * Returns the endpoint of a Service object: for a LoadBalancer {@code <ingress ip>:<port>} (each
   * {@code <pending>} while unknown); otherwise {@code <API server host>:<nodePort>} of the first
   * port; empty when it has no node port (ClusterIP).
   *
   * @param service the Service as the API server reports it
   * @param apiServerHost the host of the cluster's API server URL
   * @return the endpoint, or empty
   */
  public static Optional<String> of(JsonNode service, String apiServerHost) {
    JsonNode spec = service.path("spec");
    JsonNode firstPort = spec.path("ports").path(0);
    if (spec.path("type").asText("").equals("LoadBalancer")) {
      JsonNode ingress = service.path("status").path("loadBalancer").path("ingress").path(0);
      String ip = ingress.path("ip").asText(ingress.path("hostname").asText(PENDING));
      String port = firstPort.has("port") ? firstPort.path("port").asText() : PENDING;
      return Optional.of(ip + ":" + port);
    }
    if (firstPort.has("nodePort")) {
      return Optional.of(apiServerHost + ":" + firstPort.path("nodePort").asText());
    }
    return Optional.empty();
  }
}
