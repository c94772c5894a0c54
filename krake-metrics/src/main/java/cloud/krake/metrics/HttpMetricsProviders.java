package cloud.krake.metrics;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.FieldError;
import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.scheduler.metrics.MetricsProviderClient;
import cloud.krake.scheduler.metrics.MetricsProviderFactory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * The {@link MetricsProviderFactory}s of the HTTP provider types {@code prometheus}, {@code kafka}
 * and {@code influx}, sharing one okhttp client with bounded timeouts and a bounded connection
 * pool. Close it when the scheduler stops: it evicts the pooled connections; providers created by
 * it must not be used afterwards.
 *
 * <p>Defaults: connect timeout 10 s, read timeout 20 s, call timeout 20 s (Krake's total timeout
 * for Prometheus and KSQL), at most 5 idle connections kept for 60 s. Thread-safe.
 *
 * <pre>{@code
 * try (HttpMetricsProviders http = HttpMetricsProviders.builder().build()) {
 *   MetricsProviderClient p = http.create("prometheus", spec);
 *   double v = p.value("heat_demand_zone_1");
 * }
 * }</pre>
 */
public final class HttpMetricsProviders implements MetricsProviderFactory, AutoCloseable {

  private final OkHttpClient client;

  private HttpMetricsProviders(Builder builder) {
    this.client =
        new OkHttpClient.Builder()
            .connectTimeout(builder.connectTimeout)
            .readTimeout(builder.readTimeout)
            .writeTimeout(builder.readTimeout)
            .callTimeout(builder.callTimeout)
            .followRedirects(false)
            .retryOnConnectionFailure(false)
            .connectionPool(
                new ConnectionPool(
                    builder.maxIdleConnections,
                    builder.keepAlive.toMillis(),
                    TimeUnit.MILLISECONDS))
            .build();
  }

  /** Returns a builder with the defaults above. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates the provider for a {@code prometheus}, {@code kafka} or {@code influx} spec.
   *
   * @param name the provider resource's name, used in error messages
   * @param spec the spec
   * @return the provider; closing it does nothing (the client belongs to this object)
   * @throws InvalidConfigurationException naming {@code spec.type} for another type, the settings
   *     field if the settings of the type are missing, a URL field that is not an http(s) URL, or
   *     (kafka) a table or column name that is not an identifier
   */
  @Override
  public MetricsProviderClient create(String name, MetricsProviderSpec spec) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(spec, "spec");
    return switch (spec.type()) {
      case "prometheus" ->
          new PrometheusMetricsProvider(
              name, spec.prometheus().orElseThrow(() -> missing("prometheus")), client);
      case "kafka" ->
          new KafkaMetricsProvider(name, spec.kafka().orElseThrow(() -> missing("kafka")), client);
      case "influx" ->
          new InfluxMetricsProvider(
              name, spec.influx().orElseThrow(() -> missing("influx")), client);
      default ->
          throw new InvalidConfigurationException(
              List.of(
                  new FieldError(
                      "spec.type",
                      "'"
                          + spec.type()
                          + "' is not an HTTP provider type (prometheus, kafka, influx)")));
    };
  }

  private static InvalidConfigurationException missing(String type) {
    return new InvalidConfigurationException(
        List.of(new FieldError("spec." + type, "is required for type '" + type + "'")));
  }

  /** Evicts the pooled connections. Idempotent. */
  @Override
  public void close() {
    client.connectionPool().evictAll();
    client.dispatcher().executorService().shutdown();
  }

  /** Settings of the shared client. Not thread-safe. */
  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(20);
    private Duration callTimeout = Duration.ofSeconds(20);
    private int maxIdleConnections = 5;
    private Duration keepAlive = Duration.ofSeconds(60);

    private Builder() {}

    /**
     * Sets the time to establish a TCP (and TLS) connection; default 10 s.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connect_timeout");
      return this;
    }

    /**
     * Sets the longest wait for the next bytes of an answer; default 20 s.
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = positive(timeout, "read_timeout");
      return this;
    }

    /**
     * Sets the bound of a whole query, connection to last byte; default 20 s (Krake's).
     *
     * @param timeout positive
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "call_timeout");
      return this;
    }

    /**
     * Sets how many idle connections are kept and for how long; default 5 for 60 s.
     *
     * @param max at least 1
     * @param keepAlive positive
     * @return this builder
     */
    public Builder connectionPool(int max, Duration keepAlive) {
      if (max < 1) {
        throw new InvalidConfigurationException(
            List.of(new FieldError("max_idle_connections", "must be at least 1")));
      }
      this.maxIdleConnections = max;
      this.keepAlive = positive(keepAlive, "keep_alive");
      return this;
    }

    private static Duration positive(Duration value, String key) {
      Objects.requireNonNull(value, key);
      if (value.isNegative() || value.isZero()) {
        throw new InvalidConfigurationException(List.of(new FieldError(key, "must be positive")));
      }
      return value;
    }

    /** Returns the factory, owning a new okhttp client. */
    public HttpMetricsProviders build() {
      return new HttpMetricsProviders(this);
    }
  }
}
