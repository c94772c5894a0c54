package cloud.krake.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.Krake;
import cloud.krake.hooks.execution.HookRecords;
import cloud.krake.hooks.lifecycle.LifecycleEvent;
import cloud.krake.hooks.lifecycle.LifecycleHookPoint;
import cloud.krake.hooks.lifecycle.LifecycleRecords;
import cloud.krake.hooks.lifecycle.LifecycleRun;
import cloud.krake.k8s.ClusterClient;
import cloud.krake.model.Application;
import cloud.krake.model.ApplicationState;
import cloud.krake.model.KrakeJson;
import cloud.krake.store.Store;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * What the quickstart's scenarios do as a host platform would: create applications from the demo
 * manifests, wait for their states, call their services, check that nothing is left on a cluster,
 * and print the hook runs the library recorded. The scenario classes extend it and share one
 * instance's state (the started {@link Krake}, the clusters' clients, the application table).
 */
class QuickstartHost {

  static final String NS = "demo";

  /**
   * The bound of every wait of a scenario: room for a postStart that failed because the server was
   * not listening yet and the restart back-off, on a loaded machine with real control planes.
   */
  static final Duration TIMEOUT = Duration.ofSeconds(90);

  static final String PINNED_TO_DE = "constraints: {cluster: {labels: [\"location is DE\"]}}";

  final Krake krake;
  final Store store;
  final Clock clock;
  final Timeline timeline;
  final ApplicationTable table;

  /** The clients of the registered clusters, by cluster name ({@code de}, {@code fr}). */
  final Map<String, ClusterClient> clients;

  final List<DemoCluster> clusters;

  /** Whether {@code kubectl} is on the PATH (the K10 KubeTask needs it). */
  final boolean kubectl;

  private final HttpClient http;

  /** The node ports given out so far (shared by the scenario classes; the scenario thread only). */
  private final Set<Integer> portsTaken;

  QuickstartHost(
      Krake krake,
      Store store,
      Clock clock,
      Timeline timeline,
      ApplicationTable table,
      Map<String, ClusterClient> clients,
      List<DemoCluster> clusters,
      boolean kubectl) {
    this.krake = krake;
    this.store = store;
    this.clock = clock;
    this.timeline = timeline;
    this.table = table;
    this.clients = clients;
    this.clusters = clusters;
    this.kubectl = kubectl;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    this.portsTaken = new HashSet<>();
  }

  /** A host sharing another's state: the scenario classes are built from the one set up. */
  QuickstartHost(QuickstartHost host) {
    this.krake = host.krake;
    this.store = host.store;
    this.clock = host.clock;
    this.timeline = host.timeline;
    this.table = host.table;
    this.clients = host.clients;
    this.clusters = host.clusters;
    this.kubectl = host.kubectl;
    this.http = host.http;
    this.portsTaken = host.portsTaken;
  }

  /** Indents a block of YAML by two spaces, to go under the application's {@code spec}. */
  static String spec(String yaml) {
    return String.join("\n", yaml.lines().map(line -> "  " + line).toList());
  }

  byte[] kubeconfigOf(String cluster) {
    for (DemoCluster c : clusters) {
      if (c.name().equals(cluster)) {
        return c.kubeconfig().getBytes(UTF_8);
      }
    }
    throw new IllegalStateException("no cluster " + cluster);
  }

  static ObjectNode namespaceObject(ClusterClient client, String name) {
    ObjectNode ref = JsonNodeFactory.instance.objectNode();
    ref.put("apiVersion", "v1").put("kind", "Namespace");
    ref.putObject("metadata").put("name", name);
    ObjectNode namespace = client.get(ref).orElse(ref);
    // a real API server refuses to apply an object that carries managedFields (read back here)
    if (namespace.get("metadata") instanceof ObjectNode metadata) {
      metadata.remove("managedFields");
    }
    return namespace;
  }

  static boolean ready(ObjectNode pod) {
    for (JsonNode condition : pod.at("/status/conditions")) {
      if (condition.path("type").asText().equals("Ready")) {
        return condition.path("status").asText().equals("True");
      }
    }
    return false;
  }

  /** The first HTTP answer of the endpoint (connection failures retried: the pod may start). */
  String firstAnswer(String endpoint) {
    List<String> answer = new ArrayList<>();
    until(
        "no answer from http://" + endpoint + "/",
        () -> {
          try {
            HttpResponse<String> response =
                http.send(
                    HttpRequest.newBuilder(URI.create("http://" + endpoint + "/"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            answer.add(response.statusCode() + " " + response.body().strip());
            return true;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
          }
        });
    return answer.isEmpty() ? "interrupted" : answer.get(0);
  }

  /**
   * The latest run of a lifecycle hook, once it has ended, after printing it and the runs before it
   * (a postStart that failed, say, because the server did not listen yet, and its pod's restart).
   */
  LifecycleRun lifecycle(String app, LifecycleHookPoint hook) {
    LifecycleRecords records = new LifecycleRecords(store);
    until(
        app + ": no ended " + hook.displayName() + " run",
        () ->
            records
                .latest(NS, app, hook)
                .map(r -> r.state() != LifecycleRun.State.RUNNING)
                .orElse(false));
    records.runs(NS, app, hook).forEach(v -> say(app, v.run()));
    return records.latest(NS, app, hook).orElseThrow();
  }

  void say(String app, LifecycleRun run) {
    String took =
        run.finishedAt()
            .map(
                f ->
                    String.format(
                        " in %.1f s", Duration.between(run.startedAt(), f).toMillis() / 1e3))
            .orElse("");
    timeline.say(
        app,
        "[" + run.hook().displayName() + "]",
        run.handler()
            + " "
            + run.state()
            + took
            + " on "
            + run.target()
            + output(run.outputTail()));
    for (LifecycleEvent event : run.events()) {
      timeline.say(app, "[event]", event.type() + " " + event.reason() + ": " + event.message());
    }
  }

  static String output(String tail) {
    String line = tail.strip().replace('\n', ' ');
    return line.isEmpty()
        ? ""
        : ": " + (line.length() > 100 ? line.substring(0, 100) + "..." : line);
  }

  /**
   * Removes the hook records of an application that is gone: they are the host's to keep or remove
   * (with etcd, the next run starts clean).
   */
  void forgetHookRecords(String app) {
    new LifecycleRecords(store).deleteAll(NS, app);
    new HookRecords(store).deleteAll(NS, app);
  }

  void create(String name, String manifestFile, String hooks, String extraSpec) {
    create(name, manifest(name, manifestFile), hooks, extraSpec);
  }

  /** A manifest file's resources, their pods labelled with the application's name. */
  List<ObjectNode> manifest(String name, String manifestFile) {
    List<ObjectNode> manifest = KrakeJson.readAll(resource(manifestFile), ObjectNode.class);
    labelPods(manifest, name);
    shareNodePortsWithContainers(manifest);
    return manifest;
  }

  /** The {@code nodePort} of the manifest's first NodePort Service. */
  static int nodePort(List<ObjectNode> manifest) {
    for (ObjectNode resource : manifest) {
      JsonNode port = resource.at("/spec/ports/0/nodePort");
      if (resource.path("kind").asText().equals("Service") && port.isInt()) {
        return port.asInt();
      }
    }
    throw new IllegalStateException("no NodePort Service in the manifest");
  }

  void create(String name, List<ObjectNode> manifest, String hooks, String extraSpec) {
    Application draft =
        KrakeJson.read(
            """
            metadata: {name: %s, namespace: %s}
            spec:
              manifest: []
              %s
              hooks: %s
              %s
            """
                .formatted(
                    name,
                    NS,
                    // a key once per mapping: the strict reading refuses a second constraints
                    extraSpec.contains("constraints:")
                        ? ""
                        : "constraints: {cluster: {labels: []}}",
                    hooks,
                    extraSpec),
            Application.class);
    table.expect(name);
    Application created =
        krake.applications().create(draft.withSpec(draft.spec().withManifest(manifest)));
    timeline.say(
        name,
        created.status().state().name(),
        "created: "
            + ApplicationTable.kinds(manifest)
            + (hooks.equals("[]") ? "" : ", hooks " + hooks));
  }

  /** Labels the pods of every workload with the application's name, for the pod observers. */
  static void labelPods(List<ObjectNode> manifest, String app) {
    for (ObjectNode resource : manifest) {
      JsonNode template = resource.at("/spec/template");
      if (template instanceof ObjectNode t) {
        metadataLabels(t).put(PodObserver.APP_LABEL, app);
      }
    }
  }

  /**
   * The local kubelet runs pods on the host's network, without a kube-proxy: a NodePort reaches a
   * pod only if the pod listens on that very port. So every NodePort Service of the manifest gets a
   * free {@code nodePort}, and the container port it targets (and the container's {@code PORT}
   * variable, which the demo programs listen on) the same number. On a real cluster and on a
   * kubelet that relays NodePorts to pods this changes nothing but the numbers; drop this method
   * once the local kubelet gives pods their own network.
   */
  void shareNodePortsWithContainers(List<ObjectNode> manifest) {
    for (ObjectNode service : manifest) {
      if (!service.path("kind").asText().equals("Service")
          || !service.at("/spec/type").asText().equals("NodePort")) {
        continue;
      }
      JsonNode selector = service.at("/spec/selector");
      for (JsonNode p : service.at("/spec/ports")) {
        ObjectNode port = (ObjectNode) p;
        int free = freeNodePort();
        port.put("nodePort", free);
        JsonNode target = port.path("targetPort");
        if (target.isInt()) {
          port.put("targetPort", free);
        }
        for (ObjectNode workload : manifest) {
          if (!(workload.at("/spec/template") instanceof ObjectNode template)
              || !selects(selector, metadataLabels(template))) {
            continue;
          }
          for (JsonNode container : template.at("/spec/containers")) {
            boolean targeted = false;
            for (JsonNode cp : container.path("ports")) {
              if (target.isTextual()
                  ? cp.path("name").asText().equals(target.asText())
                  : cp.path("containerPort").asInt() == target.asInt()) {
                ((ObjectNode) cp).put("containerPort", free);
                targeted = true;
              }
            }
            for (JsonNode env : container.path("env")) {
              if (targeted && env.path("name").asText().equals("PORT")) {
                ((ObjectNode) env).put("value", Integer.toString(free));
              }
            }
          }
        }
      }
    }
  }

  static boolean selects(JsonNode selector, ObjectNode labels) {
    for (Map.Entry<String, JsonNode> e : selector.properties()) {
      if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
        return false;
      }
    }
    return selector.size() > 0;
  }

  static ObjectNode metadataLabels(ObjectNode object) {
    ObjectNode metadata =
        object.get("metadata") instanceof ObjectNode m ? m : object.putObject("metadata");
    return metadata.get("labels") instanceof ObjectNode l ? l : metadata.putObject("labels");
  }

  /** A port in the NodePort range that is free on this machine and not yet given out. */
  int freeNodePort() {
    for (int i = 0; i < 200; i++) {
      int candidate = ThreadLocalRandom.current().nextInt(30000, 32768);
      if (portsTaken.contains(candidate)) {
        continue;
      }
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress(candidate));
        portsTaken.add(candidate);
        return candidate;
      } catch (IOException taken) {
        // in use; try another
      }
    }
    throw new IllegalStateException("no free port in 30000-32767");
  }

  Application await(String name, Predicate<Application> condition) {
    return krake.awaitApplication(NS, name, condition, TIMEOUT);
  }

  Application awaitState(String name, ApplicationState state) {
    return await(name, a -> a.status().state() == state);
  }

  /** Waits until the application runs and its shutdown service accepts connections. */
  Application awaitServing(String name) {
    Application running =
        await(
            name,
            a ->
                a.status().state() == ApplicationState.RUNNING
                    && a.status().services().containsKey("shutdown"));
    String endpoint = running.status().services().get("shutdown");
    until(name + ": shutdown service " + endpoint + " not listening", () -> listening(endpoint));
    timeline.say(name, "RUNNING", "shutdown service listening at " + endpoint);
    return running;
  }

  void awaitNothingLeft(String app) {
    awaitNothingLeftOn(table.runningOn(app), app);
  }

  /** Waits until neither the application's resources nor its pods are left on a cluster. */
  void awaitNothingLeftOn(String cluster, String app) {
    ClusterClient client = clients.get(cluster);
    List<ObjectNode> applied = table.applied(app);
    check(!applied.isEmpty(), app + " was never applied to " + cluster);
    List<String> left = new ArrayList<>();
    boolean empty =
        poll(
            () -> {
              left.clear();
              present(client, applied).forEach(o -> left.add(ApplicationTable.kind(o)));
              pods(client, app).forEach(o -> left.add(ApplicationTable.kind(o)));
              return left.isEmpty();
            });
    check(empty, "left on " + cluster + " after " + TIMEOUT.toSeconds() + " s: " + left);
    timeline.say(
        app,
        "-",
        "nothing left on "
            + cluster
            + " (checked "
            + applied.size()
            + " applied resources and the pods)");
  }

  static List<ObjectNode> present(ClusterClient client, List<ObjectNode> resources) {
    List<ObjectNode> found = new ArrayList<>();
    for (ObjectNode resource : resources) {
      client.get(resource).ifPresent(found::add);
    }
    return found;
  }

  static List<ObjectNode> pods(ClusterClient client, String app) {
    return client.list(
        "v1", "Pod", Optional.of(client.defaultNamespace()), PodObserver.APP_LABEL + "=" + app);
  }

  String get(String endpoint) {
    List<String> answer = new ArrayList<>();
    until(
        "no answer from http://" + endpoint + "/",
        () -> {
          try {
            HttpResponse<String> response =
                http.send(
                    HttpRequest.newBuilder(URI.create("http://" + endpoint + "/"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            answer.add(response.statusCode() + " " + response.body().strip());
            return response.statusCode() == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
          }
        });
    return answer.get(answer.size() - 1);
  }

  /**
   * Whether an HTTP server answers at the endpoint (any answer counts, as a readiness probe's
   * connection check would): a bare TCP connect is not enough, because a node port accepts
   * connections before the pod behind it listens.
   */
  static boolean listening(String endpoint) {
    int colon = endpoint.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(
              endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1))),
          1000);
      socket.setSoTimeout(1000);
      socket
          .getOutputStream()
          .write(
              "GET /ready HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] start = socket.getInputStream().readNBytes(5);
      return new String(start, java.nio.charset.StandardCharsets.US_ASCII).equals("HTTP/");
    } catch (IOException | NumberFormatException e) {
      return false;
    }
  }

  /** Polls a condition every 100 ms until it holds or {@link #TIMEOUT} passes; false then. */
  static boolean poll(BooleanSupplier condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  static void until(String failure, BooleanSupplier condition) {
    check(poll(condition), failure + " within " + TIMEOUT.toSeconds() + " s");
  }

  static void check(boolean reached, String failure) {
    if (!reached) {
      throw new IllegalStateException(failure);
    }
  }

  // ------------------------------------------------------------------ output

  static String resource(String file) {
    try (InputStream in = QuickstartHost.class.getResourceAsStream("/demo/" + file)) {
      if (in == null) {
        throw new IllegalStateException("missing resource demo/" + file);
      }
      return new String(in.readAllBytes(), UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
