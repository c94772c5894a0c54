package cloud.krake.k8s.internal;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** Krake's register_service: how a Service is reached from outside its cluster. */
class ServiceEndpointsTest {

  private static ObjectNode service(String yaml) {
    return KrakeJson.read(yaml, ObjectNode.class);
  }

  @Test
  void nodePortServiceIsReachedOnTheApiServerHost() {
    ObjectNode s = service("{spec: {type: NodePort, ports: [{port: 8080, nodePort: 31080}]}}");

    assertThat(ServiceEndpoints.of(s, "10.1.2.3")).contains("10.1.2.3:31080");
  }

  @Test
  void loadBalancerIsPendingUntilItsIngressIsKnown() {
    ObjectNode pending = service("{spec: {type: LoadBalancer, ports: [{port: 80}]}}");
    ObjectNode assigned =
        service(
            "{spec: {type: LoadBalancer, ports: [{port: 80}]},"
                + " status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}}");

    assertThat(ServiceEndpoints.of(pending, "api")).contains("<pending>:80");
    assertThat(ServiceEndpoints.of(assigned, "api")).contains("203.0.113.7:80");
  }

  @Test
  void loadBalancerWithoutPortsIsPendingOnBoth() {
    assertThat(ServiceEndpoints.of(service("{spec: {type: LoadBalancer}}"), "api"))
        .contains("<pending>:<pending>");
  }

  @Test
  void clusterIpServiceHasNoOutsideEndpoint() {
    ObjectNode s = service("{spec: {type: ClusterIP, ports: [{port: 8080}]}}");

    assertThat(ServiceEndpoints.of(s, "api")).isEmpty();
    assertThat(ServiceEndpoints.of(service("{metadata: {name: bare}}"), "api")).isEmpty();
  }
}
