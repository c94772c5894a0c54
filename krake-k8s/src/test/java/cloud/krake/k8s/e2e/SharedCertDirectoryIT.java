package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.LocalKubelet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Krake's hook documents' configuration: both hooks' certificates in one directory, {@code
 * /etc/krake_cert}, as the documents and Krake's generated configuration have them, and the older
 * document's {@code KRAKE_TOKEN} variable ({@code legacyTokenVariable}). An application with both
 * hooks is accepted by an API server that validates pod specs as the real one does, and its pod
 * finds each hook's files in a folder named after the hook; the older document's TLS example runs
 * unmodified in an application with the complete hook.
 */
class SharedCertDirectoryIT {

  private static final String CERTS = "/etc/krake_cert";

  /**
   * A job that proves it has both hooks' files: it calls its shutdown hook with the shutdown
   * folder's certificate (a valid call that changes nothing while the application runs), then
   * completes itself with the complete folder's certificate.
   */
  private static final String JOB =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: both}
      spec:
        selector: {matchLabels: {app: both}}
        template:
          metadata: {labels: {app: both}}
          spec:
            containers:
            - name: job
              image: curlimages/curl
              command:
              - /bin/sh
              - -c
              - |
                set -e
                d=/etc/krake_cert
                curl -sS --fail --cacert $d/shutdown/ca-bundle.pem --cert $d/shutdown/cert.pem \\
                  --key $d/shutdown/key.pem -X PUT \\
                  -d "{\\"token\\":\\"$KRAKE_SHUTDOWN_TOKEN\\"}" "$KRAKE_SHUTDOWN_URL"
                echo
                curl -sS --fail --cacert $d/complete/ca-bundle.pem --cert $d/complete/cert.pem \\
                  --key $d/complete/key.pem -X PUT \\
                  -d "{\\"token\\":\\"$KRAKE_COMPLETE_TOKEN\\"}" "$KRAKE_COMPLETE_URL"
                echo
                sleep 3600
      """;

  /** The older hook document's curl example with TLS, as written there, then idle. */
  private static final String OLDER_DOCUMENTS_EXAMPLE =
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: older}
      spec:
        selector: {matchLabels: {app: older}}
        template:
          metadata: {labels: {app: older}}
          spec:
            containers:
            - name: job
              image: curlimages/curl
              command:
              - /bin/sh
              - -c
              - |
                curl -X PUT -d "{\\"token\\":\\"$KRAKE_TOKEN\\"}" $KRAKE_COMPLETE_URL \
                    --cacert /etc/krake_cert/ca-bundle.pem \
                    --cert /etc/krake_cert/cert.pem \
                    --key /etc/krake_cert/key.pem
                sleep 3600
      """;

  private final MemoryStore store = MemoryStore.create();
  private FakeClusters env;

  @BeforeEach
  void start() {
    env = new FakeClusters(store, CERTS, CERTS + "/", hooks -> hooks.legacyTokenVariable(true));
  }

  @AfterEach
  void stop() {
    env.close();
    store.close();
  }

  @Test
  void anApplicationWithBothHooksRunsWithOneCertificateVolume() {
    env.registerClusters();
    env.create(
        "echo",
        List.of(FakeClusters.documents("echo.yaml").get(0)),
        List.of(),
        List.of("complete", "shutdown"),
        "a");

    env.awaitRunningOn("echo", env.a);

    JsonNode podSpec =
        env.a
            .get("apps/v1", "Deployment", "default", "echo-demo")
            .orElseThrow()
            .at("/spec/template/spec");
    assertThat(podSpec.at("/containers/0/volumeMounts"))
        .singleElement()
        .satisfies(m -> assertThat(m.path("mountPath").asText()).isEqualTo(CERTS));
    assertThat(podSpec.get("volumes"))
        .singleElement()
        .satisfies(v -> assertThat(v.at("/projected/sources")).hasSize(2));
  }

  @Test
  void theOlderDocumentsTlsExampleCompletesItsApplicationUnmodified() {
    LocalKubelet kubelet = LocalKubelet.builder(env.a).build();
    try {
      env.registerClusters();
      env.create(
          "older",
          KrakeJson.readAll(OLDER_DOCUMENTS_EXAMPLE, ObjectNode.class),
          List.of(),
          List.of("complete"),
          "a");

      env.awaitGone("older");
    } finally {
      env.stop();
      kubelet.close();
    }
  }

  @Test
  void aPodReadsBothHooksFilesFromOneDirectoryAndCallsBothHooks() {
    LocalKubelet kubelet = LocalKubelet.builder(env.a).build();
    try {
      env.registerClusters();
      env.create(
          "both",
          KrakeJson.readAll(JOB, ObjectNode.class),
          List.of(),
          List.of("complete", "shutdown"),
          "a");

      env.awaitGone("both");

      await()
          .atMost(TIMEOUT)
          .untilAsserted(() -> assertThat(env.a.list("apps/v1", "Deployment")).isEmpty());
    } finally {
      env.stop();
      kubelet.close();
    }
  }
}
