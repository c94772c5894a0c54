package cloud.krake.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import cloud.krake.model.InfluxSpec;
import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.model.ReasonCode;
import cloud.krake.scheduler.metrics.MetricException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InfluxMetricsProviderTest {

  private static final String TOKEN = "s3cr3t-t0ken-value";

  // Annotated CSV as InfluxDB 2's query API documentation gives it.
  private static final String ANSWER =
      "#datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string\r\n"
          + "#group,false,false,true,true,false,false,true,true\r\n"
          + "#default,_result,,,,,,,\r\n"
          + ",result,table,_start,_stop,_time,_value,_field,_measurement\r\n"
          + ",,0,2026-11-21T13:00:00Z,2026-11-21T14:00:00Z,2026-11-21T13:59:00Z,1.5,value,heat\r\n"
          + ",,1,2026-11-21T13:00:00Z,2026-11-21T14:00:00Z,2026-11-21T13:59:30Z,2.75,value,heat\r\n"
          + "\r\n";

  private final MockWebServer server = new MockWebServer();
  private HttpMetricsProviders http;
  private InfluxMetricsProvider provider;

  @BeforeEach
  void start() throws IOException {
    server.start();
    http = HttpMetricsProviders.builder().callTimeout(Duration.ofMillis(500)).build();
    provider =
        (InfluxMetricsProvider)
            http.create(
                "influx",
                MetricsProviderSpec.of(
                    new InfluxSpec(server.url("/").toString(), TOKEN, "my org", "metrics")));
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
  void postsAFluxQueryWithTheTokenAndReturnsTheLastValue() throws InterruptedException {
    answer(200, ANSWER);

    assertThat(provider.value("heat")).isEqualTo(2.75);

    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/api/v2/query");
    assertThat(request.getUrl().queryParameter("org")).isEqualTo("my org");
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("Token " + TOKEN);
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/vnd.flux");
    assertThat(request.getBody().utf8())
        .contains("from(bucket: \"metrics\")", "range(start: -1h)", "r._measurement == \"heat\"")
        .contains("last()");
  }

  @Test
  void readsAnAnswerWithoutAnnotations() {
    answer(200, ",result,table,_value\n,_result,0,7\n");

    assertThat(provider.value("heat")).isEqualTo(7.0);
  }

  @Test
  void escapesTheMetricInsideTheFluxString() {
    String query = provider.query("x\") |> drop() // ${token} \\");

    assertThat(query).contains("r._measurement == \"x\\\") |> drop() // \\${token} \\\\\")");
  }

  @Test
  void reportsAnUnknownMetricWhenThereIsNoRow() {
    answer(200, "\r\n");

    assertThat(failure("heat").reason().code()).isEqualTo(ReasonCode.UNKNOWN_METRIC);
  }

  @Test
  void reportsAnUnreachableProviderOnAnUnauthorizedAnswerWithoutTheToken() {
    answer(401, "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}");

    MetricException e = failure("heat");

    assertThat(e.reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(e.getMessage()).contains("influx", "heat", "401").doesNotContain(TOKEN);
  }

  @Test
  void reportsAnUnreachableProviderOnAnErrorInTheCsvStream() {
    answer(200, "#datatype,string,string\n,error,reference\n,failed to execute query,\n");

    assertThat(failure("heat").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
  }

  @Test
  void reportsAnUnreachableProviderOnGarbage() {
    answer(200, "<html>garbage</html>");

    assertThat(failure("heat").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
  }

  @Test
  void reportsAnInvalidMetricWhenTheValueIsNotANumber() {
    answer(200, ",result,table,_value\n,_result,0,on\n");

    assertThat(failure("heat").reason().code()).isEqualTo(ReasonCode.INVALID_METRIC);
  }

  @Test
  void reportsAnUnreachableProviderOnATimeoutWithoutTheToken() {
    server.enqueue(
        new MockResponse.Builder().body(ANSWER).headersDelay(5, TimeUnit.SECONDS).build());

    MetricException e = failure("heat");

    assertThat(e.reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(e.getMessage()).doesNotContain(TOKEN);
    assertThat(String.valueOf(e.getCause())).doesNotContain(TOKEN);
  }

  @Test
  void neverShowsTheTokenInToString() {
    assertThat(provider.toString()).contains("influx", "metrics").doesNotContain(TOKEN);
  }
}
