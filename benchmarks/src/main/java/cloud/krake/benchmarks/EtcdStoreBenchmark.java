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
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * {@link EtcdStore} against a real etcd, next to a raw okhttp baseline that sends the same HTTP
 * requests with the same JSON bodies to the same gateway and only reads the answer, so that the
 * ratio {@code store*} / {@code raw*} shows what the store costs on top of the wire.
 *
 * <p>Operations: {@code create} (a transaction creating a fresh key), {@code get} (a range of one
 * key), {@code update} (a compare-and-set transaction on a key of the calling thread), each at 1
 * and 16 threads. Throughput in operations per second.
 *
 * <p>The value is {@link SampleDocuments#runningApplication()}, a stored RUNNING application of 23
 * KiB. An 80-byte value used to hide that neither client set {@code TCP_NODELAY}: a request larger
 * than one TCP segment then waited for etcd's delayed ACK (about 40 ms), which capped a
 * compare-and-set at about 20 per second per thread. Both clients now set it ({@link EtcdStore}'s
 * own, and {@link #noDelay()} for the raw baseline), so the ratio compares like with like.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EtcdStoreBenchmark {
  private static final MediaType JSON = MediaType.get("application/json");

  /** A RUNNING application as stored: 23 KiB, larger than one TCP segment (see the class doc). */
  private static final byte[] VALUE = SampleDocuments.runningApplication();

  private static final String VALUE64 = Base64.getEncoder().encodeToString(VALUE);
  private static final String GET_KEY = "/bench/get";

  private final AtomicInteger threads = new AtomicInteger();

  EtcdServer server;
  EtcdStore store;
  OkHttpClient raw;
  HttpUrl rangeUrl;
  HttpUrl txnUrl;

  /** Starts etcd, the store and the raw client; writes the key that {@code get} reads. */
  @Setup(Level.Trial)
  public void start() {
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
    store.create(GET_KEY, VALUE);
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
      storeRevision = benchmark.store.create(storeKey, VALUE).modRevision();
      String rawKey = prefix + "cas-raw";
      rawKey64 = base64(rawKey);
      rawRevision = benchmark.store.create(rawKey, VALUE).modRevision();
    }

    String nextKey() {
      return prefix + "k" + created++;
    }
  }

  // ---- EtcdStore ------------------------------------------------------------------------------

  /** Creates a fresh key through the store. */
  @Benchmark
  @Threads(1)
  public KeyValue storeCreate1(PerThread state) {
    return store.create(state.nextKey(), VALUE);
  }

  /** Creates a fresh key through the store, 16 threads. */
  @Benchmark
  @Threads(16)
  public KeyValue storeCreate16(PerThread state) {
    return store.create(state.nextKey(), VALUE);
  }

  /** Reads one key through the store. */
  @Benchmark
  @Threads(1)
  public Optional<KeyValue> storeGet1() {
    return store.get(GET_KEY);
  }

  /** Reads one key through the store, 16 threads. */
  @Benchmark
  @Threads(16)
  public Optional<KeyValue> storeGet16() {
    return store.get(GET_KEY);
  }

  /** Compare-and-set update through the store. */
  @Benchmark
  @Threads(1)
  public long storeUpdate1(PerThread state) {
    return storeUpdate(state);
  }

  /** Compare-and-set update through the store, 16 threads. */
  @Benchmark
  @Threads(16)
  public long storeUpdate16(PerThread state) {
    return storeUpdate(state);
  }

  private long storeUpdate(PerThread state) {
    state.storeRevision = store.update(state.storeKey, VALUE, state.storeRevision).modRevision();
    return state.storeRevision;
  }

  // ---- raw okhttp, same requests ----------------------------------------------------------------

  /** Creates a fresh key with the store's transaction, sent by hand. */
  @Benchmark
  @Threads(1)
  public String rawCreate1(PerThread state) {
    return rawCreate(state);
  }

  /** Creates a fresh key with the store's transaction, sent by hand, 16 threads. */
  @Benchmark
  @Threads(16)
  public String rawCreate16(PerThread state) {
    return rawCreate(state);
  }

  /** Reads one key with the store's range request, sent by hand. */
  @Benchmark
  @Threads(1)
  public String rawGet1() {
    return rawGet();
  }

  /** Reads one key with the store's range request, sent by hand, 16 threads. */
  @Benchmark
  @Threads(16)
  public String rawGet16() {
    return rawGet();
  }

  /** Compare-and-set update with the store's transaction, sent by hand. */
  @Benchmark
  @Threads(1)
  public long rawUpdate1(PerThread state) {
    return rawUpdate(state);
  }

  /** Compare-and-set update with the store's transaction, sent by hand, 16 threads. */
  @Benchmark
  @Threads(16)
  public long rawUpdate16(PerThread state) {
    return rawUpdate(state);
  }

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
            + VALUE64
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
                + VALUE64
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
