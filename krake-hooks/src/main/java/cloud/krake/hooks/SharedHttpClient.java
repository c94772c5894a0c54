package cloud.krake.hooks;

import cloud.krake.runtime.KrakeExecutors;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * The one OkHttp client the hooks of a Krake instance share (OkHttp: "OkHttpClients should be
 * shared": each client holds its own connection pool and dispatcher threads). It lives in the
 * instance's {@link KrakeExecutors}, created on first use and released when they close ({@code
 * Krake.close()}): its dispatcher's threads are shut down and its idle connections evicted.
 *
 * <p>A hook that needs other settings (timeouts, TLS, its own dispatcher) derives a client with
 * {@code SharedHttpClient.of(executors).newBuilder()...build()}, which shares the connection pool
 * and the dispatcher unless it replaces them. A host that wants its own base client passes it to
 * the hook's builder ({@code httpClient(...)}) as before.
 *
 * <pre>{@code
 * OkHttpClient client = SharedHttpClient.of(context.executors())
 *     .newBuilder()
 *     .callTimeout(Duration.ofSeconds(5))
 *     .build();
 * }</pre>
 */
public final class SharedHttpClient {

  /** The name under which the client is kept in {@link KrakeExecutors}. */
  public static final String NAME = "okhttp";

  private SharedHttpClient() {}

  /**
   * Returns the shared client of these executors, created with OkHttp's defaults on the first call.
   *
   * @param executors the owner, e.g. {@code KrakeContext.executors()}
   * @return the client; never closed by the caller
   * @throws IllegalStateException if the executors are closed and hold no client yet
   */
  public static OkHttpClient of(KrakeExecutors executors) {
    return Objects.requireNonNull(executors, "executors")
        .shared(
            NAME,
            OkHttpClient.class,
            () -> new OkHttpClient.Builder().build(),
            SharedHttpClient::release);
  }

  private static void release(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
