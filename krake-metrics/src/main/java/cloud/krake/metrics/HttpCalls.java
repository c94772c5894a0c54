package cloud.krake.metrics;

import cloud.krake.InvalidConfigurationException;
import cloud.krake.model.FieldError;
import cloud.krake.model.Reason;
import cloud.krake.model.ReasonCode;
import cloud.krake.scheduler.metrics.MetricException;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** The HTTP plumbing the providers share: URL checks, one bounded call, error translation. */
final class HttpCalls {

  /** The most bytes of a response body that are read; larger bodies are cut and fail parsing. */
  static final long MAX_BODY_BYTES = 1L << 20;

  private HttpCalls() {}

  /**
   * Parses a provider's base URL.
   *
   * @param url the configured URL
   * @param field the configuration field, for example {@code spec.prometheus.url}
   * @throws InvalidConfigurationException naming {@code field} if the URL is not http(s)
   */
  static HttpUrl baseUrl(String url, String field) {
    HttpUrl parsed = HttpUrl.parse(Objects.requireNonNull(url, "url"));
    if (parsed == null) {
      throw new InvalidConfigurationException(
          List.of(new FieldError(field, "must be an http or https URL")));
    }
    return parsed;
  }

  /**
   * Executes a request and returns its body as text.
   *
   * @throws MetricException with UNREACHABLE_METRICS_PROVIDER on an I/O error, a timeout or a
   *     non-2xx status
   */
  static String execute(OkHttpClient client, Request request, String provider, String metric) {
    try (Response response = client.newCall(request).execute()) {
      if (!response.isSuccessful()) {
        throw unreachable(provider, metric, "HTTP status " + response.code(), null);
      }
      return response.peekBody(MAX_BODY_BYTES).string();
    } catch (IOException e) {
      throw unreachable(provider, metric, describe(e), e);
    }
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
  }

  static MetricException unreachable(String provider, String metric, String why, Throwable cause) {
    Reason reason =
        Reason.of(
            ReasonCode.UNREACHABLE_METRICS_PROVIDER,
            "metrics provider '" + provider + "' failed to return metric '" + metric + "': " + why);
    return cause == null ? new MetricException(reason) : new MetricException(reason, cause);
  }

  static MetricException unknown(String provider, String metric) {
    return new MetricException(
        Reason.of(
            ReasonCode.UNKNOWN_METRIC,
            "metrics provider '" + provider + "' has no value for metric '" + metric + "'"));
  }

  static MetricException invalid(String provider, String metric, String why) {
    return new MetricException(
        Reason.of(
            ReasonCode.INVALID_METRIC,
            "metrics provider '"
                + provider
                + "' returned an invalid value for metric '"
                + metric
                + "': "
                + why));
  }

  /**
   * Parses a number the provider returned; must be finite.
   *
   * @throws MetricException with INVALID_METRIC if it is not a finite number
   */
  static double number(String text, String provider, String metric) {
    double value;
    try {
      value = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw invalid(provider, metric, "not a number");
    }
    if (!Double.isFinite(value)) {
      throw invalid(provider, metric, "not a finite number");
    }
    return value;
  }
}
