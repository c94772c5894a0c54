package cloud.krake.benchmarks;

import static java.nio.charset.StandardCharsets.UTF_8;

import cloud.krake.hooks.shutdown.ShutdownProtocol;
import cloud.krake.testing.kubernetes.FakeKubernetesApiServer;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The applications' shutdown services, in the test JVM: one small HTTP server per application on a
 * node port of 127.0.0.1 (the library calls {@code http://<API server host>:<nodePort>/shutdown} of
 * the application's NodePort Service, and the fakes' API server host is 127.0.0.1), so the
 * application's Service is created with that {@code nodePort}. Each call is counted by application
 * and attempt id ({@value ShutdownProtocol#ATTEMPT_HEADER}), answered 200, and then acknowledged as
 * the application would: {@code PUT {"token": ...}} on the shutdown hook URL of its token Secret,
 * sent to a live instance's hook endpoint (every instance serves every application's hooks): the
 * URL's path, on the server a load balancer in front of the instances would pick (the URL's own
 * address is the group's, {@link HostInstances#GROUP_HOOK_URL}, or a standalone instance's own).
 */
final class ShutdownServices implements AutoCloseable {

  /** The node port range of Kubernetes. */
  private static final int FIRST_NODE_PORT = 30000;

  private static final int LAST_NODE_PORT = 32767;

  private final List<HttpServer> servers = new ArrayList<>();
  private final Map<String, Integer> ports = new ConcurrentHashMap<>();
  private final Map<String, Map<String, AtomicInteger>> calls = new ConcurrentHashMap<>();
  private final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
  private final ExecutorService pool =
      Executors.newFixedThreadPool(8, ControllerLoad.threads("shutdown-service"));
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();
  private final IntFunction<FakeKubernetesApiServer> clusterOf;
  private final IntFunction<URI> hookEndpoint;

  /**
   * Binds one server per application {@code 0..count-1} on free node ports.
   *
   * @param clusterOf the fake cluster of application {@code i}
   * @param hookEndpoint a live instance's hook endpoint, the argument a counter to spread calls
   */
  ShutdownServices(
      int count, IntFunction<FakeKubernetesApiServer> clusterOf, IntFunction<URI> hookEndpoint) {
    this.clusterOf = clusterOf;
    this.hookEndpoint = hookEndpoint;
    InetAddress loopback = InetAddress.getLoopbackAddress();
    int port = FIRST_NODE_PORT + (int) (ProcessHandle.current().pid() % 2000);
    for (int i = 0; i < count; i++) {
      String name = LoadProtocol.name(i);
      int index = i;
      while (true) {
        if (port > LAST_NODE_PORT) {
          throw new IllegalStateException("no free node port left for " + name);
        }
        try {
          HttpServer server = HttpServer.create(new InetSocketAddress(loopback, port), 16);
          server.createContext("/shutdown", exchange -> handle(index, name, exchange));
          server.setExecutor(pool);
          server.start();
          servers.add(server);
          ports.put(name, port++);
          break;
        } catch (BindException e) {
          port++; // held by another process: the next one
        } catch (IOException e) {
          throw new IllegalStateException("cannot listen on " + port, e);
        }
      }
    }
  }

  /** The node port of application {@code name}'s shutdown service. */
  int port(String name) {
    return ports.get(name);
  }

  private void handle(int index, String name, HttpExchange exchange) throws IOException {
    String attempt =
        Optional.ofNullable(exchange.getRequestHeaders().getFirst(ShutdownProtocol.ATTEMPT_HEADER))
            .orElse("(none)");
    calls
        .computeIfAbsent(name, n -> new ConcurrentHashMap<>())
        .computeIfAbsent(attempt, a -> new AtomicInteger())
        .incrementAndGet();
    exchange.getRequestBody().readAllBytes();
    exchange.sendResponseHeaders(200, -1);
    exchange.close();
    pool.execute(() -> acknowledge(index, name));
  }

  /** The application's acknowledgement, retried on another live instance if one fails. */
  private void acknowledge(int index, String name) {
    Map<String, String> secret = secret(clusterOf.apply(index), name);
    String url =
        secret.entrySet().stream()
            .filter(e -> e.getKey().endsWith("_url"))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElseThrow();
    String token =
        secret.entrySet().stream()
            .filter(e -> e.getKey().endsWith("_token"))
            .map(Map.Entry::getValue)
            .findFirst()
            .orElseThrow();
    URI path = URI.create(url);
    for (int attempt = 0; attempt < 10; attempt++) {
      URI live = hookEndpoint.apply(index + attempt);
      URI target = live.resolve(path.getRawPath());
      HttpRequest request =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json")
              .PUT(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + token + "\"}"))
              .build();
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        acknowledged.put(name, response.statusCode());
        if (response.statusCode() < 500) {
          return;
        }
      } catch (IOException e) {
        acknowledged.put(name, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static Map<String, String> secret(FakeKubernetesApiServer cluster, String app) {
    ObjectNode secret =
        cluster
            .get("v1", "Secret", "default", app + "-krake-shutdown-secret-token")
            .orElseThrow(() -> new IllegalStateException("no shutdown token Secret of " + app));
    Map<String, String> out = new ConcurrentHashMap<>();
    secret
        .path("data")
        .properties()
        .forEach(
            e ->
                out.put(
                    e.getKey(),
                    new String(Base64.getDecoder().decode(e.getValue().asText()), UTF_8)));
    return out;
  }

  /** Calls received, by application and attempt id. */
  Map<String, Map<String, Integer>> calls() {
    Map<String, Map<String, Integer>> out = new ConcurrentHashMap<>();
    calls.forEach(
        (name, byAttempt) -> {
          Map<String, Integer> copy = new ConcurrentHashMap<>();
          byAttempt.forEach((a, n) -> copy.put(a, n.get()));
          out.put(name, copy);
        });
    return out;
  }

  /** The applications whose service got more than one call for one attempt id. */
  List<String> calledTwiceForOneAttempt() {
    List<String> out = new ArrayList<>();
    calls()
        .forEach(
            (name, byAttempt) ->
                byAttempt.forEach(
                    (attempt, n) -> {
                      if (n > 1) {
                        out.add(name + " attempt " + attempt + ": " + n + " calls");
                      }
                    }));
    return out;
  }

  /** Every application called at least once. */
  int calledApplications() {
    return calls.size();
  }

  @Override
  public void close() {
    servers.forEach(s -> s.stop(0));
    pool.shutdownNow();
  }
}
