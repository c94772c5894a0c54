package cloud.krake.benchmarks;

import cloud.krake.model.KrakeJson;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import io.kubernetes.client.util.generic.options.PatchOptions;
import java.io.IOException;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import javax.net.SocketFactory;

/**
 * The API-call baseline of {@link ControllerLoad}: a JVM that sends, for each application, the
 * calls the library must make on its cluster, and nothing else. Six server-side applies (field
 * manager {@code krake}, forced, {@code application/apply-patch+yaml}: what {@code
 * ApiServerClusterClient.apply} sends) of the very bodies the library applied (the host's {@code
 * last_applied_manifest} of {@code app-00000} on cluster {@code a} and {@code app-00001} on {@code
 * b}, the application's name replaced: same length, so byte for byte as large), then six deletes
 * (propagation {@code Background}), with the official client ({@link DynamicKubernetesApi}, one
 * {@link ApiClient} per cluster from its kubeconfig, {@code TCP_NODELAY} as the library's) on as
 * many threads as the library has workers.
 *
 * <p>Input: the path of a JSON file {@code {"applications": n, "workers": w, "clusters": {"a":
 * kubeconfig, ...}, "templates": {"a": [objects], ...}}}, then on standard input {@code round}
 * lines; each runs every application's applies, then every application's deletes, and answers
 * {@code round <apply wall ns> <apply CPU ns> <delete wall ns> <delete CPU ns> <failed calls>
 * [first failure]} (CPU: this process's). Ends when standard input ends.
 */
public final class LoadBaseline {

  private static final Map<String, String[]> KINDS =
      Map.of(
          "Deployment", new String[] {"apps", "v1", "deployments"},
          "Service", new String[] {"", "v1", "services"},
          "Secret", new String[] {"", "v1", "secrets"});

  private record Call(DynamicKubernetesApi api, String namespace, String name, String body) {}

  private final int applications;
  private final int workers;
  // per location: the template's objects, as the library applied them
  private final Map<String, List<Call>> templates = new HashMap<>();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile String firstFailure = "";

  private LoadBaseline(JsonNode spec) throws IOException {
    this.applications = spec.path("applications").asInt();
    this.workers = spec.path("workers").asInt();
    for (String location : LoadProtocol.LOCATIONS) {
      ApiClient client = client(spec.path("clusters").path(location).asText());
      List<Call> calls = new ArrayList<>();
      for (JsonNode object : spec.path("templates").path(location)) {
        String[] kind = KINDS.get(object.path("kind").asText());
        if (kind == null) {
          throw new IllegalArgumentException("no plural known for kind " + object.path("kind"));
        }
        ObjectNode body = (ObjectNode) object.deepCopy();
        ObjectNode metadata = (ObjectNode) body.get("metadata");
        String namespace = metadata.path("namespace").asText("default");
        metadata.put("namespace", namespace);
        calls.add(
            new Call(
                new DynamicKubernetesApi(kind[0], kind[1], kind[2], client),
                namespace,
                metadata.path("name").asText(),
                body.toString()));
      }
      templates.put(location, calls);
    }
  }

  /** The official client as the library builds it: from the kubeconfig, with TCP_NODELAY. */
  private static ApiClient client(String kubeconfig) throws IOException {
    ApiClient api =
        ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(new StringReader(kubeconfig))).build();
    api.setHttpClient(
        api.getHttpClient()
            .newBuilder()
            .socketFactory(new NoDelay())
            .callTimeout(Duration.ofSeconds(30))
            .build());
    return api;
  }

  /**
   * Runs rounds until standard input ends.
   *
   * @param args the spec file
   */
  public static void main(String[] args) throws IOException {
    LoadBaseline baseline =
        new LoadBaseline(KrakeJson.read(Files.readAllBytes(Path.of(args[0])), JsonNode.class));
    LoadProtocol.Out out = new LoadProtocol.Out(System.out);
    out.send("ready");
    LoadProtocol.eachInputLine(
        line -> {
          if (line.equals("round")) {
            out.send("round " + baseline.round());
          } else {
            out.send("error unknown command " + line);
          }
        });
    System.exit(0);
  }

  private String round() {
    failures.set(0);
    firstFailure = "";
    long[] apply = timed(this::apply);
    long[] delete = timed(this::delete);
    return apply[0]
        + " "
        + apply[1]
        + " "
        + delete[0]
        + " "
        + delete[1]
        + " "
        + failures.get()
        + (firstFailure.isEmpty() ? "" : " " + firstFailure);
  }

  private void apply(int i) {
    PatchOptions options = new PatchOptions().fieldManager("krake").force(true);
    for (Call call : calls(i)) {
      check(
          call,
          call.api()
              .patch(
                  call.namespace(),
                  call.name(),
                  V1Patch.PATCH_FORMAT_APPLY_YAML,
                  new V1Patch(call.body()),
                  options));
    }
  }

  private void delete(int i) {
    DeleteOptions options = new DeleteOptions();
    options.setPropagationPolicy("Background");
    for (Call call : calls(i)) {
      check(call, call.api().delete(call.namespace(), call.name(), options));
    }
  }

  /** Application {@code i}'s calls: its location's template with the name replaced. */
  private List<Call> calls(int i) {
    String location = LoadProtocol.location(i);
    String template = LoadProtocol.name(LoadProtocol.LOCATIONS.indexOf(location));
    String name = LoadProtocol.name(i);
    List<Call> out = new ArrayList<>(6);
    for (Call t : templates.get(location)) {
      out.add(
          new Call(
              t.api(),
              t.namespace(),
              t.name().replace(template, name),
              t.body().replace(template, name)));
    }
    return out;
  }

  private void check(Call call, KubernetesApiResponse<?> response) {
    if (!response.isSuccess() && failures.incrementAndGet() == 1) {
      firstFailure = call.name() + ":" + response.getHttpStatusCode();
    }
  }

  /** Runs {@code each} for every application on {@link #workers} threads: {@code [wall, CPU]}. */
  private long[] timed(IntConsumer each) {
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      long cpu = cpuNanos();
      long start = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < applications; i++) {
        int app = i;
        done.add(pool.submit(() -> each.accept(app)));
      }
      for (Future<?> f : done) {
        try {
          f.get();
        } catch (Exception e) {
          if (failures.incrementAndGet() == 1) {
            firstFailure = String.valueOf(e).replace('\n', ' ').replace(' ', '_');
          }
        }
      }
      return new long[] {System.nanoTime() - start, cpuNanos() - cpu};
    } finally {
      pool.shutdownNow();
    }
  }

  private static long cpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : -1;
  }

  /** Plain sockets with {@code TCP_NODELAY}, as the library's clients have. */
  private static final class NoDelay extends SocketFactory {
    private final SocketFactory plain = SocketFactory.getDefault();

    @Override
    public Socket createSocket() throws IOException {
      Socket s = plain.createSocket();
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      Socket s = plain.createSocket(host, port);
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort)
        throws IOException {
      Socket s = plain.createSocket(host, port, local, localPort);
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      Socket s = plain.createSocket(host, port);
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort)
        throws IOException {
      Socket s = plain.createSocket(address, port, local, localPort);
      s.setTcpNoDelay(true);
      return s;
    }
  }
}
