package cloud.krake.examples.dispatcher;

import cloud.krake.Krake;
import cloud.krake.dispatcher.DispatcherHookPoint;
import cloud.krake.dispatcher.HookContext;
import cloud.krake.k8s.KubeconfigClusterConnector;
import cloud.krake.k8s.KubernetesBackend;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationSpec;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.Cluster;
import cloud.krake.model.ClusterSpec;
import cloud.krake.model.Constraints;
import cloud.krake.model.InvalidResourceException;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.Metadata;
import cloud.krake.model.Reason;
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Custom hook handlers on Krake's dispatcher: a host's platform policy, registered with {@link
 * Krake.Builder#dispatcherHook}. Two handlers:
 *
 * <ul>
 *   <li>at {@link DispatcherHookPoint#APPLICATION_MANGLING} (which may change the application),
 *       {@link #labelEveryResource} adds the label {@value #TENANT_LABEL} = the application's
 *       namespace to every resource Krake applies, as Krake's own {@code complete} hook injects its
 *       Secret;
 *   <li>at {@link DispatcherHookPoint#APPLICATION_PRE_RECONCILE} (no changes; a failure aborts the
 *       reconcile), {@link #onlyTrustedImages} vetoes an application whose containers pull from
 *       another registry than {@value #TRUSTED_REGISTRY}: it becomes FAILED with reason {@code
 *       INVALID_RESOURCE} and the handler's message, and nothing reaches the cluster.
 * </ul>
 *
 * <p>Run: {@code java -cp examples/target/krake-examples.jar
 * cloud.krake.examples.dispatcher.PlatformPolicy}.
 */
public final class PlatformPolicy {

  /** The label the mangling handler adds. */
  public static final String TENANT_LABEL = "platform.example.com/tenant";

  /** The only registry the veto handler accepts images from. */
  public static final String TRUSTED_REGISTRY = "registry.k8s.io/";

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private PlatformPolicy() {}

  /**
   * What the example saw.
   *
   * @param deployed the {@code echo} Deployment as stored on the cluster, with the added label
   * @param rejection the reason the {@code miner} application FAILED with
   * @param objectsOfMiner how many objects of {@code miner} reached the cluster (expected: 0)
   */
  public record Outcome(ObjectNode deployed, Reason rejection, long objectsOfMiner) {}

  // tag::label-handler[]
  /**
   * Adds the tenant label to every resource Krake is about to apply. Runs at {@code
   * APPLICATION_MANGLING}, where {@code status.last_applied_manifest} holds what will be applied.
   */
  static HookContext labelEveryResource(HookContext context) {
    Application app = context.requireApplication();
    List<ObjectNode> labelled = new ArrayList<>();
    for (ObjectNode applied : app.status().lastAppliedManifest()) {
      ObjectNode resource = applied.deepCopy(); // the model's trees are read-only
      resource
          .withObject("/metadata/labels")
          .put(TENANT_LABEL, app.metadata().namespace().orElse(""));
      labelled.add(resource);
    }
    return context.withApplication(app.withStatus(app.status().withLastAppliedManifest(labelled)));
  }

  // end::label-handler[]

  // tag::veto-handler[]
  /** Rejects images from other registries, naming the offending field. */
  static HookContext onlyTrustedImages(HookContext context) {
    List<ObjectNode> manifest = context.requireApplication().spec().manifest();
    for (int i = 0; i < manifest.size(); i++) {
      JsonNode containers = manifest.get(i).at("/spec/template/spec/containers");
      for (int c = 0; c < containers.size(); c++) {
        String image = containers.get(c).path("image").asText();
        if (!image.startsWith(TRUSTED_REGISTRY)) {
          throw InvalidResourceException.of(
              "spec.manifest[" + i + "].spec.template.spec.containers[" + c + "].image",
              image + " is not from the platform's registry " + TRUSTED_REGISTRY);
        }
      }
    }
    return context;
  }

  // end::veto-handler[]

  /**
   * Runs the example; exits 0 when both handlers had their effect, 1 otherwise.
   *
   * @param args none
   */
  public static void main(String[] args) {
    try {
      Outcome outcome = run(System.out);
      System.exit(outcome.objectsOfMiner() == 0 ? 0 : 1);
    } catch (RuntimeException e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Runs the example: {@code echo} (a trusted image) runs with the label; {@code miner} (an image
   * from Docker Hub) is vetoed; both are deleted at the end.
   *
   * @param out where to print
   * @return what the example saw
   * @throws cloud.krake.KrakeException if an application did not reach its expected state in 30 s
   */
  public static Outcome run(PrintStream out) {
    try (FakeKubernetesApiServer cluster =
            FakeKubernetesApiServer.builder().name("edge-1").build();
        MemoryStore store = MemoryStore.create()) {
      // tag::register[]
      Krake krake =
          Krake.builder()
              .store(store)
              .dispatcherHook(
                  DispatcherHookPoint.APPLICATION_MANGLING,
                  "tenant-label",
                  PlatformPolicy::labelEveryResource)
              .dispatcherHook(
                  DispatcherHookPoint.APPLICATION_PRE_RECONCILE,
                  "trusted-images",
                  PlatformPolicy::onlyTrustedImages)
              .extension(
                  KubernetesBackend.builder()
                      .connector(KubeconfigClusterConnector.builder().build())
                      .build())
              .build();
      // end::register[]
      try (krake) {
        return demo(out, krake, cluster);
      }
    }
  }

  private static Outcome demo(PrintStream out, Krake krake, FakeKubernetesApiServer cluster) {
    krake.start();
    krake
        .clusters()
        .create(
            Cluster.of(
                Metadata.of("tenant-a", "edge-1"),
                ClusterSpec.ofKubeconfig(KrakeJson.read(cluster.kubeconfig(), ObjectNode.class))));

    create(krake, "echo", "registry.k8s.io/echoserver:1.10");
    krake.awaitApplication(
        "tenant-a", "echo", a -> a.status().state() == ApplicationState.RUNNING, TIMEOUT);
    ObjectNode deployed = cluster.get("apps/v1", "Deployment", "default", "echo").orElseThrow();
    out.println(
        "echo: RUNNING; its Deployment on edge-1 has labels " + deployed.at("/metadata/labels"));

    create(krake, "miner", "docker.io/library/cryptominer:latest");
    Application failed =
        krake.awaitApplication(
            "tenant-a", "miner", a -> a.status().state() == ApplicationState.FAILED, TIMEOUT);
    Reason reason = failed.status().reason().orElseThrow();
    long objects =
        cluster.objects().stream()
            .filter(o -> o.at("/metadata/name").asText().equals("miner"))
            .count();
    out.println("miner: FAILED (" + reason.code() + "): " + reason.message());
    out.println("miner: objects on edge-1: " + objects);

    for (String name : List.of("echo", "miner")) {
      krake.applications().delete("tenant-a", name);
      krake.awaitApplicationGone("tenant-a", name, TIMEOUT);
    }
    out.println("both deleted; objects left on edge-1: " + cluster.objects().size());
    return new Outcome(deployed, reason, objects);
  }

  private static void create(Krake krake, String name, String image) {
    String manifest =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s}
        spec:
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              containers: [{name: main, image: "%s"}]
        """
            .formatted(name, name, name, image);
    krake
        .applications()
        .create(
            Application.of(
                Metadata.of("tenant-a", name),
                ApplicationSpec.of(
                    KrakeJson.readAll(manifest, ObjectNode.class), Constraints.NONE)));
  }
}
