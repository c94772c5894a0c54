package cloud.krake.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.KafkaSpec;
import cloud.krake.model.KrakeJson;
import cloud.krake.model.MetricsProviderSpec;
import cloud.krake.model.ReasonCode;
import cloud.krake.scheduler.metrics.MetricException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KafkaMetricsProviderTest {

  // The answer shape of ksqlDB's /query documentation: a header, then rows.
  private static final String ANSWER =
      """
      [{"header":{"queryId":"query_1","schema":"`VALUE` DOUBLE"}},
       {"row":{"columns":[0.75]}},
       {"row":{"columns":[0.25]}}]
      """;

  private final MockWebServer server = new MockWebServer();
  private HttpMetricsProviders http;
  private KafkaMetricsProvider provider;

  @BeforeEach
  void start() throws IOException {
    server.start();
    http = HttpMetricsProviders.builder().callTimeout(Duration.ofMillis(500)).build();
    provider = create("metric_name", "value", "heat_demand");
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
  }

  private KafkaMetricsProvider create(String comparison, String value, String table) {
    return (KafkaMetricsProvider)
        http.create(
            "ksql",
            MetricsProviderSpec.of(
                new KafkaSpec(comparison, value, table, server.url("/").toString())));
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
  void postsKrakesStatementAndReturnsTheFirstColumnOfTheFirstRow() throws InterruptedException {
    answer(200, ANSWER);

    assertThat(provider.value("heat_demand_zone_1")).isEqualTo(0.75);

    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertThat(request.getMethod()).isEqualTo("POST");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/query");
    JsonNode body = KrakeJson.read(request.getBody().utf8(), JsonNode.class);
    assertThat(body.path("ksql").asText())
        .isEqualTo("SELECT value FROM heat_demand WHERE metric_name = 'heat_demand_zone_1';");
    assertThat(body.path("streamsProperties").isObject()).isTrue();
  }

  @Test
  void acceptsAValueWrittenAsAString() {
    answer(200, "[{\"header\":{}},{\"row\":{\"columns\":[\"3.5\"]}}]");

    assertThat(provider.value("m")).isEqualTo(3.5);
  }

  @Test
  void escapesAHostileMetricNameAsOneStringLiteral() {
    String hostile = "x' OR '1'='1'; DROP TABLE heat_demand; --";

    assertThat(provider.statement(hostile))
        .isEqualTo(
            "SELECT value FROM heat_demand WHERE metric_name = "
                + "'x'' OR ''1''=''1''; DROP TABLE heat_demand; --';");
  }

  @Test
  void sendsTheEscapedStatementOnTheWire() throws InterruptedException {
    answer(200, ANSWER);

    provider.value("a'b");

    JsonNode body =
        KrakeJson.read(server.takeRequest(1, TimeUnit.SECONDS).getBody().utf8(), JsonNode.class);
    assertThat(body.path("ksql").asText()).endsWith("= 'a''b';");
  }

  @Test
  void rejectsHostileTableAndColumnNamesNamingEachField() {
    assertThatThrownBy(() -> create("name = name OR 1", "v; DROP", "t WHERE 1=1 --"))
        .isInstanceOfSatisfying(
            InvalidConfigurationException.class,
            e ->
                assertThat(e.errors())
                    .extracting(error -> error.field())
                    .containsExactlyInAnyOrder(
                        "spec.kafka.comparison_column",
                        "spec.kafka.value_column",
                        "spec.kafka.table"));
  }

  @Test
  void reportsAnUnknownMetricWhenNoRowComesBack() {
    answer(200, "[{\"header\":{\"queryId\":\"q\",\"schema\":\"`VALUE` DOUBLE\"}}]");

    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.UNKNOWN_METRIC);
  }

  @Test
  void reportsAnUnreachableProviderOnKsqlsErrorBody() {
    answer(
        400,
        "{\"@type\":\"statement_error\",\"error_code\":40001,\"message\":\"Table HEAT not found\"}");

    MetricException e = failure("m");

    assertThat(e.reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(e.getMessage()).contains("ksql", "'m'", "400").doesNotContain("HEAT not found");
  }

  @Test
  void reportsAnUnreachableProviderOnAnErrorElementInTheStream() {
    answer(200, "[{\"header\":{}},{\"errorMessage\":{\"message\":\"boom\"}}]");

    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
  }

  @Test
  void reportsAnUnreachableProviderOnGarbageAndOnServerErrors() {
    answer(200, "garbage");
    answer(200, "{\"not\":\"an array\"}");
    answer(503, "");

    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
  }

  @Test
  void reportsAnInvalidMetricWhenTheColumnIsNotANumber() {
    answer(200, "[{\"header\":{}},{\"row\":{\"columns\":[\"high\"]}}]");

    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.INVALID_METRIC);
  }

  @Test
  void reportsAnUnreachableProviderOnATimeout() {
    server.enqueue(new MockResponse.Builder().body(ANSWER).bodyDelay(5, TimeUnit.SECONDS).build());

    assertThat(failure("m").reason().code()).isEqualTo(ReasonCode.UNREACHABLE_METRICS_PROVIDER);
  }
}
