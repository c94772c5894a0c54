package cloud.krake.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import cloud.krake.model.KrakeJson;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * One load run of the multi-instance tests: applications created then deleted through the host
 * instances (spread over them, as clients of a replicated host would), measured from outside: the
 * requests per object on the fakes, the calls per attempt on the shutdown services, the
 * compare-and-set conflicts the instances logged, and the times.
 */
final class MultiInstanceLoad {

  /** Kinds of the Kubernetes objects an application owns on its cluster. */
  static final Set<String> OBJECT_KINDS = Set.of("Deployment", "Service", "Secret");

  private static final Set<String> WRITES = Set.of("PATCH", "DELETE", "POST", "PUT");

  /** How long each phase may take (a limit, not a measurement). */
  static final Duration PHASE_LIMIT = Duration.ofMinutes(5);

  private final HostInstances hosts;
  private final List<FakeKubernetesApiServer> clusters;
  private final ShutdownServices services;
  private final int applications;
  private final List<String> hooks;

  MultiInstanceLoad(
      HostInstances hosts,
      List<FakeKubernetesApiServer> clusters,
      ShutdownServices services,
      int applications,
      List<String> hooks) {
    this.hosts = hosts;
    this.clusters = clusters;
    this.services = services;
    this.applications = applications;
    this.hooks = List.copyOf(hooks);
  }

  /** What one run measured. */
  record Figures(
      int instances,
      int applications,
      Duration createToAllRunning,
      Duration deleteToAllGone,
      Map<String, Long> duplicateWrites,
      List<String> duplicateExamples,
      long conflicts,
      long reconcileWarnings,
      List<String> shutdownCalledTwice,
      int shutdownCalled,
      Map<String, Long> conflictsBySite) {

    long duplicates(String method) {
      return duplicateWrites.getOrDefault(method, 0L);
    }

    @Override
    public String toString() {
      return String.format(
          "%d instance(s), %d applications: create -> all RUNNING %.1f s, delete -> all gone %.1f"
              + " s; duplicate writes per object %s (e.g. %s); compare-and-set conflicts %d;"
              + " reconcile failures logged %d;"
              + " shutdown services called %d, twice for one attempt %d;"
              + " conflicts by the write that lost < the one that won %s",
          instances,
          applications,
          createToAllRunning.toMillis() / 1000.0,
          deleteToAllGone.toMillis() / 1000.0,
          duplicateWrites,
          duplicateExamples,
          conflicts,
          reconcileWarnings,
          shutdownCalled,
          shutdownCalledTwice.size(),
          conflictsBySite);
    }
  }

  static String applicationJson(String template, int i, List<String> hooks, int nodePort) {
    ObjectNode doc = KrakeJson.read(LoadProtocol.applicationJson(template, i), ObjectNode.class);
    ArrayNode list = ((ObjectNode) doc.get("spec")).putArray("hooks");
    hooks.forEach(list::add);
    // Krake calls http://<status.services["shutdown"]>/shutdown: a NodePort Service named
    // shutdown, in a namespace of the application's own so that every application has one
    ObjectNode service = ((ArrayNode) doc.get("spec").get("manifest")).addObject();
    service.put("apiVersion", "v1").put("kind", "Service");
    service.putObject("metadata").put("name", "shutdown").put("namespace", LoadProtocol.name(i));
    ObjectNode serviceSpec = service.putObject("spec");
    serviceSpec.put("type", "NodePort").putObject("selector").put("app", LoadProtocol.name(i));
    serviceSpec
        .putArray("ports")
        .addObject()
        .put("port", 8080)
        .put("protocol", "TCP")
        .put("targetPort", 8080)
        .put("nodePort", nodePort);
    return doc.toString();
  }

  /** Creates every application, awaits all RUNNING. Returns the time from first send to last. */
  Duration createAll(Runnable midway) {
    String template = LoadProtocol.applicationTemplate();
    long start = System.nanoTime();
    for (int i = 0; i < applications; i++) {
      String name = LoadProtocol.name(i);
      hosts.send(i, "create " + applicationJson(template, i, hooks, services.port(name)));
      if (i == applications / 2) {
        midway.run();
      }
    }
    await("every application RUNNING")
        .atMost(PHASE_LIMIT)
        .pollInterval(Duration.ofMillis(200))
        .failFast("an application FAILED", () -> assertThat(hosts.failures).isEmpty())
        .failFast("a create failed", () -> assertThat(hosts.commandFailures).isEmpty())
        .until(() -> names().allMatch(hosts.runningAt::containsKey));
    long last = names().mapToLong(hosts.runningAt::get).max().orElse(start);
    return Duration.ofNanos(last - start);
  }

  /** Deletes every application, awaits all gone from the store and the clusters. */
  Duration deleteAll(Runnable midway) {
    long start = System.nanoTime();
    for (int i = 0; i < applications; i++) {
      hosts.send(i, "delete " + LoadProtocol.name(i));
      if (i == applications / 2) {
        midway.run();
      }
    }
    await("every application gone")
        .atMost(PHASE_LIMIT)
        .pollInterval(Duration.ofMillis(200))
        .failFast("a delete failed", () -> assertThat(hosts.commandFailures).isEmpty())
        .until(() -> names().allMatch(hosts.goneAt::containsKey));
    long last = names().mapToLong(hosts.goneAt::get).max().orElse(start);
    await("no object left on the clusters")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> objectsLeft().isEmpty());
    return Duration.ofNanos(last - start);
  }

  /** The applications' objects still on the clusters. */
  List<String> objectsLeft() {
    List<String> left = new ArrayList<>();
    for (FakeKubernetesApiServer cluster : clusters) {
      for (ObjectNode o : cluster.objects()) {
        String name = o.path("metadata").path("name").asText();
        String namespace = o.path("metadata").path("namespace").asText();
        if (OBJECT_KINDS.contains(o.path("kind").asText())
            && (name.startsWith("app-") || namespace.startsWith("app-"))) {
          left.add(cluster.name() + ":" + o.path("kind").asText() + "/" + name);
        }
      }
    }
    return left;
  }

  private java.util.stream.Stream<String> names() {
    return IntStream.range(0, applications).mapToObj(LoadProtocol::name);
  }

  /** Runs create then delete and collects the figures. */
  Figures run(Runnable createMidway, Runnable deleteMidway) {
    clusters.forEach(FakeKubernetesApiServer::clearRequests);
    StoreTraffic storeBefore = new StoreTraffic(hosts.storeCounts());
    long conflictsBefore = storeBefore.conflicts();
    long warningsBefore = hosts.logLines("failed to reconcile");
    Duration running = createAll(createMidway);
    Duration gone = deleteAll(deleteMidway);
    Map<String, Long> perObject = writesPerObject(clusters);
    Map<String, Long> duplicates = new TreeMap<>();
    List<String> examples = new ArrayList<>();
    perObject.forEach(
        (request, n) -> {
          if (n > 1) {
            duplicates.merge(request.substring(0, request.indexOf(' ')), n - 1, Long::sum);
            if (examples.size() < 3) {
              examples.add(request + " x" + n);
            }
          }
        });
    return new Figures(
        hosts.size(),
        applications,
        running,
        gone,
        duplicates,
        examples,
        hosts.storeCounts().getOrDefault("conflicts", 0L) - conflictsBefore,
        hosts.logLines("failed to reconcile") - warningsBefore,
        services.calledTwiceForOneAttempt(),
        services.calledApplications(),
        new StoreTraffic(hosts.storeCounts()).minus(storeBefore).conflictsBySite());
  }

  /**
   * Writes per object on the fakes since their last {@code clearRequests}: {@code "METHOD
   * cluster:path"} without the query, for the applications' objects only (a POST counts for the
   * object it names in its body: its collection path and the application's name are not
   * distinguishable, so POSTs are counted per collection path and application prefix).
   */
  static Map<String, Long> writesPerObject(List<FakeKubernetesApiServer> clusters) {
    Map<String, Long> out = new TreeMap<>();
    for (FakeKubernetesApiServer cluster : clusters) {
      for (String r : cluster.requests()) {
        String method = r.substring(0, r.indexOf(' '));
        String target = r.indexOf('?') < 0 ? r : r.substring(0, r.indexOf('?'));
        if (WRITES.contains(method) && target.contains("/app-")) {
          out.merge(target.replaceFirst(" ", " " + cluster.name() + ":"), 1L, Long::sum);
        }
      }
    }
    return out;
  }

  static long seconds(Duration d) {
    return TimeUnit.NANOSECONDS.toSeconds(d.toNanos());
  }
}
