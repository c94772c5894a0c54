package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.hooks.HookConfig;
import cloud.krake.hooks.HooksConfig;
import cloud.krake.hooks.ShutdownHookConfig;
import cloud.krake.hooks.endpoint.EmbeddedHookServer;
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
import cloud.krake.store.memory.MemoryStore;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the live heap the library keeps per RUNNING application: the same applications,
 * clusters, hooks (complete and shutdown, TLS) and workers as {@link ControllerLoad}, on a {@link
 * MemoryStore} and {@link FakeKubernetesApiServer}s (two, or {@code -Dkrake.load.clusters=N}), with
 * the store's history compacted away.
 *
 * <p>Prints the heap in use after a full collection before the applications are created, when all
 * are RUNNING, and again after the fake API servers are closed and dropped, so that the figure per
 * application excludes what the fakes keep; then the live class histogram. A command-line program:
 * {@code java -Xmx1g -cp benchmarks.jar cloud.krake.benchmarks.ApplicationHeap [apps] [workers]
 * [histogram-lines]} (defaults 1000, 2, 30). Not a JMH benchmark and not part of the build's tests.
 */
public final class ApplicationHeap {

  private static final String NS = "load";

  private ApplicationHeap() {}

  /**
   * Runs the measurement.
   *
   * @param args applications, workers, histogram lines
   * @throws InterruptedException if interrupted while waiting for the applications
   */
  public static void main(String[] args) throws InterruptedException {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int workers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int lines = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    List<Application> applications = applications(n);
    MemoryStore store = MemoryStore.create();
    List<FakeKubernetesApiServer> fakes = new ArrayList<>();
    for (String location : LoadProtocol.LOCATIONS) {
      fakes.add(FakeKubernetesApiServer.builder().name(location).build());
    }
    Krake krake = start(store, workers);
    try {
      register(krake, fakes);
      store.compact(store.revision());
      long before = JvmUsage.heapAfterFullGc();
      long start = System.nanoTime();
      for (Application app : applications) {
        krake.applications().create(app);
      }
      applications.clear();
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      long running = 0;
      while (running < n && System.nanoTime() < deadline) {
        Thread.sleep(1000);
        running =
            krake.applications().list(NS).items().stream()
                .filter(a -> a.status().state() == ApplicationState.RUNNING)
                .count();
      }
      System.out.printf(
          "%d of %d RUNNING after %.1f s%n", running, n, (System.nanoTime() - start) / 1e9);
      store.compact(store.revision());
      long withFakes = JvmUsage.heapAfterFullGc();
      for (FakeKubernetesApiServer fake : fakes) {
        fake.close();
      }
      fakes.clear();
      long withoutFakes = JvmUsage.heapAfterFullGc();
      System.out.printf(
          "live heap after a full GC: %.1f MiB before, %.1f MiB with %d RUNNING (%.1f KiB per"
              + " application), %.1f MiB with the fakes dropped (%.1f KiB per application"
              + " excluding the fakes)%n",
          before / 1048576.0,
          withFakes / 1048576.0,
          n,
          (withFakes - before) / 1024.0 / n,
          withoutFakes / 1048576.0,
          (withoutFakes - before) / 1024.0 / n);
      System.out.println(JvmUsage.liveClassHistogram(lines));
    } finally {
      krake.close();
      for (FakeKubernetesApiServer fake : fakes) {
        fake.close();
      }
      store.close();
    }
    System.exit(0);
  }

  private static Krake start(MemoryStore store, int workers) {
    Clock clock = Clock.systemUTC();
    GeneratedHookCa ca = GeneratedHookCa.generate(clock);
    EmbeddedHookServer server =
        EmbeddedHookServer.loopback(
                ca,
                new Applications(store, clock),
                config(ca, URI.create("https://127.0.0.1")),
                clock)
            .port(0)
            .build()
            .start();
    HooksConfig config = config(ca, server.url());
    Krake krake =
        Krake.builder()
            .store(store)
            .clock(clock)
            .workers(workers)
            .extension(
                KubernetesBackend.builder()
                    .connector(KubeconfigClusterConnector.builder().build())
                    .krakeHooks(config, HookCertificateAuthorities.of(config, clock))
                    .krakeHookServer(server)
                    .build())
            .build();
    krake.start();
    return krake;
  }

  private static HooksConfig config(GeneratedHookCa ca, URI endpoint) {
    return HooksConfig.builder()
        .endpoint(endpoint)
        .tls(true)
        .complete(ca.withIntermediate(HookConfig.completeDefaults()))
        .shutdown(
            ShutdownHookConfig.defaults()
                .withHook(ca.withIntermediate(HookConfig.shutdownDefaults())))
        .addCaBundle(ca.rootCertificateSource())
        .build();
  }

  private static void register(Krake krake, List<FakeKubernetesApiServer> fakes) {
    for (FakeKubernetesApiServer fake : fakes) {
      ObjectNode doc = JsonNodeFactory.instance.objectNode();
      ObjectNode metadata = doc.putObject("metadata");
      metadata.put("name", fake.name()).put("namespace", NS);
      metadata.putObject("labels").put("location", fake.name());
      doc.putObject("spec").set("kubeconfig", KrakeJson.read(fake.kubeconfig(), ObjectNode.class));
      krake.clusters().create(KrakeJson.convert(doc, Cluster.class));
      krake.awaitCluster(
          NS, fake.name(), c -> c.status().state() == ClusterState.ONLINE, Duration.ofMinutes(1));
    }
  }

  private static List<Application> applications(int n) {
    String template;
    try (InputStream in =
        ApplicationHeap.class.getResourceAsStream("controller-load-application.yaml")) {
      if (in == null) {
        throw new IllegalStateException("missing controller-load-application.yaml");
      }
      template = new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Application> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(
          KrakeJson.read(
              template
                  .replace("${name}", String.format("app-%05d", i))
                  .replace("${location}", LoadProtocol.location(i)),
              Application.class));
    }
    return out;
  }
}
