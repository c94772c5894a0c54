package cloud.krake.metrics;

import cloud.krake.model.InfluxSpec;
import cloud.krake.scheduler.metrics.MetricException;
import cloud.krake.scheduler.metrics.MetricsProviderClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

/**
 * Reads metrics from InfluxDB 2 over its HTTP query API, as Krake's {@code Influx} provider (which
 * uses the Python client): {@code POST <url>/api/v2/query?org=<org>} with {@code Authorization:
 * Token <token>}, {@code Content-Type: application/vnd.flux} and the Flux query
 *
 * <pre>{@code
 * from(bucket: "<bucket>")
 *   |> range(start: -1h)
 *   |> filter(fn: (r) => r._measurement == "<metric>")
 *   |> last()
 * }</pre>
 *
 * <p>The bucket and the metric are escaped as Flux string literals ({@code \}, {@code "}, {@code $}
 * and control characters), unlike Krake, which interpolates them raw. The answer is annotated CSV;
 * the value is the {@code _value} column of the last data row (Krake takes the first record; after
 * {@code last()} there is one row per series).
 *
 * <p>The token is sent only in the header: it appears in no log, exception message or {@link
 * #toString()}. Timeouts are those of the shared client (by default 20 seconds per call; Krake uses
 * its client's default). Thread-safe; the call runs on the caller's thread.
 */
public final class InfluxMetricsProvider implements MetricsProviderClient {

  private static final MediaType FLUX = MediaType.get("application/vnd.flux");

  private final String name;
  private final String bucket;
  private final String authorization;
  private final HttpUrl queryUrl;
  private final OkHttpClient client;

  InfluxMetricsProvider(String name, InfluxSpec spec, OkHttpClient client) {
    this.name = Objects.requireNonNull(name, "name");
    this.client = Objects.requireNonNull(client, "client");
    this.bucket = spec.bucket();
    this.authorization = "Token " + spec.token();
    this.queryUrl =
        HttpCalls.baseUrl(spec.url(), "spec.influx.url")
            .newBuilder()
            .addPathSegments("api/v2/query")
            .addQueryParameter("org", spec.org())
            .build();
  }

  /**
   * Returns the Flux query for a metric, with the bucket and the metric escaped as string literals.
   *
   * @param metric the measurement name, any text
   * @return the query
   */
  public String query(String metric) {
    Objects.requireNonNull(metric, "metric");
    return "from(bucket: "
        + fluxString(bucket)
        + ")\n  |> range(start: -1h)\n  |> filter(fn: (r) => r._measurement == "
        + fluxString(metric)
        + ")\n  |> last()\n";
  }

  /**
   * Quotes text as a Flux string literal.
   *
   * @param text any text
   * @return the literal, including the double quotes
   */
  static String fluxString(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '$' -> out.append("\\$");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /**
   * Queries the metric's last value of the past hour.
   *
   * @param metric the measurement name
   * @return {@code _value} of the last data row
   * @throws MetricException with UNREACHABLE_METRICS_PROVIDER on connection errors, timeouts,
   *     non-2xx statuses (InfluxDB's JSON error bodies, for example a bad token), or a CSV answer
   *     without a {@code _value} column or with an {@code error} column; UNKNOWN_METRIC when there
   *     is no data row; INVALID_METRIC when {@code _value} is not a finite number
   */
  @Override
  public double value(String metric) {
    Request request =
        new Request.Builder()
            .url(queryUrl)
            .header("Authorization", authorization)
            .header("Accept", "application/csv")
            .post(RequestBody.create(query(metric), FLUX))
            .build();
    String answer = HttpCalls.execute(client, request, name, metric);
    return lastValue(answer, metric);
  }

  private double lastValue(String csv, String metric) {
    int valueColumn = -1;
    String last = null;
    boolean header = true;
    for (String line : csv.split("\r?\n", -1)) {
      if (line.isBlank()) {
        header = true; // a new table follows, with its own annotations and header
        continue;
      }
      if (line.startsWith("#")) {
        continue;
      }
      List<String> cells = cells(line);
      if (header) {
        header = false;
        if (cells.contains("error")) {
          throw HttpCalls.unreachable(name, metric, "the answer carries an error", null);
        }
        valueColumn = cells.indexOf("_value");
        if (valueColumn < 0) {
          throw HttpCalls.unreachable(name, metric, "the answer has no _value column", null);
        }
        continue;
      }
      if (valueColumn < cells.size()) {
        last = cells.get(valueColumn);
      }
    }
    if (last == null) {
      throw HttpCalls.unknown(name, metric);
    }
    return HttpCalls.number(last, name, metric);
  }

  /** Splits one CSV line (RFC 4180 quoting). */
  static List<String> cells(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
  }

  /** Returns the provider's name, URL and bucket; never the token. */
  @Override
  public String toString() {
    return "InfluxMetricsProvider[name="
        + name
        + ", url="
        + queryUrl.redact()
        + ", bucket="
        + bucket
        + "]";
  }
}
