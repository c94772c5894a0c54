package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.NS;
import static cloud.krake.k8s.e2e.FakeClusters.documents;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A host that takes over a converged application (a restarted host, or the new owner of its shard
 * in a group of instances), driven step by step: with the same configuration it writes nothing on
 * the cluster; with another hook endpoint it rewrites the hook token Secrets, the URL in them being
 * the only difference. This is why the instances of a group must advertise one hook address
 * (docs/configuration.md, issue 17's rolling restart).
 */
class ConvergedHandoverIT {

  /** The hook address of the group: the one in front of every instance. */
  private static final URI GROUP_ENDPOINT = URI.create("http://hooks.krake.test:8080");

  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");
  private static final Duration SETTLE = Duration.ofSeconds(30);

  @Test
  void aNewOwnerWithTheSameHookConfigurationWritesNothingForAConvergedApplication() {
    try (MemoryStore store = MemoryStore.create();
        FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name("one").build()) {
      converge(store, fake);
      fake.clearRequests();

      try (Krake next = host(store, GROUP_ENDPOINT)) {
        next.watch();
        int processed = next.settle(SETTLE);
        assertThat(processed).as("the new owner reconciled what it found").isPositive();
      }

      assertThat(writes(fake)).isEmpty();
    }
  }

  @Test
  void aNewOwnerAdvertisingAnotherHookEndpointRewritesTheTokenSecrets() {
    try (MemoryStore store = MemoryStore.create();
        FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name("one").build()) {
      converge(store, fake);
      fake.clearRequests();

      try (Krake next = host(store, URI.create("http://127.0.0.1:40123"))) {
        next.watch();
        next.settle(SETTLE);
      }

      assertThat(writes(fake))
          .containsExactlyInAnyOrder(
              "PATCH /api/v1/namespaces/default/secrets/echo-krake-complete-secret-token",
              "PATCH /api/v1/namespaces/default/secrets/echo-krake-shutdown-secret-token");
    }
  }

  /**
   * The pass that the rewrite's own application write starts may run before the cluster's watch
   * delivers the patched Secrets; it must see them as the API server answered the patches, not as
   * the watch last reported them, or it patches them again (once seen in CI). The fake holds its
   * watch events for the whole handover, so every later pass runs on a watch cache that has not
   * seen the patches.
   */
  @Test
  void aPassBeforeTheWatchDeliversTheRewriteDoesNotRewriteAgain() {
    try (MemoryStore store = MemoryStore.create();
        FakeKubernetesApiServer fake = FakeKubernetesApiServer.builder().name("one").build()) {
      converge(store, fake);
      fake.clearRequests();
      fake.holdWatchEvents();

      try (Krake next = host(store, URI.create("http://127.0.0.1:40123"))) {
        next.watch();
        next.settle(SETTLE);
      }
      fake.releaseWatchEvents();

      assertThat(writes(fake))
          .containsExactlyInAnyOrder(
              "PATCH /api/v1/namespaces/default/secrets/echo-krake-complete-secret-token",
              "PATCH /api/v1/namespaces/default/secrets/echo-krake-shutdown-secret-token");
    }
  }

  /** A first host registers the cluster and runs an application with both hooks to RUNNING. */
  private static void converge(MemoryStore store, FakeKubernetesApiServer fake) {
    try (Krake first = host(store, GROUP_ENDPOINT)) {
      first.watch();
      ObjectNode cluster = JsonNodeFactory.instance.objectNode();
      cluster.putObject("metadata").put("name", "one").put("namespace", NS);
      cluster
          .putObject("spec")
          .set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
      first.clusters().create(KrakeJson.convert(cluster, Cluster.class));
      first.settle(SETTLE);

      ObjectNode app = JsonNodeFactory.instance.objectNode();
      app.putObject("metadata").put("name", "echo").put("namespace", NS);
      ObjectNode spec = app.putObject("spec");
      spec.putArray("manifest").addAll(documents("echo.yaml"));
      spec.putArray("hooks").add(HooksConfig.COMPLETE).add(HooksConfig.SHUTDOWN);
      spec.putObject("constraints").putObject("cluster").putArray("labels");
      first.applications().create(KrakeJson.convert(app, Application.class));
      first.settle(SETTLE);

      assertThat(first.applications().require(NS, "echo").status().state())
          .isEqualTo(ApplicationState.RUNNING);
      assertThat(fake.get("v1", "Secret", "default", "echo-krake-complete-secret-token"))
          .isPresent();
    }
  }

  /** A host with plain-HTTP complete and shutdown hooks whose URLs name {@code endpoint}. */
  private static Krake host(MemoryStore store, URI endpoint) {
    HooksConfig hooks =
        HooksConfig.builder()
            .endpoint(endpoint)
            .tls(false)
            .complete(HookConfig.completeDefaults())
            .shutdown(ShutdownHookConfig.defaults())
            .build();
    return Krake.builder()
        .store(store)
        .extension(
            KubernetesBackend.builder()
                .connector(KubeconfigClusterConnector.builder().build())
                .krakeHooks(
                    hooks,
                    identity -> {
                      throw new IllegalStateException("no client certificates without TLS");
                    })
                .build())
        .build();
  }

  /** The writes the fake received, {@code "METHOD path"} without the query. */
  private static List<String> writes(FakeKubernetesApiServer fake) {
    return fake.requests().stream()
        .filter(r -> WRITES.contains(r.substring(0, r.indexOf(' '))))
        .map(r -> r.indexOf('?') < 0 ? r : r.substring(0, r.indexOf('?')))
        .toList();
  }
}
