package cloud.krake.k8s.e2e;

import static cloud.krake.k8s.e2e.FakeClusters.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.execution.HookAction;
import cloud.krake.hooks.execution.HookKind;
import cloud.krake.hooks.execution.HookRecord;
import cloud.krake.hooks.execution.HookRecords;
import cloud.krake.hooks.execution.HookState;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Krake's tenant separation: two namespaces each own a cluster named {@code de} (tenant {@code t1}
 * on fake {@code a}, tenant {@code t2} on fake {@code b}); every cluster reference of an
 * application, including the execution hooks' target cluster, resolves within the application's
 * namespace.
 */
class TenantClustersIT {

  private final MemoryStore store = MemoryStore.create();
  private FakeClusters env;

  @BeforeEach
  void start() {
    env = new FakeClusters(store, ShutdownHookConfig.defaults());
    register("t1", env.a);
    register("t2", env.b);
    // each cluster holds a marker naming the tenant that owns it
    marker(env.a, "t1");
    marker(env.b, "t2");
  }

  @AfterEach
  void stop() {
    env.close();
    store.close();
  }

  private void register(String namespace, FakeKubernetesApiServer fake) {
    ObjectNode doc = JsonNodeFactory.instance.objectNode();
    doc.putObject("metadata").put("name", "de").put("namespace", namespace);
    doc.putObject("spec").set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
    env.krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
    env.krake.awaitCluster(
        namespace, "de", c -> c.status().state() == ClusterState.ONLINE, TIMEOUT);
  }

  private static void marker(FakeKubernetesApiServer fake, String tenant) {
    fake.put(
        KrakeJson.read(
            """
            {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"name": "tenant-marker", "namespace": "default"},
             "data": {"tenant": "%s"}}
            """
                .formatted(tenant),
            ObjectNode.class));
  }

  /**
   * An application of a tenant whose deploy preHook waits for the marker of that same tenant: it
   * holds only when the hook reads the tenant's own {@code de}.
   */
  private Application create(String namespace) {
    String doc =
        """
        metadata: {name: app, namespace: %1$s}
        spec:
          manifest:
          - {apiVersion: v1, kind: ConfigMap, metadata: {name: payload}, data: {k: v}}
          constraints: {cluster: {labels: []}}
          execution_hooks:
            deploy:
              preHook:
                action:
                  phases:
                  - func: Wait
                    name: ownCluster
                    args:
                      timeout: 5
                      interval: 1
                      conditions:
                        allOf:
                        - objectReference: {apiVersion: v1, kind: ConfigMap, namespace: default, name: tenant-marker}
                          condition: '{{ $.data.tenant }} == "%1$s"'
                retry: {attempts: 1}
        """
            .formatted(namespace);
    return env.krake.applications().create(KrakeJson.read(doc, Application.class));
  }

  private void assertHookRanOnItsOwnCluster(String namespace, FakeKubernetesApiServer own) {
    Application app =
        env.krake.awaitApplication(
            namespace,
            "app",
            a ->
                a.status().state() == ApplicationState.RUNNING
                    || a.status().state() == ApplicationState.FAILED,
            TIMEOUT);

    assertThat(app.status().reason()).as("the hook read its own tenant's cluster").isEmpty();
    assertThat(app.status().state()).isEqualTo(ApplicationState.RUNNING);
    assertThat(app.status().runningOn().orElseThrow().namespace()).contains(namespace);
    assertThat(
            new HookRecords(store)
                .find(namespace, "app", HookAction.DEPLOY, HookKind.PRE_HOOK)
                .map(HookRecords.Versioned::record)
                .map(HookRecord::state))
        .contains(HookState.SUCCEEDED);
    assertThat(own.get("v1", "ConfigMap", "default", "payload")).isPresent();
  }

  @Test
  void anExecutionHookOfTheSecondTenantRunsOnItsOwnClusterNamedDe() {
    create("t2");

    assertHookRanOnItsOwnCluster("t2", env.b);
    assertThat(env.a.get("v1", "ConfigMap", "default", "payload")).isEmpty();
  }

  @Test
  void anExecutionHookOfTheFirstTenantRunsOnItsOwnClusterNamedDe() {
    create("t1");

    assertHookRanOnItsOwnCluster("t1", env.a);
    assertThat(env.b.get("v1", "ConfigMap", "default", "payload")).isEmpty();
  }
}
