package cloud.krake.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test documents: the project's own manifests ({@code test-manifests/} in the repository, on the
 * test classpath under {@code /manifests}) and, for the conformance tests, Krake's sample files.
 */
final class Fixtures {

  private Fixtures() {}

  /** The directory of the project's own test manifests on the test classpath. */
  static Path manifests() {
    return directory(Fixtures.class.getResource("/manifests/echo.yaml")).getParent();
  }

  /** One of the project's own test manifests by file name, e.g. {@code echo.yaml}. */
  static String manifest(String file) {
    return read(manifests().resolve(file));
  }

  /**
   * Krake's sample directory, given by the {@code krake-samples} Maven profile as the system
   * property {@code krake.samples.dir}; only the {@code *SamplesConformanceTest} classes read it.
   */
  static Path krakeSamples() {
    String dir = System.getProperty("krake.samples.dir");
    if (dir == null || dir.isBlank()) {
      throw new IllegalStateException(
          "krake.samples.dir is not set: the conformance tests run in the krake-samples profile");
    }
    return Path.of(dir);
  }

  /** One of Krake's sample files by file name, e.g. {@code echo-demo.yaml}. */
  static String krakeSample(String file) {
    return read(krakeSamples().resolve(file));
  }

  private static Path directory(URL url) {
    if (url == null) {
      throw new IllegalStateException("/manifests is not on the test classpath (see the root pom)");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static final String APPLICATION =
      """
      {
        "api": "kubernetes",
        "kind": "Application",
        "metadata": {
          "name": "echo-demo",
          "namespace": "testing",
          "labels": {"team": "edge"},
          "finalizers": ["cascade_deletion"],
          "uid": "7f4e7b43-2a4c-4c9a-9d8e-6f0f6c2f1a11",
          "created": "2024-03-01T10:15:30.123456+00:00",
          "modified": "2024-03-01T10:15:31+00:00",
          "deleted": null,
          "owners": [{"api": "kubernetes", "namespace": "testing", "kind": "Cluster", "name": "c1"}]
        },
        "spec": {
          "manifest": [
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "echo-demo"},
             "spec": {"replicas": 1}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "echo-demo"},
             "spec": {"type": "NodePort"}}
          ],
          "observer_schema": [],
          "constraints": {
            "cluster": {
              "labels": ["location is DE", "zone in (a, b,)"],
              "custom_resources": ["crontabs.stable.example.com"],
              "metrics": ["heat_demand_zone_1 < 3"]
            },
            "migration": false
          },
          "hooks": ["complete", "shutdown"],
          "shutdown_grace_time": 45,
          "shutdown_failure_strategy": "delete",
          "shutdown_retry_count": 2,
          "backoff": 2,
          "backoff_delay": 0,
          "backoff_limit": 5,
          "auto_cluster_create": true
        },
        "status": {
          "state": "RUNNING",
          "reason": {"code": "NO_SUITABLE_RESOURCE", "message": "no cluster"},
          "container_health": {"desired_pods": 2, "running_pods": 1, "completed_pods": 0,
            "failed_pods": 1},
          "kube_controller_triggered": "2024-03-01T10:15:32+00:00",
          "scheduled": "2024-03-01T10:15:32.5+00:00",
          "scheduled_to": {"api": "kubernetes", "namespace": "testing", "kind": "Cluster",
            "name": "c1"},
          "running_on": {"api": "kubernetes", "namespace": "testing", "kind": "Cluster",
            "name": "c1"},
          "retries": 3,
          "services": {"echo-demo": "10.0.0.1:30080"},
          "last_applied_manifest": [
            {"apiVersion": "v1", "kind": "Secret",
             "metadata": {"name": "echo-demo-krake-complete-secret-token"},
             "data": {"krake_complete_token": "U0VDUkVULVRPS0VOLUlOLVNFQ1JFVA=="}}
          ],
          "complete_token": "tok-complete-4f9a",
          "complete_cert": "-----BEGIN CERTIFICATE-----\\nPUBLIC\\n-----END CERTIFICATE-----",
          "complete_key": "-----BEGIN PRIVATE KEY-----\\nKEY-COMPLETE-77\\n-----END PRIVATE KEY-----",
          "shutdown_token": "tok-shutdown-8c1e",
          "shutdown_key": "-----BEGIN PRIVATE KEY-----\\nKEY-SHUTDOWN-99\\n-----END PRIVATE KEY-----",
          "shutdown_grace_period": "2024-03-01T10:20:00+02:00",
          "migration_retries": 1,
          "migration_timeout": 1709288130
        }
      }
      """;

  static final String CLUSTER =
      """
      api: kubernetes
      kind: Cluster
      metadata:
        name: c1
        namespace: testing
        labels:
          location: DE
      spec:
        custom_resources: [crontabs.stable.example.com]
        metrics:
          - name: heat_demand_zone_1
            weight: 0.9
          - name: electricity_cost_1
            weight: 0.1
            namespaced: true
        kubeconfig:
          apiVersion: v1
          kind: Config
          current-context: admin@c1
          clusters:
            - name: c1
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: Q0EtUFVCTElD
          contexts:
            - name: admin@c1
              context: {cluster: c1, user: admin}
          users:
            - name: admin
              user:
                client-certificate-data: Q0VSVC1QVUJMSUM=
                client-key-data: S0VZLVNFQ1JFVC0xMjM=
                token: bearer-secret-456
                password: hunter2-secret
                exec:
                  command: get-token
                  env: [{name: API_KEY, value: exec-secret-789}]
      status:
        state: ONLINE
        metrics_reasons:
          heat_demand_zone_1: {code: UNREACHABLE_METRICS_PROVIDER, message: timeout}
        nodes:
          - api: kubernetes
            kind: ClusterNode
            metadata: {name: node-1}
            status:
              conditions: [{message: ok, reason: KubeletReady, status: "True", type: Ready}]
        retries: 2
      """;
}
