package cloud.krake.metrics;

import cloud.krake.model.KrakeJson;
import cloud.krake.model.PrometheusSpec;
import cloud.krake.scheduler.metrics.MetricException;
import cloud.krake.scheduler.metrics.MetricsProviderClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * Reads metrics from a Prometheus server, as Krake's {@code Prometheus} provider: {@code GET
 * <url>/api/v1/query?query=<metric>} (the metric URL-encoded as a query parameter), then the first
 * element of {@code data.result} whose {@code metric.__name__} equals the metric, and its value
 * {@code value[1]} as a number.
 *
 * <p>Timeouts are those of the shared client ({@link HttpMetricsProviders.Builder}); by default the
 * whole call is bounded by 20 seconds, as Krake's. Thread-safe; the call runs on the caller's
 * thread. Created by {@link HttpMetricsProviders}; closing it is a no-op (the client belongs to the
 * {@link HttpMetricsProviders}).
 */
public final class PrometheusMetricsProvider implements MetricsProviderClient {

  private final String name;
  private final HttpUrl queryUrl;
  private final OkHttpClient client;

  PrometheusMetricsProvider(String name, PrometheusSpec spec, OkHttpClient client) {
    this.name = Objects.requireNonNull(name, "name");
    this.client = Objects.requireNonNull(client, "client");
    this.queryUrl =
        HttpCalls.baseUrl(spec.url(), "spec.prometheus.url")
            .newBuilder()
            .addPathSegments("api/v1/query")
            .build();
  }

  /**
   * Queries the metric's current value.
   *
   * @param metric the metric name at Prometheus (a PromQL expression that selects series of that
   *     name)
   * @return {@code value[1]} of the first result whose {@code __name__} is {@code metric}
   * @throws MetricException with UNREACHABLE_METRICS_PROVIDER on connection errors, timeouts,
   *     non-2xx statuses, a body that is not JSON or a {@code status} other than {@code success};
   *     UNKNOWN_METRIC when no result carries that name; INVALID_METRIC when the value is not a
   *     finite number (Krake lets {@code float()} fail there)
   */
  @Override
  public double value(String metric) {
    Objects.requireNonNull(metric, "metric");
    HttpUrl url = queryUrl.newBuilder().addQueryParameter("query", metric).build();
    Request request = new Request.Builder().url(url).get().build();
    String body = HttpCalls.execute(client, request, name, metric);
    JsonNode root;
    try {
      root = KrakeJson.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      throw HttpCalls.unreachable(name, metric, "the answer is not JSON", e);
    }
    if (root == null || !"success".equals(root.path("status").asText())) {
      throw HttpCalls.unreachable(name, metric, "the answer's status is not 'success'", null);
    }
    JsonNode results = root.path("data").path("result");
    if (!results.isArray()) {
      throw HttpCalls.unreachable(name, metric, "the answer has no data.result list", null);
    }
    for (JsonNode result : results) {
      if (metric.equals(result.path("metric").path("__name__").asText(null))) {
        JsonNode value = result.path("value").path(1);
        if (!value.isValueNode()) {
          throw HttpCalls.invalid(name, metric, "the result has no value");
        }
        return HttpCalls.number(value.asText(), name, metric);
      }
    }
    throw HttpCalls.unknown(name, metric);
  }

  /** Returns the provider's name and query URL. */
  @Override
  public String toString() {
    return "PrometheusMetricsProvider[name=" + name + ", url=" + queryUrl.redact() + "]";
  }
}
