package cloud.krake.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
import cloud.krake.hooks.endpoint.HookEndpoint;
import cloud.krake.hooks.tls.GeneratedHookCa;
import cloud.krake.hooks.tls.HookCertificateAuthorities;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Applications;
import cloud.krake.store.Store;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The snippets of docs/kubernetes.md, run: wiring the backend, and the fake API server. */
class KubernetesBackendDocTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private final Clock clock = Clock.systemUTC();

  @Test
  void wiredBackendRunsAnApplicationAndLeavesNothingOnTheFakeCluster() {
    // tag::fake-api-server[]
    try (FakeKubernetesApiServer cluster =
        FakeKubernetesApiServer.builder().name("edge-1").build()) {
      cluster.createNamespace("secondary");
      String kubeconfig = cluster.kubeconfig(); // put it into a Cluster's spec.kubeconfig
      deployAndDeleteAnApplication(kubeconfig); // your test: Krake with this cluster
      assertThat(cluster.objects()).isEmpty(); // nothing left behind
    }
    // end::fake-api-server[]
  }

  private void deployAndDeleteAnApplication(String kubeconfig) {
    GeneratedHookCa ca = GeneratedHookCa.generate(clock);
    HooksConfig hooksConfig =
        HooksConfig.builder()
            .complete(ca.withIntermediate(HookConfig.completeDefaults()))
            .shutdown(
                ShutdownHookConfig.defaults()
                    .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
            .build();
    try (Store store = MemoryStore.create()) {
      EmbeddedHookServer embeddedHookServer =
          EmbeddedHookServer.builder()
              .endpoint(
                  HookEndpoint.builder()
                      .applications(new Applications(store, clock))
                      .config(hooksConfig)
                      .build())
              .port(0)
              .build()
              .start();
      // tag::wiring[]
      Krake krake =
          Krake.builder()
              .store(store) // MemoryStore or EtcdStore
              .extension(
                  KubernetesBackend.builder()
                      .connector(KubeconfigClusterConnector.builder().build())
                      .krakeHooks(
                          hooksConfig,
                          HookCertificateAuthorities.of(hooksConfig, clock)) // optional
                      .krakeHookServer(embeddedHookServer) // optional
                      .build())
              .build();
      krake.start(); // or krake.watch() + krake.settle(timeout), step by step
      // end::wiring[]
      try {
        krake.clusters().create(cluster("edge-1", kubeconfig));
        krake.awaitCluster(
            "default", "edge-1", c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
        krake.applications().create(application());
        krake.awaitApplication(
            "default", "echo", a -> a.status().state() == ApplicationState.RUNNING, TIMEOUT);
        krake.applications().delete("default", "echo");
        krake.awaitApplicationGone("default", "echo", TIMEOUT);
      } finally {
        krake.close();
      }
    }
  }

  private static Cluster cluster(String name, String kubeconfig) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.putObject("metadata").put("name", name).put("namespace", "default");
    doc.putObject("spec").set("kubeconfig", KrakeJson.read(kubeconfig, ObjectNode.class));
    return KrakeJson.convert(doc, Cluster.class);
  }

  private static Application application() {
    return KrakeJson.read(
        """
        metadata: {name: echo, namespace: default}
        spec:
          constraints: {cluster: {labels: []}}
          manifest:
            - apiVersion: apps/v1
              kind: Deployment
              metadata: {name: echo}
              spec:
                replicas: 1
                selector: {matchLabels: {app: echo}}
                template:
                  metadata: {labels: {app: echo}}
                  spec: {containers: [{name: echo, image: registry.example.com/echo:1}]}
        """,
        Application.class);
  }
}
