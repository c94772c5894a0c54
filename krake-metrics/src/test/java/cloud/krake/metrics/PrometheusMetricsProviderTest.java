package cloud.krake.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.model.PrometheusSpec;
import cloud.krake.model.ReasonCode;
import cloud.krake.scheduler.metrics.MetricException;
import cloud.krake.scheduler.metrics.MetricsProviderClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PrometheusMetricsProviderTest {

  // The answer shape of Prometheus' HTTP API documentation (instant vector query).
  private static final String ANSWER =
      """
      {"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"other","job":"x"},"value":[1435781451.781,"9"]},
        {"metric":{"__name__":"heat_demand_zone_1","instance":"a:9100"},"value":[1435781451.781,"2.5"]},
        {"metric":{"__name__":"heat_demand_zone_1","instance":"b:9100"},"value":[1435781451.781,"4"]}
      ]}}
      """;

  private final MockWebServer server = new MockWebServer();
  private HttpMetricsProviders http;
  private MetricsProviderClient provider;

  @BeforeEach
  void start() throws IOException {
    server.start();
    http = HttpMetricsProviders.builder().callTimeout(Duration.ofMillis(500)).build();
    provider =
        http.create("prom", MetricsProviderSpec.of(new PrometheusSpec(server.url("/").toString())));
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
  }

  private void answer(int code, String body) {
    server.enqueue(new MockResponse.Builder().code(code).body(body).build());
  }

  private MetricException failure(String metric) {
    try {
      provider.value(metric);
    } catch (MetricException e) {
      return e;
    }
    throw new AssertionError("no MetricException");
  }

  @Test
  void returnsTheValueOfTheFirstResultWhoseNameIsTheMetric() throws InterruptedException {
    answer(200, ANSWER);

    assertThat(provider.value("heat_demand_zone_1")).isEqualTo(2.5);

    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/api/v1/query");
    assertThat(request.getUrl().queryParameter("query")).isEqualTo("heat_demand_zone_1");
  }

  @Test
  void encodesTheMetricAsAQueryParameter() throws InterruptedException {
    answer(200, "{\"status\":\"success\",\"data\":{\"result\":[]}}");

    failure("a&b=c #x");

    assertThat(server.takeRequest(1, TimeUnit.SECONDS).getUrl().queryParameter("query"))
        .isEqualTo("a&b=c #x");
  }

  @Test
  void reportsAnUnknownMetricWhenNoResultHasItsName() {
    answer(200, ANSWER);

    MetricException e = failure("heat_demand_zone_9");

    assertThat(e.reason().code()).isEqualTo(ReasonCode.UNKNOWN_METRIC);
    assertThat(e.reason().message()).contains("prom", "heat_demand_zone_9");
  }

  @Test
  void reportsAnUnreachableProviderOnAServerError() {
    answer(
        500,
        "{\"status\":\"error\",\"errorType\":\"internal\",\"error\":\"secret-internal-detail\"}");

    MetricException e = failure("m");

    assertThat(e.reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(e.reason().message())
        .contains("prom", "'m'", "500")
        .doesNotContain("secret-internal");
  }

  @Test
  void reportsAnUnreachableProviderOnABadQueryAnswer() {
    answer(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse error\"}");

    assertThat(failure("m(").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
  }

  @Test
  void reportsAnUnreachableProviderOnGarbageWithoutQuotingIt() {
    answer(200, "<html>not-json-garbage</html>");

    MetricException e = failure("m");

    assertThat(e.reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(e.getMessage()).doesNotContain("not-json-garbage");
  }

  @Test
  void reportsAnUnreachableProviderWhenTheStatusIsNotSuccess() {
    answer(200, "{\"status\":\"error\",\"data\":{\"result\":[]}}");

    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
  }

  @Test
  void reportsAnInvalidMetricWhenTheValueIsNotAFiniteNumber() {
    answer(
        200,
        "{\"status\":\"success\",\"data\":{\"result\":[{\"metric\":{\"__name__\":\"m\"},\"value\":[1,\"NaN\"]}]}}");

    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.INVALID_METRIC);
  }

  @Test
  void reportsAnUnreachableProviderWhenTheAnswerTakesLongerThanTheCallTimeout() {
    server.enqueue(
        new MockResponse.Builder().body(ANSWER).headersDelay(5, TimeUnit.SECONDS).build());

    long start = System.nanoTime();
    MetricException e = failure("heat_demand_zone_1");

    assertThat(e.reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void reportsAnUnreachableProviderWhenNothingListens() {
    String url = server.url("/").toString();
    server.close();
    MetricsProviderClient closed =
        http.create("prom", MetricsProviderSpec.of(new PrometheusSpec(url)));

    assertThatThrownBy(() -> closed.value("m"))
        .isInstanceOfSatisfying(
            MetricException.class,
            e -> assertThat(e.reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER));
  }

  @Test
  void rejectsAUrlThatIsNotHttp() {
    assertThatThrownBy(
            () -> http.create("prom", MetricsProviderSpec.of(new PrometheusSpec("localhost:9090"))))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("spec.prometheus.url");
  }

  @Test
  void rejectsATypeThatIsNotAnHttpProvider() {
    MetricsProviderSpec staticSpec =
        new MetricsProviderSpec(
            "static",
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            java.util.Optional.empty(),
            java.util.Optional.empty());

    assertThatThrownBy(() -> http.create("s", staticSpec))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("spec.type");
  }
}
