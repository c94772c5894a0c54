package cloud.krake.benchmarks;

import cloud.krake.store.KeyValue;
import cloud.krake.store.etcd.EtcdStore;
import cloud.krake.testing.EtcdServer;
import cloud.krake.testing.SampleDocuments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.SocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link EtcdStore} against a real etcd, next to a raw okhttp baseline that sends the same HTTP
 * requests with the same JSON bodies to the same gateway and only reads the answer, so that the
 * ratio {@code store} / {@code raw} shows what the store costs on top of the wire.
 *
 * <p>Each operation is one JMH group in which a store thread and a raw thread (or 8 of each) run at
 * the same time, in the same JVM, through the same warm-up and measurement iterations, against the
 * same etcd: JMH reports each side's throughput, and their ratio compares like with like at every
 * instant, whatever else the machine is doing. (Forking each benchmark separately, all raw ones
 * first, with two 2-second warm-up iterations, made the store look 0.65 to 0.95 times as fast as
 * the wire on a busy machine, where interleaved it is about as fast.)
 *
 * <ul>
 *   <li>{@code get1}, {@code get16}: a range of one key, 1 + 1 and 8 + 8 threads;
 *   <li>{@code update1}, {@code update16}: a compare-and-set transaction (put if the key's mod
 *       revision is the last one this thread wrote) on a key of the calling thread;
 *   <li>{@code create1}, {@code create16}: a transaction creating a fresh key.
 * </ul>
 *
 * Throughput in operations per second of each side. The value ({@link #value}) is either {@code
 * application}, {@link SampleDocuments#runningApplication()}, a stored RUNNING application of
 * 23,580 bytes, or {@code small}, an 80-byte JSON object. The small value used to hide that neither
 * client set {@code TCP_NODELAY}: a request larger than one TCP segment then waited for etcd's
 * delayed ACK (about 40 ms), which capped a compare-and-set at about 20 per second per thread. Both
 * clients now set it ({@link EtcdStore}'s own, and {@link #noDelay()} for the raw baseline).
 *
 * <p>Run (etcd must be on the {@code PATH}; each value is one fork that starts its own etcd on a
 * loopback port): {@code java -jar benchmarks/target/benchmarks.jar EtcdStoreBenchmark}, or one
 * operation with {@code 'EtcdStoreBenchmark.update1'} and one value with {@code -p
 * value=application}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class EtcdStoreBenchmark {
  private static final MediaType JSON = MediaType.get("application/json");

  /** An 80-byte JSON value, smaller than one TCP segment. */
  static final byte[] SMALL_VALUE =
      "{\"metadata\":{\"name\":\"app-000\",\"namespace\":\"bench\"},\"status\":{\"state\":\"RUNNING\"}}"
          .getBytes(StandardCharsets.UTF_8);

  private static final String GET_KEY = "/bench/get";

  /**
   * The value written and read: {@code application} (a RUNNING application as stored, 23,580 bytes,
   * larger than one TCP segment) or {@code small} (80 bytes).
   */
  @Param({"application", "small"})
  public String value;

  private final AtomicInteger threads = new AtomicInteger();

  byte[] bytes;
  String bytes64;
  EtcdServer server;
  EtcdStore store;
  OkHttpClient raw;
  HttpUrl rangeUrl;
  HttpUrl txnUrl;

  /** Starts etcd, the store and the raw client; writes the key that {@code get} reads. */
  @Setup(Level.Trial)
  public void start() {
    bytes =
        switch (value) {
          case "application" -> SampleDocuments.runningApplication();
          case "small" -> SMALL_VALUE.clone();
          default -> throw new IllegalArgumentException("unknown value " + value);
        };
    bytes64 = Base64.getEncoder().encodeToString(bytes);
    server = EtcdServer.builder().build().start();
    store = EtcdStore.builder().endpoint(server.endpoint()).build();
    raw =
        new OkHttpClient.Builder()
            .connectTimeout(EtcdStore.DEFAULT_CONNECT_TIMEOUT)
            .callTimeout(EtcdStore.DEFAULT_REQUEST_TIMEOUT)
            .connectionPool(
                new ConnectionPool(EtcdStore.DEFAULT_MAX_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES))
            .protocols(List.of(Protocol.HTTP_1_1))
            .socketFactory(noDelay())
            .build();
    HttpUrl base = HttpUrl.get(server.endpoint().toString());
    rangeUrl = base.resolve("/v3/kv/range");
    txnUrl = base.resolve("/v3/kv/txn");
    store.create(GET_KEY, bytes);
  }

  /** Stops everything. */
  @TearDown(Level.Trial)
  public void stop() {
    store.close();
    raw.dispatcher().executorService().shutdown();
    raw.connectionPool().evictAll();
    server.close();
  }

  /** Per-thread keys and revisions. */
  @State(Scope.Thread)
  public static class PerThread {
    String prefix;
    long created;
    String storeKey;
    long storeRevision;
    String rawKey64;
    long rawRevision;

    /** Creates this thread's compare-and-set keys. */
    @Setup(Level.Trial)
    public void setUp(EtcdStoreBenchmark benchmark) {
      prefix = "/bench/t" + benchmark.threads.incrementAndGet() + "/";
      storeKey = prefix + "cas-store";
      storeRevision = benchmark.store.create(storeKey, benchmark.bytes).modRevision();
      String rawKey = prefix + "cas-raw";
      rawKey64 = base64(rawKey);
      rawRevision = benchmark.store.create(rawKey, benchmark.bytes).modRevision();
    }

    String nextKey() {
      return prefix + "k" + created++;
    }
  }

  // ---- get: one key ----------------------------------------------------------------------------

  /** Reads one key through the store, next to {@link #get1Raw()}. */
  @Benchmark
  @Group("get1")
  @GroupThreads(1)
  public Optional<KeyValue> get1Store() {
    return store.get(GET_KEY);
  }

  /** Reads one key with the store's range request, sent by hand. */
  @Benchmark
  @Group("get1")
  @GroupThreads(1)
  public String get1Raw() {
    return rawGet();
  }

  /** Reads one key through the store, 8 threads next to 8 of {@link #get16Raw()}. */
  @Benchmark
  @Group("get16")
  @GroupThreads(8)
  public Optional<KeyValue> get16Store() {
    return store.get(GET_KEY);
  }

  /** Reads one key with the store's range request, sent by hand, 8 threads. */
  @Benchmark
  @Group("get16")
  @GroupThreads(8)
  public String get16Raw() {
    return rawGet();
  }

  // ---- update: compare-and-set ------------------------------------------------------------------

  /** Compare-and-set update through the store, next to {@link #update1Raw}. */
  @Benchmark
  @Group("update1")
  @GroupThreads(1)
  public long update1Store(PerThread state) {
    return storeUpdate(state);
  }

  /** Compare-and-set update with the store's transaction, sent by hand. */
  @Benchmark
  @Group("update1")
  @GroupThreads(1)
  public long update1Raw(PerThread state) {
    return rawUpdate(state);
  }

  /** Compare-and-set update through the store, 8 threads next to 8 of {@link #update16Raw}. */
  @Benchmark
  @Group("update16")
  @GroupThreads(8)
  public long update16Store(PerThread state) {
    return storeUpdate(state);
  }

  /** Compare-and-set update with the store's transaction, sent by hand, 8 threads. */
  @Benchmark
  @Group("update16")
  @GroupThreads(8)
  public long update16Raw(PerThread state) {
    return rawUpdate(state);
  }

  // ---- create: a fresh key ----------------------------------------------------------------------

  /** Creates a fresh key through the store, next to {@link #create1Raw}. */
  @Benchmark
  @Group("create1")
  @GroupThreads(1)
  public KeyValue create1Store(PerThread state) {
    return store.create(state.nextKey(), bytes);
  }

  /** Creates a fresh key with the store's transaction, sent by hand. */
  @Benchmark
  @Group("create1")
  @GroupThreads(1)
  public String create1Raw(PerThread state) {
    return rawCreate(state);
  }

  /** Creates a fresh key through the store, 8 threads next to 8 of {@link #create16Raw}. */
  @Benchmark
  @Group("create16")
  @GroupThreads(8)
  public KeyValue create16Store(PerThread state) {
    return store.create(state.nextKey(), bytes);
  }

  /** Creates a fresh key with the store's transaction, sent by hand, 8 threads. */
  @Benchmark
  @Group("create16")
  @GroupThreads(8)
  public String create16Raw(PerThread state) {
    return rawCreate(state);
  }

  private long storeUpdate(PerThread state) {
    state.storeRevision = store.update(state.storeKey, bytes, state.storeRevision).modRevision();
    return state.storeRevision;
  }

  // ---- raw okhttp, same requests ----------------------------------------------------------------

  private String rawCreate(PerThread state) {
    String k = base64(state.nextKey());
    return post(
        txnUrl,
        "{\"compare\":[{\"key\":\""
            + k
            + "\",\"target\":\"CREATE\",\"result\":\"EQUAL\",\"create_revision\":\"0\"}],"
            + "\"success\":[{\"request_put\":{\"key\":\""
            + k
            + "\",\"value\":\""
            + bytes64
            + "\"}}],\"failure\":[{\"request_range\":{\"key\":\""
            + k
            + "\"}}]}");
  }

  private String rawGet() {
    return post(rangeUrl, "{\"key\":\"" + base64(GET_KEY) + "\"}");
  }

  private long rawUpdate(PerThread state) {
    String k = state.rawKey64;
    String answer =
        post(
            txnUrl,
            "{\"compare\":[{\"key\":\""
                + k
                + "\",\"target\":\"MOD\",\"result\":\"EQUAL\",\"mod_revision\":\""
                + state.rawRevision
                + "\"}],\"success\":[{\"request_put\":{\"key\":\""
                + k
                + "\",\"value\":\""
                + bytes64
                + "\",\"prev_kv\":true}}],\"failure\":[{\"request_range\":{\"key\":\""
                + k
                + "\"}}]}");
    // The header's revision comes first in the answer: the new mod revision.
    int start = answer.indexOf("\"revision\":\"") + 12;
    state.rawRevision = Long.parseLong(answer, start, answer.indexOf('"', start), 10);
    return state.rawRevision;
  }

  private String post(HttpUrl url, String json) {
    Request request =
        new Request.Builder()
            .url(url)
            .post(RequestBody.create(json.getBytes(StandardCharsets.UTF_8), JSON))
            .build();
    try (Response response = raw.newCall(request).execute()) {
      String body = response.body().string();
      if (!response.isSuccessful() || body.contains("\"error\"")) {
        throw new IllegalStateException("etcd answered HTTP " + response.code());
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Plain sockets with {@code TCP_NODELAY}, as {@link EtcdStore} uses. */
  static SocketFactory noDelay() {
    SocketFactory plain = SocketFactory.getDefault();
    return new SocketFactory() {
      private Socket noDelay(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        return socket;
      }

      @Override
      public Socket createSocket() throws IOException {
        return noDelay(plain.createSocket());
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return noDelay(plain.createSocket(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress local, int localPort)
          throws IOException {
        return noDelay(plain.createSocket(host, port, local, localPort));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return noDelay(plain.createSocket(host, port));
      }

      @Override
      public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort)
          throws IOException {
        return noDelay(plain.createSocket(host, port, local, localPort));
      }
    };
  }

  private static String base64(String key) {
    return Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }
}
