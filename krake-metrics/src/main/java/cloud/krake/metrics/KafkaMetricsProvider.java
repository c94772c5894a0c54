package cloud.krake.metrics;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.FieldError;
import cloud.krake.model.KafkaSpec;
import cloud.krake.model.KrakeJson;
import cloud.krake.scheduler.metrics.MetricException;
import cloud.krake.scheduler.metrics.MetricsProviderClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Reads metrics from a ksqlDB (KSQL) server, as Krake's {@code Kafka} provider: {@code POST
 * <url>/query} with {@code {"ksql": "SELECT <value_column> FROM <table> WHERE <comparison_column> =
 * '<metric>';", "streamsProperties": {}}}; the answer is ksqlDB's JSON array (a {@code
 * {"header":...}} element, then {@code {"row":{"columns":[...]}}} elements) and the value is the
 * first column of the first row.
 *
 * <p>Deliberately unlike Krake, which interpolates all four values into the statement unchecked (in
 * its {@code krake/controller/scheduler/metrics.py}): {@code table}, {@code value_column} and
 * {@code comparison_column} must be identifiers ({@code [A-Za-z_][A-Za-z0-9_]*}), checked when the
 * provider is created, and the metric is written as a SQL string literal with single quotes
 * doubled.
 *
 * <p>Timeouts are those of the shared client (by default 20 seconds per call, as Krake's).
 * Thread-safe; the call runs on the caller's thread.
 */
public final class KafkaMetricsProvider implements MetricsProviderClient {

  /** What a table or column name must match. */
  public static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private static final MediaType KSQL_JSON = MediaType.get("application/vnd.ksql.v1+json");

  private final String name;
  private final KafkaSpec spec;
  private final HttpUrl queryUrl;
  private final OkHttpClient client;

  /**
   * Creates the provider.
   *
   * @throws InvalidConfigurationException naming each of {@code spec.kafka.table}, {@code
   *     spec.kafka.value_column}, {@code spec.kafka.comparison_column} that is not an identifier,
   *     and {@code spec.kafka.url} if it is not an http(s) URL
   */
  KafkaMetricsProvider(String name, KafkaSpec spec, OkHttpClient client) {
    this.name = Objects.requireNonNull(name, "name");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.client = Objects.requireNonNull(client, "client");
    List<FieldError> errors = new ArrayList<>();
    identifier("spec.kafka.comparison_column", spec.comparisonColumn(), errors);
    identifier("spec.kafka.table", spec.table(), errors);
    identifier("spec.kafka.value_column", spec.valueColumn(), errors);
    if (!errors.isEmpty()) {
      throw new InvalidConfigurationException(errors);
    }
    this.queryUrl =
        HttpCalls.baseUrl(spec.url(), "spec.kafka.url")
            .newBuilder()
            .addPathSegment("query")
            .build();
  }

  private static void identifier(String field, String value, List<FieldError> errors) {
    if (!IDENTIFIER.matcher(value).matches()) {
      errors.add(new FieldError(field, "must be an identifier matching [A-Za-z_][A-Za-z0-9_]*"));
    }
  }

  /**
   * Returns the KSQL statement selecting a metric: the configured identifiers as they are (they
   * were validated) and the metric as a string literal with single quotes doubled.
   *
   * @param metric the metric name, any text
   * @return the statement, ending with {@code ;}
   */
  public String statement(String metric) {
    Objects.requireNonNull(metric, "metric");
    return "SELECT "
        + spec.valueColumn()
        + " FROM "
        + spec.table()
        + " WHERE "
        + spec.comparisonColumn()
        + " = '"
        + metric.replace("'", "''")
        + "';";
  }

  /**
   * Queries the metric's current value.
   *
   * @param metric the value of {@code comparison_column} that selects the row
   * @return the first column of the first row
   * @throws MetricException with UNREACHABLE_METRICS_PROVIDER on connection errors, timeouts,
   *     non-2xx statuses (ksqlDB's error bodies), an answer that is not a JSON array or that
   *     carries an error element; UNKNOWN_METRIC when no row is returned; INVALID_METRIC when the
   *     first column is not a finite number
   */
  @Override
  public double value(String metric) {
    ObjectNode body = KrakeJson.mapper().createObjectNode();
    body.put("ksql", statement(metric));
    body.putObject("streamsProperties");
    Request request =
        new Request.Builder()
            .url(queryUrl)
            .header("Accept", "application/vnd.ksql.v1+json")
            .post(RequestBody.create(KrakeJson.writeBytes(body), KSQL_JSON))
            .build();
    String answer = HttpCalls.execute(client, request, name, metric);
    JsonNode root;
    try {
      root = KrakeJson.mapper().readTree(answer);
    } catch (JsonProcessingException e) {
      throw HttpCalls.unreachable(name, metric, "the answer is not JSON", e);
    }
    if (root == null || !root.isArray()) {
      throw HttpCalls.unreachable(name, metric, "the answer is not a JSON array", null);
    }
    for (JsonNode element : root) {
      if (element.has("errorMessage") || element.has("error_code")) {
        throw HttpCalls.unreachable(name, metric, "the answer carries an error", null);
      }
      JsonNode columns = element.path("row").path("columns");
      if (columns.isArray()) {
        JsonNode first = columns.path(0);
        if (!first.isValueNode() || first.isNull()) {
          throw HttpCalls.invalid(name, metric, "the row has no value");
        }
        return HttpCalls.number(first.asText(), name, metric);
      }
    }
    throw HttpCalls.unknown(name, metric);
  }

  /** Returns the provider's name, URL and table. */
  @Override
  public String toString() {
    return "KafkaMetricsProvider[name="
        + name
        + ", url="
        + queryUrl.redact()
        + ", table="
        + spec.table()
        + "]";
  }
}
